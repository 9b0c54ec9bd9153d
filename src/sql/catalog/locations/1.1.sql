CREATE FUNCTION @extschema@.locations() RETURNS SETOF @extschema@.locations_row
    LANGUAGE c STABLE PARALLEL SAFE ROWS 25000 AS 'MODULE_PATHNAME', 'thelook_locations';
COMMENT ON FUNCTION @extschema@.locations() IS
    'The places users are drawn from, with their population weights (see data/README.md).';
