#!/usr/bin/env bash
# One model (docs/one-model.md): a back-fill and a live run at a high time_scale over the same
# simulated window, with the same seed and scenario (an hourly traffic profile, popular products,
# small stocks, short lead times, a checkout failure, bad records, duplicate events; the order
# lifecycle is the default, as a scenario without a lifecycle section gets it), write the same shop. Compared statistically with fixed seeds (4 sigma, or
# chi-square within 4 sigma of its degrees of freedom): orders per hour, conversion (orders per
# visit), items per order, the share of wanted items lost to stock-outs, restocks per order item,
# faults per row, and the orders' statuses as of the window's end. The two are independent samples (their
# random streams differ), so the bounds are on the difference.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster one-model "${ONE_MODEL_PORT:-54991}" "timezone = 'UTC'"
hours=12 scale=3600 live_qps=${ONE_MODEL_QPS:-200}
scenario='{"traffic": {"hourly": [1, 1, 1, 1, 2, 3, 4, 5, 5, 4, 3, 2, 2, 3, 4, 5, 5, 4, 3, 2, 2, 1, 1, 1]},
           "shoppers": {"popularity": {"zipf_exponent": 1}},
           "inventory": {"minimum": 2, "restock": 4, "lead_time": ["30 minutes", "2 hours"]},
           "incidents": [{"kind": "checkout_failure", "magnitude": 0.3, "after": "4 hours", "duration": "4 hours"}],
           "faults": {"bad_records": {"rate": 0.02}, "duplicate_events": {"share": 0.02}}}'
q >/dev/null <<SQL
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup(s, init_num_users => 0, seed => 1, inventory => true) FROM unnest(ARRAY['bf', 'live']) s;
TRUNCATE bf.inventory_items, live.inventory_items;
INSERT INTO bf.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
       product_retail_price, product_department, product_sku, product_distribution_center_id)
SELECT * FROM thelook.generate_inventory_items(1, 4, seed => 2) ORDER BY product_id;
INSERT INTO live.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
       product_retail_price, product_department, product_sku, product_distribution_center_id)
SELECT * FROM thelook.generate_inventory_items(1, 4, seed => 2) ORDER BY product_id;
SQL
# From a midnight (the profile's hours are the same in every run), in the past for the back-fill.
start=$(q -c "SELECT date_trunc('day', now() AT TIME ZONE 'UTC') - interval '3 days'")
end=$(q -c "SELECT '$start'::timestamp + interval '$hours hours'")
# Live: avg_qps iterations per wall second at time_scale => each simulated second has avg_qps / scale.
bf_qps=$(python3 -c "print($live_qps / $scale)")
q -c "SELECT iterations, total_rows FROM thelook.backfill('bf', '$start+00', '$end+00', avg_qps => $bf_qps, seed => 7,
        init_num_users => 0, scenario => '$scenario')" | sed 's/^/# back-fill: iterations|rows /'
check_error "start_simulation: an order_update_prob other than the scenario's lifecycle section's is refused" 22023 \
  'parameter "order_update_prob" differs from scenario.lifecycle.order_update_prob' \
  "SELECT thelook.start_simulation('live', avg_qps => $live_qps, order_update_prob => 0, scenario => '{\"lifecycle\": {\"order_update_prob\": 0.4}}')"
check_error "generate_orders refuses the lifecycle section (its orders are drawn alone)" 0A000 'scenario.lifecycle' \
  "SELECT count(*) FROM thelook.generate_orders(10, scenario => '{\"lifecycle\": {\"order_update_prob\": 0.4}}')"
sim=$(q -c "SELECT thelook.start_simulation('live', avg_qps => $live_qps, seed => 7, time_scale => $scale,
              simulated_start => '$start+00', user_update_prob => 0, scenario => '$scenario')")
wait_for "SELECT simulated_time > '$end+00'::timestamptz FROM thelook.simulations WHERE id = $sim" $(( hours * 3600 / scale * 4 + 30 )) >/dev/null || true
q -c "SELECT state, simulated_time, iterations, achieved_qps, total_errors, last_error FROM thelook.simulations WHERE id = $sim" | sed 's/^/# live: /'
q -c "SELECT thelook.stop_simulation($sim)" >/dev/null
check_eq "the live run ran without errors" "0" "$(q -c "SELECT total_errors FROM thelook.simulations WHERE id = $sim")"

