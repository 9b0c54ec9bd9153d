-- Bulk generation: orders (with items and sessions) and anonymous sessions as rows, and the
-- back-fill of a schema's history. With the same seed, users, location filter and window,
-- generate_orders / generate_order_items / generate_events return pieces of one data set whose
-- user_id values are ids of generate_users(users, seed, ...), so the tables join up.
CREATE FUNCTION @extschema@.generate_orders(
    n bigint,
    seed bigint DEFAULT NULL,
    users bigint DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    as_of timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.orders_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1000
    AS 'MODULE_PATHNAME', 'thelook_generate_orders';
COMMENT ON FUNCTION @extschema@.generate_orders(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text, text) IS
    'n orders shaped like the orders table. Order i is placed by user number h(i) of generate_users(users, seed, country, state, postal_code, start_at, end_at), after that user signed up and before end_at, and its lifecycle (ship, cancel, deliver, return with realistic delays) is played out up to as_of (NULL: end_at). Deterministic with a seed; shard/shards split it. id_format ''uuid7'' gives orders, items and events time-ordered ids. A scenario places the orders by its traffic shape and incidents.';

CREATE FUNCTION @extschema@.generate_order_items(
    n bigint,
    seed bigint DEFAULT NULL,
    users bigint DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    as_of timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.order_items_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1450
    AS 'MODULE_PATHNAME', 'thelook_generate_order_items';
COMMENT ON FUNCTION @extschema@.generate_order_items(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text, text) IS
    'The items of generate_orders called with the same arguments, shaped like the order_items table.';

CREATE FUNCTION @extschema@.generate_events(
    n bigint,
    seed bigint DEFAULT NULL,
    users bigint DEFAULT 1000,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    as_of timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.events_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 7000
    AS 'MODULE_PATHNAME', 'thelook_generate_events';
COMMENT ON FUNCTION @extschema@.generate_events(bigint, bigint, bigint, text, text, text, timestamptz, timestamptz, timestamptz, int, int, text, text) IS
    'The web events of generate_orders called with the same arguments: one purchase session per item, and a cancel or return session per item of orders cancelled or returned by as_of. Shaped like the events table.';

CREATE FUNCTION @extschema@.generate_sessions(
    n bigint,
    seed bigint DEFAULT NULL,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1,
    scenario text DEFAULT 'reference')
RETURNS SETOF @extschema@.events_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 4500
    AS 'MODULE_PATHNAME', 'thelook_generate_sessions';
COMMENT ON FUNCTION @extschema@.generate_sessions(bigint, bigint, text, text, text, timestamptz, timestamptz, int, int, text) IS
    'n anonymous browsing sessions (user_id NULL) as events rows, ending at times spread evenly over [start_at, end_at] (by the scenario''s traffic shape, if one is given). Deterministic with a seed; shard/shards split it.';

CREATE FUNCTION @extschema@.backfill(
    schema name DEFAULT 'demo',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT now(),
    avg_qps float8 DEFAULT 20,
    seed bigint DEFAULT NULL,
    user_create_prob float8 DEFAULT 0.05,
    ghost_create_prob float8 DEFAULT 0.2,
    init_num_users bigint DEFAULT 0,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference',
    OUT iterations bigint, OUT users bigint, OUT orders bigint, OUT order_items bigint,
    OUT events bigint, OUT total_rows bigint, OUT seconds float8, OUT rows_per_second float8)
RETURNS record
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'thelook_backfill';
COMMENT ON FUNCTION @extschema@.backfill(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, text, text) IS
    'Writes into an already set-up schema the history a simulation would have produced between start_at and end_at: purchases as a Poisson process at avg_qps shaped by the scenario (its incidents recorded in the schema''s incidents table), new users and anonymous sessions, order lifecycles with realistic delays played out up to end_at (in-flight orders keep their status for a live simulation to continue). Bulk COPY-like writes in one transaction; see backfill_in_chunks to commit as it goes.';

CREATE PROCEDURE @extschema@.backfill_in_chunks(
    schema name DEFAULT 'demo',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT now(),
    avg_qps float8 DEFAULT 20,
    seed bigint DEFAULT NULL,
    user_create_prob float8 DEFAULT 0.05,
    ghost_create_prob float8 DEFAULT 0.2,
    init_num_users bigint DEFAULT 0,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    commit_rows bigint DEFAULT 1000000,
    id_format text DEFAULT 'uuid4',
    scenario text DEFAULT 'reference')
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'thelook_backfill_in_chunks';
COMMENT ON PROCEDURE @extschema@.backfill_in_chunks(name, timestamptz, timestamptz, float8, bigint, float8, float8, bigint, text, text, text, bigint, text, text) IS
    'As backfill(), but commits every commit_rows rows when CALLed outside a transaction block, so a long back-fill holds no giant transaction and an interruption keeps what was committed. Reports a summary as a NOTICE.';
