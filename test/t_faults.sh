#!/usr/bin/env bash
# Faults for testing pipelines (issue 13): three live simulations side by side, each in its own
# schema: bad records and duplicate events; late events (commit timestamps show their lag); the
# reference (nothing injected). Then back-fills with and without faults. Checks: rates within
# 4 sigma; the ground truth exact (validate() finds exactly the listed bad rows, every listed
# duplicate is its original with a new id, every late event was committed its lag after its
# session); the reference writes no fault; bad input is refused with its JSON path.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster faults "${FAULTS_PORT:-54871}" "timezone = 'UTC'" "track_commit_timestamp = on"

q -q <<'SQL' >/dev/null
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('bad', init_num_users => 500, seed => 1);
SELECT thelook.setup('late', init_num_users => 500, seed => 1);
SELECT thelook.setup('ref', init_num_users => 500, seed => 1);
SQL

SCALE=60
bad=$(q -c "SELECT thelook.start_simulation('bad', avg_qps => 150, seed => 21, time_scale => $SCALE,
  scenario => '{\"faults\": {\"bad_records\": {\"rate\": 0.02, \"tables\": {\"users\": 0.3}}, \"duplicate_events\": {\"share\": 0.03}}}')")
late=$(q -c "SELECT thelook.start_simulation('late', avg_qps => 150, seed => 22, time_scale => $SCALE,
  scenario => '{\"faults\": {\"late_events\": {\"share\": 0.1, \"median\": \"10 minutes\", \"sigma\": 0.5, \"min\": \"5 minutes\", \"max\": \"30 minutes\"}}}')")
ref=$(q -c "SELECT thelook.start_simulation('ref', avg_qps => 150, seed => 23, time_scale => $SCALE)")
sleep 40
for id in $bad $late $ref; do q -c "SELECT thelook.stop_simulation($id)" >/dev/null; done
check_eq "no simulation errors" 0 "$(q -c "SELECT sum(total_errors) FROM thelook.simulations")"

echo "# bad records: rate, and the validator finds exactly the listed rows"
check_eq "validate('bad') finds no unlisted row" 0 "$(q -c "
  SELECT count(*) FROM (SELECT table_name, row_id, defect, column_name FROM thelook.validate('bad')
                        EXCEPT SELECT table_name, row_id, kind, detail FROM bad.injected_faults) x")"
check_eq "every listed bad row breaks its rule" 0 "$(q -c "
  SELECT count(*) FROM (SELECT table_name, row_id, kind, detail FROM bad.injected_faults WHERE kind NOT IN ('duplicate_event', 'late_event')
                        EXCEPT SELECT table_name, row_id, defect, column_name FROM thelook.validate('bad')) x")"
check_eq "each bad row is listed once" 0 "$(q -c "
  SELECT count(*) FROM (SELECT table_name, row_id FROM bad.injected_faults WHERE kind NOT IN ('duplicate_event', 'late_event')
                        GROUP BY 1, 2 HAVING count(*) > 1) x")"
# New rows only: setup's users are not the simulation's.
while IFS='|' read -r table n k; do
  p=0.02; [ "$table" = users ] && p=0.3
  check "bad $table rows: $k of $n within 4 sigma of $p" awk -v n="$n" -v k="$k" -v p="$p" 'BEGIN { s = sqrt(n * p * (1 - p)); exit !(n > 200 && (k - n * p) ^ 2 <= 16 * s * s) }'
