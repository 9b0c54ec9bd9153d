#!/usr/bin/env bash
# Durable simulations: a seeded simulation killed (SIGKILL of its worker) and the server restarted
# with pg_ctl restart -m immediate, each mid-run, resumes by itself within seconds and writes exactly
# the rows of an uninterrupted run with the same seed and max_iter (hashes of the ordered ids and
# non-time columns; nothing lost, nothing twice), and with faults and inventory also the ground truth
# (injected_faults, incidents) and the stock (inventory_items, inventory_restocks, lost_sales); a clean restart resumes; a stopped simulation stays
# stopped; thelook.auto_resume = off leaves them interrupted until turned on; a worker that dies is
# restarted, and one that cannot get going fails after repeated attempts; new rows written directly
# (as COPY) and through INSERT ... ON CONFLICT (thelook.direct_inserts = off) are the same rows,
# also when a seed runs again over its own rows; retention keeps the tables bounded in an
# accelerated run; DROP SCHEMA and DROP EXTENSION stop the workers cleanly.
source "$(dirname "$0")/lib.sh"
PRELOAD=thelook_datagen start_cluster durable "${DURABLE_PORT:-54851}"

now_ms() { date +%s%3N; }
# wait_ms "SQL returning t" MS: polls every 50 ms (errors count as false: the server may be
# restarting); prints the elapsed ms, fails after MS.
wait_ms() {
  local sql=$1 limit=$2 t0
  t0=$(now_ms)
  while [ $(($(now_ms) - t0)) -le "$limit" ]; do
    if [ "$(q -c "$sql" 2>/dev/null)" = "t" ]; then echo $(($(now_ms) - t0)); return 0; fi
    sleep 0.05
  done
  echo "$limit+"
  return 1
}
view() { q -c "SELECT $2 FROM thelook.simulations WHERE id = $1"; }
workers() { q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook simulation'"; }
# A hash per table of everything but the timestamps, in id order: the entities a run wrote.
entities() {
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, first_name, last_name, email, age, gender, street_address,
                       postal_code, city, state, country, latitude, longitude, traffic_source), ',' ORDER BY id)) FROM $1.users)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, user_id, status, num_of_items), ',' ORDER BY id)) FROM $1.orders)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, order_id, product_id, status, quantity, sale_price), ',' ORDER BY id)) FROM $1.order_items)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, user_id, sequence_number, session_id, ip_address, city, state,
                       postal_code, browser, traffic_source, uri, event_type), ',' ORDER BY id)) FROM $1.events)"
}
# differences A B: when the entities of schemas A and B differ, up to 3 rows per table that differ
# (or are in one only), as "# " lines: what a failed comparison needs to be understood.
differences() {
  [ "$(entities "$1")" != "$(entities "$2")" ] || return 0
  local t cols
  for t in users orders order_items events; do
    case $t in
      users) cols="first_name, last_name, email, age, gender, street_address, postal_code, city, state, country, latitude, longitude, traffic_source" ;;
      orders) cols="user_id, status, num_of_items" ;;
      order_items) cols="order_id, product_id, status, quantity, sale_price" ;;
      events) cols="user_id, sequence_number, session_id, ip_address, city, state, postal_code, browser, traffic_source, uri, event_type" ;;
    esac
    q -c "SELECT '# $t ' || id || ': $1 ' || coalesce(a.r::text, 'absent') || ', $2 ' || coalesce(b.r::text, 'absent')
            FROM (SELECT id, row($cols) AS r FROM $1.$t) a FULL JOIN (SELECT id, row($cols) AS r FROM $2.$t) b USING (id)
           WHERE a.r IS DISTINCT FROM b.r ORDER BY id LIMIT 3" || true
  done
}
half_iterations() {
  q -c "SELECT (SELECT count(*) FROM $1.orders o WHERE o.num_of_items <> (SELECT count(*) FROM $1.order_items i WHERE i.order_id = o.id))
             + (SELECT count(*) FROM $1.order_items i WHERE NOT EXISTS (SELECT FROM $1.orders o WHERE o.id = i.order_id))"
}
restart_immediate() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$CLUSTER_LOG" -w -t 60 -m immediate restart >/dev/null; }

