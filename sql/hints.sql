-- Errors caused by the caller's own mistake carry a hint (and a SQLSTATE that names the kind of
-- mistake): a parameter that is NULL, a schema without the tables a function reads, a simulation
-- that belongs to another role. Each row shows SQLSTATE, message and hint; "hint: <none>" would be
-- the defect this file guards against.
SET client_min_messages = warning;  -- the suite's files may run in any order
CREATE EXTENSION IF NOT EXISTS thelook_datagen;
SELECT thelook.setup('hints', init_num_users => 5, seed => 1) IS NOT NULL AS set_up;
CREATE SCHEMA hints_empty;
CREATE ROLE regress_thelook_other;
RESET client_min_messages;

CREATE FUNCTION pg_temp.error_of(sql text) RETURNS TABLE (state text, message text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'no error';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    hint := coalesce(nullif(hint, ''), '<none>');
    RETURN NEXT;
END
$$;
\x on

-- validate(): a NULL schema, a missing schema, a schema without the theLook tables.
SELECT * FROM pg_temp.error_of($$SELECT * FROM thelook.validate(NULL)$$);
SELECT * FROM pg_temp.error_of($$SELECT * FROM thelook.validate('hints_nowhere')$$);
SELECT * FROM pg_temp.error_of($$SELECT * FROM thelook.validate('hints_empty')$$);
SELECT * FROM pg_temp.error_of($$SELECT count(*) FROM thelook.validate('hints')$$);

-- feed_prepare() (write_feed's helper): NULL schema or directory.
SELECT * FROM pg_temp.error_of($$SELECT * FROM thelook.feed_prepare(NULL, '/tmp/x', NULL, 1, true)$$);
SELECT * FROM pg_temp.error_of($$SELECT * FROM thelook.feed_prepare('hints', NULL, NULL, 1, true)$$);

-- The control functions on a simulation of another role: 42501 with a hint. The simulation is
-- started in this transaction, which rolls back: no worker ever runs. Its id depends on the files
-- run before, so it shows as N. forget_simulation() refuses a running simulation first, so it is
-- asked to forget a stopped copy of the row.
BEGIN;
SELECT thelook.start_simulation('hints', avg_qps => 1, seed => 1) AS id \gset
INSERT INTO thelook.simulation_runs OVERRIDING SYSTEM VALUE
SELECT * FROM jsonb_populate_record(NULL::thelook.simulation_runs,
    (SELECT to_jsonb(r) || '{"id": 999999, "desired_state": "stopped", "state": "stopped"}'
     FROM thelook.simulation_runs r WHERE id = :id));
SET LOCAL ROLE regress_thelook_other;
SELECT state, regexp_replace(message, '[0-9]+', 'N') AS message, hint
FROM (VALUES (1, format('SELECT thelook.alter_simulation(%s, avg_qps => 2)', :id)),
             (2, format('SELECT thelook.stop_simulation(%s)', :id)),
             (3, format('SELECT thelook.resume_simulation(%s)', :id)),
             (4, 'SELECT thelook.forget_simulation(999999)')) c(n, statement),
     LATERAL pg_temp.error_of(statement)
ORDER BY n;
ROLLBACK;

\x off
SET client_min_messages = warning;
DROP SCHEMA hints CASCADE;
DROP SCHEMA hints_empty;
DROP ROLE regress_thelook_other;
