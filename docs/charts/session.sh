#!/usr/bin/env bash
# One shopper session walked through the default matrix (docs/shoppers.md), from a real run: a
# back-filled day under the session model; the first visit (by time) that buys after at least six
# pages. plot_session.py draws the matrix as read from src/core/shopper_section.cpp, with that
# visit's path in red, into docs/img/session.png (Graphviz dot).
set -euo pipefail
source "$(dirname "$0")/../../test/lib.sh"
out=${OUT:-$REPO/docs/img/session.png}
start_cluster charts "${CHART_PORT:-54863}" "timezone = 'UTC'"
q -c "CREATE EXTENSION thelook_datagen" >/dev/null
q -c "SELECT thelook.setup('s', init_num_users => 0)" >/dev/null
q -c "SELECT iterations FROM thelook.backfill('s', '2026-11-01 00:00+00', '2026-11-02 00:00+00', avg_qps => 0.2, seed => 3,
        init_num_users => 500, scenario => '{\"shoppers\": {\"model\": \"sessions\"}}')" >/dev/null
pages=$(q -c "WITH v AS (SELECT session_id, min(created_at) AS t0, count(*) AS n FROM s.events
                          WHERE event_type NOT IN ('cancel', 'return') GROUP BY 1
                         HAVING bool_or(event_type = 'purchase') AND count(*) FILTER (WHERE event_type <> 'purchase') >= 6),
                   first AS (SELECT session_id FROM v ORDER BY t0, session_id LIMIT 1)
              SELECT string_agg(event_type || ' ' || uri, E'\n' ORDER BY sequence_number)
                FROM s.events WHERE session_id = (SELECT session_id FROM first)")
echo "$pages"
/usr/bin/python3 "$(dirname "$0")/plot_session.py" "$REPO/src/core/shopper_section.cpp" "$out" <<<"$pages"
echo "wrote $out"
