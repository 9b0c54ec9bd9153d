#!/usr/bin/env bash
# docs/shoppers.md's funnel chart from a real run: two days of sessions back-filled with the session model,
# once with the default matrix and once with the campaign matrix; the share of sessions that reach
# each step, from the events table alone. Writes docs/img/funnel.png (python3-matplotlib).
set -euo pipefail
source "$(dirname "$0")/../../test/lib.sh"
out=${OUT:-$REPO/docs/img/funnel.png}
start_cluster charts "${CHART_PORT:-54862}" "timezone = 'UTC'"
q -c "CREATE EXTENSION thelook_datagen" >/dev/null
data=$(mktemp -d /tmp/thelook-chart.XXXXXX)
for matrix in default campaign window_shopping; do
  q -c "SELECT thelook.setup('f_$matrix', init_num_users => 0)" >/dev/null
  q -c "SELECT iterations FROM thelook.backfill('f_$matrix', '2026-11-01 00:00+00', '2026-11-03 00:00+00', avg_qps => 0.3, seed => 3,
          init_num_users => 2000, scenario => '{\"shoppers\": {\"model\": \"sessions\", \"matrix\": \"$matrix\"}}')" >/dev/null
  q -c "WITH s AS (SELECT session_id, bool_or(event_type = 'product') AS product, bool_or(event_type = 'cart') AS cart,
                          bool_or(event_type = 'checkout') AS checkout, bool_or(event_type = 'purchase') AS purchase
                     FROM f_$matrix.events WHERE event_type NOT IN ('cancel', 'return') GROUP BY 1)
        SELECT '$matrix', count(*), count(*) FILTER (WHERE product), count(*) FILTER (WHERE cart),
               count(*) FILTER (WHERE checkout), count(*) FILTER (WHERE purchase) FROM s" >>"$data/funnel.txt"
done
cat "$data/funnel.txt"
/usr/bin/python3 "$(dirname "$0")/plot_funnel.py" "$data/funnel.txt" "$out"
rm -rf "$data"
echo "wrote $out"
