-- A short live simulation: start, wait for max_iter, then referential integrity and the
-- lifecycle invariants; start / stop / stop_all. Prints only what does not depend on timing.
CREATE FUNCTION pg_temp.wait_for_state(sim int, wanted text, timeout_s float8 DEFAULT 60) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    st text;
    deadline timestamptz := clock_timestamp() + make_interval(secs => timeout_s);
BEGIN
    LOOP
        SELECT state INTO st FROM thelook.simulations WHERE id = sim;
        EXIT WHEN st = wanted OR clock_timestamp() > deadline;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN st;
END
$$;

CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM demo.users) AS users, (SELECT count(*) FROM demo.orders) AS orders,
       (SELECT count(*) FROM demo.order_items) AS order_items, (SELECT count(*) FROM demo.events) AS events,
       (SELECT ts FROM demo.heartbeat) AS heartbeat;

SELECT thelook.start_simulation('demo', max_iter => 50, avg_qps => 500, seed => 42, user_create_prob => 0.5,
                                order_update_prob => 1, ghost_create_prob => 0.5, name => 'regress')
    AS sim \gset
SELECT pg_temp.wait_for_state(:sim, 'finished') AS state;

SELECT name, database, schema, role = current_user AS by_me, pid IS NULL AS no_pid, state,
       ended_at >= started_at AS ended, avg_qps, max_iter, seed, iterations, scheduled >= 50 AS scheduled,
       achieved_qps > 0 AS achieved, orders_inserted, order_items_inserted >= 50 AS items,
       events_inserted > 0 AS events, consecutive_errors, total_errors, last_error
FROM thelook.simulations WHERE id = :sim;

-- The simulation is kept, with its definition and its progress, in thelook.simulation_runs.
SELECT state, desired_state, owner = current_user::regrole AS mine, incarnation, failures, iterations, max_iter, seed,
       (counters->>'orders_inserted')::int AS orders_inserted, progress ?& array['entity_rng', 'schedule', 'incidents', 'clock'] AS progress,
       (progress->'schedule'->>'taken')::int AS taken, run_seconds > 0 AS ran, ended_at >= started_at AS ended
FROM thelook.simulation_runs WHERE id = :sim;

-- Every table grew; the counters match the tables.
SELECT (SELECT count(*) FROM demo.orders) - b.orders AS new_orders,
       (SELECT count(*) FROM demo.users) > b.users AS users_grew,
       (SELECT count(*) FROM demo.order_items) > b.order_items AS items_grew,
       (SELECT count(*) FROM demo.events) > b.events AS events_grew,
       (SELECT ts FROM demo.heartbeat) > b.heartbeat AS heartbeat_moved,
       (SELECT count(*) FROM demo.users) - b.users = s.users_inserted AS users_counter,
       (SELECT count(*) FROM demo.order_items) - b.order_items = s.order_items_inserted AS items_counter,
       (SELECT count(*) FROM demo.events) - b.events = s.events_inserted AS events_counter
FROM before b, thelook.simulations s WHERE s.id = :sim;

-- Referential integrity: no order without its user, no item without its order, no event user
-- without a user; every order has num_of_items items.
SELECT (SELECT count(*) FROM demo.orders o WHERE NOT EXISTS (SELECT FROM demo.users u WHERE u.id = o.user_id)) AS orphan_orders,
       (SELECT count(*) FROM demo.order_items i WHERE NOT EXISTS (SELECT FROM demo.orders o WHERE o.id = i.order_id)) AS orphan_items,
       (SELECT count(*) FROM demo.events e WHERE e.user_id IS NOT NULL
                                             AND NOT EXISTS (SELECT FROM demo.users u WHERE u.id = e.user_id)) AS orphan_events,
       (SELECT count(*) FROM demo.orders o
         WHERE o.num_of_items <> (SELECT count(*) FROM demo.order_items i WHERE i.order_id = o.id)) AS wrong_item_counts,
       (SELECT count(*) FROM demo.order_items i JOIN demo.products p ON p.id = i.product_id) =
       (SELECT count(*) FROM demo.order_items) AS items_have_products;

-- Items follow their order: same status and timestamps.
SELECT count(*) AS items_out_of_step
FROM demo.order_items i JOIN demo.orders o ON o.id = i.order_id
WHERE i.status <> o.status OR i.created_at <> o.created_at OR i.updated_at IS DISTINCT FROM o.updated_at
   OR i.shipped_at IS DISTINCT FROM o.shipped_at OR i.delivered_at IS DISTINCT FROM o.delivered_at
   OR i.returned_at IS DISTINCT FROM o.returned_at OR i.cancelled_at IS DISTINCT FROM o.cancelled_at;

