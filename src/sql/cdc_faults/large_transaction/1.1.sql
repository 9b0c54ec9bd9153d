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