q -q -c "CREATE EXTENSION thelook_datagen"
for s in ref crash; do q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3)" >/dev/null; done

N=${DURABLE_ITERATIONS:-4000}
QPS=400
PARAMS="avg_qps => $QPS, max_iter => $N, seed => 42, id_format => 'uuid4', heartbeat_interval => '0'"

echo "# 1. the reference: $N iterations at $QPS/s, seed 42, uninterrupted"
ref=$(q -c "SELECT thelook.start_simulation('ref', $PARAMS)")
ms=$(wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $ref" 60000) || true
check_eq "reference simulation $ref finished ($ms ms)" finished "$(view "$ref" state)"

echo "# 2. the same simulation, killed (SIGKILL of its worker) and the server restarted (-m immediate) mid-run"
sim=$(q -c "SELECT thelook.start_simulation('crash', $PARAMS)")
wait_ms "SELECT iterations >= $((N / 4)) FROM thelook.simulations WHERE id = $sim" 30000 >/dev/null || true
pid=$(view "$sim" pid)
before=$(view "$sim" iterations)
kill -KILL "$pid"
t0=$(now_ms)
ms=$(wait_ms "SELECT state = 'running' AND pid <> $pid AND iterations > $before FROM thelook.simulations WHERE id = $sim" 15000) || true
check "SIGKILL at iteration ~$before: the server recovered and the simulation resumed by itself, writing again (after $ms ms)" \
  test "$(view "$sim" "state = 'running' AND pid <> $pid")" = t
check_eq "the resumed worker runs as the role that started it" postgres \
  "$(q -c "SELECT usename FROM pg_stat_activity WHERE pid = (SELECT pid FROM thelook.simulations WHERE id = $sim)")"
wait_ms "SELECT iterations >= $((N / 2)) FROM thelook.simulations WHERE id = $sim" 30000 >/dev/null || true
before=$(view "$sim" iterations)
restart_immediate
ms=$(wait_ms "SELECT state = 'running' AND iterations > $before FROM thelook.simulations WHERE id = $sim" 15000) || true
check "pg_ctl restart -m immediate at iteration ~$before: resumed by itself, writing again (after $ms ms)" \
  test "$(view "$sim" "state = 'running' OR state = 'finished'")" = t
ms=$(wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $sim" 60000) || true
check_eq "the interrupted simulation finished ($ms ms)" finished "$(view "$sim" state)"
check_eq "max_iter counts across restarts: $N iterations in all" "$N" "$(view "$sim" iterations)"
check_eq "two workers took it over after the first (incarnation 3)" 3 \
  "$(q -c "SELECT incarnation FROM thelook.simulation_runs WHERE id = $sim")"
echo "# skipped arrivals (fell due while down): $(view "$sim" skipped)"
ref_rows=$(entities ref)
crash_rows=$(entities crash)
echo "# reference   (rows:md5 of users orders items events): $ref_rows"
echo "# interrupted (rows:md5 of users orders items events): $crash_rows"
check_eq "the interrupted run wrote exactly the rows of the uninterrupted one (ids, users, products, quantities, statuses)" \
  "$ref_rows" "$crash_rows"
differences ref crash
check_eq "$N orders, no half iteration" "$N 0" "$(q -c "SELECT count(*) FROM crash.orders") $(half_iterations crash)"
check_eq "no error in either run" 0 "$(q -c "SELECT sum(total_errors) FROM thelook.simulations WHERE id IN ($ref, $sim)")"

echo "# 2c. new rows only through INSERT ... ON CONFLICT (thelook.direct_inserts = off): exactly the rows of the"
echo "#     direct path; then the seed again on both schemas (its ids are there already: the direct path's"
echo "#     unique violation rolls back and the upsert overwrites), still the same rows, no error, also with"
echo "#     other transaction boundaries (one iteration each through the upsert, 200 flat out directly)"
# (with the picks' SELECTs and the lifecycle UPDATEs too, thelook.direct_picks and direct_updates = off:
# the same rows picked and moved)
direct_inserts() { q -q -c "ALTER SYSTEM SET thelook.direct_inserts = $1" -c "ALTER SYSTEM SET thelook.direct_picks = $1" \
  -c "ALTER SYSTEM SET thelook.direct_updates = $1" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3; }
q -q -c "SELECT thelook.setup('up', init_num_users => 300, seed => 3)" >/dev/null
direct_inserts off
up=$(q -c "SELECT thelook.start_simulation('up', $PARAMS)")
wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $up" 60000 >/dev/null || true
check_eq "through the upsert only: exactly the rows of the direct path" "$ref_rows" "$(entities up)"
differences ref up
# A pick that meets a row the transaction has buffered, with an older row of its id in the table,
# reads the buffered one: what it reads must not depend on where the transactions end.
RERUN="max_iter => 1000, seed => 42, id_format => 'uuid4', heartbeat_interval => '0'"
q -q -c "ALTER SYSTEM SET thelook.max_iterations_per_transaction = 1" -c "SELECT pg_reload_conf()" >/dev/null
up2=$(q -c "SELECT thelook.start_simulation('up', avg_qps => $QPS, $RERUN)")
wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $up2" 60000 >/dev/null || true
q -q -c "ALTER SYSTEM RESET thelook.max_iterations_per_transaction" >/dev/null
direct_inserts on
ref2=$(q -c "SELECT thelook.start_simulation('ref', avg_qps => 100000, $RERUN)")
wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $ref2" 60000 >/dev/null || true
check_eq "the seed again over its own rows: both finished, no error" "finished finished 0" \
  "$(view "$up2" state) $(view "$ref2" state) $(q -c "SELECT sum(total_errors) FROM thelook.simulations WHERE id IN ($up, $up2, $ref2)")"
check "the rerun met its own ids (orders overwritten, not added)" \
  test "$(q -c "SELECT count(*) < $N + 1000 FROM ref.orders")" = t
check_eq "the seed again: the direct path (falling back to the upsert) wrote exactly the upsert's rows" "$(entities up)" "$(entities ref)"
differences up ref
q -q -c "ALTER SYSTEM RESET thelook.direct_inserts" -c "ALTER SYSTEM RESET thelook.direct_picks" \
  -c "ALTER SYSTEM RESET thelook.direct_updates" -c "SELECT pg_reload_conf()" >/dev/null

echo "# 2b. the same with pipeline_faults (bad records, late and duplicate events) plus the CDC faults, an"
echo "#     incident and inventory (small stocks, popular products: stock-outs and restocks): killed mid-run,"
echo "#     it writes exactly the rows, the ground truth and the stock of the uninterrupted run"
# (A large transaction's ground truth names its transaction id, which no two runs share.)
# The simulated clock starts at a fixed instant and arrivals missed while down are caught up with
# at their own times, so that time-dependent faults (late events' arrival, deletions per hour,
# purges, large transactions) fall on the same iterations in both runs.
FSCEN='{"base": "pipeline_faults", "faults": {"late_events": {"share": 0.05, "median": "2 seconds", "min": "1 second", "max": "6 seconds"}, "cdc": {"account_deletions_per_hour": 3600, "purge_anonymous_sessions_after": "3 seconds",
        "pk_update_rate": 0.01, "large_transaction": {"every": "4 seconds", "orders": 40}}},
        "shoppers": {"popularity": {"zipf_exponent": 1}},
        "inventory": {"minimum": 2, "restock": 3, "lead_time": ["1 second", "4 seconds"]},
        "incidents": [{"kind": "spike", "magnitude": 2, "after": "3 seconds", "duration": "2 seconds"}]}'
