-- Every validation error of start_simulation / stop_simulation: SQLSTATE, message, detail, hint.
-- Nothing here starts a worker.
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS TABLE (state text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'no error';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;
SELECT count(*) > 0 AS set_up FROM demo.users;  -- by the setup test
SELECT coalesce(max(id), 0) AS last_sim FROM thelook.simulations \gset
\x on

-- avg_qps: positive and finite.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', avg_qps => 0)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', avg_qps => -1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', avg_qps => 'NaN')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', avg_qps => 'Infinity')$$);

-- max_iter: -1 or positive.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', max_iter => 0)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', max_iter => -2)$$);

-- Probabilities in [0, 1].
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', user_create_prob => -0.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', user_create_prob => 1.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', user_update_prob => -0.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', user_update_prob => 1.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', order_update_prob => -0.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', order_update_prob => 1.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', ghost_create_prob => -0.1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', ghost_create_prob => 1.1)$$);

-- NULL where a value is needed.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', avg_qps => NULL)$$);

-- The schema must exist and have been set up.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('no_such_schema')$$);
CREATE SCHEMA empty_schema;
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('empty_schema')$$);

-- Locations: each value must exist; weights must be well-formed JSON and positive.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => 'Atlantis')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', state => 'Nowhere State')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', postal_code => 'XX-00000-XX')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => 'France', state => 'Texas')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => '{"France": 1')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => '{"France" 1}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => '{}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => '{"France": 0, "Spain": 1}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => '{"France": -1}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', country => '')$$);

-- Durations.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', duration => '-1 second')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', duration => '0 seconds')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', heartbeat_interval => '-5 seconds')$$);

-- Id formats.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', id_format => 'uuid8')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.ensure_simulation('cron_job', 'demo', id_format => 'v7')$$);

-- Durable simulations: on_resume, retention windows; resume / forget an unknown id.
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', on_resume => 'replay')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', keep_events => '0 seconds')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo', keep_orders => '-1 day')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.resume_simulation(999999)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.forget_simulation(999999)$$);

-- stop_simulation of an unknown id.
SELECT * FROM pg_temp.error_of($$SELECT thelook.stop_simulation(999999)$$);
\x off
SELECT thelook.stop_simulation(NULL) IS NULL AS strict;

-- Privileges: the worker would run as the caller, so the caller must be able to write.
CREATE ROLE regress_thelook_reader LOGIN;
GRANT USAGE ON SCHEMA thelook, demo TO regress_thelook_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA demo TO regress_thelook_reader;
CREATE ROLE regress_thelook_nologin NOLOGIN;
GRANT USAGE ON SCHEMA thelook, demo TO regress_thelook_nologin;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA demo TO regress_thelook_nologin;
CREATE ROLE regress_thelook_nousage LOGIN;
GRANT USAGE ON SCHEMA thelook TO regress_thelook_nousage;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA demo TO regress_thelook_nousage;
\x on
SET ROLE regress_thelook_reader;
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo')$$);
RESET ROLE;
SET ROLE regress_thelook_nologin;
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo')$$);
RESET ROLE;
SET ROLE regress_thelook_nousage;
SELECT * FROM pg_temp.error_of($$SELECT thelook.start_simulation('demo')$$);
RESET ROLE;
\x off

-- None of the above started anything.
SELECT count(*) AS simulations FROM thelook.simulations WHERE id > :last_sim;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type = 'thelook simulation';

DROP SCHEMA empty_schema;
DROP OWNED BY regress_thelook_reader, regress_thelook_nologin, regress_thelook_nousage;
DROP ROLE regress_thelook_reader, regress_thelook_nologin, regress_thelook_nousage;
