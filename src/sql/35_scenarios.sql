-- Scenarios: named documents describing how the shop behaves beyond the reference (traffic over
-- the day and week, incidents, ...). See the README's "Scenarios" section for the layout.
CREATE FUNCTION @extschema@.scenario(scenario text)
RETURNS jsonb
    LANGUAGE c STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_resolve_scenario';
COMMENT ON FUNCTION @extschema@.scenario(text) IS
    'Resolves and validates a scenario (a name in thelook.scenarios or a JSON document, whose "base" names a stored scenario it overrides) and returns it as one document. Errors name the JSON path.';

CREATE TABLE @extschema@.scenarios (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,63}$'),
    definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    description text,
    owner name NOT NULL DEFAULT current_user,
    builtin boolean NOT NULL DEFAULT false);
COMMENT ON TABLE @extschema@.scenarios IS
    'Named scenarios: the built-in ones, and any role''s own (added with INSERT; each role may change only its own rows).';
-- Every role reads every scenario and manages its own; the built-ins belong to the extension's owner.
ALTER TABLE @extschema@.scenarios ENABLE ROW LEVEL SECURITY;
CREATE POLICY scenarios_read ON @extschema@.scenarios FOR SELECT USING (true);
CREATE POLICY scenarios_own ON @extschema@.scenarios FOR ALL
    USING (owner = current_user AND NOT builtin) WITH CHECK (owner = current_user AND NOT builtin);
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.scenarios TO PUBLIC;

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

INSERT INTO @extschema@.scenarios (name, definition, description, builtin) VALUES
    ('reference', '{}',
     'The reference generator: traffic at a constant rate, no incidents (the default).', true),
    ('retail', '{"traffic": {"profile": "retail"}}',
     'An online shop''s day and week: quiet at night, a lunch peak and a larger evening peak, busier Fridays and weekends (UTC).', true),
    ('business_hours', '{"traffic": {"profile": "business_hours"}}',
     'A shop open Mon-Fri 08:00-20:00 and Sat 10:00-18:00, closed on Sunday, with a lunch peak (UTC).', true),
    ('retail_incidents', '{"base": "retail", "random_incidents": [
        {"kind": "spike", "per_day": 0.3, "magnitude": [2, 4], "duration": ["10 minutes", "1 hour"]},
        {"kind": "slump", "per_day": 0.2, "magnitude": [0.2, 0.6], "duration": ["30 minutes", "3 hours"]},
        {"kind": "outage", "per_day": 0.1, "duration": ["5 minutes", "30 minutes"]},
        {"kind": "checkout_failure", "per_day": 0.1, "duration": ["10 minutes", "1 hour"]}]}',
     'retail with random incidents: flash sales, storms, outages and checkout failures, recorded in the schema''s incidents table.', true),
    ('shoppers', '{"base": "retail", "shoppers": {"model": "sessions", "popularity": {"zipf_exponent": 1.0},
        "members": {"share": 0.2, "discount": 0.1}}}',
     'retail with shoppers who browse by the default transition matrix (about 3 % of visits buy), popular products (Zipf, exponent 1) and a 10 % member discount for one user in five.', true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scenarios', 'WHERE NOT builtin');
COMMENT ON FUNCTION @extschema@.scenarios_check() IS
    'Trigger of thelook.scenarios: a definition is stored only if it resolves and validates.';

CREATE FUNCTION @extschema@.traffic_intensity(
    scenario text DEFAULT 'reference',
    start_at timestamptz DEFAULT NULL,
    end_at timestamptz DEFAULT NULL,
    step interval DEFAULT '1 hour',
    avg_qps float8 DEFAULT 1,
    seed bigint DEFAULT 0,
    OUT bucket_start timestamptz, OUT bucket_end timestamptz, OUT intensity float8, OUT expected float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_traffic_intensity';
COMMENT ON FUNCTION @extschema@.traffic_intensity(text, timestamptz, timestamptz, interval, float8, bigint) IS
    'The scenario''s traffic shape between start_at and end_at, per step: intensity is the mean of m(t) (1 = avg_qps) and expected the arrivals avg_qps * integral of m(t), incidents included (random ones drawn as a back-fill with this seed starting at start_at draws them).';

CREATE FUNCTION @extschema@.product_popularity(
    scenario text DEFAULT 'reference',
    OUT product_id bigint, OUT rank int, OUT p_men float8, OUT p_women float8)
RETURNS SETOF record
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'thelook_product_popularity';
COMMENT ON FUNCTION @extschema@.product_popularity(text) IS
    'The scenario''s popularity law over the installed catalogue: each product''s rank and the probability that a man''s or a woman''s pick (an order item, a product page) is that product. Uniform without "shoppers.popularity".';
