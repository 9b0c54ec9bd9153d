-- The late events a simulation's faults hold back (faults.late_events), with their ground truth:
-- inserted and deleted by the worker in the same transactions as the rows and the progress, so
-- that a resumed simulation writes them when they fall due, exactly as the uninterrupted run.
CREATE TABLE @extschema@.held_events (
    simulation_id int NOT NULL REFERENCES @extschema@.simulation_runs (id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    due_at timestamptz NOT NULL,
    held jsonb NOT NULL,
    PRIMARY KEY (simulation_id, seq));
COMMENT ON TABLE @extschema@.held_events IS
    'Late events held back by a running simulation''s faults until their arrival time (due_at, simulated), each with its ground truth (JSON written by the worker); committed with the rows, read back when the simulation resumes.';
GRANT SELECT ON @extschema@.held_events TO PUBLIC;