for s in fref fcrash; do
  q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3, inventory => true)" \
       -c "TRUNCATE $s.inventory_items" \
       -c "INSERT INTO $s.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
             product_retail_price, product_department, product_sku, product_distribution_center_id)
           SELECT * FROM thelook.generate_inventory_items(1, 3, seed => 4) ORDER BY product_id" \
       -c "SELECT thelook.create_simulation_indexes('$s', scenario => '$FSCEN')" >/dev/null
done
FN=${DURABLE_FAULT_ITERATIONS:-3000}
FPARAMS="avg_qps => 300, max_iter => $FN, seed => 43, id_format => 'uuid4', heartbeat_interval => '0', on_resume => 'catch_up',
         simulated_start => '2026-01-01 00:00+00', scenario => '$FSCEN'"
# The faults' look-up indexes come from an explicit call (docs/transactions.md), not from the start.
for s in fref fcrash; do q -q -c "SELECT count(*) FROM thelook.create_simulation_indexes('$s', scenario => '$FSCEN')" >/dev/null; done
fref=$(q -c "SELECT thelook.start_simulation('fref', $FPARAMS)")
wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $fref" 90000 >/dev/null || true
check_eq "faulted reference $fref finished" finished "$(view "$fref" state)"
fsim=$(q -c "SELECT thelook.start_simulation('fcrash', $FPARAMS)")
wait_ms "SELECT iterations >= $((FN / 3)) FROM thelook.simulations WHERE id = $fsim" 30000 >/dev/null || true
held_at_kill=$(q -c "SELECT count(*) FROM thelook.held_events WHERE simulation_id = $fsim")
pid=$(view "$fsim" pid)
kill -KILL "$pid"
wait_ms "SELECT state = 'running' AND pid <> $pid FROM thelook.simulations WHERE id = $fsim" 15000 >/dev/null || true
wait_ms "SELECT iterations >= $((2 * FN / 3)) FROM thelook.simulations WHERE id = $fsim" 30000 >/dev/null || true
restart_immediate
ms=$(wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $fsim" 90000) || true
check_eq "the interrupted faulted simulation finished ($ms ms), taken over twice" "finished 3" \
  "$(view "$fsim" state) $(q -c "SELECT incarnation FROM thelook.simulation_runs WHERE id = $fsim")"
check "late events were held back in thelook.held_events when it was killed ($held_at_kill)" test "$held_at_kill" -gt 0
truth() {
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', table_name, row_id, kind, detail), ',' ORDER BY table_name, row_id, kind, detail)) FROM
                     (SELECT table_name, CASE WHEN kind = 'large_transaction' THEN 'txid' ELSE row_id END AS row_id, kind, detail FROM $1.injected_faults) f)
          || ' ' || (SELECT count(*) || ':' || md5(coalesce(string_agg(concat_ws('|', kind, magnitude, started_at, ended_at, origin, target), ',' ORDER BY started_at, kind), '')) FROM $1.incidents)"
}
kinds=$(q -c "SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM fref.injected_faults")
echo "# fault kinds in the reference: $kinds"
check_eq "the reference has every kind of fault (bad records, late and duplicate events, the four CDC faults)" \
  "account_deleted,duplicate_event,large_transaction,late_event,pk_update,session_purged,true" \
  "$(q -c "SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FILTER (WHERE kind NOT IN (SELECT unnest(ARRAY['null_required','unknown_enum','non_positive_number','timestamp_out_of_range','orphan_foreign_key','malformed_uuid','malformed_uri','invalid_email','stray_whitespace']))) || ',' || (count(*) FILTER (WHERE kind IN ('null_required','unknown_enum','non_positive_number','timestamp_out_of_range','orphan_foreign_key','malformed_uuid','malformed_uri','invalid_email','stray_whitespace')) > 0) FROM fref.injected_faults")"
