CREATE FUNCTION @extschema@.stop_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_simulation';
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation of this database after its current transaction and waits for its worker to exit. The stop is kept: it is not resumed after a restart. Returns false if it had already ended.';
