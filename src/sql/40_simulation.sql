-- Live simulations: background workers writing theLook traffic at a Poisson rate.
CREATE FUNCTION @extschema@.start_simulation(
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
    name text DEFAULT NULL,
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference',
    time_scale float8 DEFAULT 1,
    simulated_start timestamptz DEFAULT NULL)
RETURNS int
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_start_simulation';
COMMENT ON FUNCTION @extschema@.start_simulation(name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text, text, float8, timestamptz) IS
    'Starts a background worker, running as the calling role, that writes theLook traffic into schema at avg_qps iterations per second (a Poisson process shaped by the scenario''s traffic profile and incidents). id_format ''uuid7'' gives new orders, items and events time-ordered ids. time_scale > 1 runs a simulated clock that many times faster from simulated_start (default now). Returns the simulation id.';

CREATE FUNCTION @extschema@.alter_simulation(
    id int,
    avg_qps float8 DEFAULT NULL,
    scenario text DEFAULT NULL,
    time_scale float8 DEFAULT NULL,
    user_create_prob float8 DEFAULT NULL,
    user_update_prob float8 DEFAULT NULL,
    order_update_prob float8 DEFAULT NULL,
    ghost_create_prob float8 DEFAULT NULL)
RETURNS boolean
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_alter_simulation';
COMMENT ON FUNCTION @extschema@.alter_simulation(int, float8, text, float8, float8, float8, float8, float8) IS
    'Changes a running simulation''s rate, scenario, time scale or probabilities (NULL keeps a value), within a second and without a gap or burst in its arrivals. Takes effect at once, whatever happens to the calling transaction. Only its owner or a superuser may.';

CREATE FUNCTION @extschema@.inject_incident(
    id int,
    kind text,
    magnitude float8 DEFAULT NULL,
    duration interval DEFAULT '10 minutes',
    start_at timestamptz DEFAULT NULL)
RETURNS timestamptz
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_inject_incident';
COMMENT ON FUNCTION @extschema@.inject_incident(int, text, float8, interval, timestamptz) IS
    'Injects an incident into a running simulation: spike (rate x magnitude, default 3), slump (x magnitude < 1, default 0.5), outage (no traffic, then a recovery at 1.5x) or checkout_failure (that share of purchases, default all, ends at the cart). duration and start_at are in simulated time (start_at default: the simulation''s now). Returns the simulated start; the incident is recorded in the schema''s incidents table.';

CREATE FUNCTION @extschema@.stop_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_simulation';
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation after its current transaction and waits for its worker to exit. Returns false if it had already ended.';

CREATE FUNCTION @extschema@.stop_all_simulations() RETURNS int
    LANGUAGE c VOLATILE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_all_simulations';
COMMENT ON FUNCTION @extschema@.stop_all_simulations() IS
    'Stops every running simulation that the calling role may stop. Returns how many were stopped.';

CREATE FUNCTION @extschema@.simulation_status(
    OUT id int, OUT name text, OUT database text, OUT schema text, OUT role text, OUT pid int,
    OUT state text, OUT started_at timestamptz, OUT ended_at timestamptz, OUT avg_qps float8,
    OUT max_iter bigint, OUT seed bigint, OUT scheduled bigint, OUT iterations bigint,
    OUT achieved_qps float8, OUT users_inserted bigint, OUT users_updated bigint,
    OUT orders_inserted bigint, OUT orders_updated bigint, OUT order_items_inserted bigint,
    OUT order_items_updated bigint, OUT events_inserted bigint, OUT heartbeats bigint,
    OUT transactions bigint, OUT max_rows_per_transaction bigint, OUT consecutive_errors int,
    OUT total_errors bigint, OUT last_error text, OUT id_format text, OUT scenario text,
    OUT time_scale float8, OUT simulated_time timestamptz, OUT incidents bigint)
RETURNS SETOF record
    LANGUAGE c VOLATILE PARALLEL SAFE AS 'MODULE_PATHNAME', 'thelook_simulation_status';
COMMENT ON FUNCTION @extschema@.simulation_status() IS
    'One row per simulation (running or ended since the server started), with live counters.';

CREATE VIEW @extschema@.simulations AS
    SELECT * FROM @extschema@.simulation_status() ORDER BY id;
COMMENT ON VIEW @extschema@.simulations IS
    'Simulations and their live counters: scheduled arrivals vs iterations done, rows written per table, errors.';

-- Ordinary roles may use the extension; what a simulation writes is still limited by the
-- privileges of the role that starts it.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;