echo "# reference   (rows:md5 of users orders items events; faults; incidents): $(entities fref); $(truth fref)"
echo "# interrupted (rows:md5 of users orders items events; faults; incidents): $(entities fcrash); $(truth fcrash)"
check_eq "with faults: the interrupted run wrote exactly the rows of the uninterrupted one" "$(entities fref)" "$(entities fcrash)"
differences fref fcrash
check_eq "with faults: exactly the same ground truth (injected_faults, incidents)" "$(truth fref)" "$(truth fcrash)"
# The stock: every column but the ids (a rolled-back transaction used up sequence values).
stock() {
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', product_id, created_at, sold_at), ',' ORDER BY product_id, created_at, sold_at)) FROM $1.inventory_items)
          || ' ' || (SELECT count(*) || ':' || md5(coalesce(string_agg(concat_ws('|', product_id, distribution_center_id, ordered_at, arrives_at, arrived_at, old_level, quantity, new_level), ','
                       ORDER BY product_id, ordered_at), '')) FROM $1.inventory_restocks)
          || ' ' || (SELECT count(*) || ':' || md5(coalesce(string_agg(concat_ws('|', product_id, distribution_center_id, user_id, session_id, lost_at), ','
                       ORDER BY lost_at, product_id, session_id), '')) FROM $1.lost_sales)"
}
echo "# reference   (items; restocks; lost sales): $(stock fref)"
echo "# interrupted (items; restocks; lost sales): $(stock fcrash)"
check "the reference had stock-outs and delivered restocks" test "$(q -c "SELECT (SELECT count(*) > 20 FROM fref.lost_sales) AND (SELECT count(*) > 20 FROM fref.inventory_restocks WHERE arrived_at IS NOT NULL)")" = t
check_eq "with inventory: exactly the same stock (inventory_items, inventory_restocks, lost_sales)" "$(stock fref)" "$(stock fcrash)"
check_eq "no late event left held by the finished runs' errors; no error" "0" \
  "$(q -c "SELECT sum(total_errors) FROM thelook.simulations WHERE id IN ($fref, $fsim)")"