done < <(q -c "
  SELECT t, n, (SELECT count(*) FROM bad.injected_faults f WHERE f.table_name = t AND f.kind NOT IN ('duplicate_event', 'late_event')) FROM (
    SELECT 'users' t, count(*) - 500 n FROM bad.users UNION ALL SELECT 'orders', count(*) FROM bad.orders
    UNION ALL SELECT 'order_items', count(*) FROM bad.order_items UNION ALL SELECT 'events', count(*) FROM bad.events) c")
check_eq "every defect kind occurs" 9 "$(q -c "SELECT count(DISTINCT kind) FROM bad.injected_faults WHERE kind NOT IN ('duplicate_event', 'late_event')")"

echo "# duplicate events: each is its original with a new id"
dups=$(q -c "SELECT count(*) FROM bad.injected_faults WHERE kind = 'duplicate_event'")
check_eq "every listed duplicate equals its original apart from the id" "$dups" "$(q -c "
  SELECT count(*) FROM bad.injected_faults f JOIN bad.events c ON c.id = f.row_id JOIN bad.events o ON o.id = f.detail
  WHERE f.kind = 'duplicate_event' AND c.id <> o.id
    AND (c.user_id, c.sequence_number, c.session_id, c.ip_address, c.city, c.state, c.postal_code, c.browser,
         c.traffic_source, c.uri, c.event_type, c.created_at)
        IS NOT DISTINCT FROM (o.user_id, o.sequence_number, o.session_id, o.ip_address, o.city, o.state,
         o.postal_code, o.browser, o.traffic_source, o.uri, o.event_type, o.created_at)")"
check_eq "no unlisted event has a twin" 0 "$(q -c "
  SELECT count(*) FROM (SELECT id, count(*) OVER (PARTITION BY session_id, sequence_number, created_at, uri) AS twins FROM bad.events) e
  WHERE twins > 1 AND id NOT IN (SELECT row_id FROM bad.injected_faults WHERE kind = 'duplicate_event'
                                 UNION ALL SELECT detail FROM bad.injected_faults WHERE kind = 'duplicate_event')")"
read -r n k < <(q -F ' ' -c "SELECT count(*) - $dups, $dups FROM bad.events")
check "duplicates: $k of $n originals within 4 sigma of 3 %" awk -v n="$n" -v k="$k" 'BEGIN { s = sqrt(n * 0.03 * 0.97); exit !(n > 1000 && (k - n * 0.03) ^ 2 <= 16 * s * s) }'

echo "# late events: committed their lag after the rest of their session"
lates=$(q -c "SELECT count(*) FROM late.injected_faults WHERE kind = 'late_event'")
check "late events were written ($lates)" test "$lates" -gt 100
check_eq "every late event is a row of late.events" "$lates" "$(q -c "SELECT count(*) FROM late.injected_faults f JOIN late.events e ON e.id = f.row_id WHERE f.kind = 'late_event'")"
# Wall seconds between commits, times the scale: the lag in simulated seconds, within a batch's
# time either way (2 wall seconds = 120 simulated).
check_eq "each late event is committed its lag after its session's on-time events" 0 "$(q -c "
  WITH late AS (SELECT e.id, e.session_id, f.detail::float8 AS lag, pg_xact_commit_timestamp(e.xmin) AS at
                FROM late.injected_faults f JOIN late.events e ON e.id = f.row_id WHERE f.kind = 'late_event'),
       ontime AS (SELECT e.session_id, max(pg_xact_commit_timestamp(e.xmin)) AS at FROM late.events e
                  WHERE NOT EXISTS (SELECT FROM late.injected_faults f WHERE f.table_name = 'events' AND f.row_id = e.id) GROUP BY 1)
  SELECT count(*) FROM late JOIN ontime USING (session_id)
  WHERE abs(extract(epoch FROM late.at - ontime.at) * $SCALE - late.lag) > 120")"
check "most late events have on-time session mates to compare with" test "$(q -c "
  SELECT count(*) FROM late.injected_faults f JOIN late.events e ON e.id = f.row_id
  JOIN (SELECT session_id FROM late.events GROUP BY 1 HAVING count(*) > 1) m USING (session_id) WHERE f.kind = 'late_event'")" -gt $((lates / 2))
check_eq "the lags lie in [5, 30] minutes" "t" "$(q -c "SELECT min(detail::float8) >= 300 AND max(detail::float8) <= 1800 FROM late.injected_faults WHERE kind = 'late_event'")"
# The share, over events old enough that a late one has surely arrived (30 minutes before the
# simulated time at the stop).
read -r n k < <(q -F ' ' -c "
  WITH cut AS (SELECT (simulated_time AT TIME ZONE 'UTC') - interval '31 minutes' AS t FROM thelook.simulations WHERE id = $late),
       old AS (SELECT e.id, EXISTS (SELECT FROM late.injected_faults f WHERE f.table_name = 'events' AND f.row_id = e.id AND f.kind = 'late_event') AS is_late
               FROM late.events e, cut WHERE e.created_at < cut.t AND e.created_at > (SELECT min(created_at) FROM late.orders))
  SELECT count(*), count(*) FILTER (WHERE is_late) FROM old")
check "late: $k of $n settled events within 4 sigma of 10 %" awk -v n="$n" -v k="$k" 'BEGIN { s = sqrt(n * 0.1 * 0.9); exit !(n > 1000 && (k - n * 0.1) ^ 2 <= 16 * s * s) }'
check_eq "the late simulation wrote no bad record" 0 "$(q -c "SELECT count(*) FROM thelook.validate('late')")"

echo "# the reference scenario injects nothing"
check_eq "ref: no ground truth, validate() finds nothing" "0 0" "$(q -c "SELECT (SELECT count(*) FROM ref.injected_faults) || ' ' || (SELECT count(*) FROM thelook.validate('ref'))")"
check_eq "ref: no event has a twin" 0 "$(q -c "SELECT count(*) FROM (SELECT session_id, sequence_number, created_at, uri FROM ref.events GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) x")"

echo "# back-fill"
q -q -c "SELECT thelook.setup('bf', init_num_users => 300, seed => 2)" -c "SELECT thelook.setup('bf0', init_num_users => 300, seed => 2)" >/dev/null
q -q -c "SELECT thelook.backfill('bf', '2026-01-01', '2026-01-03', avg_qps => 0.3, seed => 4,
  scenario => '{\"faults\": {\"bad_records\": {\"rate\": 0.05, \"tables\": {\"users\": 0}}, \"duplicate_events\": {\"share\": 0.01}}}')" >/dev/null
check_eq "back-fill: validate() = the listed bad rows, both ways" "0 0" "$(q -c "
  SELECT (SELECT count(*) FROM (SELECT table_name, row_id, defect, column_name FROM thelook.validate('bf')
          EXCEPT SELECT table_name, row_id, kind, detail FROM bf.injected_faults) a) || ' ' ||
         (SELECT count(*) FROM (SELECT table_name, row_id, kind, detail FROM bf.injected_faults WHERE kind <> 'duplicate_event'
          EXCEPT SELECT table_name, row_id, defect, column_name FROM thelook.validate('bf')) b)")"
check_eq "back-fill: tables.users = 0 leaves users alone" "0" "$(q -c "
  SELECT count(*) FILTER (WHERE table_name = 'users') FROM bf.injected_faults")"
for section in '"late_events": {"share": 0.5}' '"cdc": {"pk_update_rate": 0.01}'; do
  err=$(q -v VERBOSITY=verbose -c "SELECT thelook.backfill('bf0', '2026-01-01', '2026-01-02', scenario => '{\"faults\": {$section}}')" 2>&1 || true)
  check "back-fill: faults {$section} is refused (0A000, naming the section)" grep -q '0A000: thelook.backfill cannot apply scenario.faults' <<<"$err"
done
check "back-fill: duplicates were written" test "$(q -c "SELECT count(*) FROM bf.injected_faults WHERE kind = 'duplicate_event'")" -gt 0
q -q -c "SELECT thelook.backfill('bf0', '2026-01-01', '2026-01-03', avg_qps => 0.3, seed => 4)" >/dev/null
check_eq "back-fill with the reference: no ground truth, validate() finds nothing" "0 0" "$(q -c "SELECT (SELECT count(*) FROM bf0.injected_faults) || ' ' || (SELECT count(*) FROM thelook.validate('bf0'))")"
check_eq "back-fill: the rows a fault leaves alone are the reference's (orders by id)" 0 "$(q -c "
  SELECT count(*) FROM (SELECT id, user_id, status, num_of_items, created_at FROM bf0.orders
                        EXCEPT SELECT id, user_id, status, num_of_items, created_at FROM bf.orders) x
  WHERE id NOT IN (SELECT row_id FROM bf.injected_faults WHERE table_name = 'orders')")"

echo "# set-returning functions: the same faults, with validate() as their ground truth"
F='{"faults": {"bad_records": {"rate": 0.03}, "duplicate_events": {"share": 0.02}}}'
W="start_at => '2025-01-01', end_at => '2026-01-01'"
q -q <<SQL >/dev/null
SELECT thelook.setup('srf', init_num_users => 0);
SELECT thelook.setup('srf0', init_num_users => 0);
INSERT INTO srf.users SELECT * FROM thelook.generate_users(3000, seed => 5, $W);
INSERT INTO srf.orders SELECT * FROM thelook.generate_orders(20000, seed => 5, users => 3000, $W, scenario => '$F');
INSERT INTO srf.order_items SELECT * FROM thelook.generate_order_items(20000, seed => 5, users => 3000, $W, scenario => '$F');
INSERT INTO srf.events SELECT * FROM thelook.generate_events(20000, seed => 5, users => 3000, $W, scenario => '$F');
INSERT INTO srf.events SELECT * FROM thelook.generate_sessions(5000, seed => 5, $W, scenario => '$F');
INSERT INTO srf0.users SELECT * FROM thelook.generate_users(3000, seed => 5, $W);
INSERT INTO srf0.orders SELECT * FROM thelook.generate_orders(20000, seed => 5, users => 3000, $W, scenario => 'retail');
INSERT INTO srf0.order_items SELECT * FROM thelook.generate_order_items(20000, seed => 5, users => 3000, $W, scenario => 'retail');
INSERT INTO srf0.events SELECT * FROM thelook.generate_events(20000, seed => 5, users => 3000, $W, scenario => 'shoppers');
INSERT INTO srf0.events SELECT * FROM thelook.generate_sessions(5000, seed => 5, $W, scenario => 'shoppers');
SQL
check_eq "SRFs without faults: validate() finds nothing" 0 "$(q -c "SELECT count(*) FROM thelook.validate('srf0')")"
while IFS='|' read -r table n k; do
  check "SRF $table: $k of $n rows bad, within 4 sigma of 3 %" awk -v n="$n" -v k="$k" 'BEGIN { s = sqrt(n * 0.03 * 0.97); exit !(n > 10000 && (k - n * 0.03) ^ 2 <= 16 * s * s) }'
done < <(q -c "
  SELECT t, n, (SELECT count(*) FROM thelook.validate('srf') v WHERE v.table_name = t) FROM (
    SELECT 'orders' t, count(*) n FROM srf.orders UNION ALL SELECT 'order_items', count(*) FROM srf.order_items
    UNION ALL SELECT 'events', count(*) FROM srf.events) c")
check_eq "generate_orders and generate_order_items agree on each order's faults (items whose order is listed bad are its own)" 0 "$(q -c "
  SELECT count(*) FROM srf.order_items i WHERE i.order_id IS NOT NULL AND NOT EXISTS (SELECT FROM srf.orders o WHERE o.id = i.order_id)
    AND NOT EXISTS (SELECT FROM thelook.validate('srf') v WHERE v.table_name = 'order_items' AND v.row_id = i.id)")"
check "SRF events have duplicates (twins)" test "$(q -c "SELECT count(*) FROM (SELECT 1 FROM srf.events GROUP BY session_id, sequence_number, created_at, uri HAVING count(*) > 1) x")" -gt 100

echo "# bad input"
err=$(q -c "SELECT thelook.start_simulation('ref', scenario => '{\"faults\": {\"bad_records\": {\"rate\": 2}}}')" 2>&1 || true)
check "a rate of 2 is refused naming its JSON path" grep -q 'scenario.faults.bad_records.rate: must be between 0 and 1' <<<"$err"
err=$(q -c "SELECT thelook.backfill('ref', '2026-01-01', '2026-01-02', scenario => '{\"faults\": {\"late_events\": {\"median\": \"soon\"}}}')" 2>&1 || true)
check "a bad duration is refused naming its JSON path" grep -q 'scenario.faults.late_events.median' <<<"$err"
q -q -c "DROP TABLE ref.injected_faults"
err=$(q -v VERBOSITY=verbose -c "SELECT thelook.start_simulation('ref', scenario => '{\"faults\": {\"duplicate_events\": {\"share\": 0.1}}}')" 2>&1 || true)
check "faults without an injected_faults table: 42P01 with a hint to run setup() again" grep -q '42P01.*injected_faults' <<<"$(tr '\n' ' ' <<<"$err")"
check "... and the hint" grep -q "setup('ref') again" <<<"$err"
check_eq "validate() of a missing schema: 3F000" 3F000 "$(q -c "DO \$\$ BEGIN PERFORM thelook.validate('nowhere'); EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 | sed -n 's/.*NOTICE:  //p')"
finish
