CREATE FUNCTION @extschema@.simulation_node()
RETURNS text
    LANGUAGE c STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'thelook_simulation_node';
COMMENT ON FUNCTION @extschema@.simulation_node() IS
    'Where the simulations this database lists run (thelook.simulations.runs_on): ''local'', or on a Citus cluster this node''s host:port (a simulation runs on the node it was started on).';
