CREATE FUNCTION @extschema@.generate_users(
    n bigint,
    seed bigint DEFAULT NULL,
    country text DEFAULT '*',
    state text DEFAULT '*',
    postal_code text DEFAULT '*',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    shard int DEFAULT 0,
    shards int DEFAULT 1)
RETURNS SETOF @extschema@.users_row
    LANGUAGE c VOLATILE PARALLEL SAFE CALLED ON NULL INPUT ROWS 1000
    AS 'MODULE_PATHNAME', 'thelook_generate_users';
COMMENT ON FUNCTION @extschema@.generate_users(bigint, bigint, text, text, text, timestamptz, timestamptz, int, int) IS
    'n users shaped like the users table. With a seed the rows are reproducible; created_at is spread evenly over [start_at, end_at] (both NULL: the transaction time). shard/shards split the same data set into disjoint parts.';
