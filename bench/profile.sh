#!/usr/bin/env bash
# Where a flat-out simulation's (or an SRF's) time goes: perf record (Debian's linux-perf) of the
# worker process on a throwaway cluster, then the top of perf report by symbol, self time.
#   [PROFILE_CONF="name = value"] [PROFILE_SOLD_ROWS=N] bench/profile.sh reference|copy|feed|pipeline_faults|inventory|shoppers|srf|two_schemas|one_schema [SECONDS]
# copy: bench section 13's other side. The reference runs flat out for SECONDS, then the backend
# that COPYs exactly its rows into an empty twin schema (same indexes) is recorded, so that the
# two profiles compare per new row, component by component. Its row count is printed.
# two_schemas / one_schema: two reference simulations at once (bench section 14) on two schemas or
# on one, both workers recorded, and their wait events sampled from pg_stat_activity every 0.1 s
# (lock, LWLock and I/O waits, or none: on the CPU or waiting for it).
# Needs root or perf_event_paranoid <= 1 (perf reads another user's process). Not a test.
set -euo pipefail
source "$(dirname "$0")/../test/lib.sh"
source "$(dirname "$0")/sold_items.sh"
what=${1:-reference}; secs=${2:-15}
command -v perf >/dev/null || { echo "profile.sh: no perf (apt-get install linux-perf)" >&2; exit 2; }
# PROFILE_CONF: one more postgresql.conf line, to profile a setting's other side
# (PROFILE_CONF="thelook.direct_takes = off": the inventory's takes by their statement).
start_cluster profile "${BENCH_PORT:-54972}" "shared_buffers = 512MB" "max_wal_size = 4GB" "checkpoint_timeout = 30min" \
  ${PROFILE_CONF:+"$PROFILE_CONF"}
q -q -c "CREATE EXTENSION thelook_datagen" -c "SET client_min_messages = warning" \
     -c "SELECT thelook.setup('p', init_num_users => 1000, seed => 1$([ "$what" = inventory ] && echo ', inventory => true'))" >/dev/null
[ "$what" = two_schemas ] && q -q -c "SELECT thelook.setup('p2', init_num_users => 1000, seed => 1)" >/dev/null
# PROFILE_SOLD_ROWS=N (inventory): N sold items of a long history added first, as bench section 12
# does before its second measurement (in the table and its primary key, not in the unsold index).
if [ "$what" = inventory ] && [ -n "${PROFILE_SOLD_ROWS:-}" ]; then
  add_sold_items p "$PROFILE_SOLD_ROWS"
