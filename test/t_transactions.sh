#!/usr/bin/env bash
# The control functions follow transactions (docs/transactions.md): inside BEGIN ... ROLLBACK
# nothing happens (no row, no worker, no rows written, counters unchanged); inside BEGIN ... COMMIT
# the change happens after the commit, within about a second; a rolled-back savepoint undoes its
# part; concurrent ensure_simulation calls with one name give one simulation.
source "$(dirname "$0")/lib.sh"
start_cluster transactions "${TRANSACTIONS_PORT:-54861}" "max_prepared_transactions = 2"

q -q -c "CREATE EXTENSION thelook_datagen" -c "SELECT thelook.setup('demo', init_num_users => 200, seed => 1)" >/dev/null

workers() { q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook simulation'"; }
orders() { q -c "SELECT count(*) FROM demo.orders"; }
runs() { q -c "SELECT count(*) FROM thelook.simulation_runs"; }
view() { q -c "SELECT $2 FROM thelook.simulations WHERE id = $1"; }
iterations() { q -c "SELECT coalesce(sum(iterations), 0) FROM thelook.simulations"; }
# in_transaction END SQL...: runs BEGIN; SQL...; pg_sleep(3); END in one session, in the
# background; its output goes to $TX_OUT.
TX_OUT=$(mktemp); chmod 666 "$TX_OUT"
in_transaction() {
  local end=$1; shift
  { echo "BEGIN;"; printf '%s;\n' "$@"; echo "SELECT pg_sleep(3);"; echo "$end;"; } | q -q >"$TX_OUT" 2>&1 &
  TX_PID=$!
}

echo "# start_simulation"
o0=$(orders)
in_transaction ROLLBACK "SELECT thelook.start_simulation('demo', avg_qps => 200, seed => 2)"
sleep 1.5
check_eq "while the transaction is open: no worker, no rows written, no row visible to others" "0 $o0 0" "$(workers) $(orders) $(runs)"
wait "$TX_PID"
rid=$(head -1 "$TX_OUT")
check "it returned an id at once ($rid)" test -n "$rid" -a "$rid" -gt 0
sleep 3
check_eq "after ROLLBACK (and 3 s): no row, nothing in the view, no worker, no rows written" "0 0 0 $o0" \
  "$(runs) $(q -c "SELECT count(*) FROM thelook.simulations") $(workers) $(orders)"

in_transaction COMMIT "SELECT thelook.start_simulation('demo', avg_qps => 50, seed => 3, name => 'committed')"
sleep 1.5
check_eq "before COMMIT: no worker, no rows written" "0 $o0" "$(workers) $(orders)"
wait "$TX_PID"
id=$(head -1 "$TX_OUT")
check "after COMMIT it runs within 2 s" wait_for "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $id" 2
check "and writes" wait_for "SELECT count(*) > $o0 FROM demo.orders" 3
check_eq "its worker runs as the caller, its row says running" "postgres running 1" \
  "$(q -c "SELECT a.usename || ' ' || r.desired_state || ' ' || r.incarnation FROM thelook.simulation_runs r, pg_stat_activity a WHERE r.id = $id AND a.pid = (SELECT pid FROM thelook.simulations WHERE id = $id)")"

echo "# a rolled-back savepoint undoes its start; PREPARE TRANSACTION is refused"
q -q <<'SQL' >/dev/null
BEGIN;
SAVEPOINT a;
SELECT thelook.start_simulation('demo', avg_qps => 50, name => 'savepoint');
ROLLBACK TO SAVEPOINT a;
COMMIT;
SQL
sleep 2
check_eq "no simulation 'savepoint', one worker (the committed one)" "0 1" \
  "$(q -c "SELECT count(*) FROM thelook.simulation_runs WHERE name = 'savepoint'") $(workers)"
out=$(q -c "BEGIN" -c "SELECT thelook.start_simulation('demo', name => 'prepared')" -c "PREPARE TRANSACTION 'p'" 2>&1 || true)
check "PREPARE TRANSACTION after a start: refused" grep -q "cannot PREPARE a transaction that started" <<<"$out"
sleep 1
check_eq "and nothing was started" "0 1" "$(q -c "SELECT count(*) FROM thelook.simulation_runs WHERE name = 'prepared'") $(workers)"

echo "# alter_simulation"
in_transaction ROLLBACK "SELECT thelook.alter_simulation($id, avg_qps => 400)"
wait "$TX_PID"
sleep 1
check_eq "after ROLLBACK: avg_qps unchanged, in the view and the row" "50 50" \
  "$(view "$id" avg_qps) $(q -c "SELECT avg_qps FROM thelook.simulation_runs WHERE id = $id")"
i0=$(view "$id" iterations); sleep 2; i1=$(view "$id" iterations)
check "and the rate too: $((i1 - i0)) iterations in 2 s at 50/s" test $((i1 - i0)) -lt 300
in_transaction COMMIT "SELECT thelook.alter_simulation($id, avg_qps => 400)"
sleep 1.5
check_eq "before COMMIT: unchanged" 50 "$(view "$id" avg_qps)"
wait "$TX_PID"
check "after COMMIT: avg_qps 400 within a second" wait_for "SELECT avg_qps = 400 FROM thelook.simulations WHERE id = $id" 1
check "and the worker records it in its row" wait_for "SELECT avg_qps = 400 FROM thelook.simulation_runs WHERE id = $id" 3

echo "# inject_incident"
injected() { q -c "SELECT count(*) FROM demo.incidents WHERE origin = 'injected'"; }
in_transaction ROLLBACK "SELECT thelook.inject_incident($id, 'spike', 2, '1 minute') IS NOT NULL"
wait "$TX_PID"
check_eq "it returned the incident's start" t "$(sed -n 1p "$TX_OUT")"
sleep 2
check_eq "after ROLLBACK: no incident recorded, none counted" "0 0" "$(injected) $(view "$id" incidents)"
in_transaction COMMIT "SELECT thelook.inject_incident($id, 'spike', 2, '1 minute')"
sleep 1.5
check_eq "before COMMIT: none" 0 "$(injected)"
wait "$TX_PID"
check "after COMMIT: recorded within 2 s" wait_for "SELECT count(*) = 1 FROM demo.incidents WHERE origin = 'injected'" 2
# It returned the simulation's now in the call; the simulation (time scale 1) passed that during
# the 3 s before COMMIT without the spike, so the spike begins when the worker saw it, and the
# incidents table says so.
late=$(q -c "SELECT extract(epoch FROM started_at - ('$(sed -n 1p "$TX_OUT")'::timestamptz AT TIME ZONE 'UTC'))
               FROM demo.incidents WHERE origin = 'injected'")
check "its recorded start is the commit's, 2.5 to 4.5 s after the start it returned ($late s)" \
  python3 -c "import sys; sys.exit(0 if 2.5 <= $late <= 4.5 else 1)"

echo "# stop_simulation"
pid=$(view "$id" pid)
in_transaction ROLLBACK "SELECT thelook.stop_simulation($id)"
sleep 1.5
i0=$(view "$id" iterations)
check_eq "inside the block it returned at once (true) and the worker runs on" "t $pid" "$(sed -n 1p "$TX_OUT") $(view "$id" pid)"
wait "$TX_PID"
sleep 1
check_eq "after ROLLBACK: same worker, running, row desired running" "$pid running running" \
  "$(view "$id" pid) $(view "$id" state) $(q -c "SELECT desired_state FROM thelook.simulation_runs WHERE id = $id")"
check "and it still writes" wait_for "SELECT iterations > $i0 FROM thelook.simulations WHERE id = $id" 2
in_transaction COMMIT "SELECT thelook.stop_simulation($id)"
sleep 1.5
check_eq "before COMMIT: still running" "running $pid" "$(view "$id" "state || ' ' || coalesce(pid::text, '')")"
wait "$TX_PID"
check "after COMMIT: stopped within a second, worker gone" wait_for "SELECT state = 'stopped' AND pid IS NULL FROM thelook.simulations WHERE id = $id" 1
check_eq "the row says stopped (desired state too: not resumed after a restart)" "stopped stopped" \
  "$(q -c "SELECT state || ' ' || desired_state FROM thelook.simulation_runs WHERE id = $id")"

echo "# resume_simulation"
o1=$(orders)
in_transaction ROLLBACK "SELECT thelook.resume_simulation($id)"
wait "$TX_PID"
check_eq "inside the block it returned true" t "$(sed -n 1p "$TX_OUT")"
sleep 2
check_eq "after ROLLBACK: stopped, no worker, no rows" "stopped 0 $o1" "$(view "$id" state) $(workers) $(orders)"
in_transaction COMMIT "SELECT thelook.resume_simulation($id)"
sleep 1.5
check_eq "before COMMIT: no worker" 0 "$(workers)"
wait "$TX_PID"
check "after COMMIT: running within 2 s" wait_for "SELECT state = 'running' FROM thelook.simulations WHERE id = $id" 2

echo "# stop_all_simulations"
in_transaction ROLLBACK "SELECT thelook.stop_all_simulations()"
wait "$TX_PID"
sleep 1
check_eq "after ROLLBACK: it runs on" "running 1" "$(view "$id" state) $(workers)"
in_transaction COMMIT "SELECT thelook.stop_all_simulations()"
sleep 1.5
check_eq "before COMMIT: it runs on" "running 1" "$(view "$id" state) $(workers)"
wait "$TX_PID"
check_eq "it counted one" 1 "$(sed -n 1p "$TX_OUT")"
check "after COMMIT: stopped within a second" wait_for "SELECT state = 'stopped' FROM thelook.simulations WHERE id = $id" 1

echo "# forget_simulation"
in_transaction ROLLBACK "SELECT thelook.forget_simulation($id)"
wait "$TX_PID"
check_eq "after ROLLBACK: its row is still there" 1 "$(q -c "SELECT count(*) FROM thelook.simulation_runs WHERE id = $id")"
in_transaction COMMIT "SELECT thelook.forget_simulation($id)"
sleep 1
check_eq "before COMMIT: still there for others" 1 "$(q -c "SELECT count(*) FROM thelook.simulations WHERE id = $id")"
wait "$TX_PID"
check_eq "after COMMIT: gone from the table and the view" "0 0" \
  "$(q -c "SELECT count(*) FROM thelook.simulation_runs WHERE id = $id") $(q -c "SELECT count(*) FROM thelook.simulations WHERE id = $id")"

echo "# ensure_simulation: rollback, commit, and six sessions racing for one name"
in_transaction ROLLBACK "SELECT thelook.ensure_simulation('ensured', avg_qps => 20)"
wait "$TX_PID"
sleep 1
check_eq "after ROLLBACK: nothing" "0 0" "$(q -c "SELECT count(*) FROM thelook.simulation_runs WHERE name = 'ensured'") $(workers)"
pids=()
for s in 1 2 3 4 5 6; do
  { echo "BEGIN;"; echo "SELECT thelook.ensure_simulation('ensured', avg_qps => 20);"; echo "SELECT pg_sleep(0.5);"; echo "COMMIT;"; } \
    | q -q >"$TX_OUT.$s" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
ids=$(for s in 1 2 3 4 5 6; do head -1 "$TX_OUT.$s"; done | sort -u | tr '\n' ' ')
check_eq "all six got the same id" 1 "$(wc -w <<<"$ids")"
check_eq "one row, one worker" "1 1" "$(q -c "SELECT count(*) FROM thelook.simulation_runs WHERE name = 'ensured'") $(sleep 1; workers)"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null

echo "# resume_simulation and ensure_simulation racing for one name; a second simulation of a name is not resumed"
eid=$(q -c "SELECT id FROM thelook.simulation_runs WHERE name = 'ensured'")
{ echo "BEGIN;"; echo "SELECT thelook.resume_simulation($eid);"; echo "SELECT pg_sleep(1);"; echo "COMMIT;"; } | q -q >"$TX_OUT.r" 2>&1 &
rpid=$!
sleep 0.3
got=$(q -c "SELECT thelook.ensure_simulation('ensured', avg_qps => 20)")
wait "$rpid"
check_eq "ensure_simulation waited for the resume's commit and returned the resumed simulation" "$eid" "$got"
check_eq "one row of the name, to run" "1 1" \
  "$(q -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE desired_state = 'running') FROM thelook.simulation_runs WHERE name = 'ensured'")"
q -c "SELECT thelook.stop_simulation($eid)" >/dev/null
other=$(q -c "SELECT thelook.ensure_simulation('ensured', avg_qps => 20)")
check "after a stop, ensure_simulation started another ($other)" test "$other" != "$eid"
out=$(q -v VERBOSITY=verbose -c "SELECT thelook.resume_simulation($eid)" 2>&1 || true)
check "resuming the stopped one while $other runs under its name: 42710 naming both" \
  grep -q "ERROR:  42710: simulation $other of name \"ensured\" in schema \"demo\" is already to run" <<<"$out"
check_eq "and nothing changed" "1 $other" \
  "$(q -c "SELECT count(*) || ' ' || min(id) FROM thelook.simulation_runs WHERE name = 'ensured' AND desired_state = 'running'")"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null

echo "# a stop outside a block that waits for a resume's commit (an interrupted simulation): the stop wins"
# The stop reads the slot (reserved by the resume's open transaction: no worker to signal), then
# the row (to run: interrupted), and its UPDATE waits for the resume's lock. The resume commits
# first and its worker is launched; the stop, committed after it, must still reach that worker.
append_conf "thelook.auto_resume = off"
q -c "SELECT pg_reload_conf()" >/dev/null
iid=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 20, name => 'tx_interrupted')")
wait_for "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $iid" 5 || true
q -c "SELECT pg_terminate_backend(pid) FROM thelook.simulations WHERE id = $iid" >/dev/null
check "its worker terminated, auto_resume off: interrupted (desired running, no worker)" \
  wait_for "SELECT state = 'interrupted' AND desired_state = 'running' AND pid IS NULL FROM thelook.simulations WHERE id = $iid" 5
{ echo "BEGIN;"; echo "SELECT thelook.resume_simulation($iid);"
  echo "SELECT 1 FROM thelook.simulation_runs WHERE id = $iid FOR UPDATE;"; echo "SELECT pg_sleep(1.5);"; echo "COMMIT;"; } |
  q -q >"$TX_OUT.i" 2>&1 &
