CREATE FUNCTION @extschema@.create_simulation_indexes(
    schema name DEFAULT 'demo',
    scenario text DEFAULT 'reference',
    keep_events interval DEFAULT NULL,
    keep_orders interval DEFAULT NULL)
RETURNS SETOF text
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 5
    AS 'MODULE_PATHNAME', 'thelook_create_simulation_indexes';
COMMENT ON FUNCTION @extschema@.create_simulation_indexes(name, text, interval, interval) IS
    'Creates (as the calling role, which must own the tables) the indexes that a simulation with these options needs: created_at of events / orders for retention (keep_events, keep_orders), and the look-ups of the scenario''s faults.cdc. start_simulation and alter_simulation never create an index; they fail with a hint naming this function when one is missing. Returns the names of the indexes needed.';
