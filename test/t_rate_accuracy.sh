#!/usr/bin/env bash
# Rate accuracy: three simulations at 20, 200 and up to 2,000 iterations/s, concurrently for 60 s
# in three schemas, with the default side-task probabilities. For each: |n - λt| <= 4·sqrt(λt)
# with t measured from started_at (the schedule's origin) to the moment n is read; done >= 99 %
# of scheduled at every sampling point; zero orphans; every table grew. First, not asserted:
# iterations/s and rows/s flat out (avg_qps 1e7) for 15 s, alone. The top rate is at most a fifth
# of that ceiling (2,000 on a machine that reaches 10,000), so that what is tested is the schedule
# and the pacing, not whether a loaded machine has the CPU for 2,000/s. RATE_SECONDS shortens the run.
source "$(dirname "$0")/lib.sh"
start_cluster rate "${PORT:-54712}"
RUN=${RATE_SECONDS:-60}
RATES=(20 200 2000)
SCHEMAS=(r20 r200 r2000)

q -c "CREATE EXTENSION thelook_datagen" >/dev/null
for s in "${SCHEMAS[@]}" flat; do q -c "SELECT thelook.setup('$s', seed => 7)" >/dev/null; done
echo "# set up 4 schemas in $SECONDS s"
FLAT=${FLAT_SECONDS:-15}
echo "# flat out: avg_qps => 1e7 for $FLAT s, alone (not asserted)"
id=$(q -c "SELECT thelook.start_simulation('flat', avg_qps => 1e7, duration => '$FLAT s')")
wait_for "SELECT state <> 'running' AND state <> 'starting' FROM thelook.simulations WHERE id = $id" $((FLAT + 30)) || true
q -c "SELECT format('flat out: state %s, %s iterations in %s s = %s iterations/s; %s rows/s (%s inserted, %s updated); %s transactions, up to %s rows each',
                    state, iterations, round(secs::numeric, 1), round((iterations / secs)::numeric),
                    round(((ins + upd) / secs)::numeric), ins, upd, transactions, max_rows_per_transaction)
      FROM (SELECT *, extract(epoch FROM ended_at - started_at)::float8 AS secs,
                   users_inserted + orders_inserted + order_items_inserted + events_inserted AS ins,
                   users_updated + orders_updated + order_items_updated + heartbeats AS upd
            FROM thelook.simulations WHERE id = $id) s" | sed 's/^/# /'
ceiling=$(q -c "SELECT round(iterations / extract(epoch FROM ended_at - started_at)::numeric) FROM thelook.simulations WHERE id = $id")
top=$(( ${ceiling:-0} / 5 )); [ "$top" -gt 2000 ] && top=2000; [ "$top" -lt 400 ] && top=400
RATES[2]=$top
echo "# rates: ${RATES[*]} (the top one at most a fifth of the ceiling of ${ceiling:-?} iterations/s)"
snapshot() {  # rows per table in schema $1, one line
  q -c "SELECT (SELECT count(*) FROM $1.users), (SELECT count(*) FROM $1.orders), (SELECT count(*) FROM $1.order_items),
               (SELECT count(*) FROM $1.events), (SELECT ts FROM $1.heartbeat)"
}
declare -A BEFORE ID
for i in 0 1 2; do
  BEFORE[${SCHEMAS[$i]}]=$(snapshot "${SCHEMAS[$i]}")
  ID[${SCHEMAS[$i]}]=$(q -c "SELECT thelook.start_simulation('${SCHEMAS[$i]}', avg_qps => ${RATES[$i]}, seed => $((i + 1)))")
done
ids="${ID[r20]}, ${ID[r200]}, ${ID[r2000]}"

# One reading of every simulation: n, λt, z, achieved, scheduled, behind (scheduled - n).
READ_SQL="SELECT id, avg_qps, iterations, round(lt::numeric, 1), round(((iterations - lt) / sqrt(lt))::numeric, 2),
                 round(achieved_qps::numeric, 2), scheduled, iterations >= 0.99 * scheduled, abs(iterations - lt) <= 4 * sqrt(lt), state
          FROM (SELECT *, avg_qps * extract(epoch FROM clock_timestamp() - started_at)::float8 AS lt
                FROM thelook.simulations WHERE id IN ($ids)) s ORDER BY avg_qps"
echo "# t(s)  qps   n        λt         z      achieved  scheduled  keeps_up"
keeps_up=t
for ((k = 1; k <= 6; k++)); do
  sleep $((RUN / 6))
  while IFS='|' read -r id qps n lt z ach sched ok within state; do
    printf '  %-5s %-5s %-8s %-10s %-6s %-9s %-10s %s (%s)\n' "$((k * RUN / 6))" "$qps" "$n" "$lt" "$z" "$ach" "$sched" "$ok" "$state"
    [ "$ok" = t ] && [ "$state" = running ] || keeps_up=f
  done < <(q -c "$READ_SQL")
done
final=$(q -c "$READ_SQL")
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
echo "# ran for $RUN s (at $SECONDS s)"
check_eq "iterations >= 99 % of scheduled at every sampling point, all running" t "$keeps_up"
while IFS='|' read -r id qps n lt z ach sched ok within state; do
  echo "# rate $qps: n = $n, λt = $lt, z = $z, achieved_qps = $ach, scheduled = $sched"
  check_eq "rate $qps: |n - λt| <= 4·sqrt(λt) (z = $z)" t "$within"
done <<<"$final"
check_eq "no errors in any simulation" 0 "$(q -c "SELECT sum(total_errors) FROM thelook.simulations WHERE id IN ($ids)")"

for s in "${SCHEMAS[@]}"; do
  orphans=$(q -c "SELECT (SELECT count(*) FROM $s.orders o WHERE NOT EXISTS (SELECT FROM $s.users u WHERE u.id = o.user_id))
                       + (SELECT count(*) FROM $s.order_items i WHERE NOT EXISTS (SELECT FROM $s.orders o WHERE o.id = i.order_id))
                       + (SELECT count(*) FROM $s.events e WHERE e.user_id IS NOT NULL
                                                          AND NOT EXISTS (SELECT FROM $s.users u WHERE u.id = e.user_id))
                       + (SELECT count(*) FROM $s.orders o
                           WHERE o.num_of_items <> (SELECT count(*) FROM $s.order_items i WHERE i.order_id = o.id))")
  check_eq "$s: zero orphans and no order missing items" 0 "$orphans"
  IFS='|' read -r u0 o0 i0 e0 h0 <<<"${BEFORE[$s]}"
  IFS='|' read -r u1 o1 i1 e1 h1 <<<"$(snapshot "$s")"
  echo "# $s: users $u0 -> $u1, orders $o0 -> $o1, order_items $i0 -> $i1, events $e0 -> $e1"
  check "$s: users, orders, order_items and events grew; heartbeat moved" \
    [ "$u1" -gt "$u0" ] && [ "$o1" -gt "$o0" ] && [ "$i1" -gt "$i0" ] && [ "$e1" -gt "$e0" ] && [ "$h1" != "$h0" ]
  check_eq "$s: some orders moved on in their lifecycle" t \
    "$(q -c "SELECT count(*) > 0 FROM $s.orders WHERE status <> 'Processing'")"
done

echo "# checks done at $SECONDS s"
finish
