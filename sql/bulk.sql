-- Bulk generation: determinism, sharding, referential wholeness, validation, back-fill.
SET client_min_messages = warning;  -- the suite's files may run in any order
CREATE EXTENSION IF NOT EXISTS thelook_datagen;
RESET client_min_messages;
SET TimeZone = 'UTC';

-- Determinism: two runs with the same arguments hash the same.
SELECT (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM thelook.generate_orders(500, seed => 7, users => 100, start_at => '2024-01-01', end_at => '2024-02-01') o)
     = (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM thelook.generate_orders(500, seed => 7, users => 100, start_at => '2024-01-01', end_at => '2024-02-01') o) AS orders_repeat,
       (SELECT md5(string_agg(e::text, ',' ORDER BY e.id)) FROM thelook.generate_events(500, seed => 7, users => 100, start_at => '2024-01-01', end_at => '2024-02-01') e)
     = (SELECT md5(string_agg(e::text, ',' ORDER BY e.id)) FROM thelook.generate_events(500, seed => 7, users => 100, start_at => '2024-01-01', end_at => '2024-02-01') e) AS events_repeat,
       (SELECT md5(string_agg(s::text, ',' ORDER BY s.id)) FROM thelook.generate_sessions(300, seed => 7, start_at => '2024-01-01', end_at => '2024-02-01') s)
     = (SELECT md5(string_agg(s::text, ',' ORDER BY s.id)) FROM thelook.generate_sessions(300, seed => 7, start_at => '2024-01-01', end_at => '2024-02-01') s) AS sessions_repeat,
       (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM thelook.generate_orders(500, seed => 7, users => 100, start_at => '2024-01-01', end_at => '2024-02-01') o)
    <> (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM thelook.generate_orders(500, seed => 8, users => 100, start_at => '2024-01-01', end_at => '2024-02-01') o) AS seed_matters;

-- Sharding: three shards are disjoint and their union is the unsharded set.
CREATE TEMP TABLE whole AS SELECT * FROM thelook.generate_order_items(600, seed => 3, users => 50, start_at => '2024-01-01', end_at => '2024-02-01');
CREATE TEMP TABLE parts AS
    SELECT s AS shard, i.* FROM generate_series(0, 2) s,
        LATERAL thelook.generate_order_items(600, seed => 3, users => 50, start_at => '2024-01-01', end_at => '2024-02-01', shard => s, shards => 3) i;
SELECT (SELECT count(*) FROM whole) = (SELECT count(*) FROM parts) AS same_count,
       (SELECT count(*) FROM (SELECT id FROM parts GROUP BY id HAVING count(*) > 1) d) AS duplicates,
       (SELECT count(*) FROM (SELECT * FROM whole EXCEPT SELECT id, order_id, product_id, status, quantity, sale_price, created_at, updated_at, shipped_at, delivered_at, returned_at, cancelled_at FROM parts) x) AS missing,
       (SELECT count(*) FROM (SELECT id, order_id, product_id, status, quantity, sale_price, created_at, updated_at, shipped_at, delivered_at, returned_at, cancelled_at FROM parts EXCEPT SELECT * FROM whole) x) AS extra;
CREATE TEMP TABLE sess_whole AS SELECT * FROM thelook.generate_sessions(400, seed => 3, start_at => '2024-01-01', end_at => '2024-02-01');
SELECT (SELECT count(*) FROM (SELECT * FROM sess_whole EXCEPT
          SELECT e.* FROM generate_series(0, 3) s, LATERAL thelook.generate_sessions(400, seed => 3, start_at => '2024-01-01', end_at => '2024-02-01', shard => s, shards => 4) e) x) AS sessions_missing,
       (SELECT count(*) FROM generate_series(0, 3) s, LATERAL thelook.generate_sessions(400, seed => 3, start_at => '2024-01-01', end_at => '2024-02-01', shard => s, shards => 4) e)
     = (SELECT count(*) FROM sess_whole) AS sessions_same_count;

