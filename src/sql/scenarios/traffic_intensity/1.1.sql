CREATE FUNCTION @extschema@.traffic_intensity(
    scenario text DEFAULT 'reference',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    step interval DEFAULT '1 hour',
    avg_qps float8 DEFAULT 1,
    seed bigint DEFAULT 0,
    OUT bucket_start timestamptz, OUT bucket_end timestamptz, OUT intensity float8, OUT expected float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_traffic_intensity';
COMMENT ON FUNCTION @extschema@.traffic_intensity(text, timestamptz, timestamptz, interval, float8, bigint) IS
    'The scenario''s traffic shape between start_at and end_at, per step: intensity is the mean of m(t) (1 = avg_qps) and expected the arrivals avg_qps * integral of m(t), incidents included (random ones drawn as a back-fill with this seed starting at start_at draws them).';
