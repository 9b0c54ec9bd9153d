CREATE FUNCTION @extschema@.scenario(scenario text)
RETURNS jsonb
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_resolve_scenario';
COMMENT ON FUNCTION @extschema@.scenario(text) IS
    'Resolves and validates a scenario (a name in thelook.scenarios or a JSON document, whose "base" names a stored scenario it overrides) and returns it as one document. Errors name the JSON path.';
