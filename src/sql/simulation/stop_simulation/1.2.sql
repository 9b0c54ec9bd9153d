CREATE OR REPLACE FUNCTION @extschema@.stop_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_simulation';
COMMENT ON FUNCTION @extschema@.stop_simulation(int) IS
    'Stops a simulation of this database (its worker ends after its current transaction). Outside a transaction block it waits for the worker to exit; inside one it returns at once and the stop happens when the block commits (nothing on rollback). The stop is kept: it is not resumed after a restart. Returns false if it had already ended.';
