#!/usr/bin/env bash
# Inventory (setup(inventory => true), scenario section "inventory"), checked from the data alone:
# two simulations selling from one schema's stock at once keep the invariants (every sold order item
# took exactly one item of its product, sold when the order item was made and stocked before; restock
# rows match the stock they added; lost sales in the view equal the lost_sales rows, whose sessions
# have no cart or purchase page); and a supply_problem incident raises the lost sales of its category
# in its window, and only there, in a live run and in a back-fill alike; a back-fill's stock follows
# the live rules (stock-outs, restocks after the lead time).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster inventory "${INVENTORY_PORT:-54871}" "timezone = 'UTC'"
q >/dev/null <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('shop', init_num_users => 500, seed => 1, inventory => true);
SQL
check_eq "setup stocks every product with generate_inventory_items" \
  "$(q -c "SELECT count(*) FROM thelook.generate_inventory_items(seed => 1)")" \
  "$(q -c "SELECT count(*) FROM shop.inventory_items WHERE sold_at IS NULL AND created_at = '2019-01-01'")"
check_eq "the initial stock per product is uniform in [5, 30] (range and mean within 4 sigma)" "t" \
  "$(q -c "SELECT min(n) = 5 AND max(n) = 30 AND abs(avg(n) - 17.5) < 4 * sqrt((26 * 26 - 1) / 12.0 / count(*))
             FROM (SELECT count(*) n FROM shop.inventory_items GROUP BY product_id) s")"

# Popular products (zipf) run out first; small stocks and short lead times make stock-outs and
# restocks frequent in a few seconds of an accelerated run.
q >/dev/null <<'SQL'
TRUNCATE shop.inventory_items;
INSERT INTO shop.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
       product_retail_price, product_department, product_sku, product_distribution_center_id)
SELECT * FROM thelook.generate_inventory_items(1, 4, seed => 2);
SQL
scenario='{"shoppers": {"popularity": {"zipf_exponent": 1}},
           "inventory": {"minimum": 2, "restock": 4, "lead_time": ["5 minutes", "20 minutes"]}}'
a=$(q -c "SELECT thelook.start_simulation('shop', avg_qps => 150, seed => 11, time_scale => 600, scenario => '$scenario')")
b=$(q -c "SELECT thelook.start_simulation('shop', avg_qps => 150, seed => 12, time_scale => 600,
           scenario => '{\"base\": \"reference\", \"shoppers\": {\"model\": \"sessions\", \"popularity\": {\"zipf_exponent\": 1}},
                         \"inventory\": {\"minimum\": 2, \"restock\": 4, \"lead_time\": \"10 minutes\"}}')")
wait_for "SELECT bool_and(iterations > 0) FROM thelook.simulations WHERE id IN ($a, $b)" 10
sleep 10
q -c "SELECT thelook.stop_simulation($a), thelook.stop_simulation($b)" >/dev/null
check_eq "both simulations ran without errors" "0" "$(q -c "SELECT sum(total_errors) FROM thelook.simulations WHERE id IN ($a, $b)")"
check_eq "every sold order item took exactly one item of its product, sold at its created_at" "0" "$(q -c "
  SELECT count(*) FROM (SELECT product_id, created_at AS t, count(*) n FROM shop.order_items GROUP BY 1, 2) o
  FULL JOIN (SELECT product_id, sold_at AS t, count(*) n FROM shop.inventory_items WHERE sold_at IS NOT NULL GROUP BY 1, 2) i
  USING (product_id, t) WHERE o.n IS DISTINCT FROM i.n")"
check "items were sold and stock ran out" test "$(q -c "SELECT count(*) > 100 FROM shop.inventory_items WHERE sold_at IS NOT NULL") $(q -c "SELECT count(*) > 10 FROM shop.lost_sales")" = "t t"
check_eq "no item was sold before it was stocked" "0" "$(q -c "SELECT count(*) FROM shop.inventory_items WHERE sold_at < created_at")"
check_eq "restocks arrived, each adding exactly its quantity of items at its arrival (old + quantity = new, old >= 0)" "t" "$(q -c "
  SELECT count(*) > 10 AND bool_and(new_level = old_level + quantity AND old_level >= 0)
    FROM shop.inventory_restocks WHERE arrived_at IS NOT NULL")"
