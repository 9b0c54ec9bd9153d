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
