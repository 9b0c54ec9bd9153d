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
    simulated_start timestamptz DEFAULT NULL,
    on_resume text DEFAULT 'skip',
    keep_events interval DEFAULT NULL,
    keep_orders interval DEFAULT NULL,
    shard int DEFAULT NULL,
    shards int DEFAULT NULL)
RETURNS int
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'thelook_start_simulation_1_2';
COMMENT ON FUNCTION @extschema@.start_simulation(name, float8, bigint, float8, float8, float8, float8, text, text, text, bigint, interval, interval, text, text, text, float8, timestamptz, text, interval, interval, int, int) IS
    'Transactional: writes the simulation''s row in thelook.simulation_runs and returns its id at once; when the calling transaction commits, a background worker starts (within about a second), and on rollback nothing happens. The worker, running as the calling role, that writes theLook traffic into schema at avg_qps iterations per second (a Poisson process shaped by the scenario''s traffic profile and incidents). id_format ''uuid7'' gives new orders, items and events time-ordered ids. time_scale > 1 runs a simulated clock that many times faster from simulated_start (default now). The simulation is kept in thelook.simulation_runs and resumed after a restart or a crash: on_resume ''skip'' drops the arrivals that fell due while it was down, ''catch_up'' writes them at a bounded rate. keep_events / keep_orders delete older events, and orders with their items, as it runs (they need the indexes of thelook.create_simulation_indexes()). shard k of shards n (both or neither) makes a sharded simulation: every id it creates, and every user and order it picks, has hashtext(id) in the k-th of n equal hash ranges (a Citus shard of a table distributed with shard_count n), and its random streams are split from seed by k; it writes no heartbeat (docs/citus.md). Returns the simulation id.';
