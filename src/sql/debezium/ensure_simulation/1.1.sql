CREATE FUNCTION @extschema@.ensure_simulation(
    name text,
    schema name DEFAULT 'demo',
    avg_qps float8 DEFAULT 20,
    max_iter bigint DEFAULT -1,
    user_create_prob float8 DEFAULT 0.05,
    user_update_prob float8 DEFAULT 0.1,
    order_update_prob float8 DEFAULT 0.4,
    ghost_create_prob float8 DEFAULT 0.2,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    seed bigint DEFAULT NULL,
    duration interval DEFAULT NULL,
    heartbeat_interval interval DEFAULT '10 seconds',
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference',
    time_scale float8 DEFAULT 1,
    simulated_start timestamptz DEFAULT NULL,
    on_resume text DEFAULT 'skip',
    keep_events interval DEFAULT NULL,
    keep_orders interval DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $ensure_simulation$
DECLARE
    existing int;
    existing_state text;
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'parameter "name" must not be empty'
            USING ERRCODE = '22023',
                  HINT = 'ensure_simulation() finds its simulation by name: pass one, such as ''business_hours''.';
    END IF;
    IF octet_length(name) >= 64 THEN
        RAISE EXCEPTION 'parameter "name" is too long'
            USING ERRCODE = '22023', DETAIL = format('It has %s bytes; at most 63 are kept.', octet_length(name)),
                  HINT = 'Pass a shorter name.';
    END IF;
    -- Two cron jobs (or sessions) firing at once must not both start one: serialize on
    -- (database, schema, name) until this transaction ends.
    PERFORM pg_advisory_xact_lock(hashtext('thelook_datagen.ensure_simulation'),
                                  hashtext(current_database() || '/' || schema || '/' || name));
    -- Any simulation that should be running counts: starting, running, being restarted, or
    -- interrupted (not resumed after a restart: thelook.auto_resume off); the last is resumed.
    SELECT s.id, s.state INTO existing, existing_state
      FROM @extschema@.simulation_status() s
     WHERE s.name = ensure_simulation.name AND s.schema = ensure_simulation.schema
       AND s.database = current_database() AND s.desired_state = 'running'
     ORDER BY s.id
     LIMIT 1;
    IF existing IS NOT NULL THEN
        IF existing_state = 'interrupted' THEN
            PERFORM @extschema@.resume_simulation(existing);
        END IF;
        RETURN existing;
    END IF;
    RETURN @extschema@.start_simulation(
        schema => schema, avg_qps => avg_qps, max_iter => max_iter,
        user_create_prob => user_create_prob, user_update_prob => user_update_prob,
        order_update_prob => order_update_prob, ghost_create_prob => ghost_create_prob,
        country => country, state => state, postal_code => postal_code, seed => seed,
        duration => duration, heartbeat_interval => heartbeat_interval, name => name,
        id_format => id_format, scenario => scenario, time_scale => time_scale,
        simulated_start => simulated_start, on_resume => on_resume, keep_events => keep_events,
        keep_orders => keep_orders);
END
$ensure_simulation$;
COMMENT ON FUNCTION @extschema@.ensure_simulation(text, name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text, float8, timestamptz, text, interval, interval) IS
    'Returns the id of the simulation called name in schema (this database) that should be running (starting, running, restarting, or interrupted, which it resumes), or starts one with the given parameters. Safe to call every minute from pg_cron: never starts a duplicate.';
