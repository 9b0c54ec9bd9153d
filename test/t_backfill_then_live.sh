#!/usr/bin/env bash
# Back-fill a month, then run a live simulation on top for ~10 s: no id collisions or errors, the
# simulation moves back-filled in-flight orders on, and the schema stays whole and time-ordered.
# Then id_format => 'uuid7': on top of the same schema, and on a fresh one where its own orders move on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster backfill-live "${TEST_PORT:-54961}"
q -q <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 0);
SQL
summary=$(q -c "SELECT iterations || ' ' || total_rows FROM thelook.backfill('demo', now() - interval '30 days', now(),
                 avg_qps => 0.005, seed => 21, init_num_users => 200)")
echo "# back-filled: $summary (iterations, rows)"
check "back-fill wrote rows" test "${summary#* }" -gt 50000
q -q -c "CREATE TABLE public.inflight AS SELECT id, status FROM demo.orders WHERE status IN ('Processing', 'Shipped')"
inflight=$(q -c "SELECT count(*) FROM public.inflight")
echo "# in flight after the back-fill: $inflight orders"
check "some orders are in flight" test "$inflight" -gt 100

sim=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 300, order_update_prob => 0.9, seed => 22, duration => '10 seconds')")
check "simulation ran to its end" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $sim" 40
q -c "SELECT format('# live: %s iterations, %s orders inserted, %s orders updated, %s errors (%s)', iterations, orders_inserted, orders_updated, total_errors, coalesce(last_error, '-')) FROM thelook.simulations WHERE id = $sim"
check_eq "no simulation errors" 0 "$(q -c "SELECT total_errors FROM thelook.simulations WHERE id = $sim")"
check "it made purchases" test "$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $sim")" -gt 500
moved=$(q -c "SELECT count(*) FROM public.inflight f JOIN demo.orders o USING (id) WHERE o.status <> f.status")
echo "# back-filled in-flight orders moved on by the simulation: $moved"
check "back-filled in-flight orders moved on" test "$moved" -gt 0
check_eq "moves follow the state machine (one or more steps)" 0 "$(q -c "SELECT count(*) FROM public.inflight f JOIN demo.orders o USING (id)
  WHERE o.status <> f.status AND NOT ((f.status = 'Processing' AND o.status IN ('Shipped', 'Cancelled', 'Delivered', 'Returned'))
                                   OR (f.status = 'Shipped' AND o.status IN ('Delivered', 'Returned')))")"
check_eq "no orphans" "0 0 0 0" "$(q -c "SELECT (SELECT count(*) FROM demo.orders o WHERE NOT EXISTS (SELECT FROM demo.users u WHERE u.id = o.user_id))
  || ' ' || (SELECT count(*) FROM demo.order_items i WHERE NOT EXISTS (SELECT FROM demo.orders o WHERE o.id = i.order_id))
  || ' ' || (SELECT count(*) FROM demo.orders o WHERE o.num_of_items <> (SELECT count(*) FROM demo.order_items i WHERE i.order_id = o.id))
  || ' ' || (SELECT count(*) FROM demo.events e WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM demo.users u WHERE u.id = e.user_id))")"
check_eq "order timestamps in order and in the past" 0 "$(q -c "SELECT count(*) FROM demo.orders
  WHERE NOT (shipped_at IS NULL OR shipped_at >= created_at) OR NOT (delivered_at IS NULL OR delivered_at >= shipped_at)
     OR NOT (returned_at IS NULL OR returned_at >= delivered_at) OR NOT (cancelled_at IS NULL OR (cancelled_at >= created_at AND shipped_at IS NULL))
     OR greatest(created_at, updated_at, shipped_at, delivered_at, returned_at, cancelled_at) > localtimestamp")"
