CREATE FUNCTION @extschema@.dist_centers() RETURNS SETOF @extschema@.dist_centers_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 10 AS 'MODULE_PATHNAME', 'thelook_dist_centers';
COMMENT ON FUNCTION @extschema@.dist_centers() IS
    'The 10 distribution centres of theLook, shaped like the dist_centers table.';
