#!/usr/bin/env bash
# Sharded simulations on one server (docs/citus.md): start_simulation(..., shard => k, shards => n)
# creates and picks only ids whose hashtext() is in the k-th of n hash ranges (Citus's shard k of
# a table distributed with shard_count n), with its random streams split from the seed by k.
# Four of them, one per shard, run at once on one schema:
#   - every row they write is in its simulation's shard, and so is every row it points to (an
#     order's user, an item's order, an event's user): the picks never left the shard;
#   - each table holds exactly the sum of the four simulations' counters (no id collided), and
#     shard k's share of each table is simulation k's own counter;
#   - a second schema, the same four runs with the picks' SELECTs instead of the index scans
#     (thelook.direct_picks = off) and one worker SIGKILLed mid-run, holds exactly the same rows:
#     the run does not depend on how the four interleave, on the pick path, or on a resume;
#   - they write no heartbeat; what would write rows of no shard is refused.
# test/citus/t_cluster.sh runs the same four on the nodes of a Citus cluster.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster sharded "${SHARDED_PORT:-54964}"
N=4
ITER=${SHARDED_ITERATIONS:-1500}
PARAMS="avg_qps => 300, max_iter => $ITER, seed => 42, id_format => 'uuid4'"
q -q -c "CREATE EXTENSION thelook_datagen"
for s in one two; do q -q -c "SELECT thelook.setup('$s', init_num_users => 1000, seed => 3)" >/dev/null; done

# The shard (0..N-1) of a text id: Citus's ranges for shard_count N (2^32 / N wide from INT32_MIN).
shard_of() { echo "((pg_catalog.hashtext($1)::bigint + 2147483648) / (4294967296 / $N))::int"; }

start_shards() {  # start_shards SCHEMA: prints the ids of the N simulations, shard 0 first
  local ids="" k
  for k in $(seq 0 $((N - 1))); do
    ids="$ids${ids:+,}$(q -c "SELECT thelook.start_simulation('$1', $PARAMS, shard => $k, shards => $N, name => '$1_$k')")"
  done
  echo "$ids"
}
wait_done() { wait_for "SELECT bool_and(state IN ('finished', 'failed')) FROM thelook.simulations WHERE id IN ($1)" 180 || true; }

hb0=$(q -c "SELECT count(*) || ' ' || max(ts) FROM one.heartbeat")
echo "# $N sharded simulations of one seed at once on schema one"
ids1=$(start_shards one)
wait_done "$ids1"
check_eq "all $N finished without errors" "$N 0" \
  "$(q -c "SELECT count(*) FILTER (WHERE state = 'finished') || ' ' || sum(total_errors) FROM thelook.simulations WHERE id IN ($ids1)")"
check_eq "their rows keep the shard: shard k and shards n, as given" "0/4 1/4 2/4 3/4" \
  "$(q -c "SELECT string_agg(shard || '/' || shards, ' ' ORDER BY id) FROM thelook.simulation_runs WHERE id IN ($ids1)")"

# Simulation k's counters, and the rows of shard k that are not set-up's (set-up wrote users only).
counters() {
  q -c "SELECT string_agg(users_inserted || ' ' || orders_inserted || ' ' || order_items_inserted || ' ' || events_inserted, ' | ' ORDER BY id)
        FROM thelook.simulations WHERE id IN ($1)"
}
in_table() {
  q -c "SELECT string_agg(concat_ws(' ', u, o, i, e), ' | ' ORDER BY k) FROM generate_series(0, $N - 1) k,
          LATERAL (SELECT count(*) FILTER (WHERE created_at > (SELECT min(started_at) FROM thelook.simulations WHERE id IN ($2))) u
                   FROM $1.users WHERE $(shard_of id) = k) u,
          LATERAL (SELECT count(*) o FROM $1.orders WHERE $(shard_of id) = k) o,
          LATERAL (SELECT count(*) i FROM $1.order_items WHERE $(shard_of id) = k) i,
          LATERAL (SELECT count(*) e FROM $1.events WHERE $(shard_of id) = k) e"
}
c1=$(counters "$ids1")
echo "# counters of shards 0..3 (users orders items events): $c1"
check_eq "shard k of each table holds exactly simulation k's rows (no id collided, none out of its shard)" "$c1" "$(in_table one "$ids1")"
check "each simulation wrote orders and events, and moved orders on (picks of open orders happened)" \
  test "$(q -c "SELECT bool_and(orders_inserted > 100 AND events_inserted > 100 AND orders_updated > 10) FROM thelook.simulations WHERE id IN ($ids1)")" = t
