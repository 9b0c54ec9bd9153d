CREATE FUNCTION @extschema@.truncate_table(schema name, table_name text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $truncate_table$
DECLARE
    s text := quote_ident(schema);
    faults text := @extschema@.injected_faults_table(schema);
    tables text[];
    t text;
    n bigint;
    total bigint := 0;
BEGIN
    -- Tables whose loss leaves no dangling reference behind: events, and orders with their items.
    CASE table_name
        WHEN 'events' THEN tables := ARRAY['events'];
        WHEN 'orders' THEN tables := ARRAY['orders', 'order_items'];
        ELSE
            RAISE EXCEPTION 'parameter "table_name" must be ''events'' or ''orders'''
                USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(quote_literal(table_name), 'NULL')),
                      HINT = '''orders'' truncates order_items with it, in one TRUNCATE.';
    END CASE;
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('LOCK TABLE %s.%I IN ACCESS EXCLUSIVE MODE', s, t);
        EXECUTE format('SELECT count(*) FROM %s.%I', s, t) INTO n;
        EXECUTE format('INSERT INTO %s (table_name, row_id, kind, detail) VALUES ($1, ''*'', ''truncate'', $2)', faults)
            USING t, format('%s rows', n);
        total := total + n;
    END LOOP;
    EXECUTE format('TRUNCATE %s', (SELECT string_agg(format('%s.%I', s, x), ', ') FROM unnest(tables) x));
    RETURN total;
END
$truncate_table$;
COMMENT ON FUNCTION @extschema@.truncate_table(name, text) IS
    'Truncates events, or orders with order_items (one TRUNCATE), as a CDC test; returns the rows removed. Ground truth: one row of kind truncate per table in injected_faults (row_id ''*'').';
