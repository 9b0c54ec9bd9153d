#!/usr/bin/env bash
# Worker lifecycle: start, SIGTERM (the worker dies; the launcher restarts it), stop_simulation,
# max_iter, a row trigger and a CHECK constraint under the live writer, a dropped table, revoked privileges, who may stop what, several simulations at once,
# and the worker's role.
source "$(dirname "$0")/lib.sh"
start_cluster lifecycle "${PORT:-54711}"

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }
# wait_ms "SQL returning t" MS: polls every 20 ms; prints the elapsed ms, fails after MS.
wait_ms() {
  local sql=$1 limit=$2 t0
  t0=$(now_ms)
  while [ $(($(now_ms) - t0)) -le "$limit" ]; do
    if [ "$(q -c "$sql" 2>/dev/null)" = "t" ]; then echo $(($(now_ms) - t0)); return 0; fi
    sleep 0.02
  done
  echo "$limit+"
  return 1
}
# gone_ms PID MS: waits until the process no longer exists (the postmaster has reaped it).
gone_ms() {
  local t0
  t0=$(now_ms)
  while kill -0 "$1" 2>/dev/null; do
    [ $(($(now_ms) - t0)) -gt "$2" ] && { echo "$2+"; return 1; }
    sleep 0.01
  done
  echo $(($(now_ms) - t0))
}
state_of() { q -c "SELECT state FROM thelook.simulations WHERE id = $1"; }
pid_of() { q -c "SELECT pid FROM thelook.simulations WHERE id = $1"; }
# SQLSTATE of the error a statement raises, as role $1 ("none" if it succeeds).
sqlstate_as() {
  local role=$1 sql=$2 out
  out=$(QUSER=$role q -v VERBOSITY=verbose -c "$sql" 2>&1) && { echo none; return; }
  sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' <<<"$out" | head -1
}
# Orders whose items are not all there, and orders/items/events of a half-written iteration.
half_iterations() {
  q -c "SELECT (SELECT count(*) FROM $1.orders o
                 WHERE o.num_of_items <> (SELECT count(*) FROM $1.order_items i WHERE i.order_id = o.id))
             + (SELECT count(*) FROM $1.order_items i WHERE NOT EXISTS (SELECT FROM $1.orders o WHERE o.id = i.order_id))
             + abs((SELECT count(*) FROM $1.order_items)
                   - (SELECT count(*) FROM $1.events WHERE event_type = 'purchase' AND user_id IS NOT NULL))"
}

q -c "CREATE EXTENSION thelook_datagen" >/dev/null
q -c "SELECT thelook.setup('demo', init_num_users => 200, seed => 1)" >/dev/null
q -c "SELECT thelook.setup('shop', init_num_users => 200, seed => 2)" >/dev/null
POSTMASTER_START=$(q -c "SELECT pg_postmaster_start_time()")

echo "# start -> running; SIGTERM -> the worker ends, no half iteration, and the launcher starts another"
id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 500)")
ms=$(wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $id" 5000) || true
check_eq "simulation $id is running (after $ms ms)" running "$(state_of "$id")"
sleep 1
pid=$(pid_of "$id")
check "worker pid $pid is a live process" kill -0 "$pid"
check_eq "pg_stat_activity lists the worker" "thelook simulation" \
  "$(q -c "SELECT backend_type FROM pg_stat_activity WHERE pid = $pid")"
kill -TERM "$pid"
gone=$(gone_ms "$pid" 1000) || true
check "SIGTERM: worker process gone within 1 s ($gone ms)" bash -c "! kill -0 $pid 2>/dev/null"
ms=$(wait_ms "SELECT state = 'running' AND pid <> $pid FROM thelook.simulations WHERE id = $id" 3000) || true
check "SIGTERM: a worker that dies is restarted: running again, new pid, within 3 s ($ms ms)" \
  [ "$(q -c "SELECT state = 'running' AND pid <> $pid FROM thelook.simulations WHERE id = $id")" = t ]
check_eq "stop_simulation($id) stops it for good" t "$(q -c "SELECT thelook.stop_simulation($id)")"
check_eq "SIGTERM: no half iteration in demo" 0 "$(half_iterations demo)"
check_eq "SIGTERM and restart: orders in the table = the simulation's iterations (nothing lost, nothing twice)" \
  "$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $id")" "$(q -c "SELECT count(*) FROM demo.orders")"

echo "# stop_simulation -> worker gone within a second"
id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 500)")
wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $id" 5000 >/dev/null || true
sleep 0.5
pid=$(pid_of "$id")
t0=$(now_ms)
check_eq "stop_simulation returns true" t "$(q -c "SELECT thelook.stop_simulation($id)")"
ms=$(($(now_ms) - t0))
check "stop_simulation returned within 1 s ($ms ms, psql start included)" [ "$ms" -lt 1000 ]
check "stop_simulation: worker process gone when it returns" bash -c "! kill -0 $pid 2>/dev/null"
check_eq "stop_simulation: worker gone from pg_stat_activity" 0 \
  "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")"
