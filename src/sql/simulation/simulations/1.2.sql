-- Columns are only ever appended (CREATE OR REPLACE VIEW): a view that a user built on this one
-- would make a DROP, and with it ALTER EXTENSION UPDATE, fail.
CREATE OR REPLACE VIEW @extschema@.simulations AS
    SELECT s.*, @extschema@.simulation_node() AS runs_on FROM @extschema@.simulation_status() s ORDER BY s.id;
COMMENT ON VIEW @extschema@.simulations IS
    'Simulations of this database and their counters (live while running): scheduled arrivals vs iterations done, rows written per table, errors, desired state; runs_on: where they run (''local'', or this Citus node''s host:port).';