echo "# 3. a clean restart resumes a running simulation; a stopped one stays stopped"
run=$(q -c "SELECT thelook.start_simulation('ref', avg_qps => 100, seed => 7, name => 'keeps_running')")
stopped=$(q -c "SELECT thelook.start_simulation('crash', avg_qps => 100, seed => 8, name => 'stopped')")
wait_ms "SELECT count(*) = 2 FROM thelook.simulations WHERE id IN ($run, $stopped) AND state = 'running' AND iterations > 0" 10000 >/dev/null || true
check_eq "stop_simulation($stopped)" t "$(q -c "SELECT thelook.stop_simulation($stopped)")"
stopped_at=$(view "$stopped" iterations)
check_eq "the stop is kept in thelook.simulation_runs" "stopped stopped" \
  "$(q -c "SELECT state || ' ' || desired_state FROM thelook.simulation_runs WHERE id = $stopped")"
# A stop whose worker went (killed, or with the server) after the stop committed and before it
# wrote its state: the row says desired stopped, state running. Made by hand from a stopped one.
unrec=$(q -c "SELECT thelook.start_simulation('crash', avg_qps => 100, seed => 9, name => 'stop_unrecorded')")
wait_ms "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $unrec" 10000 >/dev/null || true
q -q -c "SELECT thelook.stop_simulation($unrec)" -c "UPDATE thelook.simulation_runs SET state = 'running' WHERE id = $unrec" >/dev/null
check_eq "a stop its worker did not record: the view says stopped, no worker" "stopped " "$(view "$unrec" "state || ' ' || coalesce(pid::text, '')")"
sleep 0.5
before=$(view "$run" iterations)
restart_cluster
ms=$(wait_ms "SELECT state = 'running' AND iterations > $before FROM thelook.simulations WHERE id = $run" 15000) || true
check "pg_ctl restart -m fast: simulation $run resumed by itself and writes again (after $ms ms)" \
  test "$(view "$run" "state = 'running' AND iterations > $before")" = t
check_eq "its counters continue from where they were" t "$(view "$run" "iterations > $before AND orders_inserted >= $before")"
sleep 1
check_eq "the stopped simulation $stopped stays stopped, with no worker" "stopped 1 $stopped_at" \
  "$(view "$stopped" "state") $(workers) $(view "$stopped" iterations)"
check_eq "after the restart its row says stopped too (written by the resumer), and it stays stopped" "stopped stopped stopped" \
  "$(view "$unrec" state) $(q -c "SELECT state || ' ' || desired_state FROM thelook.simulation_runs WHERE id = $unrec")"

