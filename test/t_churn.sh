#!/usr/bin/env bash
# Churn: 12 simulations started, altered, stopped, resumed, forgotten and started again at random
# from three sessions (some calls inside BEGIN ... COMMIT / ROLLBACK) for CHURN_SECS seconds, with
# SIGKILLs of workers and one pg_ctl restart -m immediate in the middle. Then: no crash beyond the
# induced ones, no orphan worker, every simulation's state in the view agrees with its worker and
# its row, and a seeded simulation that lived through it all wrote exactly the rows of an
# uninterrupted run (as test/t_durable.sh compares them).
source "$(dirname "$0")/lib.sh"
PRELOAD=thelook_datagen start_cluster churn "${CHURN_PORT:-54871}"
SECS=${CHURN_SECS:-60}

now_ms() { date +%s%3N; }
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
entities() {
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, first_name, last_name, email, age, gender, street_address,
                       postal_code, city, state, country, latitude, longitude, traffic_source), ',' ORDER BY id)) FROM $1.users)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, user_id, status, num_of_items), ',' ORDER BY id)) FROM $1.orders)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, order_id, product_id, status, quantity, sale_price), ',' ORDER BY id)) FROM $1.order_items)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, user_id, sequence_number, session_id, ip_address, city, state,
                       postal_code, browser, traffic_source, uri, event_type), ',' ORDER BY id)) FROM $1.events)"
}
restart_immediate() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$CLUSTER_LOG" -w -t 60 -m immediate restart >/dev/null; }

q -q -c "CREATE EXTENSION thelook_datagen"
for s in ref seeded churn; do q -q -c "SELECT thelook.setup('$s', init_num_users => 200, seed => 3)" >/dev/null; done
N=${CHURN_ITERATIONS:-6000}
PARAMS="avg_qps => 100, max_iter => $N, seed => 42, id_format => 'uuid4', heartbeat_interval => '0'"