-- Lifecycle: legal statuses, created <= shipped <= delivered <= returned, a timestamp for each
-- status reached and none for a status not reached.
SELECT count(*) FILTER (WHERE status NOT IN ('Processing', 'Shipped', 'Delivered', 'Returned', 'Cancelled')) AS bad_status,
       count(*) FILTER (WHERE NOT (created_at <= coalesce(shipped_at, created_at)
                                   AND shipped_at <= coalesce(delivered_at, shipped_at)
                                   AND delivered_at <= coalesce(returned_at, delivered_at)) AND shipped_at IS NOT NULL) AS bad_order_of_times,
       count(*) FILTER (WHERE cancelled_at < created_at) AS cancelled_before_created,
       count(*) FILTER (WHERE (status = 'Processing') <> (shipped_at IS NULL AND cancelled_at IS NULL)) AS bad_processing,
       count(*) FILTER (WHERE status = 'Shipped' AND (shipped_at IS NULL OR delivered_at IS NOT NULL)) AS bad_shipped,
       count(*) FILTER (WHERE status = 'Delivered' AND (delivered_at IS NULL OR returned_at IS NOT NULL)) AS bad_delivered,
       count(*) FILTER (WHERE status = 'Returned' AND returned_at IS NULL) AS bad_returned,
       count(*) FILTER (WHERE status = 'Cancelled' AND (cancelled_at IS NULL OR shipped_at IS NOT NULL)) AS bad_cancelled,
       count(*) FILTER (WHERE updated_at < created_at) AS updated_before_created
FROM demo.orders;

-- One purchase session per item: its purchase event is the session's last, at the order's
-- created_at; sequence numbers run 1..n and times increase with them.
SELECT (SELECT count(*) FROM demo.events WHERE event_type = 'purchase' AND user_id IS NOT NULL) =
       (SELECT count(*) FROM demo.order_items) AS one_purchase_per_item,
       (SELECT count(*) FROM demo.events e WHERE e.event_type = 'purchase' AND e.user_id IS NOT NULL
         AND NOT EXISTS (SELECT FROM demo.orders o WHERE o.user_id = e.user_id AND o.created_at = e.created_at)) AS purchases_without_order;
SELECT count(*) FILTER (WHERE seqs <> array(SELECT generate_series(1, n))) AS bad_sequences,
       count(*) FILTER (WHERE NOT ordered) AS unordered_times, count(*) FILTER (WHERE users > 1) AS mixed_users
FROM (SELECT session_id, count(*)::int AS n, array_agg(sequence_number ORDER BY sequence_number) AS seqs,
             bool_and(created_at > prev OR prev IS NULL) AS ordered, count(DISTINCT user_id) AS users
      FROM (SELECT *, lag(created_at) OVER (PARTITION BY session_id ORDER BY sequence_number) AS prev FROM demo.events) e
      GROUP BY session_id) s;
SELECT count(*) AS bad_uris FROM demo.events
WHERE NOT (uri = '/' || event_type OR uri ~ '^/product/[0-9]+$' OR uri ~ '^/department/[a-z&\- ]+/category/[a-z&\- ]+$'
           OR uri ~ '^/(cancel|return)/item/[0-9a-f-]{36}$');

-- duration: the simulation ends by itself as "finished".
SELECT thelook.start_simulation('demo', avg_qps => 50, duration => '1 second') AS sim \gset
SELECT pg_temp.wait_for_state(:sim, 'finished', 30) AS state;
SELECT ended_at - started_at BETWEEN '1 second' AND '10 seconds' AS about_a_second FROM thelook.simulations WHERE id = :sim;

-- stop_simulation: true while running, then "stopped" with no worker left; false the second time.
SELECT thelook.start_simulation('demo', avg_qps => 20) AS sim \gset
SELECT pg_temp.wait_for_state(:sim, 'running', 30) AS state;
SELECT thelook.stop_simulation(:sim) AS stopped;
SELECT state, pid IS NULL AS no_pid, ended_at IS NOT NULL AS ended FROM thelook.simulations WHERE id = :sim;
SELECT count(*) AS workers_left FROM pg_stat_activity WHERE backend_type = 'thelook simulation';
SELECT thelook.stop_simulation(:sim) AS stopped_again;

-- stop_all_simulations stops every running simulation, and then none.
SELECT thelook.start_simulation('demo', avg_qps => 20) IS NOT NULL AS started;
SELECT thelook.start_simulation('demo', avg_qps => 20) IS NOT NULL AS started;
SELECT thelook.stop_all_simulations() AS stopped;
SELECT thelook.stop_all_simulations() AS stopped_again;
SELECT count(*) AS still_active FROM thelook.simulations WHERE state IN ('starting', 'running', 'stopping');
SELECT count(*) AS workers_left FROM pg_stat_activity WHERE backend_type = 'thelook simulation';
SELECT state, count(*) FROM thelook.simulations GROUP BY state ORDER BY state;

-- Still consistent after the stops.
SELECT (SELECT count(*) FROM demo.orders o
         WHERE o.num_of_items <> (SELECT count(*) FROM demo.order_items i WHERE i.order_id = o.id)) AS wrong_item_counts,
       (SELECT count(*) FROM demo.orders o WHERE NOT EXISTS (SELECT FROM demo.users u WHERE u.id = o.user_id)) AS orphan_orders;