check_eq "items follow their orders" 0 "$(q -c "SELECT count(*) FROM demo.order_items i JOIN demo.orders o ON o.id = i.order_id
  WHERE (i.status, i.shipped_at, i.delivered_at, i.returned_at, i.cancelled_at) IS DISTINCT FROM (o.status, o.shipped_at, o.delivered_at, o.returned_at, o.cancelled_at)")"

# id_format => 'uuid7' on top of the back-filled schema (version-4 ids): every new order, item and
# event has a version-7 id carrying its created_at millisecond, and nothing collides.
sim7=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 300, seed => 23, duration => '5 seconds', id_format => 'uuid7')")
check "uuid7 simulation ran to its end" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $sim7" 30
check_eq "uuid7: no errors, and the view shows the format" "0 uuid7 uuid4" "$(q -c "SELECT total_errors || ' ' || id_format || ' '
  || (SELECT id_format FROM thelook.simulations WHERE id = $sim) FROM thelook.simulations WHERE id = $sim7")"
check_eq "uuid7: version-7 ids = rows it inserted (orders, items, events)" \
  "$(q -c "SELECT orders_inserted || ' ' || order_items_inserted || ' ' || events_inserted FROM thelook.simulations WHERE id = $sim7")" \
  "$(q -c "SELECT (SELECT count(*) FROM demo.orders WHERE substr(id, 15, 1) = '7') || ' ' || (SELECT count(*) FROM demo.order_items WHERE substr(id, 15, 1) = '7')
           || ' ' || (SELECT count(*) FROM demo.events WHERE substr(id, 15, 1) = '7')")"
check "uuid7: it inserted orders" test "$(q -c "SELECT orders_inserted FROM thelook.simulations WHERE id = $sim7")" -gt 500
v7_millis="to_timestamp(('x' || substr(replace(id, '-', ''), 1, 12))::bit(48)::bigint / 1000.0) AT TIME ZONE current_setting('TimeZone')"
check_eq "uuid7: an id's millisecond is its row's created_at" "0 0" "$(q -c "SELECT (SELECT count(*) FROM demo.events WHERE substr(id, 15, 1) = '7'
    AND $v7_millis <> date_trunc('milliseconds', created_at)) || ' ' || (SELECT count(*) FROM demo.orders WHERE substr(id, 15, 1) = '7'
    AND $v7_millis <> date_trunc('milliseconds', created_at))")"
check_eq "uuid7: users keep version-4 ids" 0 "$(q -c "SELECT count(*) FROM demo.users WHERE substr(id, 15, 1) <> '4'")"

# A fresh schema with only version-7 orders: the open-order probe is a random time between the
# oldest open order and now, so updates reach orders from all over the run, not only the oldest.
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('fresh7', init_num_users => 200, seed => 24)"
sim7=$(q -c "SELECT thelook.start_simulation('fresh7', avg_qps => 300, order_update_prob => 0.9, seed => 25, duration => '6 seconds', id_format => 'uuid7')")
check "uuid7 on a fresh schema ran to its end" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $sim7" 30
check_eq "uuid7 fresh: no errors" 0 "$(q -c "SELECT total_errors FROM thelook.simulations WHERE id = $sim7")"
q -c "SELECT format('# uuid7 fresh: %s orders inserted, %s updated', orders_inserted, orders_updated) FROM thelook.simulations WHERE id = $sim7"
read -r early late < <(q -F ' ' -c "WITH w AS (SELECT min(created_at) a, max(created_at) b FROM fresh7.orders)
  SELECT count(*) FILTER (WHERE o.created_at < w.a + (w.b - w.a) / 2), count(*) FILTER (WHERE o.created_at >= w.a + (w.b - w.a) / 2)
  FROM fresh7.orders o, w WHERE o.status <> 'Processing'")
echo "# uuid7 fresh: orders moved on from the first half of the run: $early, from the second half: $late"
check "uuid7 fresh: orders from the first half moved on" test "$early" -gt 20
check "uuid7 fresh: orders from the second half moved on" test "$late" -gt 20
finish