echo "# 3b. the arrivals that fell due while the server was down: skipped, or caught up with"
q -q -c "SELECT thelook.setup('gap_skip', init_num_users => 100, seed => 6)" -c "SELECT thelook.setup('gap_catch', init_num_users => 100, seed => 6)" >/dev/null
skip=$(q -c "SELECT thelook.start_simulation('gap_skip', avg_qps => 100, seed => 11, heartbeat_interval => '0')")
catch=$(q -c "SELECT thelook.start_simulation('gap_catch', avg_qps => 100, seed => 11, heartbeat_interval => '0', on_resume => 'catch_up')")
wait_ms "SELECT count(*) = 2 FROM thelook.simulations WHERE id IN ($skip, $catch) AND iterations > 100" 10000 >/dev/null || true
down=$(q -c "SELECT now()")
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
sleep 4
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$CLUSTER_LOG" -w -t 60 start >/dev/null
up=$(q -c "SELECT now()")
sleep 3
gap() {  # orders created in the middle of the downtime (a second of margin on each side)
  q -c "SELECT count(*) FROM $1.orders WHERE created_at > ('$down'::timestamptz + interval '1 second')::timestamp
                                          AND created_at < ('$up'::timestamptz - interval '1 second')::timestamp"
}
check_eq "on_resume 'skip' (the default): no order dated while the server was down; the arrivals were counted as skipped" "0 t" \
  "$(gap gap_skip) $(view "$skip" "skipped > 200")"
n=$(gap gap_catch)
check "on_resume 'catch_up': the orders of the downtime were written afterwards, with their own times ($n, about 100/s)" \
  test "$n" -gt 150
check_eq "on_resume 'catch_up': nothing skipped, and it has caught up" "0 t" \
  "$(view "$catch" skipped) $(view "$catch" "iterations >= scheduled - 50")"
q -c "SELECT thelook.stop_simulation($skip), thelook.stop_simulation($catch)" >/dev/null

echo "# 4. thelook.auto_resume = off: nothing is resumed until it is turned on again (or asked for)"
run2=$(q -c "SELECT thelook.start_simulation('ref', avg_qps => 100, seed => 12)")
wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $run2" 10000 >/dev/null || true
append_conf "thelook.auto_resume = off"
restart_cluster
sleep 2
check_eq "after a restart with auto_resume off: interrupted, no worker" "interrupted interrupted 0" \
  "$(view "$run" state) $(view "$run2" state) $(workers)"
check_eq "interrupted means: desired state running, not running" running "$(view "$run" desired_state)"
check_eq "ensure_simulation('keeps_running') finds it and resumes it" "$run" \
  "$(q -c "SELECT thelook.ensure_simulation('keeps_running', 'ref', avg_qps => 100)")"
