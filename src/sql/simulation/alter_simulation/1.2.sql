CREATE OR REPLACE FUNCTION @extschema@.alter_simulation(
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
    'Changes a running simulation''s rate, scenario, time scale or probabilities (NULL keeps a value), within about a second of the calling transaction''s commit and without a gap or burst in its arrivals; nothing changes if it rolls back. Only its owner or a superuser may.';