-- Referential wholeness: the SRF family fills a schema with no orphans.
SELECT thelook.setup('bulk', init_num_users => 0);
INSERT INTO bulk.users SELECT * FROM thelook.generate_users(200, seed => 11, start_at => '2024-01-01', end_at => '2024-02-01');
INSERT INTO bulk.orders SELECT * FROM thelook.generate_orders(2000, seed => 11, users => 200, start_at => '2024-01-01', end_at => '2024-02-01');
INSERT INTO bulk.order_items SELECT * FROM thelook.generate_order_items(2000, seed => 11, users => 200, start_at => '2024-01-01', end_at => '2024-02-01');
INSERT INTO bulk.events SELECT * FROM thelook.generate_events(2000, seed => 11, users => 200, start_at => '2024-01-01', end_at => '2024-02-01');
INSERT INTO bulk.events SELECT * FROM thelook.generate_sessions(500, seed => 11, start_at => '2024-01-01', end_at => '2024-02-01');
SELECT (SELECT count(*) FROM bulk.orders o WHERE NOT EXISTS (SELECT FROM bulk.users u WHERE u.id = o.user_id)) AS orders_without_user,
       (SELECT count(*) FROM bulk.order_items i WHERE NOT EXISTS (SELECT FROM bulk.orders o WHERE o.id = i.order_id)) AS items_without_order,
       (SELECT count(*) FROM bulk.order_items i WHERE NOT EXISTS (SELECT FROM bulk.products p WHERE p.id = i.product_id)) AS items_without_product,
       (SELECT count(*) FROM bulk.orders o WHERE o.num_of_items <> (SELECT count(*) FROM bulk.order_items i WHERE i.order_id = o.id)) AS wrong_item_counts,
       (SELECT count(*) FROM bulk.events e WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM bulk.users u WHERE u.id = e.user_id)) AS events_without_user,
       (SELECT count(*) FROM bulk.orders o JOIN bulk.users u ON u.id = o.user_id WHERE o.created_at < u.created_at) AS orders_before_signup,
       (SELECT count(*) FROM bulk.events WHERE user_id IS NULL) > 0 AS has_anonymous;
-- Purchase sessions match items; cancel/return sessions point at items of such orders.
SELECT (SELECT count(*) FROM bulk.events WHERE event_type = 'purchase') = (SELECT count(*) FROM bulk.order_items) AS one_purchase_per_item,
       (SELECT count(*) FROM bulk.events e WHERE e.event_type IN ('cancel', 'return') AND NOT EXISTS (
            SELECT FROM bulk.order_items i WHERE e.uri = '/' || e.event_type || '/item/' || i.id
              AND i.status = CASE e.event_type WHEN 'cancel' THEN 'Cancelled' ELSE 'Returned' END
              AND e.created_at = coalesce(i.cancelled_at, i.returned_at))) AS bad_exit_events;

-- Lifecycle as of a later time moves orders on; timestamps stay ordered.
SELECT status, count(*) > 0 AS present
FROM thelook.generate_orders(3000, seed => 5, users => 100, start_at => '2024-01-01', end_at => '2024-02-01', as_of => '2024-02-01')
GROUP BY status ORDER BY status;
SELECT count(*) FILTER (WHERE status = 'Processing') AS processing_a_year_later
FROM thelook.generate_orders(3000, seed => 5, users => 100, start_at => '2024-01-01', end_at => '2024-02-01', as_of => '2025-02-01');

