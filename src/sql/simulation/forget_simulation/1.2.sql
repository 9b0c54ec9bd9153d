CREATE OR REPLACE FUNCTION @extschema@.forget_simulation(id int) RETURNS boolean
    LANGUAGE c VOLATILE STRICT PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_forget_simulation';
COMMENT ON FUNCTION @extschema@.forget_simulation(int) IS
    'Deletes the row of a simulation that is not running from thelook.simulation_runs, in the calling transaction (its data stays). Returns false if there was none.';