check_eq "the items of each product are its initial stock plus its restocks" "0" "$(q -c "
  SELECT count(*) FROM (SELECT product_id, count(*) FILTER (WHERE created_at = '2019-01-01') AS initial,
                               count(*) FILTER (WHERE created_at > '2019-01-01') AS added FROM shop.inventory_items GROUP BY 1) i
  LEFT JOIN (SELECT product_id, sum(quantity) q FROM shop.inventory_restocks WHERE arrived_at IS NOT NULL GROUP BY 1) r USING (product_id)
  LEFT JOIN (SELECT product_id, count(*) g FROM thelook.generate_inventory_items(1, 4, seed => 2) GROUP BY 1) g USING (product_id)
  WHERE i.added <> coalesce(r.q, 0) OR i.initial <> g.g")"
check_eq "at most one pending restock per product" "0" "$(q -c "
  SELECT count(*) FROM (SELECT product_id FROM shop.inventory_restocks WHERE arrived_at IS NULL GROUP BY 1 HAVING count(*) > 1) d")"
check_eq "lost sales in thelook.simulations equal the lost_sales rows, per simulation" "0" "$(q -c "
  SELECT count(*) FROM thelook.simulations s WHERE id IN ($a, $b)
     AND lost_sales <> (SELECT count(*) FROM shop.lost_sales l WHERE l.simulation_id = s.id)")"
check "popular products run out first: the median popularity rank of lost products is in the top 1 %" test "$(q -c "
  SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x.rank) < 292 FROM shop.lost_sales l
    JOIN thelook.product_popularity('{\"shoppers\": {\"popularity\": {\"zipf_exponent\": 1}}}') x ON x.product_id = l.product_id")" = t
check_eq "reference sessions of lost items have no cart or purchase page" "0" "$(q -c "
  SELECT count(*) FROM shop.lost_sales l JOIN shop.events e USING (session_id)
   WHERE l.simulation_id = $a AND e.event_type IN ('cart', 'purchase')")"
# A supply problem on the category most in demand, from 1 to 3 simulated hours: its restocks are held
# back, so its lost sales per hour rise there and fall back after; other categories are unaffected.
q >/dev/null <<'SQL'
SELECT thelook.setup('sup', init_num_users => 500, seed => 1, inventory => true);
TRUNCATE sup.inventory_items;
INSERT INTO sup.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
       product_retail_price, product_department, product_sku, product_distribution_center_id)
SELECT * FROM thelook.generate_inventory_items(25, 25);
SQL
cat=$(q -c "SELECT p.category FROM thelook.product_popularity('{\"shoppers\": {\"popularity\": {\"zipf_exponent\": 1}}}') x
             JOIN thelook.products() p ON p.id = x.product_id GROUP BY 1 ORDER BY sum(p_men + p_women) DESC LIMIT 1")
start=$(q -c "SELECT date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '10 days'")
s=$(q -c "SELECT thelook.start_simulation('sup', avg_qps => 200, seed => 3, time_scale => 720, simulated_start => '$start+00',
           order_update_prob => 0, scenario => '{\"shoppers\": {\"popularity\": {\"zipf_exponent\": 1}},
             \"inventory\": {\"minimum\": 20, \"restock\": 60, \"lead_time\": \"5 minutes\"},
             \"incidents\": [{\"kind\": \"supply_problem\", \"category\": \"$cat\", \"after\": \"1 hour\", \"duration\": \"2 hours\"}]}')")
wait_for "SELECT simulated_time > '$start+00'::timestamptz + interval '4 hours' FROM thelook.simulations WHERE id = $s" 120
q -c "SELECT thelook.stop_simulation($s)" >/dev/null
check_eq "the incident is recorded with its target" "supply_problem|category=$cat|01:00:00|02:00:00" "$(q -c "
  SELECT kind, target, started_at - '$start', ended_at - started_at FROM sup.incidents WHERE simulation_id = $s")"
# Lost sales per simulated hour of schema $1: the target category before, in, after the window; the others.
supply_rates() {
  q -c "
  SELECT string_agg(to_char(coalesce(n, 0) / CASE WHEN phase = 1 THEN 2.0 ELSE 1.0 END, 'FM99990.0'), ' ' ORDER BY target DESC, phase)
    FROM (SELECT * FROM (VALUES (true), (false)) t (target), generate_series(0, 2) phase) k
    LEFT JOIN (SELECT p.category = '$cat' AS target,
                      CASE WHEN l.lost_at < '$start'::timestamp + interval '1 hour' THEN 0
                           WHEN l.lost_at < '$start'::timestamp + interval '3 hours' THEN 1 ELSE 2 END AS phase,
                      count(*) AS n
                 FROM $1.lost_sales l JOIN thelook.products() p ON p.id = l.product_id
                WHERE l.lost_at < '$start'::timestamp + interval '4 hours'
                GROUP BY 1, 2) r USING (target, phase)"
}
check_supply_problem() {  # check_supply_problem what schema
  local rates tb ti ta ob oi oa
  rates=$(supply_rates "$2")
  echo "# $1: lost sales per simulated hour (target before, in, after; others before, in, after): $rates"
  read -r tb ti ta ob oi oa <<<"$rates"
  check "$1: the target category's lost sales per hour rise at least 3-fold in the window" \
    /usr/bin/python3 -c "import sys; sys.exit(not ($ti > 3 * max($tb, 1) and $ti > 3 * max($ta, 1)))"
  check "$1: other categories' lost sales per hour do not rise in the window (at most 2-fold, or 5 per hour)" \
    /usr/bin/python3 -c "import sys; sys.exit(not ($oi <= max(2 * max($ob, $oa), 5)))"
}
check_supply_problem live sup
# The same in a back-fill of those 4 hours (the live run's 200/s at 720x is 1000 per simulated hour).
q >/dev/null <<SQL
SELECT thelook.setup('supbf', init_num_users => 500, seed => 1, inventory => true);
TRUNCATE supbf.inventory_items;
INSERT INTO supbf.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
       product_retail_price, product_department, product_sku, product_distribution_center_id)
