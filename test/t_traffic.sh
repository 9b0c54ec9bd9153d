#!/usr/bin/env bash
# Traffic over time, live: an accelerated retail simulation whose counts per simulated hour follow
# the profile (chi-square) and whose total is within 4 sigma of the integral of the intensity;
# business hours with nothing while closed; injected spike / outage / checkout failure with their
# rates and exact ground truth; alter_simulation changing the rate within 2 s; only the owner may
# change a simulation; a 90-day retail back-fill correlated with the profile by hour and weekday.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster traffic "${TRAFFIC_PORT:-54841}" "timezone = 'UTC'"

q >/dev/null <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('retail', init_num_users => 1000, seed => 1);
SELECT thelook.setup('bh', init_num_users => 200, seed => 2);
SQL

# 1. Two simulated days of retail in 60 s (time_scale 2880) at 200 iterations per wall second,
#    next to a business-hours shop from Saturday noon to Sunday noon (simulated) in 30 s.
SCALE=2880
retail=$(q -c "SELECT thelook.start_simulation('retail', avg_qps => 200, scenario => 'retail', time_scale => $SCALE,
                 simulated_start => '2026-11-23 00:00+00', seed => 11, duration => '60 seconds')")
bh=$(q -c "SELECT thelook.start_simulation('bh', avg_qps => 100, scenario => 'business_hours', time_scale => $SCALE,
                 simulated_start => '2026-11-28 12:00+00', seed => 12, duration => '30 seconds')")
check "the business-hours simulation finished" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $bh" 60
check_eq "business hours: no order on Saturday after 18:00 or on Sunday" "0" \
  "$(q -c "SELECT count(*) FROM bh.orders WHERE created_at >= '2026-11-28 18:00' AND created_at < '2026-11-29 12:00'")"
check "business hours: orders on Saturday from 12:00 to 18:00" \
  test "$(q -c "SELECT count(*) FROM bh.orders WHERE created_at >= '2026-11-28 12:00' AND created_at < '2026-11-28 18:00'")" -gt 100
check_eq "the view shows the scenario and the time scale" "business_hours|$SCALE" \
  "$(q -c "SELECT scenario, time_scale FROM thelook.simulations WHERE id = $bh")"

check "the retail simulation finished" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $retail" 90
# The simulated span actually played: the worker's clock ran from simulated_start for the
# simulation's wall-clock life (started_at .. ended_at) times the scale; full hours only.
q -c "SELECT to_char(o.h, 'YYYY-MM-DD HH24'), o.n, e.expected
        FROM (SELECT date_trunc('hour', created_at) AS h, count(*) AS n FROM retail.orders
               WHERE created_at >= '2026-11-23 00:00' GROUP BY 1) o
        JOIN thelook.traffic_intensity('retail', '2026-11-23 00:00+00', '2026-11-25 00:00+00', '1 hour',
                                       avg_qps => 200.0 / $SCALE) e ON e.bucket_start = o.h AT TIME ZONE 'UTC'
       WHERE o.h + interval '1 hour' <= '2026-11-23 00:00'::timestamp
             + (SELECT (ended_at - started_at) * $SCALE FROM thelook.simulations WHERE id = $retail)
       ORDER BY 1" >"$PGHOST/hours.txt"
stats=$(python3 - "$PGHOST/hours.txt" <<'PY'
import math, sys
rows = [l.split('|') for l in open(sys.argv[1]) if l.strip()]
obs = [float(r[1]) for r in rows]; exp = [float(r[2]) for r in rows]
chi2 = sum((o - e) ** 2 / e for o, e in zip(obs, exp))
df = len(rows)
z = 3.090232306  # Wilson-Hilferty critical value at p = 0.001
crit = df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3
total, expected = sum(obs), sum(exp)
print(f"{len(rows)} {chi2:.1f} {crit:.1f} {total:.0f} {expected:.1f} {(total - expected) / math.sqrt(expected):.2f} "
      f"{min(obs) / max(obs):.3f} {min(exp) / max(exp):.3f}")
PY
)
read -r hours chi2 crit total expected z ratio_obs ratio_exp <<<"$stats"
echo "# retail: $hours full simulated hours, chi2 = $chi2 (critical $crit at p = 0.001), orders $total vs $expected expected (z = $z)"
echo "# quietest / busiest hour: observed $ratio_obs, profile $ratio_exp"
check "at least 40 simulated hours were played" test "$hours" -ge 40
check "orders per simulated hour follow the retail profile (chi-square, p = 0.001)" \
  python3 -c "import sys; sys.exit(0 if $chi2 < $crit else 1)"
check "the total is within 4 sigma of the integral of the intensity" python3 -c "import sys; sys.exit(0 if abs($z) < 4 else 1)"