fi
[ "$what" = copy ] && q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('p_twin', init_num_users => 0, seed => 1)" >/dev/null
out=$PGHOST/perf.data
if [ "$what" = srf ]; then
  # One backend generating orders into count(*): record that backend.
  q -c "SET max_parallel_workers_per_gather = 0" -c "SELECT count(*) FROM thelook.generate_orders(3000000, seed => 1, users => 100000)" \
    -c "SELECT count(*) FROM thelook.generate_events(600000, seed => 1, users => 100000)" >/dev/null &
  wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '%generate_orders(3000000%' AND pid <> pg_backend_pid()" 30
  pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%generate_orders(3000000%' AND pid <> pg_backend_pid()")
  perf record -g -o "$out" -p "$pid" -- sleep "$secs" >/dev/null 2>&1 || true
  wait
elif [ "$what" = copy ]; then
  id=$(q -c "SELECT thelook.start_simulation('p', avg_qps => 1e7, seed => 5, duration => '$secs seconds')")
  wait_for "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $id" 30
  wait_for "SELECT state <> 'running' FROM thelook.simulations WHERE id = $id" $((secs + 60))
  dir=$PGHOST/copy; as_pg mkdir -p "$dir"
  for t in users orders order_items events; do q -q -c "COPY p.$t TO '$dir/$t.csv' WITH (FORMAT csv)"; done
  q -q -c "CHECKPOINT"
  # One session: it waits for perf to attach, then loads the four tables in one transaction as
  # section 13 does; perf stops when it is done.
  q -q -c "SELECT pg_sleep(2)" -c "BEGIN" \
    -c "COPY p_twin.users FROM '$dir/users.csv' WITH (FORMAT csv)" -c "COPY p_twin.orders FROM '$dir/orders.csv' WITH (FORMAT csv)" \
    -c "COPY p_twin.order_items FROM '$dir/order_items.csv' WITH (FORMAT csv)" -c "COPY p_twin.events FROM '$dir/events.csv' WITH (FORMAT csv)" \
    -c "COMMIT" >/dev/null &
  load=$!
  wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)' AND pid <> pg_backend_pid()" 30
  pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(2)' AND pid <> pg_backend_pid()")
  perf record -g -o "$out" -p "$pid" >/dev/null 2>&1 &
  perf_pid=$!
  t0=$(date +%s.%N)
  wait "$load"
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  echo "# COPY FROM of $(q -c "SELECT (SELECT count(*) FROM p_twin.users) + (SELECT count(*) FROM p_twin.orders) + (SELECT count(*) FROM p_twin.order_items) + (SELECT count(*) FROM p_twin.events)") rows (users, orders, order_items, events) in $(python3 -c "print(round($(date +%s.%N) - $t0 - 2, 2))") s after the 2 s sleep, perf attached"
elif [ "$what" = two_schemas ] || [ "$what" = one_schema ]; then
  second=$([ "$what" = two_schemas ] && echo p2 || echo p)
  ids="" seed=5
  for s in p "$second"; do  # each its own seed: on one schema, two runs of one seed would meet each other's ids
    ids="$ids${ids:+,}$(q -c "SELECT thelook.start_simulation('$s', avg_qps => 1e7, seed => $seed, duration => '$((secs + 5)) seconds')")"
    seed=$((seed + 1))
  done
  wait_for "SELECT bool_and(state = 'running' AND iterations > 0) FROM thelook.simulations WHERE id IN ($ids)" 30
  pid=$(q -c "SELECT string_agg(pid::text, ',') FROM thelook.simulations WHERE id IN ($ids)")
  perf record -g -o "$out" -p "$pid" -- sleep "$secs" >/dev/null 2>&1 &
  # The workers' wait events, sampled: "CPU" where none (running, or runnable and waiting for a core).
  for _ in $(seq $((secs * 10))); do
    q -c "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity WHERE pid IN ($pid)"
    sleep 0.1
  done | sort | uniq -c | sort -rn >"$PGHOST/waits.txt"
  wait
  wait_for "SELECT bool_and(state <> 'running') FROM thelook.simulations WHERE id IN ($ids)" 60 || true
  echo "## wait events of the two workers (samples every 0.1 s, both workers)"
  cat "$PGHOST/waits.txt"
  q -c "SELECT format('# %s: %s iterations/s, %s failed transactions (last: %s)', schema, round(achieved_qps::numeric), total_errors, coalesce(last_error, 'none')) FROM thelook.simulations WHERE id IN ($ids) ORDER BY id"
else
  args=""
  case $what in
    feed) as_pg mkdir -p "$PGHOST/feed"; q -c "SELECT count(*) FROM thelook.write_feed('p', '$PGHOST/feed', include_existing => false)" >/dev/null ;;
    pipeline_faults) args=", scenario => 'pipeline_faults', time_scale => 3600" ;;
    shoppers) args=", scenario => 'shoppers'" ;;
    reference|inventory) ;;
    *) echo "profile.sh: unknown workload $what" >&2; exit 2 ;;
  esac
  id=$(q -c "SELECT thelook.start_simulation('p', avg_qps => 1e7, seed => 5, duration => '$((secs + 5)) seconds'$args)")
  wait_for "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $id" 30
  pid=$(q -c "SELECT pid FROM thelook.simulations WHERE id = $id")
  perf record -g -o "$out" -p "$pid" -- sleep "$secs" >/dev/null 2>&1 || true
  wait_for "SELECT state <> 'running' FROM thelook.simulations WHERE id = $id" 60 || true
fi
echo "## perf: $what, pid $pid, $secs s: self time by symbol"
perf report -i "$out" --no-children -g none --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -"${PROFILE_TOP:-30}" || true
echo "## total time (self and callees) by symbol"
perf report -i "$out" --children -g none --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -"${PROFILE_TOP:-30}" || true
echo "## self time by library"
perf report -i "$out" --no-children -g none --sort dso --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -8 || true
[ -n "${PROFILE_DATA:-}" ] && cp "$out" "$PROFILE_DATA"
exit 0