SELECT * FROM thelook.generate_inventory_items(25, 25);
SELECT * FROM thelook.backfill('supbf', '$start+00', '$start+00'::timestamptz + interval '4 hours', avg_qps => 1000 / 3600.0, seed => 3,
  scenario => '{"shoppers": {"popularity": {"zipf_exponent": 1}}, "inventory": {"minimum": 20, "restock": 60, "lead_time": "5 minutes"},
                "incidents": [{"kind": "supply_problem", "category": "$cat", "after": "1 hour", "duration": "2 hours"}]}');
SQL
check_supply_problem back-fill supbf
check_eq "back-fill: a restock held by the supply problem arrives when it ends" "t" "$(q -c "
  SELECT bool_or(r.arrived_at >= '$start'::timestamp + interval '3 hours' AND r.ordered_at < '$start'::timestamp + interval '3 hours'
                 AND r.arrives_at = '$start'::timestamp + interval '3 hours')
    FROM supbf.inventory_restocks r JOIN thelook.products() p ON p.id = r.product_id WHERE p.category = '$cat'")"

# (One simulation: with two, each sells by its own clock.) A restock is delivered before the
# iteration at its arrival, so an item sold at that instant was in stock when it arrived.
check_eq "the level a restock found is the stock in the data at its arrival" "0" "$(q -c "
  SELECT count(*) FROM sup.inventory_restocks r WHERE arrived_at IS NOT NULL AND old_level <>
    (SELECT count(*) FROM sup.inventory_items i WHERE i.product_id = r.product_id AND i.created_at < r.arrived_at
        AND (i.sold_at IS NULL OR i.sold_at >= r.arrived_at))")"

check_eq "a lost sale's product had no stock when it was wanted" "0" "$(q -c "
  SELECT count(*) FROM sup.lost_sales l WHERE EXISTS (SELECT FROM sup.inventory_items i WHERE i.product_id = l.product_id
     AND i.created_at <= l.lost_at AND (i.sold_at IS NULL OR i.sold_at > l.lost_at))")"

# A back-fill into a schema with inventory sells from its stock by the live rules: popular products
# run out (lost sales), restocks are ordered below the minimum and arrive after the lead time.
q >/dev/null <<'SQL'
SELECT thelook.setup('bf', init_num_users => 100, seed => 1, inventory => true);
SELECT * FROM thelook.backfill('bf', '2026-01-01', '2026-01-01 06:00', avg_qps => 1, seed => 5,
                               scenario => '{"shoppers": {"popularity": {"zipf_exponent": 1}}, "inventory": {"lead_time": ["1 hour", "3 hours"]}}');