-- Validation errors carry a SQLSTATE and a hint.
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; message text; hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN state || ' ' || message || ' / hint: ' || hint;
END $$;
SELECT pg_temp.error_of(statement) FROM (VALUES
    ('SELECT * FROM thelook.generate_orders(-1)'),
    ('SELECT * FROM thelook.generate_orders(10, users => 0)'),
    ('SELECT * FROM thelook.generate_orders(10, shard => 2, shards => 2)'),
    ('SELECT * FROM thelook.generate_orders(10, start_at => ''2024-02-01'', end_at => ''2024-01-01'')'),
    ('SELECT * FROM thelook.generate_orders(10, start_at => ''2024-01-01'', end_at => ''2024-02-01'', as_of => ''2024-01-15'')'),
    ('SELECT * FROM thelook.generate_sessions(10, country => ''Atlantis'')'),
    ('SELECT * FROM thelook.backfill(''bulk'', start_at => NULL)'),
    ('SELECT * FROM thelook.backfill(''bulk'', now() - interval ''1 day'', now() + interval ''1 day'')'),
    ('SELECT * FROM thelook.backfill(''bulk'', now() - interval ''1 day'', avg_qps => 0)'),
    ('SELECT * FROM thelook.backfill(''bulk'', now() - interval ''1 day'', user_create_prob => 1.5)'),
    ('SELECT * FROM thelook.backfill(''nosuchschema'', now() - interval ''1 day'')')
) t(statement);

-- Back-fill a month into a fresh schema: deterministic, whole, ordered in time.
SELECT thelook.setup('bf', init_num_users => 0);
SELECT thelook.setup('bf2', init_num_users => 0);
SELECT iterations, users, orders, order_items, events, total_rows
FROM thelook.backfill('bf', '2024-01-01', '2024-02-01', avg_qps => 0.002, seed => 42, init_num_users => 50);
SELECT iterations, users, orders, order_items, events, total_rows
FROM thelook.backfill('bf2', '2024-01-01', '2024-02-01', avg_qps => 0.002, seed => 42, init_num_users => 50);
SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM bf.orders t) = (SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM bf2.orders t) AS orders_same,
       (SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM bf.events t) = (SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM bf2.events t) AS events_same;
SELECT (SELECT count(*) FROM bf.orders o WHERE NOT EXISTS (SELECT FROM bf.users u WHERE u.id = o.user_id)) AS orders_without_user,
       (SELECT count(*) FROM bf.order_items i WHERE NOT EXISTS (SELECT FROM bf.orders o WHERE o.id = i.order_id)) AS items_without_order,
       (SELECT count(*) FROM bf.orders o WHERE o.num_of_items <> (SELECT count(*) FROM bf.order_items i WHERE i.order_id = o.id)) AS wrong_item_counts,
       (SELECT count(*) FROM bf.events e WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM bf.users u WHERE u.id = e.user_id)) AS events_without_user,
       (SELECT count(*) FROM bf.orders o JOIN bf.users u ON u.id = o.user_id WHERE o.created_at < u.created_at) AS orders_before_signup,
       (SELECT count(*) FROM bf.order_items i JOIN bf.orders o ON o.id = i.order_id
         WHERE (i.status, i.created_at, i.updated_at) IS DISTINCT FROM (o.status, o.created_at, o.updated_at)
            OR (i.shipped_at, i.delivered_at, i.returned_at, i.cancelled_at) IS DISTINCT FROM (o.shipped_at, o.delivered_at, o.returned_at, o.cancelled_at)) AS items_unlike_order;
SELECT count(*) FILTER (WHERE created_at > '2024-02-01' OR updated_at > '2024-02-01' OR shipped_at > '2024-02-01'
                          OR delivered_at > '2024-02-01' OR returned_at > '2024-02-01' OR cancelled_at > '2024-02-01') AS after_end,
       count(*) FILTER (WHERE created_at < '2024-01-01') AS before_start,
       count(*) FILTER (WHERE NOT (shipped_at IS NULL OR shipped_at >= created_at)
                          OR NOT (delivered_at IS NULL OR (shipped_at IS NOT NULL AND delivered_at >= shipped_at))
                          OR NOT (returned_at IS NULL OR (delivered_at IS NOT NULL AND returned_at >= delivered_at))
                          OR NOT (cancelled_at IS NULL OR (cancelled_at >= created_at AND shipped_at IS NULL))) AS out_of_order,
       count(*) FILTER (WHERE updated_at <> greatest(created_at, shipped_at, delivered_at, returned_at, cancelled_at)) AS wrong_updated_at,
       count(*) FILTER (WHERE status <> CASE WHEN returned_at IS NOT NULL THEN 'Returned' WHEN cancelled_at IS NOT NULL THEN 'Cancelled'
                                            WHEN delivered_at IS NOT NULL THEN 'Delivered' WHEN shipped_at IS NOT NULL THEN 'Shipped'
                                            ELSE 'Processing' END) AS status_unlike_times
