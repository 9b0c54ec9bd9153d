-- A stored definition must resolve: checked on the way in, so a broken one never reaches a run.
CREATE FUNCTION @extschema@.scenarios_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $scenarios_check$
BEGIN
    IF NEW.definition ? 'base' AND NEW.definition->>'base' = NEW.name THEN
        RAISE EXCEPTION 'scenario.base: scenario "%" is its own base (a loop)', NEW.name
            USING ERRCODE = '22023', HINT = 'Name another scenario as the base.';
    END IF;
    PERFORM @extschema@.scenario(NEW.definition::text);
    RETURN NEW;
END
$scenarios_check$;
CREATE TRIGGER scenarios_check BEFORE INSERT OR UPDATE ON @extschema@.scenarios
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scenarios_check();
COMMENT ON FUNCTION @extschema@.scenarios_check() IS
    'Trigger of thelook.scenarios: a definition is stored only if it resolves and validates.';
