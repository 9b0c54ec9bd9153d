#!/usr/bin/env bash
# Back-fill a month, then run a live simulation on top for ~10 s: no id collisions or errors, the
# simulation moves back-filled in-flight orders on, and the schema stays whole and time-ordered.
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
finish