ms=$(wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $run" 10000) || true
check "ensure_simulation resumed simulation $run ($ms ms); $run2 still interrupted" \
  test "$(view "$run" state) $(view "$run2" state)" = "running interrupted"
append_conf "thelook.auto_resume = on"
q -c "SELECT pg_reload_conf()" >/dev/null
ms=$(wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $run2" 10000) || true
check "auto_resume turned on (reload): $run2 resumed ($ms ms)" test "$(view "$run2" state)" = running
check_eq "stop_simulation($run2)" t "$(q -c "SELECT thelook.stop_simulation($run2)")"
check_eq "resume_simulation($stopped) continues a stopped simulation" t "$(q -c "SELECT thelook.resume_simulation($stopped)")"
ms=$(wait_ms "SELECT state = 'running' AND iterations > $stopped_at FROM thelook.simulations WHERE id = $stopped" 10000) || true
check "it writes again, from iteration $stopped_at on ($ms ms)" test "$(view "$stopped" "iterations > $stopped_at")" = t
check_eq "resume_simulation of a running simulation returns false" f "$(q -c "SELECT thelook.resume_simulation($stopped)")"
check_eq "forget_simulation of a running simulation: 55000" 55000 \
  "$(q -v VERBOSITY=verbose -c "SELECT thelook.forget_simulation($stopped)" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"
check_eq "forget_simulation of an ended one removes its row (its data stays)" "t 0 t" \
  "$(q -c "SELECT thelook.forget_simulation($run2)") $(q -c "SELECT count(*) FROM thelook.simulations WHERE id = $run2") $(q -c "SELECT count(*) > 0 FROM ref.orders")"

echo "# 5. a worker that dies is restarted; one that cannot get going fails after repeated attempts"
pid=$(view "$run" pid)
q -c "SELECT pg_terminate_backend($pid)" >/dev/null
ms=$(wait_ms "SELECT state = 'running' AND pid <> $pid FROM thelook.simulations WHERE id = $run" 10000) || true
check "pg_terminate_backend of its worker: restarted with a new worker ($ms ms)" test "$(view "$run" "state = 'running' AND pid <> $pid")" = t
q -q <<'SQL'
CREATE ROLE shopper LOGIN;
GRANT USAGE ON SCHEMA ref TO shopper;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ref TO shopper;
SQL
own=$(QUSER=shopper q -c "SELECT thelook.start_simulation('ref', avg_qps => 50, seed => 9)")
wait_ms "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $own" 10000 >/dev/null || true
check_eq "it runs as shopper" shopper "$(q -c "SELECT usename FROM pg_stat_activity WHERE pid = (SELECT pid FROM thelook.simulations WHERE id = $own)")"
q -q -c "REVOKE SELECT ON ref.products FROM shopper"
q -c "SELECT pg_terminate_backend(pid) FROM thelook.simulations WHERE id = $own" >/dev/null
ms=$(wait_ms "SELECT state = 'failed' FROM thelook.simulations WHERE id = $own" 30000) || true
check "every restart fails (products unreadable): state 'failed' after repeated attempts ($ms ms)" test "$(view "$own" state)" = failed
check_eq "last_error says why" t "$(view "$own" "last_error LIKE '%times in a row without progress%permission denied%products%'")"
check_eq "the row keeps it failed and stopped (not resumed after a restart)" "failed stopped 5" \
  "$(q -c "SELECT state || ' ' || desired_state || ' ' || failures FROM thelook.simulation_runs WHERE id = $own")"
check_eq "other sessions are fine, the server did not restart" t "$(q -c "SELECT pg_postmaster_start_time() < now() - interval '1 second'")"

echo "# 6. retention keeps the tables bounded: 1 simulated hour per second, events kept 2 h, orders 3 h"
q -q -c "SELECT thelook.setup('kept', init_num_users => 200, seed => 4)" >/dev/null
# No hidden DDL: start_simulation makes no index; it says which call does.
out=$(q -v VERBOSITY=verbose -c "SELECT thelook.start_simulation('kept', keep_events => '2 hours')" 2>&1 || true)
check_eq "without its index, retention fails at the start with 55000, naming create_simulation_indexes" "55000 t" \
  "$(sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' <<<"$out" | head -1) $(grep -q 'create_simulation_indexes' <<<"$out" && echo t || echo f)"
check_eq "and nothing was started or made" "0 0" \
  "$(q -c "SELECT (SELECT count(*) FROM thelook.simulation_runs WHERE schema = 'kept') || ' ' || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'kept' AND indexname LIKE '%created_at%')")"
check_eq "create_simulation_indexes makes the two retention needs" "events_created_at_idx,orders_created_at_idx" \
  "$(q -c "SELECT string_agg(i, ',' ORDER BY i) FROM thelook.create_simulation_indexes('kept', keep_events => '2 hours', keep_orders => '3 hours') i")"
keep=$(q -c "SELECT thelook.start_simulation('kept', avg_qps => 300, seed => 10, time_scale => 3600, simulated_start => '2026-01-01 00:00+00',
                                             keep_events => '2 hours', keep_orders => '3 hours', heartbeat_interval => '0')")
sizes() { q -c "SELECT (SELECT count(*) FROM kept.events) || ' ' || (SELECT count(*) FROM kept.orders) || ' ' || (SELECT count(*) FROM kept.order_items)"; }
sleep 8; s8=$(sizes); it8=$(view "$keep" iterations)
sleep 8; s16=$(sizes); it16=$(view "$keep" iterations)
sleep 8; s24=$(sizes); it24=$(view "$keep" iterations)
q -c "SELECT thelook.stop_simulation($keep)" >/dev/null
echo "# events orders items after 8 s: $s8 ($it8 iterations), 16 s: $s16 ($it16), 24 s: $s24 ($it24)"
read -r e8 o8 i8 <<<"$s8"; read -r e24 o24 i24 <<<"$s24"
check "iterations tripled from 8 s to 24 s ($it8 -> $it24), events and orders did not grow by half" \
  test "$it24" -gt $((2 * it8)) -a "$e24" -lt $((e8 * 3 / 2)) -a "$o24" -lt $((o8 * 3 / 2))
check_eq "rows deleted are counted" t "$(view "$keep" "events_deleted > 0 AND orders_deleted > 0 AND order_items_deleted > 0")"
check_eq "nothing older than the windows, one hour of slack" t \
  "$(q -c "SELECT (SELECT max(created_at) - min(created_at) FROM kept.events) < interval '3 hours'
              AND (SELECT max(created_at) - min(created_at) FROM kept.orders) < interval '4 hours'")"
check_eq "no item left without its order" 0 \
  "$(q -c "SELECT count(*) FROM kept.order_items i WHERE NOT EXISTS (SELECT FROM kept.orders o WHERE o.id = i.order_id)")"
check_eq "the indexes retention needs are there" "2" \
  "$(q -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'kept' AND indexname IN ('events_created_at_idx', 'orders_created_at_idx')")"