SQL
check_eq "back-fill: every order item took exactly one item of its product, sold at its created_at" "0" "$(q -c "
  SELECT count(*) FROM (SELECT product_id, created_at AS t, count(*) n FROM bf.order_items GROUP BY 1, 2) o
  FULL JOIN (SELECT product_id, sold_at AS t, count(*) n FROM bf.inventory_items WHERE sold_at IS NOT NULL GROUP BY 1, 2) i
  USING (product_id, t) WHERE o.n IS DISTINCT FROM i.n")"
read -r bf_lost bf_arrived <<<"$(q -c "SELECT (SELECT count(*) FROM bf.lost_sales), (SELECT count(*) FROM bf.inventory_restocks WHERE arrived_at IS NOT NULL)" | tr '|' ' ')"
echo "# back-fill: $bf_lost lost sales, $bf_arrived restocks arrived"
check "back-fill: stock ran out (lost sales) and restocks arrived" test "$bf_lost" -gt 10 -a "$bf_arrived" -gt 10
check_eq "back-fill: restocks arrive 1 to 3 hours after they were ordered (or later, held), adding their quantity" "t" "$(q -c "
  SELECT bool_and(arrives_at - ordered_at BETWEEN interval '1 hour' AND interval '3 hours'
                  AND (arrived_at IS NULL OR (arrived_at >= arrives_at AND new_level = old_level + quantity AND old_level >= 0)))
    FROM bf.inventory_restocks")"
check_eq "back-fill: the level a restock found is the stock in the data at its arrival" "0" "$(q -c "
  SELECT count(*) FROM bf.inventory_restocks r WHERE arrived_at IS NOT NULL AND old_level <>
    (SELECT count(*) FROM bf.inventory_items i WHERE i.product_id = r.product_id AND i.created_at < r.arrived_at
        AND (i.sold_at IS NULL OR i.sold_at >= r.arrived_at))")"
check_eq "back-fill: a lost sale's product had no stock when it was wanted; none was sold before it was stocked" "0 0" "$(q -c "
  SELECT (SELECT count(*) FROM bf.lost_sales l WHERE EXISTS (SELECT FROM bf.inventory_items i WHERE i.product_id = l.product_id
            AND i.created_at <= l.lost_at AND (i.sold_at IS NULL OR i.sold_at > l.lost_at))) || ' ' ||
         (SELECT count(*) FROM bf.inventory_items WHERE sold_at < created_at)")"
check_eq "back-fill: at most one pending restock per product" "0" "$(q -c "
  SELECT count(*) FROM (SELECT product_id FROM bf.inventory_restocks WHERE arrived_at IS NULL GROUP BY 1 HAVING count(*) > 1) d")"

# backfill_in_chunks commits between chunks; its stock is the function's, row for row (but the ids).
bf_scenario='{"shoppers": {"popularity": {"zipf_exponent": 1}}, "inventory": {"lead_time": ["1 hour", "3 hours"]}}'
q -q -c "SELECT thelook.setup(s, init_num_users => 100, seed => 1, inventory => true) FROM unnest(ARRAY['bff', 'bfc']) s" >/dev/null
q -q -c "SELECT * FROM thelook.backfill('bff', '2026-01-01', '2026-01-01 03:00', avg_qps => 1, seed => 5, scenario => '$bf_scenario')" >/dev/null
q -q -c "CALL thelook.backfill_in_chunks('bfc', '2026-01-01', '2026-01-01 03:00', avg_qps => 1, seed => 5, commit_rows => 5000,
                                        scenario => '$bf_scenario')" 2>/dev/null >/dev/null
stock_of() {
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', product_id, created_at, sold_at), ',' ORDER BY product_id, created_at, sold_at)) FROM $1.inventory_items)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', product_id, ordered_at, arrives_at, arrived_at, old_level, new_level), ',' ORDER BY product_id, ordered_at)) FROM $1.inventory_restocks)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', product_id, user_id, session_id, lost_at), ',' ORDER BY lost_at, product_id, session_id)) FROM $1.lost_sales)"
}
echo "# back-fill in one transaction (items; restocks; lost sales): $(stock_of bff)"
check_eq "backfill_in_chunks (a commit every 5,000 rows) writes exactly the function's stock" "$(stock_of bff)" "$(stock_of bfc)"