FROM bf.orders;
SELECT count(*) FILTER (WHERE created_at > '2024-02-01') AS events_after_end,
       count(*) FILTER (WHERE event_type IN ('cancel', 'return')) > 0 AS has_exit_sessions,
       count(*) FILTER (WHERE user_id IS NULL) > 0 AS has_ghost_sessions
FROM bf.events;
-- The live lifecycle's mix over a month (one step per iteration with chance 0.4, shared by all
-- the open orders): most orders still Processing, some shipped and delivered, a few cancelled
-- and returned.
SELECT status, count(*) > 0 AS present,
       round(100.0 * count(*) / sum(count(*)) OVER ()) BETWEEN
         CASE status WHEN 'Processing' THEN 60 WHEN 'Shipped' THEN 5 WHEN 'Delivered' THEN 2 ELSE 0 END AND
         CASE status WHEN 'Processing' THEN 90 WHEN 'Shipped' THEN 30 WHEN 'Delivered' THEN 20 WHEN 'Cancelled' THEN 5 ELSE 2 END AS plausible
FROM bf.orders GROUP BY status ORDER BY status;
-- The chunked procedure in a transaction block commits once, at the block's end.
BEGIN;
SET LOCAL client_min_messages = warning;
CALL thelook.backfill_in_chunks('bf', '2023-12-01', '2023-12-02', avg_qps => 0.01, seed => 1, init_num_users => 5);
ROLLBACK;
-- (the summary NOTICE carries timings, so it is hidden above)

-- id_format => 'uuid7': the same orders as with random ids, but each id starts with its
-- created_at millisecond, so ids sort by time; items and events too.
SELECT count(*) AS orders, count(*) FILTER (WHERE substr(a.id, 15, 1) = '7') AS version_7,
       count(*) FILTER (WHERE (a.user_id, a.status, a.num_of_items, a.created_at, a.shipped_at, a.delivered_at)
                              IS NOT DISTINCT FROM (b.user_id, b.status, b.num_of_items, b.created_at, b.shipped_at, b.delivered_at)) AS same_otherwise,
       count(*) FILTER (WHERE to_timestamp(('x' || substr(replace(a.id, '-', ''), 1, 12))::bit(48)::bigint / 1000.0) AT TIME ZONE current_setting('TimeZone')
                              <> date_trunc('milliseconds', a.created_at)) AS id_time_mismatches
FROM (SELECT row_number() OVER () AS n, * FROM thelook.generate_orders(500, seed => 3, id_format => 'uuid7')) a
JOIN (SELECT row_number() OVER () AS n, * FROM thelook.generate_orders(500, seed => 3)) b USING (n);
SELECT count(*) AS items, count(*) FILTER (WHERE substr(i.id, 15, 1) = '7' AND substr(i.order_id, 15, 1) = '7') AS version_7,
       count(*) FILTER (WHERE substr(i.id, 1, 13) = substr(i.order_id, 1, 13)) AS same_millisecond_as_order
FROM thelook.generate_order_items(500, seed => 3, id_format => 'uuid7') i;
SELECT count(*) FILTER (WHERE substr(id, 15, 1) <> '7') AS events_not_version_7
FROM thelook.generate_events(200, seed => 3, id_format => 'uuid7');
SELECT thelook.generate_orders(1, id_format => 'uuid1');