# 2. Incidents injected into a flat simulation at 100/s, in real time (time_scale 1).
q -c "SELECT thelook.setup('inc', init_num_users => 500, seed => 3)" >/dev/null
inc=$(q -c "SELECT thelook.start_simulation('inc', avg_qps => 100, seed => 13, heartbeat_interval => '1 second')")
wait_for "SELECT iterations > 0 FROM thelook.simulations WHERE id = $inc" 10
sleep 2
spike=$(q -c "SELECT thelook.inject_incident($inc, 'spike', magnitude => 3, duration => '8 seconds')")
sleep 10
outage=$(q -c "SELECT thelook.inject_incident($inc, 'outage', duration => '5 seconds')")
sleep 13  # the outage, then its recovery (as long as the outage) at 1.5x
failing=$(q -c "SELECT thelook.inject_incident($inc, 'checkout_failure', duration => '5 seconds')")
sleep 7
q -c "SELECT thelook.stop_simulation($inc)" >/dev/null
echo "# incidents: $(q -c "SELECT string_agg(kind || ' ' || magnitude || ' ' || started_at::time || '-' || ended_at::time, ', ' ORDER BY started_at, kind) FROM inc.incidents")"
check_eq "the incidents table holds what was injected, with an outage's recovery" \
  "spike|3|00:00:08|injected outage|0|00:00:05|injected recovery|1.5|00:00:05|injected checkout_failure|1|00:00:05|injected" \
  "$(q -c "SELECT string_agg(concat_ws('|', kind, magnitude, ended_at - started_at, origin), ' ' ORDER BY started_at, kind = 'recovery')
             FROM inc.incidents WHERE simulation_id = $inc")"
# The start inject_incident returns is the simulation's now in the call; the worker sees the
# incident after the commit, and one whose start it has passed begins then: the incidents table
# records that start (milliseconds later here, real time), and the windows below are checked on it.
echo "# incidents begin after the start inject_incident returned by (ms): $(q -c "SELECT string_agg(kind || ' ' || round(extract(epoch FROM started_at - CASE kind WHEN 'spike' THEN '$spike'::timestamptz WHEN 'outage' THEN '$outage'::timestamptz
                                               WHEN 'checkout_failure' THEN '$failing'::timestamptz END AT TIME ZONE 'UTC') * 1000, 1), ', ' ORDER BY started_at) FROM inc.incidents WHERE kind <> 'recovery'")"
check_eq "each incident starts when inject_incident said, or less than 0.5 s later (when its worker saw it)" "t" \
  "$(q -c "SELECT bool_and(started_at - CASE kind WHEN 'spike' THEN '$spike'::timestamptz WHEN 'outage' THEN '$outage'::timestamptz
                                               WHEN 'checkout_failure' THEN '$failing'::timestamptz END AT TIME ZONE 'UTC'
                           BETWEEN interval '0' AND interval '0.5 second')
             FROM inc.incidents WHERE kind <> 'recovery'")"
window_rate() {  # orders per second in the incident window of that kind (trimmed 0.5 s at each end)
  q -c "SELECT count(*) || ' ' || extract(epoch FROM ended_at - started_at - interval '1 second')
          FROM inc.incidents i JOIN inc.orders o ON o.created_at >= i.started_at + interval '0.5 second'
                                                AND o.created_at < i.ended_at - interval '0.5 second'
         WHERE i.kind = '$1' GROUP BY i.ended_at, i.started_at"
}
read -r n secs <<<"$(window_rate spike)"
echo "# spike: $n orders in $secs s (expected $(python3 -c "print(300 * $secs)"))"
check "the spike's rate is within 4 sigma of 3 x 100/s" python3 -c "import math,sys; e=300*$secs; sys.exit(0 if abs($n-e) < 4*math.sqrt(e) else 1)"
read -r n secs <<<"$(window_rate recovery)"
echo "# recovery: $n orders in $secs s (expected $(python3 -c "print(150 * $secs)"))"
check "the recovery's rate is within 4 sigma of 1.5 x 100/s" python3 -c "import math,sys; e=150*$secs; sys.exit(0 if abs($n-e) < 4*math.sqrt(e) else 1)"
check_eq "no order during the outage" "0" \
  "$(q -c "SELECT count(*) FROM inc.incidents i JOIN inc.orders o ON o.created_at >= i.started_at AND o.created_at < i.ended_at WHERE i.kind = 'outage'")"
check_eq "no order, and no purchase event, during the checkout failure" "0 0" \
  "$(q -c "SELECT (SELECT count(*) FROM inc.orders o WHERE o.created_at >= i.started_at AND o.created_at < i.ended_at) || ' ' ||
                  (SELECT count(*) FROM inc.events e WHERE e.event_type = 'purchase' AND e.created_at >= i.started_at AND e.created_at < i.ended_at)
             FROM inc.incidents i WHERE i.kind = 'checkout_failure'")"
