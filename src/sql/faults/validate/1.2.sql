-- The data's contract, as rules anyone can run: every row that breaks one, with the rule it
-- breaks. A scenario's bad records (faults.bad_records) break exactly one rule each and are listed
-- in the schema's injected_faults table; rows the generator writes otherwise break none. The
-- defect kinds and their columns are src/core/faults.cpp's defect_columns(); a test checks that
-- this function finds exactly the listed rows. 1.2: a NULL schema is 22004 and a schema without
-- one of the tables 42P01, each with a hint, instead of PostgreSQL's own errors without one.
CREATE OR REPLACE FUNCTION @extschema@.validate(schema name DEFAULT 'demo')
RETURNS TABLE (table_name text, row_id text, defect text, column_name text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $validate$
DECLARE
    s text := quote_ident(schema);
    uuid_re constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    -- Leading or trailing whitespace, or a control character anywhere.
    stray_re constant text := '^\s|\s$|[[:cntrl:]]';
    out_of_range constant text := $r$ NOT (created_at >= '1990-01-01' AND created_at < '2100-01-01') $r$;
    t text;
BEGIN
    IF schema IS NULL THEN
        RAISE EXCEPTION 'parameter "schema" must not be NULL'
            USING ERRCODE = '22004', HINT = 'Pass the schema a simulation or back-fill writes, such as ''demo''.';
    END IF;
    IF to_regnamespace(s) IS NULL THEN
        RAISE EXCEPTION 'schema "%" does not exist', schema
            USING ERRCODE = '3F000', HINT = 'Pass the schema a simulation or back-fill writes, such as ''demo''.';
    END IF;
    FOREACH t IN ARRAY ARRAY['users', 'orders', 'order_items', 'events', 'products'] LOOP
        IF to_regclass(format('%s.%I', s, t)) IS NULL THEN
            RAISE EXCEPTION 'relation "%.%" does not exist', schema, t
                USING ERRCODE = '42P01', DETAIL = 'validate() reads the tables users, orders, order_items, events and products.',
                      HINT = format('Run SELECT thelook.setup(%L) to create them.', schema);
        END IF;
    END LOOP;
    RETURN QUERY EXECUTE format($q$
        SELECT 'users', id, 'null_required', 'email' FROM %1$s.users WHERE email IS NULL
        UNION ALL SELECT 'users', id, 'invalid_email', 'email' FROM %1$s.users WHERE position('@' IN email) = 0
        UNION ALL SELECT 'users', id, 'unknown_enum', 'gender' FROM %1$s.users WHERE gender NOT IN ('M', 'F')
        UNION ALL SELECT 'users', id, 'unknown_enum', 'traffic_source' FROM %1$s.users
            WHERE traffic_source NOT IN ('Search', 'Organic', 'Facebook', 'Email', 'Display')
        UNION ALL SELECT 'users', id, 'non_positive_number', 'age' FROM %1$s.users WHERE age <= 0
        UNION ALL SELECT 'users', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.users WHERE %4$s
        UNION ALL SELECT 'users', id, 'stray_whitespace', 'first_name' FROM %1$s.users WHERE first_name ~ %3$L
        UNION ALL SELECT 'users', id, 'stray_whitespace', 'last_name' FROM %1$s.users WHERE last_name ~ %3$L

        UNION ALL SELECT 'orders', id, 'null_required', 'user_id' FROM %1$s.orders WHERE user_id IS NULL
        UNION ALL SELECT 'orders', id, 'unknown_enum', 'status' FROM %1$s.orders
            WHERE status NOT IN ('Processing', 'Shipped', 'Delivered', 'Returned', 'Cancelled')
        UNION ALL SELECT 'orders', id, 'non_positive_number', 'num_of_items' FROM %1$s.orders WHERE num_of_items <= 0
        UNION ALL SELECT 'orders', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.orders WHERE %4$s

        UNION ALL SELECT 'order_items', id, 'null_required', 'order_id' FROM %1$s.order_items WHERE order_id IS NULL
        UNION ALL SELECT 'order_items', id, 'null_required', 'product_id' FROM %1$s.order_items WHERE product_id IS NULL
        UNION ALL SELECT 'order_items', id, 'non_positive_number', 'sale_price' FROM %1$s.order_items WHERE sale_price <= 0
        UNION ALL SELECT 'order_items', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.order_items WHERE %4$s
        UNION ALL SELECT 'order_items', i.id, 'orphan_foreign_key', 'order_id' FROM %1$s.order_items i
            WHERE i.order_id IS NOT NULL AND NOT EXISTS (SELECT FROM %1$s.orders o WHERE o.id = i.order_id)
        UNION ALL SELECT 'order_items', i.id, 'orphan_foreign_key', 'product_id' FROM %1$s.order_items i
            WHERE i.product_id IS NOT NULL AND NOT EXISTS (SELECT FROM %1$s.products p WHERE p.id = i.product_id)

        UNION ALL SELECT 'events', id, 'null_required', 'session_id' FROM %1$s.events WHERE session_id IS NULL
        UNION ALL SELECT 'events', id, 'null_required', 'uri' FROM %1$s.events WHERE uri IS NULL
        UNION ALL SELECT 'events', id, 'unknown_enum', 'browser' FROM %1$s.events
            WHERE browser NOT IN ('Chrome', 'Safari', 'Firefox', 'Edge', 'IE', 'Other')
        UNION ALL SELECT 'events', id, 'unknown_enum', 'traffic_source' FROM %1$s.events
            WHERE traffic_source NOT IN ('Email', 'Adwords', 'YouTube', 'Facebook', 'Organic')
        UNION ALL SELECT 'events', id, 'non_positive_number', 'sequence_number' FROM %1$s.events WHERE sequence_number <= 0
        UNION ALL SELECT 'events', id, 'timestamp_out_of_range', 'created_at' FROM %1$s.events WHERE %4$s
        UNION ALL SELECT 'events', e.id, 'orphan_foreign_key', 'user_id' FROM %1$s.events e
            WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM %1$s.users u WHERE u.id = e.user_id)
        UNION ALL SELECT 'events', id, 'malformed_uuid', 'session_id' FROM %1$s.events WHERE session_id !~ %2$L
        UNION ALL SELECT 'events', id, 'malformed_uri', 'uri' FROM %1$s.events WHERE uri !~ '^/'
        UNION ALL SELECT 'events', id, 'stray_whitespace', 'city' FROM %1$s.events WHERE city ~ %3$L
        $q$, s, uuid_re, stray_re, out_of_range);
END
$validate$;
COMMENT ON FUNCTION @extschema@.validate(name) IS
    'The data contract''s rules over a theLook schema: every row that breaks one (a NULL where a value is required, an unknown enum value, a non-positive number, a timestamp outside 1990-2100, an orphan foreign key, a malformed uuid or uri, an e-mail without @, stray whitespace or control characters), with its defect kind and column. Bad records a scenario injects are listed in the schema''s injected_faults table: this finds exactly those.';