rpid=$!
sleep 0.5
t0=$(date +%s%3N)
stopped=$(q -c "SELECT thelook.stop_simulation($iid)" 2>&1)
waited=$(( $(date +%s%3N) - t0 ))
wait "$rpid"
check_eq "the resume committed (true); the stop waited for it ($waited ms) and returned true" "t t" \
  "$(sed -n 1p "$TX_OUT.i") $stopped"
check "after both: stopped, no worker, the row desired stopped (within 3 s)" \
  wait_for "SELECT s.state = 'stopped' AND s.pid IS NULL AND r.desired_state = 'stopped' AND r.state = 'stopped'
            FROM thelook.simulations s JOIN thelook.simulation_runs r USING (id) WHERE id = $iid" 3
sleep 1
check_eq "and it stays so: no worker of it a second later" "stopped 0" \
  "$(q -c "SELECT state FROM thelook.simulations WHERE id = $iid") $(q -c "SELECT count(*) FROM pg_stat_activity a JOIN thelook.simulations s ON s.pid = a.pid WHERE s.id = $iid")"
append_conf "thelook.auto_resume = on"
q -c "SELECT pg_reload_conf()" >/dev/null

echo "# a stop committed while its worker starts up: the row says stopped as the view does"
# The start commits, the launcher starts the worker, and a stop in a block commits at a varying
# delay: some land before the worker exists, some while it is taking the simulation on (it then
# finds the row's desired state stopped and must write the row's state too), some after.
{ for i in $(seq 0 29); do
    echo "SELECT thelook.start_simulation('demo', avg_qps => 20, name => 'tx_race') \\gset"
    echo "SELECT pg_sleep($((i % 10)) * 0.004);"
    echo "BEGIN; SELECT thelook.stop_simulation(:'start_simulation'); COMMIT;"
  done; } | q -q >/dev/null 2>"$TX_OUT.r"
