-- thelook.setup(): the reference DDL, the catalogue, the first users, idempotence, validation.
SET client_min_messages = warning;  -- the suite's files may run in any order
CREATE EXTENSION IF NOT EXISTS thelook_datagen;
RESET client_min_messages;

-- Errors are shown as SQLSTATE, message, detail and hint (no source locations, which change
-- with the code).
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS TABLE (state text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'no error';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END
$$;
\x on

-- The product count is whatever the shipped catalogue holds: checked below, masked here.
SELECT regexp_replace(thelook.setup('demo', seed => 1), '\d+ products', 'N products') AS setup;

\x off
-- The seven tables, their columns in order, and their types: exactly the reference DDL.
SELECT table_name, ordinal_position, column_name, data_type, is_nullable
FROM information_schema.columns
WHERE table_schema = 'demo'
ORDER BY array_position(ARRAY['users', 'orders', 'order_items', 'events', 'products',
                              'dist_centers', 'heartbeat']::text[], table_name::text),
         table_name, ordinal_position;

SELECT tc.table_name, string_agg(kcu.column_name, ', ' ORDER BY kcu.ordinal_position) AS primary_key
FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage kcu
  ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
WHERE tc.table_schema = 'demo' AND tc.constraint_type = 'PRIMARY KEY'
GROUP BY tc.table_name ORDER BY tc.table_name;

SELECT column_default FROM information_schema.columns
WHERE table_schema = 'demo' AND table_name = 'heartbeat' AND column_name = 'ts';

-- Counts: the 10 distribution centres, the catalogue, 1000 users, one heartbeat row.
SELECT (SELECT count(*) FROM demo.dist_centers) AS dist_centers,
       (SELECT count(*) FROM demo.products) >= 25000 AS products_ge_25000,
       (SELECT count(*) FROM demo.products) = (SELECT count(*) FROM thelook.products()) AS all_products,
       (SELECT count(*) FROM demo.users) AS users,
       (SELECT count(*) FROM demo.orders) AS orders,
       (SELECT count(*) FROM demo.order_items) AS order_items,
       (SELECT count(*) FROM demo.events) AS events,
       (SELECT count(*) FROM demo.heartbeat) AS heartbeat;

SELECT id, name, latitude, longitude FROM demo.dist_centers ORDER BY id;

SELECT count(DISTINCT department) AS departments, count(DISTINCT category) >= 20 AS categories,
       bool_and(cost < retail_price AND cost > 0) AS cost_below_price,
       bool_and(distribution_center_id BETWEEN 1 AND 10) AS dc_valid,
       count(*) = count(DISTINCT sku) AS skus_unique
FROM demo.products;

SELECT bool_and(gender IN ('M', 'F')) AS gender, bool_and(age BETWEEN 12 AND 70) AS age,
       bool_and(email = lower(email) AND email LIKE '%@%') AS email,
       bool_and(id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') AS uuid_ids,
       bool_and(created_at = updated_at) AS created_eq_updated
FROM demo.users;

-- Idempotent: a second call adds nothing and breaks nothing.
\x on
SELECT regexp_replace(thelook.setup('demo', seed => 1), '\d+ products', 'N products') AS setup_again;
\x off
SELECT (SELECT count(*) FROM demo.dist_centers) AS dist_centers,
       (SELECT count(*) FROM demo.products) = (SELECT count(*) FROM thelook.products()) AS all_products,
       (SELECT count(*) FROM demo.users) AS users,
       (SELECT count(*) FROM demo.heartbeat) AS heartbeat;

-- A larger init_num_users tops the users up.
SELECT regexp_replace(thelook.setup('demo', init_num_users => 1200, seed => 1), '\d+ products', 'N products') AS setup_more;
SELECT count(*) AS users, count(DISTINCT id) AS distinct_ids FROM demo.users;

-- Validation: nothing is created when a parameter is wrong.
\x on
SELECT * FROM pg_temp.error_of($$SELECT thelook.setup('bad1', init_num_users => -1)$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.setup('bad2', replica_identity => 'nothing')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.setup('bad3', country => 'Atlantis')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.setup('bad4', country => '{"France": 0}')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.setup('')$$);
SELECT * FROM pg_temp.error_of($$SELECT thelook.setup('thelook')$$);
\x off
SELECT count(*) AS schemas_created FROM pg_namespace WHERE nspname IN ('bad1', 'bad2', 'bad3', 'bad4');

-- Restricted locations.
SELECT regexp_replace(thelook.setup('demo_fr', init_num_users => 50, country => 'France', seed => 2),
                      '\d+ products', 'N products') AS setup_fr;
SELECT country, count(*) FROM demo_fr.users GROUP BY country;

-- replica_identity => 'full' gives every table REPLICA IDENTITY FULL; 'default' restores it.
SELECT regexp_replace(thelook.setup('demo_full', init_num_users => 0, replica_identity => 'full'),
                      '\d+ products', 'N products') AS setup_full;
SELECT c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'demo_full' AND c.relkind = 'r' ORDER BY c.relname;
SELECT count(*) AS users FROM demo_full.users;
SELECT thelook.setup('demo_full', init_num_users => 0, replica_identity => 'DEFAULT') IS NOT NULL AS ok;
SELECT string_agg(DISTINCT c.relreplident::text, ',') AS replident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'demo_full' AND c.relkind = 'r';
SELECT string_agg(DISTINCT c.relreplident::text, ',') AS demo_replident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'demo' AND c.relkind = 'r';

SET client_min_messages = warning;
DROP SCHEMA demo_fr CASCADE;
DROP SCHEMA demo_full CASCADE;
