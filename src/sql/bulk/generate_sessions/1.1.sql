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