check_eq "30 starts and stops, no error" "" "$(cat "$TX_OUT.r")"
check "within 5 s none runs, and every one's row and view say stopped" \
  wait_for "SELECT count(*) = 30 AND count(*) FILTER (WHERE s.state = r.state AND r.state IN ('stopped', 'finished')
                                            AND r.desired_state = 'stopped' AND s.pid IS NULL) = 30
            FROM thelook.simulations s JOIN thelook.simulation_runs r USING (id) WHERE r.name = 'tx_race'" 5
echo "#   view/row/desired: $(q -c "SELECT string_agg(x, ' ') FROM (SELECT s.state || '/' || r.state || '/' || r.desired_state || ' ' || count(*) x
      FROM thelook.simulations s JOIN thelook.simulation_runs r USING (id) WHERE r.name = 'tx_race' GROUP BY s.state, r.state, r.desired_state) y")"

echo "# docs/transactions.md's blocks, as written"
doc_block() {
  python3 -c "import sys; sys.path.insert(0, '$REPO/test'); import readme_blocks as r
b = [x for x in r.blocks('$REPO/docs/transactions.md') if x[1] == 'test' and x[2] == sys.argv[1]]
sys.stdout.write(b[0][4])" "$1"
}
check_eq "transactions-rollback: nothing after the rollback" 0 "$(doc_block transactions-rollback | q -q | tail -1)"
q -q -c "SELECT thelook.start_simulation('demo', avg_qps => 20, name => 'tx_stop')" >/dev/null
wait_for "SELECT state = 'running' FROM thelook.simulations WHERE name = 'tx_stop'" 5 || true
check_eq "transactions-stop: true at once, still running inside the block, stopped after the commit" "t running stopped" \
  "$(doc_block transactions-stop | q -q | grep -v '^$' | tr '\n' ' ' | sed 's/ $//')"
kept=$(doc_block transactions-indexes | q -q | tail -1)
check "transactions-indexes: the start after create_simulation_indexes works ($kept)" \
  wait_for "SELECT state = 'running' FROM thelook.simulations WHERE id = ${kept:-0}" 5
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
rm -f "$TX_OUT" "$TX_OUT".*
check_eq "no simulation errors, no server restart" "0 t" \
  "$(q -c "SELECT coalesce(sum(total_errors), 0) FROM thelook.simulations") $(q -c "SELECT pg_postmaster_start_time() < now() - interval '20 seconds'")"
finish