check "shoppers still reached the cart during the checkout failure" \
  test "$(q -c "SELECT count(*) FROM inc.incidents i JOIN inc.events e ON e.event_type = 'cart' AND e.created_at >= i.started_at AND e.created_at < i.ended_at WHERE i.kind = 'checkout_failure'")" -gt 100
check_eq "the view counts the recorded incidents" "4" "$(q -c "SELECT incidents FROM thelook.simulations WHERE id = $inc")"

# 3. alter_simulation: 50/s, then 250/s; the new rate holds from 2 s after the call.
alt=$(q -c "SELECT thelook.start_simulation('inc', avg_qps => 50, seed => 14)")
wait_for "SELECT iterations > 0 FROM thelook.simulations WHERE id = $alt" 10
sleep 2
t_alter=$(q -c "SELECT now() FROM (SELECT thelook.alter_simulation($alt, avg_qps => 250)) a")
sleep 8
q -c "SELECT thelook.stop_simulation($alt)" >/dev/null
counts=$(q -c "SELECT count(*) FILTER (WHERE created_at >= ('$t_alter'::timestamptz - interval '3 seconds') AT TIME ZONE 'UTC'
                                   AND created_at < ('$t_alter'::timestamptz - interval '0.2 second') AT TIME ZONE 'UTC') || ' ' ||
                      count(*) FILTER (WHERE created_at >= ('$t_alter'::timestamptz + interval '2 seconds') AT TIME ZONE 'UTC'
                                   AND created_at < ('$t_alter'::timestamptz + interval '7 seconds') AT TIME ZONE 'UTC')
                 FROM inc.orders")
read -r before after <<<"$counts"
echo "# alter_simulation: $before orders in the 2.8 s before (140 expected), $after in 2..7 s after (1250 expected)"
check "before the change: 50/s within 4 sigma" python3 -c "import math,sys; sys.exit(0 if abs($before-140) < 4*math.sqrt(140) else 1)"
check "from 2 s after the change: 250/s within 4 sigma" python3 -c "import math,sys; sys.exit(0 if abs($after-1250) < 4*math.sqrt(1250) else 1)"
check_eq "the view shows the rate in force" "250" "$(q -c "SELECT avg_qps FROM thelook.simulations WHERE id = $alt")"

# 4. Only the owner (or a superuser) may change a simulation.
q -c "CREATE ROLE shopper LOGIN; GRANT USAGE ON SCHEMA inc TO shopper; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA inc TO shopper" >/dev/null
own=$(q -c "SELECT thelook.start_simulation('inc', avg_qps => 5)")
check_eq "another role may not alter it (42501)" "42501" \
  "$(QUSER=shopper q -c "\\set VERBOSITY verbose" -c "SELECT thelook.alter_simulation($own, avg_qps => 10)" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"
check_eq "nor inject an incident into it (42501)" "42501" \
  "$(QUSER=shopper q -c "\\set VERBOSITY verbose" -c "SELECT thelook.inject_incident($own, 'spike')" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null

# 5. A 90-day retail back-fill: orders by hour of day and by weekday against the profile.
q -c "SELECT thelook.setup('hist', init_num_users => 0)" >/dev/null
q -c "SELECT orders FROM thelook.backfill('hist', '2026-08-17 00:00+00', '2026-11-16 00:00+00', avg_qps => 0.02, seed => 21,
                                           init_num_users => 1000, scenario => 'retail')" >/dev/null
corr() {  # corr FIELD: correlation of orders with the expected arrivals, grouped by that field
  q -c "SELECT round(corr(o.n, e.x)::numeric, 4)
          FROM (SELECT extract($1 FROM created_at) AS k, count(*) AS n FROM hist.orders GROUP BY 1) o
          JOIN (SELECT extract($1 FROM bucket_start AT TIME ZONE 'UTC') AS k, sum(expected) AS x
                  FROM thelook.traffic_intensity('retail', '2026-08-17 00:00+00', '2026-11-16 00:00+00', '1 hour', avg_qps => 0.02)
                 GROUP BY 1) e USING (k)"
}
by_hour=$(corr hour); by_day=$(corr isodow)
echo "# 90-day retail back-fill: $(q -c "SELECT count(*) FROM hist.orders") orders; correlation with the profile by hour of day $by_hour, by weekday $by_day"
check "orders by hour of day correlate with the profile (r > 0.99)" python3 -c "import sys; sys.exit(0 if $by_hour > 0.99 else 1)"
check "orders by weekday correlate with the profile (r > 0.9)" python3 -c "import sys; sys.exit(0 if $by_day > 0.9 else 1)"

check "no FATAL or crash in the server log" bash -c "! grep -E 'FATAL|PANIC|terminated by signal' '$CLUSTER_LOG'"
finish
