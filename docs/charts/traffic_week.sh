#!/usr/bin/env bash
# docs/scenarios.md's traffic chart from a real run: a simulated week of retail_incidents played at
# time_scale 1440 (a simulated day per wall-clock minute, so 7 minutes), 50 iterations per
# wall-clock second. Plots orders per simulated hour against the profile's expected arrivals and
# shades the incidents the run recorded. Writes docs/img/traffic_week.png (python3-matplotlib).
set -euo pipefail
source "$(dirname "$0")/../../test/lib.sh"
SCALE=${SCALE:-1440}
QPS=${QPS:-50}
DAYS=${DAYS:-7}
out=${OUT:-$REPO/docs/img/traffic_week.png}
start_cluster charts "${CHART_PORT:-54861}" "timezone = 'UTC'"
q >/dev/null <<SQL
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 1000, seed => 1);
SELECT thelook.start_simulation('demo', avg_qps => $QPS, scenario => 'retail_incidents', time_scale => $SCALE,
                                simulated_start => '2026-11-23 00:00+00', seed => 7,
                                duration => make_interval(secs => $DAYS * 86400.0 / $SCALE));
SQL
echo "# playing $DAYS simulated days in $((DAYS * 86400 / SCALE)) s"
wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = 1" $((DAYS * 86400 / SCALE + 60))
data=$(mktemp -d /tmp/thelook-chart.XXXXXX)
q -c "SELECT to_char(e.bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24'), coalesce(o.n, 0), e.expected
        FROM thelook.traffic_intensity('retail', '2026-11-23 00:00+00', '2026-11-23 00:00+00'::timestamptz + interval '$DAYS days',
                                       '1 hour', avg_qps => $QPS.0 / $SCALE) e
        LEFT JOIN (SELECT date_trunc('hour', created_at) AS h, count(*) AS n FROM demo.orders GROUP BY 1) o
          ON o.h = e.bucket_start AT TIME ZONE 'UTC' ORDER BY 1" >"$data/hours.txt"
q -c "SELECT kind, magnitude, to_char(started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS'), to_char(ended_at, 'YYYY-MM-DD\"T\"HH24:MI:SS')
        FROM demo.incidents ORDER BY started_at" >"$data/incidents.txt"
/usr/bin/python3 "$(dirname "$0")/plot_traffic_week.py" "$data/hours.txt" "$data/incidents.txt" "$out"
rm -rf "$data"
echo "wrote $out"