check_eq "stop_simulation: state 'stopped'" stopped "$(state_of "$id")"
check_eq "stop_simulation: no half iteration" 0 "$(half_iterations demo)"
check_eq "a second stop_simulation returns false" f "$(q -c "SELECT thelook.stop_simulation($id)")"

echo "# max_iter -> finished"
id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 1000, max_iter => 300)")
wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $id" 20000 >/dev/null || true
check_eq "max_iter 300: state 'finished'" finished "$(state_of "$id")"
check_eq "max_iter 300: exactly 300 iterations" 300 "$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $id")"
check_eq "max_iter 300: 300 orders inserted" 300 "$(q -c "SELECT orders_inserted FROM thelook.simulations WHERE id = $id")"
check_eq "max_iter: arrivals over 0.3 s went into several transactions" t \
  "$(q -c "SELECT transactions >= 2 FROM thelook.simulations WHERE id = $id")"

echo "# the worker runs as the calling role; only that role or a superuser may stop it"
q >/dev/null <<'SQL'
CREATE ROLE sim_owner LOGIN;
CREATE ROLE sim_other LOGIN;
GRANT USAGE ON SCHEMA thelook, shop TO sim_owner, sim_other;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA shop TO sim_owner;
SQL
id=$(QUSER=sim_owner q -c "SELECT thelook.start_simulation('shop', avg_qps => 50)")
wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $id" 5000 >/dev/null || true
pid=$(pid_of "$id")
check_eq "view: role of the simulation" sim_owner "$(q -c "SELECT role FROM thelook.simulations WHERE id = $id")"
check_eq "pg_stat_activity.usename of the worker is the caller, not postgres" sim_owner \
  "$(q -c "SELECT usename FROM pg_stat_activity WHERE pid = $pid")"
check_eq "another role may not stop it (42501)" 42501 "$(sqlstate_as sim_other "SELECT thelook.stop_simulation($id)")"
check_eq "stop_all_simulations by another role stops nothing" 0 \
  "$(QUSER=sim_other q -c "SELECT thelook.stop_all_simulations()")"
check_eq "still running after the other role tried" running "$(state_of "$id")"
check_eq "the owner may stop it" t "$(QUSER=sim_owner q -c "SELECT thelook.stop_simulation($id)")"
id=$(QUSER=sim_owner q -c "SELECT thelook.start_simulation('shop', avg_qps => 50)")
check_eq "a superuser may stop it" t "$(q -c "SELECT thelook.stop_simulation($id)")"

echo "# several simulations at once, in two schemas"
before_demo=$(q -c "SELECT count(*) FROM demo.orders"); before_shop=$(q -c "SELECT count(*) FROM shop.orders")
a=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 100)")
b=$(q -c "SELECT thelook.start_simulation('shop', avg_qps => 100)")
c=$(q -c "SELECT thelook.start_simulation('shop', avg_qps => 100)")
sleep 2
check_eq "three simulations running" 3 \
  "$(q -c "SELECT count(*) FROM thelook.simulations WHERE id IN ($a, $b, $c) AND state = 'running'")"
check_eq "three worker processes" 3 "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook simulation'")"
check_eq "stop_all_simulations stops the three" 3 "$(q -c "SELECT thelook.stop_all_simulations()")"
check "demo grew" [ "$(q -c "SELECT count(*) FROM demo.orders")" -gt "$before_demo" ]
check "shop grew" [ "$(q -c "SELECT count(*) FROM shop.orders")" -gt "$before_shop" ]
check_eq "orders = iterations, per schema" t "$(q -c "
  SELECT (SELECT count(*) FROM demo.orders) - $before_demo = (SELECT iterations FROM thelook.simulations WHERE id = $a)
     AND (SELECT count(*) FROM shop.orders) - $before_shop = (SELECT sum(iterations) FROM thelook.simulations WHERE id IN ($b, $c))")"
check_eq "no half iteration in demo or shop" "0 0" "$(half_iterations demo) $(half_iterations shop)"

echo "# what INSERT honours, the live writer honours: a row trigger fires per new row, a CHECK constraint fails the worker"
q -q -c "CREATE TABLE demo.trigger_log (id text)" \
     -c "CREATE FUNCTION demo.log_event() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN INSERT INTO demo.trigger_log VALUES (NEW.id); RETURN NEW; END\$\$" \
     -c "CREATE TRIGGER log_event AFTER INSERT ON demo.events FOR EACH ROW EXECUTE FUNCTION demo.log_event()"