check_eq "every order's user, item's order and event's user is in the row's own shard" "0 0 0" \
  "$(q -c "SELECT (SELECT count(*) FROM one.orders o WHERE $(shard_of o.id) <> $(shard_of o.user_id))
           || ' ' || (SELECT count(*) FROM one.order_items i WHERE $(shard_of i.id) <> $(shard_of i.order_id))
           || ' ' || (SELECT count(*) FROM one.events e WHERE e.user_id IS NOT NULL AND $(shard_of e.id) <> $(shard_of e.user_id))")"
check "users picked for updates are the shard's: some set-up users of every shard were updated" \
  test "$(q -c "SELECT count(DISTINCT $(shard_of id)) = $N FROM one.users WHERE updated_at > created_at AND created_at < (SELECT min(started_at) FROM thelook.simulations WHERE id IN ($ids1))")" = t
check_eq "no heartbeat written: the set-up's row is as setup() left it" "$hb0" "$(q -c "SELECT count(*) || ' ' || max(ts) FROM one.heartbeat")"

echo "# the same on schema two: the picks' SELECTs throughout, and shard 2's worker SIGKILLed mid-run"
q -q -c "ALTER SYSTEM SET thelook.direct_picks = off" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
ids2=$(start_shards two)
victim=$(echo "$ids2" | cut -d, -f3)
wait_for "SELECT iterations > $((ITER / 3)) FROM thelook.simulations WHERE id = $victim" 60 || true
pid=$(q -c "SELECT pid FROM thelook.simulations WHERE id = $victim")
echo "# SIGKILL of $victim's worker ($pid) at iteration $(q -c "SELECT iterations FROM thelook.simulations WHERE id = $victim")"
[ -n "$pid" ] && kill -KILL "$pid"
sleep 3
wait_done "$ids2"
q -q -c "ALTER SYSTEM RESET thelook.direct_picks" -c "SELECT pg_reload_conf()" >/dev/null
check_eq "all $N finished, the killed one resumed" "$N" \
  "$(q -c "SELECT count(*) FROM thelook.simulations WHERE id IN ($ids2) AND state = 'finished' AND iterations = $ITER")"
e1=$(entities_md5 one); e2=$(entities_md5 two)
echo "# one (rows:md5 of users orders items events): $e1"
echo "# two:                                          $e2"
check_eq "schema two holds exactly schema one's rows" "$e1" "$e2"

echo "# refused"
check_error "shard without shards: 22023" 22023 'go together' "SELECT thelook.start_simulation('one', shard => 1)"
check_error "shard 4 of 4: 22023" 22023 'parameter "shard" must be between 0 and shards - 1' "SELECT thelook.start_simulation('one', shard => 4, shards => 4)"
check_error "shards 0: 22023" 22023 'parameter "shards" must be between 1 and 65536' "SELECT thelook.start_simulation('one', shard => 0, shards => 0)"
check_error "a scenario with random incidents: 0A000" 0A000 'a sharded simulation cannot have scenario.random_incidents' \
  "SELECT thelook.start_simulation('one', scenario => 'retail_incidents', shard => 0, shards => 4)"
check_error "keep_events: 0A000" 0A000 'a sharded simulation cannot have keep_events' \
  "SELECT thelook.start_simulation('one', keep_events => '1 day', shard => 0, shards => 4)"
run=$(q -c "SELECT thelook.start_simulation('one', avg_qps => 5, shard => 1, shards => 4)")
check_error "inject_incident into a sharded simulation: 0A000" 0A000 'is sharded' "SELECT thelook.inject_incident($run, 'spike', 2)"
check_error "alter_simulation to a scenario with faults: 0A000" 0A000 'a sharded simulation cannot have scenario.faults' \
  "SELECT thelook.alter_simulation($run, scenario => '{\"faults\": {\"bad_records\": {\"rate\": 0.1}}}')"
one=$(q -c "SELECT thelook.start_simulation('one', avg_qps => 5, max_iter => 5, shard => 0, shards => 1)")
check_eq "shard 0 of 1 is an unsharded simulation" "0 1" "$(q -c "SELECT shard || ' ' || shards FROM thelook.simulation_runs WHERE id = $one")"
q -q -c "SELECT thelook.stop_all_simulations()" >/dev/null
finish
