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
