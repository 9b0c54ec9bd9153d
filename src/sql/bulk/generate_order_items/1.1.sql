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