-- A back-fill with id_format => 'uuid7': the same history as with random ids (orders compared
-- without their ids and lifecycle: the live loop picks version-7 ids otherwise, and so does the
-- back-fill), with time-ordered ids for orders, items and events; users keep version 4.
SET client_min_messages = warning;
SELECT thelook.setup('bf7', init_num_users => 0);
RESET client_min_messages;
SELECT iterations, users, orders, order_items, events, total_rows
FROM thelook.backfill('bf7', '2024-01-01', '2024-02-01', avg_qps => 0.002, seed => 42, init_num_users => 50, id_format => 'uuid7');
SELECT (SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (SELECT (user_id, num_of_items, created_at)::text x FROM bf7.orders) a)
     = (SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (SELECT (user_id, num_of_items, created_at)::text x FROM bf.orders) b) AS orders_same_but_ids,
       (SELECT count(*) FROM bf7.orders WHERE substr(id, 15, 1) <> '7') AS orders_not_v7,
       (SELECT count(*) FROM bf7.order_items WHERE substr(id, 15, 1) <> '7') AS items_not_v7,
       (SELECT count(*) FROM bf7.events WHERE substr(id, 15, 1) <> '7') AS events_not_v7,
       (SELECT count(*) FROM bf7.users WHERE substr(id, 15, 1) <> '4') AS users_not_v4,
       (SELECT count(*) FROM bf7.events WHERE to_timestamp(('x' || substr(replace(id, '-', ''), 1, 12))::bit(48)::bigint / 1000.0)
                                                AT TIME ZONE current_setting('TimeZone') <> date_trunc('milliseconds', created_at)) AS event_id_time_mismatches;
-- The chunked procedure takes it too (after commit_rows).
BEGIN;
SET LOCAL client_min_messages = warning;
CALL thelook.backfill_in_chunks('bf7', '2024-02-01', '2024-02-02', avg_qps => 0.01, seed => 2, commit_rows => 100, id_format => 'uuid7');
SELECT count(*) > 0 AS some, count(*) FILTER (WHERE substr(id, 15, 1) <> '7') AS not_v7 FROM bf7.orders WHERE created_at >= '2024-02-01';
ROLLBACK;
SELECT * FROM thelook.backfill('bf7', '2024-02-01', '2024-02-02', id_format => 'uuid5');
-- Timestamps are the session's local time (datum.cpp caches each day's UTC offset): the same
-- rows under other zones equal PostgreSQL's own conversion of the UTC values, over 150 years
-- (local mean time, DST rules, a 30-minute DST shift, a half-hour zone).
CREATE TEMP TABLE tz_utc AS
    SELECT id, created_at FROM thelook.generate_users(3000, seed => 3, start_at => '1890-01-01 00:00+00', end_at => '2040-01-01 00:00+00');
SET TimeZone = 'America/New_York';
SELECT count(*) AS rows, count(*) FILTER (WHERE n.created_at IS DISTINCT FROM (u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York') AS differ
  FROM thelook.generate_users(3000, seed => 3, start_at => '1890-01-01 00:00+00', end_at => '2040-01-01 00:00+00') n JOIN tz_utc u USING (id);
SET TimeZone = 'Australia/Lord_Howe';
SELECT count(*) AS rows, count(*) FILTER (WHERE n.created_at IS DISTINCT FROM (u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Australia/Lord_Howe') AS differ
  FROM thelook.generate_users(3000, seed => 3, start_at => '1890-01-01 00:00+00', end_at => '2040-01-01 00:00+00') n JOIN tz_utc u USING (id);
SET TimeZone = 'Asia/Kolkata';
SELECT count(*) AS rows, count(*) FILTER (WHERE n.created_at IS DISTINCT FROM (u.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata') AS differ
  FROM thelook.generate_users(3000, seed => 3, start_at => '1890-01-01 00:00+00', end_at => '2040-01-01 00:00+00') n JOIN tz_utc u USING (id);
SET TimeZone = 'UTC';
