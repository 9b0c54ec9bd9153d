CREATE OR REPLACE FUNCTION @extschema@.stop_all_simulations() RETURNS int
    LANGUAGE c VOLATILE PARALLEL UNSAFE AS 'MODULE_PATHNAME', 'thelook_stop_all_simulations';
COMMENT ON FUNCTION @extschema@.stop_all_simulations() IS
    'Stops every running simulation of this database that the calling role may stop, as stop_simulation does (waiting outside a transaction block, at commit inside one). Returns how many were (or will be) stopped.';
