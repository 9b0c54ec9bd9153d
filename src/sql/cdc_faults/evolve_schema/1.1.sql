CREATE FUNCTION @extschema@.evolve_schema(schema name, change text DEFAULT 'orders.loyalty_points')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $evolve_schema$
DECLARE
    s text := quote_ident(schema);
    faults text := @extschema@.injected_faults_table(schema);
    tbl text;
    col text;
    ddl text;
BEGIN
    -- Additive changes only, with a constant default: no table rewrite (a catalogue change under a
    -- brief lock), old rows read the default, a running simulation keeps writing (its INSERTs name
    -- their columns, so new rows get the default; PostgreSQL replans its saved statements).
    CASE change
        WHEN 'orders.loyalty_points' THEN tbl := 'orders'; col := 'loyalty_points'; ddl := 'int NOT NULL DEFAULT 0';
        WHEN 'users.tier' THEN tbl := 'users'; col := 'tier'; ddl := 'text NOT NULL DEFAULT ''standard''';
        ELSE
            RAISE EXCEPTION 'parameter "change" must be ''orders.loyalty_points'' or ''users.tier'''
                USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(quote_literal(change), 'NULL')),
                      HINT = 'Each adds one column with a default, as a migration run during live traffic would.';
    END CASE;
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = format('%s.%I', s, tbl)::regclass AND attname = col AND NOT attisdropped) THEN
        RETURN format('%s.%s exists already', tbl, col);
    END IF;
    EXECUTE format('ALTER TABLE %s.%I ADD COLUMN %I %s', s, tbl, col, ddl);
    EXECUTE format('INSERT INTO %s (table_name, row_id, kind, detail) VALUES ($1, $2, ''schema_change'', $3)', faults)
        USING tbl, col, format('ADD COLUMN %s %s', col, ddl);
    RETURN format('%s.%s added (%s)', tbl, col, ddl);
END
$evolve_schema$;
COMMENT ON FUNCTION @extschema@.evolve_schema(name, text) IS
    'A schema change during live traffic: adds orders.loyalty_points (int, default 0) or users.tier (text, default ''standard''), once. Ground truth: a row of kind schema_change in injected_faults. Consumers see a new RELATION message.';