# Returns back to stock (inventory.returns_to_stock, default 0): a month's back-fill puts 60 % of
# its returned items back, each an item of its product in stock from the return's time (4 sigma;
# the items restocks added are told apart by their count). Returns take many lifecycle steps per
# order (a Delivered order returns with 2 % per step): every iteration makes one (the section's
# chance 1) and nine in ten fail at checkout, so that each order gets about ten times the steps.
q >/dev/null <<'SQL'
SELECT thelook.setup('ret', init_num_users => 300, seed => 1, inventory => true);
SELECT * FROM thelook.backfill('ret', '2026-01-01', '2026-02-01', avg_qps => 0.01, seed => 5,
                               scenario => '{"inventory": {"returns_to_stock": 0.6}, "lifecycle": {"order_update_prob": 1},
                                             "incidents": [{"kind": "checkout_failure", "magnitude": 0.9, "after": 0, "duration": "31 days"}]}');
SQL
read -r returned back matched <<<"$(q -c "
  SELECT (SELECT count(*) FROM ret.order_items WHERE status = 'Returned'),
         (SELECT count(*) FROM ret.inventory_items WHERE created_at > '2026-01-01')
           - (SELECT coalesce(sum(quantity), 0) FROM ret.inventory_restocks WHERE arrived_at IS NOT NULL),
         (SELECT count(*) FROM ret.inventory_items i WHERE created_at > '2026-01-01' AND EXISTS
            (SELECT FROM ret.order_items o WHERE o.status = 'Returned' AND o.product_id = i.product_id AND o.returned_at = i.created_at))" | tr '|' ' ')"
echo "# back-fill: $back of $returned returned items back in stock ($matched match a return)"
check "back-fill: the share of returned items back in stock is 0.6 within 4 sigma" \
  /usr/bin/python3 -c "import math, sys; n, k = $returned, $back; sys.exit(not (n > 300 and abs(k - 0.6 * n) < 4 * math.sqrt(n * 0.24)))"
check_eq "back-fill: each is its returned item's product, stocked at the return" "$back" "$matched"
# The same in a live run (every returned item back): one unsold item per returned order item.
live=$(q -c "SELECT thelook.start_simulation('ret', avg_qps => 200, seed => 6, time_scale => 86400, order_update_prob => 1,
               duration => '8 seconds', scenario => '{\"inventory\": {\"returns_to_stock\": 1}}')")
wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $live" 30 >/dev/null || true
read -r live_returned live_back <<<"$(q -c "
  SELECT (SELECT count(*) FROM ret.order_items WHERE status = 'Returned' AND returned_at >= '2026-02-01'),
         (SELECT count(*) FROM ret.order_items o WHERE o.status = 'Returned' AND o.returned_at >= '2026-02-01' AND EXISTS
            (SELECT FROM ret.inventory_items i WHERE i.sold_at IS NULL AND i.product_id = o.product_id AND i.created_at = o.returned_at))" | tr '|' ' ')"
check "live: every returned item is back in stock from its return ($live_back of $live_returned)" \
  test "$live_returned" -gt 5 -a "$live_back" = "$live_returned"

# The README's example, verbatim.
readme_out=$(q <<'SQL'
SELECT thelook.setup('stock', init_num_users => 200, seed => 1, inventory => true);
SELECT thelook.start_simulation('stock', avg_qps => 100, time_scale => 3600, duration => '5 seconds',
         scenario => '{"shoppers": {"popularity": {"zipf_exponent": 1}},
                       "inventory": {"minimum": 5, "restock": 10, "lead_time": ["2 hours", "6 hours"]}}');
SELECT pg_sleep(7);
SELECT lost_sales, (SELECT count(*) FROM stock.lost_sales) AS rows FROM thelook.simulations WHERE schema = 'stock';
SQL
)
read -r lost_view lost_rows <<<"$(tail -1 <<<"$readme_out" | tr '|' ' ')"
check "the README's example: lost sales in the view equal the rows ($lost_view)" test "$lost_view" = "$lost_rows"

# A scenario with an inventory section needs the tables.
q -c "SELECT thelook.setup('plain', init_num_users => 10)" >/dev/null
err=$(q -c "SELECT thelook.start_simulation('plain', scenario => '{\"inventory\": {}}')" 2>&1 || true)
check "a scenario with inventory on a schema without it fails with a hint" grep -q 'inventory_restocks" does not exist' <<<"$err"
finish
