-- The reference data shipped with the extension, and generated users.
CREATE FUNCTION @extschema@.products() RETURNS SETOF @extschema@.products_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 30000 AS 'MODULE_PATHNAME', 'thelook_products';
COMMENT ON FUNCTION @extschema@.products() IS
    'The product catalogue shipped with the extension (about 29,000 apparel products), shaped like the products table.';

CREATE FUNCTION @extschema@.dist_centers() RETURNS SETOF @extschema@.dist_centers_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'thelook_dist_centers';
COMMENT ON FUNCTION @extschema@.dist_centers() IS
    'The 10 distribution centres of theLook, shaped like the dist_centers table.';

CREATE FUNCTION @extschema@.locations() RETURNS SETOF @extschema@.locations_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 25000 AS 'MODULE_PATHNAME', 'thelook_locations';
COMMENT ON FUNCTION @extschema@.locations() IS
    'The places users are drawn from, with their population weights (see data/README.md).';

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
