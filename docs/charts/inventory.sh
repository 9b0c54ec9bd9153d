#!/usr/bin/env bash
# docs/inventory.md's chart from a real run: two simulated days played at time_scale 1440 (a
# simulated day per wall-clock minute), 100 purchases per wall-clock second, popular products
# (zipf), restocks below 15 items of 60 items after 1 to 3 hours, and a supply problem on the
# category most in demand from 12:00 on day one for 12 hours. Plots the stock level of the four most
# popular products and the lost sales per simulated hour (that category's and the others'), with the
# supply problem shaded. Writes docs/img/inventory.png (python3-matplotlib).
set -euo pipefail
source "$(dirname "$0")/../../test/lib.sh"
SCALE=${SCALE:-1440}
QPS=${QPS:-100}
DAYS=${DAYS:-2}
out=${OUT:-$REPO/docs/img/inventory.png}
start_cluster charts "${CHART_PORT:-54862}" "timezone = 'UTC'"
popular='{"shoppers": {"popularity": {"zipf_exponent": 1}}}'
q >/dev/null <<SQL
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 1000, seed => 1, inventory => true);
SQL
cat=$(q -c "SELECT p.category FROM thelook.product_popularity('$popular') x JOIN thelook.products() p ON p.id = x.product_id
             GROUP BY 1 ORDER BY sum(p_men + p_women) DESC LIMIT 1")
q >/dev/null <<SQL
SELECT thelook.start_simulation('demo', avg_qps => $QPS, time_scale => $SCALE, simulated_start => '2026-11-23 00:00+00', seed => 7,
         duration => make_interval(secs => $DAYS * 86400.0 / $SCALE), order_update_prob => 0,
         scenario => '{"shoppers": {"popularity": {"zipf_exponent": 1}},
                       "inventory": {"minimum": 15, "restock": 60, "lead_time": ["1 hour", "3 hours"]},
                       "incidents": [{"kind": "supply_problem", "category": "$cat", "at": "2026-11-23T12:00:00Z", "duration": "12 hours"}]}');
SQL
echo "# playing $DAYS simulated days in $((DAYS * 86400 / SCALE)) s; supply problem on $cat"
wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = 1" $((DAYS * 86400 / SCALE + 60))
data=$(mktemp -d /tmp/thelook-chart.XXXXXX)
# The stock level of the four most popular products, every simulated 15 minutes, from the rows alone.
q -q -c "CREATE INDEX ON demo.inventory_items (product_id)"
q -c "WITH top AS (SELECT x.product_id, p.name, p.category FROM thelook.product_popularity('$popular') x
                    JOIN thelook.products() p ON p.id = x.product_id ORDER BY x.rank LIMIT 4),
           t AS (SELECT generate_series('2026-11-23 00:00'::timestamp, '2026-11-23 00:00'::timestamp + interval '$DAYS days', '15 minutes') AS t)
      SELECT to_char(t.t, 'YYYY-MM-DD\"T\"HH24:MI'), top.product_id, top.category,
             (SELECT count(*) FROM demo.inventory_items i WHERE i.product_id = top.product_id AND i.created_at <= t.t
                 AND (i.sold_at IS NULL OR i.sold_at > t.t))
        FROM t, top ORDER BY 1, 2" >"$data/levels.txt"
q -c "SELECT to_char(h, 'YYYY-MM-DD\"T\"HH24'), count(l.id) FILTER (WHERE p.category = '$cat'), count(l.id) FILTER (WHERE p.category <> '$cat')
        FROM generate_series('2026-11-23 00:00'::timestamp, '2026-11-23 00:00'::timestamp + interval '$DAYS days' - interval '1 hour', '1 hour') h
        LEFT JOIN demo.lost_sales l ON date_trunc('hour', l.lost_at) = h LEFT JOIN demo.products p ON p.id = l.product_id
       GROUP BY h ORDER BY h" >"$data/lost.txt"
q -c "SELECT to_char(started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS'), to_char(ended_at, 'YYYY-MM-DD\"T\"HH24:MI:SS'), target
        FROM demo.incidents WHERE kind = 'supply_problem'" >"$data/incidents.txt"
/usr/bin/python3 "$(dirname "$0")/plot_inventory.py" "$data/levels.txt" "$data/lost.txt" "$data/incidents.txt" "$cat" "$out"
rm -rf "$data"
echo "wrote $out"