echo "# 7. DROP SCHEMA of a simulated schema, and DROP EXTENSION CASCADE, stop the workers cleanly"
q -q -c "SELECT thelook.setup('doomed', init_num_users => 100, seed => 5)" >/dev/null
doomed=$(q -c "SELECT thelook.start_simulation('doomed', avg_qps => 200)")
wait_ms "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $doomed" 10000 >/dev/null || true
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA doomed CASCADE"
ms=$(wait_ms "SELECT state = 'stopped' AND pid IS NULL FROM thelook.simulations WHERE id = $doomed" 5000) || true
check "DROP SCHEMA doomed: its simulation stopped ($ms ms)" test "$(view "$doomed" state)" = stopped
check_eq "it says why, and stays stopped" "t stopped" \
  "$(view "$doomed" "last_error LIKE '%schema \"doomed\" was dropped%'") $(q -c "SELECT desired_state FROM thelook.simulation_runs WHERE id = $doomed")"
a=$(q -c "SELECT thelook.start_simulation('ref', avg_qps => 200)")
b=$(q -c "SELECT thelook.start_simulation('crash', avg_qps => 200)")
wait_ms "SELECT count(*) = 4 FROM thelook.simulations WHERE state = 'running'" 10000 >/dev/null || true
check_eq "four simulations running before the drop" 4 "$(workers)"
q -q -c "SET client_min_messages = warning" -c "DROP EXTENSION thelook_datagen CASCADE"
t0=$(now_ms)
ms=$(wait_ms "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'thelook simulation'" 5000) || true
check "DROP EXTENSION CASCADE: every worker gone ($ms ms)" test "$(workers)" = 0
rows() { q -c "SELECT (SELECT count(*) FROM ref.orders) + (SELECT count(*) FROM crash.orders) + (SELECT count(*) FROM ref.events) + (SELECT count(*) FROM crash.events)"; }
r0=$(rows); sleep 2
check_eq "no row written after the drop" "$r0" "$(rows)"
check "no crash in the server log (the SIGKILLs of sections 2 and 2b aside)" \
  bash -c "[ \$(grep -Ec 'terminated by signal|PANIC|exited with exit code [^01]' '$CLUSTER_LOG') -le 2 ]"
q -q -c "CREATE EXTENSION thelook_datagen"
check_eq "after CREATE EXTENSION again: no simulation, none resumed" "0 0" \
  "$(q -c "SELECT count(*) FROM thelook.simulations") $(workers)"

finish