# Per schema: orders by hour, visits, items, lost items, restocks, faults, in the window.
stats() {
  q -c "SELECT (SELECT count(*) FROM $1.orders WHERE created_at < '$end'),
               (SELECT count(*) FROM $1.users WHERE created_at < '$end') + (SELECT count(*) FROM $1.orders WHERE created_at < '$end')
                 + (SELECT count(*) FROM $1.order_items WHERE created_at < '$end') + (SELECT count(*) FROM $1.events WHERE created_at < '$end'),
               (SELECT count(*) FROM $1.order_items WHERE created_at < '$end'),
               (SELECT count(*) FROM $1.events WHERE created_at < '$end'),
               (SELECT count(*) FROM $1.lost_sales WHERE lost_at < '$end'),
               (SELECT count(*) FROM $1.inventory_restocks WHERE ordered_at < '$end'),
               (SELECT count(*) FROM $1.inventory_restocks WHERE arrived_at < '$end'),
               (SELECT count(*) FROM $1.injected_faults f WHERE f.kind <> 'duplicate_event'),
               (SELECT count(*) FROM $1.injected_faults f WHERE f.kind = 'duplicate_event')" | tr '|' ' '
}
hourly() {
  q -c "SELECT string_agg(coalesce(n, 0)::text, ',' ORDER BY h) FROM generate_series(0, $hours - 1) h
          LEFT JOIN (SELECT floor(extract(epoch FROM created_at - '$start') / 3600)::int h, count(*) n
                       FROM $1.orders WHERE created_at < '$end' GROUP BY 1) o USING (h)"
}
read -r b_orders b_rows b_items b_events b_lost b_ordered b_arrived b_bad b_dup <<<"$(stats bf)"
read -r l_orders l_rows l_items l_events l_lost l_ordered l_arrived l_bad l_dup <<<"$(stats live)"
echo "# back-fill: $b_orders orders, $b_rows rows, $b_items items, $b_lost lost, $b_ordered restocks ordered, $b_arrived arrived, $b_bad bad, $b_dup duplicates"
echo "# live:      $l_orders orders, $l_rows rows, $l_items items, $l_lost lost, $l_ordered restocks ordered, $l_arrived arrived, $l_bad bad, $l_dup duplicates"
# Each order's status as of the window's end, from its timestamps (the live run went on a little
# past it); the orders a bad record damaged are left out.
statuses() {
  q -c "SELECT string_agg(coalesce(n, 0)::text, ',' ORDER BY k) FROM unnest(ARRAY['Processing', 'Shipped', 'Delivered', 'Returned', 'Cancelled']) WITH ORDINALITY AS u(s, k)
          LEFT JOIN (SELECT CASE WHEN returned_at < '$end' THEN 'Returned' WHEN cancelled_at < '$end' THEN 'Cancelled'
                                 WHEN delivered_at < '$end' THEN 'Delivered' WHEN shipped_at < '$end' THEN 'Shipped'
                                 ELSE 'Processing' END s, count(*) n
                       FROM $1.orders WHERE created_at < '$end'
                        AND id NOT IN (SELECT row_id FROM $1.injected_faults WHERE table_name = 'orders') GROUP BY 1) o USING (s)"
}
b_status=$(statuses bf) l_status=$(statuses live)
echo "# statuses at the window's end (Processing, Shipped, Delivered, Returned, Cancelled): back-fill $b_status; live $l_status"
b_hours=$(hourly bf) l_hours=$(hourly live)
echo "# orders per hour: back-fill $b_hours; live $l_hours"

# Two independent samples: |difference| within 4 sigma of its standard error.
same_share() {  # same_share "what" k1 n1 k2 n2: two proportions
  check "$1: back-fill $2/$3, live $4/$5 (within 4 sigma)" python3 -c "
import math, sys
k1, n1, k2, n2 = $2, $3, $4, $5
p = (k1 + k2) / (n1 + n2)
se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
z = abs(k1 / n1 - k2 / n2) / se
print('#   z = %.2f' % z)
sys.exit(not (k1 > 0 and k2 > 0 and z < 4))"
}
check "orders in the window: back-fill $b_orders, live $l_orders (Poisson, within 4 sigma)" python3 -c "
import math, sys; a, b = $b_orders, $l_orders; print('#   z = %.2f' % (abs(a - b) / math.sqrt(a + b))); sys.exit(not (a > 1000 and abs(a - b) < 4 * math.sqrt(a + b)))"
check "orders per hour: the same shape (chi-square of the 2 x $hours table within 4 sigma of its $((hours - 1)) degrees of freedom)" python3 -c "
import math, sys
a, b = [$b_hours], [$l_hours]
ta, tb = sum(a), sum(b)
chi = sum((x - (x + y) * ta / (ta + tb)) ** 2 / ((x + y) * ta / (ta + tb)) + (y - (x + y) * tb / (ta + tb)) ** 2 / ((x + y) * tb / (ta + tb))
          for x, y in zip(a, b))
