-- CDC edge cases on demand (the live ones, deletes and primary-key updates, are the scenario's
-- faults.cdc): a large transaction, a schema change, a truncate. Each records its ground truth in
-- the schema's injected_faults table, in the same transaction.
-- schema's injected_faults table, quoted; 42P01 with a hint when the schema has none (set up by 1.0).
CREATE FUNCTION @extschema@.injected_faults_table(schema name)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $injected_faults_table$
BEGIN
    IF to_regclass(format('%I.injected_faults', schema)) IS NULL THEN
        RAISE EXCEPTION 'relation "%.injected_faults" does not exist', schema
            USING ERRCODE = '42P01', HINT = format('Run SELECT thelook.setup(%L) again: it adds the table.', schema);
    END IF;
    RETURN format('%I.injected_faults', schema);
END
$injected_faults_table$;
COMMENT ON FUNCTION @extschema@.injected_faults_table(name) IS
    'The schema''s ground-truth table injected_faults as a quoted name; raises 42P01 when the schema has none.';

CREATE FUNCTION @extschema@.large_transaction(schema name, orders int DEFAULT 100000)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $large_transaction$
DECLARE
    s text := quote_ident(schema);
    faults text := @extschema@.injected_faults_table(schema);
    ids text[];
    n_items bigint;
BEGIN
    IF orders IS NULL OR orders < 1 OR orders > 1000000 THEN
        RAISE EXCEPTION 'parameter "orders" must be between 1 and 1000000'
            USING ERRCODE = '22023', DETAIL = format('The value was %s.', coalesce(orders::text, 'NULL')),
                  HINT = 'A transaction of 100000 orders and their items (about 245000 rows) takes a few seconds; split larger ones.';
    END IF;
    -- The oldest orders still in Processing ship at once, as a warehouse's end-of-day batch does:
    -- one transaction holding every order and every item it moves. SKIP LOCKED: orders a running
    -- simulation is moving are left to it (waiting for them could deadlock with its transaction).
    EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM (SELECT id FROM %s.orders WHERE status = ''Processing''
                    ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) o', s) INTO ids USING orders;
    EXECUTE format('UPDATE %s.orders SET status = ''Shipped'', shipped_at = localtimestamp, updated_at = localtimestamp
                    WHERE id = ANY ($1)', s) USING ids;
    EXECUTE format('UPDATE %s.order_items SET status = ''Shipped'', shipped_at = localtimestamp, updated_at = localtimestamp
                    WHERE order_id = ANY ($1)', s) USING ids;
    GET DIAGNOSTICS n_items = ROW_COUNT;
    EXECUTE format('INSERT INTO %s (table_name, row_id, kind, detail) VALUES (''orders'', $1, ''large_transaction'', $2)', faults)
        USING txid_current()::text, format('%s orders, %s items shipped', cardinality(ids), n_items);
    RETURN cardinality(ids) + n_items;
END
$large_transaction$;
COMMENT ON FUNCTION @extschema@.large_transaction(name, int) IS
    'A large transaction for CDC tests: ships up to orders (at most 1000000) of the oldest Processing orders and their items in one transaction; returns the rows updated. Ground truth: a row of kind large_transaction in injected_faults whose row_id is the transaction id.';

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
