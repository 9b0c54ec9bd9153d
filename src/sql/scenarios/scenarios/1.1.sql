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
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scenarios', 'WHERE NOT builtin');