df = len(a) - 1
print('#   chi-square = %.1f, df = %d' % (chi, df))
sys.exit(not chi < df + 4 * math.sqrt(2 * df))"
check "order statuses at the window's end: the same mix (chi-square of the 2 x 5 table within 4 sigma of its 4 degrees of freedom)" python3 -c "
import math, sys
a, b = [$b_status], [$l_status]
ta, tb = sum(a), sum(b)
chi = sum((x - (x + y) * ta / (ta + tb)) ** 2 / ((x + y) * ta / (ta + tb)) + (y - (x + y) * tb / (ta + tb)) ** 2 / ((x + y) * tb / (ta + tb))
          for x, y in zip(a, b) if x + y > 0)
df = len(a) - 1
print('#   chi-square = %.1f, df = %d' % (chi, df))
# Every status but Returned (2 % of the delivered, per step) must occur in both, else the test shows nothing.
sys.exit(not (chi < df + 4 * math.sqrt(2 * df) and all(x > 0 and y > 0 for x, y in zip(a[:3] + a[4:], b[:3] + b[4:]))))"
read -r b_in l_in <<<"$(python3 -c "a, b = [$b_hours], [$l_hours]; print(sum(a[4:8]), sum(b[4:8]))")"
same_share "conversion: the checkout failure (30 % of purchases, hours 4 to 8) takes the same share of the orders" "$b_in" "$b_orders" "$l_in" "$l_orders"
same_share "items per order (as a share, items / (items + orders))" "$b_items" "$((b_items + b_orders))" "$l_items" "$((l_items + l_orders))"
same_share "stock-outs: the share of wanted items lost" "$b_lost" "$((b_items + b_lost))" "$l_lost" "$((l_items + l_lost))"
same_share "restocks ordered per wanted item" "$b_ordered" "$((b_items + b_lost))" "$l_ordered" "$((l_items + l_lost))"
same_share "restocks arrived in the window, of those ordered" "$b_arrived" "$b_ordered" "$l_arrived" "$l_ordered"
same_share "bad records per row" "$b_bad" "$b_rows" "$l_bad" "$l_rows"
same_share "duplicate events per event" "$b_dup" "$b_events" "$l_dup" "$l_events"
check_eq "back-fill: restocks arrive after their lead time (30 minutes to 2 hours), the levels add up" "t" "$(q -c "
  SELECT bool_and(arrives_at - ordered_at BETWEEN interval '30 minutes' AND interval '2 hours' AND (arrived_at IS NULL OR
                  (arrived_at >= arrives_at AND new_level = old_level + quantity AND old_level >= 0))) FROM bf.inventory_restocks")"
check_eq "back-fill: every order item took one item of its product at its creation (the bad ones aside); none was sold before it was stocked" "0 0" "$(q -c "
  SELECT (SELECT count(*) FROM (SELECT product_id, created_at AS t, count(*) n FROM bf.order_items
                                 WHERE id NOT IN (SELECT row_id FROM bf.injected_faults WHERE table_name = 'order_items') GROUP BY 1, 2) o
          JOIN (SELECT product_id, sold_at AS t, count(*) n FROM bf.inventory_items WHERE sold_at IS NOT NULL GROUP BY 1, 2) i
          USING (product_id, t) WHERE o.n > i.n) + (SELECT count(*) FROM bf.order_items o WHERE NOT EXISTS (SELECT FROM bf.inventory_items i
            WHERE i.product_id = o.product_id AND i.sold_at = o.created_at) AND id NOT IN (SELECT row_id FROM bf.injected_faults WHERE table_name = 'order_items'))
         + (SELECT count(*) FROM bf.order_items) - (SELECT count(*) FROM bf.inventory_items WHERE sold_at IS NOT NULL) || ' ' ||
         (SELECT count(*) FROM bf.inventory_items WHERE sold_at < created_at)")"
check_eq "back-fill: a lost sale's product had no stock when it was wanted" "0" "$(q -c "
  SELECT count(*) FROM bf.lost_sales l WHERE EXISTS (SELECT FROM bf.inventory_items i WHERE i.product_id = l.product_id
     AND i.created_at <= l.lost_at AND (i.sold_at IS NULL OR i.sold_at > l.lost_at))")"
finish