echo "# the reference: $N iterations of the seeded simulation, uninterrupted"
ref=$(q -c "SELECT thelook.start_simulation('ref', $(sed 's/avg_qps => 100/avg_qps => 1000/' <<<"$PARAMS"))")
ms=$(wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $ref" 120000) || true
check_eq "reference finished ($ms ms)" finished "$(q -c "SELECT state FROM thelook.simulations WHERE id = $ref")"

echo "# 12 simulations and the seeded one; three sessions churn for $SECS s"
seeded=$(q -c "SELECT thelook.start_simulation('seeded', $PARAMS, name => 'seeded')")
for i in $(seq 1 12); do q -q -c "SELECT thelook.start_simulation('churn', avg_qps => 20, name => 'c$i', seed => $i)" >/dev/null; done
deadline=$(( $(date +%s) + SECS ))
LOGDIR=$(mktemp -d); chmod 777 "$LOGDIR"
churner() {
  RANDOM=$1
  local n=0 name op sql wrap
  while [ "$(date +%s)" -lt "$deadline" ]; do
    name="c$((RANDOM % 12 + 1))"
    id="(SELECT max(id) FROM thelook.simulation_runs WHERE name = '$name')"
    case $((RANDOM % 7)) in
      0) sql="SELECT thelook.alter_simulation($id, avg_qps => $((RANDOM % 40 + 5)))" ;;
      1) sql="SELECT thelook.stop_simulation($id)" ;;
      2) sql="SELECT thelook.resume_simulation($id)" ;;
      3) sql="SELECT thelook.forget_simulation($id)" ;;
      4) sql="SELECT thelook.ensure_simulation('$name', 'churn', avg_qps => 20)" ;;
      5) sql="SELECT thelook.inject_incident($id, 'spike', 2, '1 minute')" ;;
      6) sql="SELECT state FROM thelook.simulations WHERE name = '$name'" ;;
    esac
    case $((RANDOM % 3)) in
      0) printf '%s;\n' "$sql" ;;
      1) printf 'BEGIN;\n%s;\nSELECT pg_sleep(0.0%d);\nCOMMIT;\n' "$sql" $((RANDOM % 10)) ;;
      2) printf 'BEGIN;\n%s;\nROLLBACK;\n' "$sql" ;;
    esac | q -q >/dev/null 2>>"$LOGDIR/errors.$1" || true
    n=$((n + 1))
  done
  echo "$n" >"$LOGDIR/calls.$1"
}
for s in 1 2 3; do churner "$s" & done
sleep $((SECS / 3))
victims=$(q -c "SELECT string_agg(pid::text, ' ') FROM (SELECT pid FROM thelook.simulations WHERE pid IS NOT NULL AND name LIKE 'c%' ORDER BY id LIMIT 2) p" 2>/dev/null || true)
echo "# SIGKILL of churned workers: ${victims:-none running}"
for p in $victims; do kill -KILL "$p" 2>/dev/null || true; done
sleep $((SECS / 6))
spid=$(q -c "SELECT pid FROM thelook.simulations WHERE id = $seeded" 2>/dev/null || true)
echo "# SIGKILL of the seeded worker (${spid:-not running}) at iteration $(q -c "SELECT iterations FROM thelook.simulations WHERE id = $seeded" 2>/dev/null || echo '?')"
[ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null || true
sleep $((SECS / 6))
echo "# pg_ctl restart -m immediate"
restart_immediate
wait
calls=$(awk '{ n += $1 } END { print n + 0 }' "$LOGDIR"/calls.*)
echo "# $calls control calls made"
check "the churners made calls ($calls)" test "${calls:-0}" -gt 100
check_eq "no call failed with XX000 (internal error)" 0 "$(cat "$LOGDIR"/errors.* | grep -c 'XX000' || true)"

echo "# after the churn: settle, then compare view, rows and workers"
sleep 5
check_eq "the postmaster runs, no PANIC, no backend crashed other than by the SIGKILLs" "t 0 0" \
  "$(q -c "SELECT true") $(grep -c 'PANIC' "$CLUSTER_LOG" || true) $(grep -E 'terminated by signal ([0-8]|1[0-9])' "$CLUSTER_LOG" | grep -vc 'signal 9' || true)"
# Every worker process belongs to a simulation the view shows running (or stopping), with its pid.
orphans=$(q -c "SELECT count(*) FROM pg_stat_activity a WHERE a.backend_type = 'thelook simulation'
                AND NOT EXISTS (SELECT FROM thelook.simulations s WHERE s.pid = a.pid AND s.state IN ('running', 'stopping'))")
check_eq "no orphan worker" 0 "$orphans"
check_eq "every simulation the view shows running has its worker" 0 \
  "$(q -c "SELECT count(*) FROM thelook.simulations s WHERE s.state = 'running'
            AND NOT EXISTS (SELECT FROM pg_stat_activity a WHERE a.pid = s.pid AND a.backend_type = 'thelook simulation')")"
check_eq "view and row agree: desired running <-> running (no simulation interrupted, none stuck starting)" "" \
  "$(q -c "SELECT string_agg(s.id || ':' || s.state || '/' || r.desired_state, ' ') FROM thelook.simulations s JOIN thelook.simulation_runs r USING (id)
            WHERE r.name LIKE 'c%' AND NOT ((r.desired_state = 'running' AND s.state = 'running' AND r.state = 'running')
                                     OR (r.desired_state = 'stopped' AND s.state IN ('stopped', 'failed', 'finished') AND s.pid IS NULL AND r.state = s.state))")"
check_eq "no simulation in the view without its row (nothing reserved or orphaned in shared memory)" 0 \
  "$(q -c "SELECT count(*) FROM thelook.simulations s WHERE NOT EXISTS (SELECT FROM thelook.simulation_runs r WHERE r.id = s.id)")"
check_eq "one row per name at most that should run (ensure_simulation never duplicated)" 0 \
  "$(q -c "SELECT count(*) FROM (SELECT name FROM thelook.simulation_runs WHERE desired_state = 'running' AND name LIKE 'c%' GROUP BY name HAVING count(*) > 1) d")"
echo "# states: $(q -c "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM thelook.simulations WHERE name LIKE 'c%' GROUP BY state) x")"

ms=$(wait_ms "SELECT state = 'finished' FROM thelook.simulations WHERE id = $seeded" 120000) || true
check_eq "the seeded simulation finished after two interruptions ($ms ms)" "finished $N" \
  "$(q -c "SELECT state || ' ' || iterations FROM thelook.simulations WHERE id = $seeded")"
r=$(entities ref); s=$(entities seeded)
echo "# reference (rows:md5 of users orders items events): $r"
echo "# seeded:                                             $s"
check_eq "and wrote exactly the rows of the uninterrupted run" "$r" "$s"
q -q -c "SELECT thelook.stop_all_simulations()" >/dev/null || true
rm -rf "$LOGDIR"
finish