id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 200, max_iter => 200)")
wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $id" 10000 >/dev/null || true
check_eq "row trigger: fired once per new event, each for a row in the table" "t 0" \
  "$(q -c "SELECT (SELECT count(*) FROM demo.trigger_log) = events_inserted AND events_inserted > 0 FROM thelook.simulations WHERE id = $id") $(q -c "SELECT count(*) FROM demo.trigger_log l WHERE NOT EXISTS (SELECT FROM demo.events e WHERE e.id = l.id)")"
q -q -c "DROP TRIGGER log_event ON demo.events" -c "DROP TABLE demo.trigger_log"
q -q -c "ALTER TABLE demo.order_items ADD CONSTRAINT no_items CHECK (quantity < 0) NOT VALID"
id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 200)")
ms=$(wait_ms "SELECT state = 'failed' FROM thelook.simulations WHERE id = $id" 10000) || true
check_eq "CHECK constraint violated by every item: failed ($ms ms), last_error says so, nothing written" "failed t 0" \
  "$(state_of "$id") $(q -c "SELECT last_error LIKE '%violates check constraint \"no_items\"%' FROM thelook.simulations WHERE id = $id") $(q -c "SELECT orders_inserted FROM thelook.simulations WHERE id = $id")"
q -q -c "ALTER TABLE demo.order_items DROP CONSTRAINT no_items"

echo "# privileges revoked while running: the worker writes nothing more and fails"
id=$(QUSER=sim_owner q -c "SELECT thelook.start_simulation('shop', avg_qps => 200, heartbeat_interval => '0.1 s')")
wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $id" 5000 >/dev/null || true
sleep 0.5
q -c "REVOKE INSERT ON ALL TABLES IN SCHEMA shop FROM sim_owner" >/dev/null
sleep 0.3  # a transaction that passed its checks before the REVOKE may still commit
rows_at_revoke=$(q -c "SELECT (SELECT count(*) FROM shop.orders) + (SELECT count(*) FROM shop.events) + (SELECT count(*) FROM shop.users)")
ms=$(wait_ms "SELECT state = 'failed' FROM thelook.simulations WHERE id = $id" 10000) || true
check "revoked INSERT: state 'failed' ($ms ms)" [ "$(state_of "$id")" = failed ]
check_eq "revoked INSERT: last_error says permission denied" t \
  "$(q -c "SELECT last_error LIKE 'permission denied%' FROM thelook.simulations WHERE id = $id")"
check_eq "revoked INSERT: no rows written after the revoke" "$rows_at_revoke" \
  "$(q -c "SELECT (SELECT count(*) FROM shop.orders) + (SELECT count(*) FROM shop.events) + (SELECT count(*) FROM shop.users)")"
check_eq "revoked INSERT: 3 consecutive errors" 3 "$(q -c "SELECT consecutive_errors FROM thelook.simulations WHERE id = $id")"
check_eq "start_simulation's own check now refuses sim_owner (42501)" 42501 \
  "$(sqlstate_as sim_owner "SELECT thelook.start_simulation('shop')")"

echo "# DROP TABLE under a running worker: failed after 3 errors, no server restart"
# A heartbeat every 0.1 s succeeds between the failing iterations: it must not reset the count.
id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 200, heartbeat_interval => '0.1 s')")
wait_ms "SELECT state = 'running' FROM thelook.simulations WHERE id = $id" 5000 >/dev/null || true
sleep 0.5
q -c "DROP TABLE demo.events" >/dev/null
ms=$(wait_ms "SELECT state = 'failed' FROM thelook.simulations WHERE id = $id" 10000) || true
check "dropped table: state 'failed' ($ms ms)" [ "$(state_of "$id")" = failed ]
check_eq "dropped table: last_error names the table" t \
  "$(q -c "SELECT last_error LIKE '%events%does not exist%' FROM thelook.simulations WHERE id = $id")"
check_eq "dropped table: 3 consecutive errors" 3 "$(q -c "SELECT consecutive_errors FROM thelook.simulations WHERE id = $id")"
ms=$(wait_ms "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'thelook simulation'" 2000) || true
check_eq "dropped table: no worker left ($ms ms after the state change)" 0 \
  "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook simulation'")"
check_eq "the server did not restart" "$POSTMASTER_START" "$(q -c "SELECT pg_postmaster_start_time()")"
check "no crash in the server log" bash -c "! grep -Eq 'terminated by signal|server process .* exited with exit code [^01]|PANIC' '$CLUSTER_LOG'"
check_eq "other sessions are fine" t "$(q -c "SELECT count(*) > 0 FROM shop.users")"

finish
