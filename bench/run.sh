#!/usr/bin/env bash
# thelook_datagen benchmarks on a throwaway cluster (started and stopped here). Prints ratios
# measured in the same run; not a pass/fail test. BENCH_SCALE (default 1) shrinks or grows every
# size and duration, e.g. BENCH_SCALE=0.1 for a quick run. BENCH_PORT picks the port. BENCH_ONLY
# picks sections, e.g. BENCH_ONLY="2 3" (default: all, 1 to 16 and 99; 6 only with BENCH_BASELINE; 15 needs about 50 GB of disk). BENCH_BASELINE=<git ref> adds section 6:
# the same live ceiling from that commit's build (in a private copy of PostgreSQL), alternating
# with this build's, e.g. BENCH_BASELINE=78f904f (the last commit before scenarios).
# BENCH_OUT=FILE also writes everything printed to FILE (make bench: bench/results/latest.txt, which
# docs/performance.md quotes), after a header saying when, from which commit and on what machine.
set -euo pipefail
source "$(dirname "$0")/../test/lib.sh"
source "$(dirname "$0")/sold_items.sh"
if [ -n "${BENCH_OUT:-}" ]; then
  mkdir -p "$(dirname "$BENCH_OUT")"
  exec > >(tee "$BENCH_OUT") 2>&1
  echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  # The output file itself does not count as a change; git refuses an exclude outside the tree.
  out_path=$(realpath -m "$BENCH_OUT")
  case $out_path in "$REPO"/*) exclude=(":(exclude)$out_path") ;; *) exclude=() ;; esac
  echo "# commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD -- . "${exclude[@]}" 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "# postgresql: $("$PG_BIN/postgres" --version)"
  echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# BENCH_ONLY=${BENCH_ONLY:-all} BENCH_BASELINE=${BENCH_BASELINE:-none}"
fi
SCALE=${BENCH_SCALE:-1}
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
int() { awk "BEGIN { printf \"%d\", $1 }"; }
now() { date +%s.%N; }
want() { [[ " ${BENCH_ONLY:-1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 99} " == *" $1 "* ]]; }
# start_flat SCHEMA SECONDS SEED [start_simulation arguments] -> the simulation's id (flat out).
start_flat() {
  local schema=$1 secs=$2 seed=$3; shift 3
  q -c "SELECT thelook.start_simulation('$schema', avg_qps => 1e7, seed => $seed, duration => '$secs seconds'${1:+, $1})"
}
wait_done() {  # wait_done ID SECONDS
  wait_for "SELECT state <> 'running' AND state <> 'starting' FROM thelook.simulations WHERE id = $1" $(($2 + 60)) || true
}
# rates ID -> "iterations/s rows/s errors new-rows/s" of a finished simulation (rows: inserted and
# updated; new rows: inserted only, what a COPY of its tables would load).
rates() {
  q -F ' ' -c "SELECT round(iterations / s), round((users_inserted + users_updated + orders_inserted + orders_updated + order_items_inserted
                 + order_items_updated + events_inserted) / s), total_errors,
                 round((users_inserted + orders_inserted + order_items_inserted + events_inserted) / s)
               FROM (SELECT *, extract(epoch FROM ended_at - started_at) AS s FROM thelook.simulations WHERE id = $1) x"
}
# cpu_rate ID SECONDS EXPR: EXPR (of simulation ID's row in thelook.simulations) per CPU second of its
# worker between two samples, 1 s after its first iteration and 2 s before its end; waits for its
# end. On a machine shared with other work the wall-clock rate follows the load, this much less.
cpu_rate() {
  local id=$1 secs=$2 expr=$3 pid n1 n2 c1 c2 tick
  tick=$(getconf CLK_TCK)
  wait_for "SELECT pid IS NOT NULL AND iterations > 0 FROM thelook.simulations WHERE id = $id" 30 >/dev/null || true
  sleep 1
  read -r pid n1 < <(q -F ' ' -c "SELECT pid, $expr FROM thelook.simulations WHERE id = $id")
  c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  sleep $((secs - 3))
  n2=$(q -c "SELECT $expr FROM thelook.simulations WHERE id = $id")
  c2=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  wait_done "$id" "$secs"
  int "($n2 - $n1) * $tick / ($c2 - $c1 + 0.001)"
}
# cpu_ceiling SCHEMA SECONDS -> ceiling's four figures, then the new rows per worker CPU second.
cpu_ceiling() {
  local id cpu
  id=$(start_flat "$1" "$2" "$(next_seed)")
  cpu=$(cpu_rate "$id" "$2" "users_inserted + orders_inserted + order_items_inserted + events_inserted")
  echo "$(rates "$id") $cpu"
}
# ceiling SCHEMA SECONDS [start_simulation arguments] -> "iterations/s rows/s errors new-rows/s", flat out.
# Each call has a seed of its own (a counter in a file: ceiling runs in subshells). A seed run again
# on a schema that holds its earlier run's rows meets its own ids: the writer's direct inserts then
# fall back to INSERT ... ON CONFLICT (as they must), and the run measures that path instead.
CEILING_SEEDS=$(mktemp); echo 100 >"$CEILING_SEEDS"
next_seed() { local seed; seed=$(( $(cat "$CEILING_SEEDS") + 1 )); echo "$seed" >"$CEILING_SEEDS"; echo "$seed"; }
ceiling() {
  local schema=$1 secs=$2 id; shift 2
  id=$(start_flat "$schema" "$secs" "$(next_seed)" "$@")
  wait_done "$id" "$secs"
  rates "$id"
}
# fresh_schema NAME: the schema dropped and set up again (1000 users), checkpointed: every run of a
# comparison starts from the same tables.
fresh_schema() {
  q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $1 CASCADE" \
       -c "SELECT thelook.setup('$1', init_num_users => 1000, seed => 1)" -c "CHECKPOINT" >/dev/null
}
# The issue's figures against their targets, collected as the sections print them; section 99 lists them.
declare -a SUMMARY=()
target() { SUMMARY+=("$1 = $2 (target: $3)"); echo "RATIO $1 = $2"; }

start_cluster bench "${BENCH_PORT:-54970}" "shared_buffers = 512MB" "max_wal_size = 4GB" "checkpoint_timeout = 30min"
q -q -c "CREATE EXTENSION thelook_datagen"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "# BENCH_SCALE=$SCALE"

if want 1; then
echo "## 1. back-fill vs COPY FROM of the same rows"
rows_target=$(int "5000000 * $SCALE")
# About 9.7 rows per iteration (order, 1.45 items, ~7 events, some users): pick avg_qps for a 30-day window.
qps=$(calc "$rows_target / 9.7 / (30 * 86400)")
q -q -c "SELECT thelook.setup('bf', init_num_users => 0)" -c "SELECT thelook.setup('cp', init_num_users => 0)"
read -r bf_rows bf_secs bf_rate < <(q -F ' ' -c "SELECT total_rows, round(seconds::numeric, 2), round(rows_per_second) FROM thelook.backfill('bf',
    now() - interval '30 days', now(), avg_qps => $qps, seed => 1, init_num_users => 1000)")
echo "backfill: $bf_rows rows in $bf_secs s = $bf_rate rows/s"
dir=$PGHOST/csv; as_pg mkdir -p "$dir"
for t in users orders order_items events; do q -q -c "COPY bf.$t TO '$dir/$t.csv' WITH (FORMAT csv)"; done
t0=$(now)
q -q -c "BEGIN" -c "COPY cp.users FROM '$dir/users.csv' WITH (FORMAT csv)" -c "COPY cp.orders FROM '$dir/orders.csv' WITH (FORMAT csv)" \
     -c "COPY cp.order_items FROM '$dir/order_items.csv' WITH (FORMAT csv)" -c "COPY cp.events FROM '$dir/events.csv' WITH (FORMAT csv)" -c "COMMIT"
cp_secs=$(calc "$(now) - $t0")
cp_rate=$(int "$bf_rows / $cp_secs")
echo "COPY FROM csv (same rows, same indexes): $bf_rows rows in $(calc "int($cp_secs * 100) / 100") s = $cp_rate rows/s"
echo "RATIO backfill / COPY = $(calc "int($bf_rate / $cp_rate * 100) / 100")"
rm -rf "$dir"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA cp CASCADE" -c "DROP SCHEMA bf CASCADE" -c "CHECKPOINT"

fi

if want 2; then
echo "## 2. SRF generation alone (one core, no parallel workers)"
n=$(int "1000000 * $SCALE")
# cpu_rows QUERY -> "rows wall-seconds cpu-seconds": the query's count(*) with its wall time and the
# backend's own CPU time (utime + stime from /proc, in clock ticks): on a loaded machine rows per
# CPU second is the rate per core, rows per wall second is not.
cpu_rows() {
  local t0 out k0 c k1
  t0=$(now)
  out=$(q -q <<SQL
SET max_parallel_workers_per_gather = 0;
SELECT pg_backend_pid() AS pid \gset
\setenv BACKEND_PID :pid
\! awk '{print \$14 + \$15}' /proc/\$BACKEND_PID/stat
$1;
\! awk '{print \$14 + \$15}' /proc/\$BACKEND_PID/stat
SQL
)
  read -r k0 c k1 <<<"$(echo $out)"
  echo "$c $(calc "$(now) - $t0") $(calc "($k1 - $k0) / $(getconf CLK_TCK)")"
}
# The machine's speed in this run: the same host has given from 0.3 to 1 million SRF rows per CPU
# second on different days, with the code unchanged, and its speed moves from minute to minute. A
# fixed query of the server's own (a text value and its MD5 per row of a built-in SRF, materialized
# and counted as the SRFs' rows are), measured in the same way before and after each SRF, gives the
# absolute figures a yardstick: each SRF's rows per CPU second over the mean of the two around it.
yardstick() {
  local c s cpu
  read -r c s cpu <<<"$(cpu_rows "SELECT count(md5(i::text)) FROM generate_series(1, $((n * 2))) i")"
  int "$c / ($cpu + 0.000001)"
}
yard=$(yardstick)
for f in "generate_users($n, seed => 1)" "generate_orders($n, seed => 1, users => 100000)" \
         "generate_order_items($n, seed => 1, users => 100000)" "generate_events($(int "$n / 5"), seed => 1, users => 100000)" \
         "generate_sessions($(int "$n / 5"), seed => 1)"; do
  read -r c s cpu <<<"$(cpu_rows "SELECT count(*) FROM thelook.$f")"
  per_core=$(int "$c / ($cpu + 0.000001)")
  after=$(yardstick)
  around=$(int "($yard + $after) / 2"); yard=$after
  over=$(calc "int($per_core / $around * 100) / 100")
  echo "$(printf '%-60s' "$f"): $c rows in $(calc "int($s * 100) / 100") s = $(int "$c / $s") rows/s; $cpu s of CPU = $per_core rows per CPU second; yardstick around it $around rows per CPU second: $over x"
  SUMMARY+=("${f%%(*} rows per CPU second = $per_core (target: 1000000; $over x the yardstick, $around rows per CPU second around it)")
done

fi

if want 3; then
echo "## 3. live simulation ceiling (avg_qps => 1e7)"
dur=$(int "30 * $SCALE"); [ "$dur" -lt 3 ] && dur=3
live() {  # live SCHEMA ID_FORMAT -> "iterations/s rows/s errors"
  local id
  id=$(q -c "SELECT thelook.start_simulation('$1', avg_qps => 1e7, seed => 5, duration => '$dur seconds', id_format => '$2')")
  wait_for "SELECT state <> 'running' AND state <> 'starting' FROM thelook.simulations WHERE id = $id" $((dur + 60)) || true
  q -F ' ' -c "SELECT round(iterations / s), round((users_inserted + users_updated + orders_inserted + orders_updated + order_items_inserted
                 + order_items_updated + events_inserted) / s), total_errors
               FROM (SELECT *, extract(epoch FROM ended_at - started_at) AS s FROM thelook.simulations WHERE id = $id) x"
}
orders=$(int "${BENCH_LOADED_ORDERS:-10000000} * $SCALE")
# Random version-4 ids (the reference) and time-ordered version-7 ids (id_format => 'uuid7'); the
# loaded schema's history is generated with the same id format as the live traffic on top of it.
for fmt in uuid4 uuid7; do
  echo "# id_format => '$fmt'"
  q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('empty_$fmt', init_num_users => 1000, seed => 1)"
  read -r e_it e_rows e_err < <(live "empty_$fmt" $fmt)
  echo "empty schema: $e_it iterations/s, $e_rows rows/s (errors: $e_err)"
  t0=$(now)
  window="start_at => now() - interval '1 year', end_at => now() - interval '1 day'"
  q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('big', init_num_users => 0)" \
       -c "INSERT INTO big.users SELECT * FROM thelook.generate_users(100000, seed => 2, $window)" \
       -c "INSERT INTO big.orders SELECT * FROM thelook.generate_orders($orders, seed => 2, users => 100000, $window, as_of => now(), id_format => '$fmt')" \
       -c "INSERT INTO big.order_items SELECT * FROM thelook.generate_order_items($orders, seed => 2, users => 100000, $window, as_of => now(), id_format => '$fmt')" \
       -c "VACUUM ANALYZE big.orders" -c "VACUUM ANALYZE big.order_items" -c "VACUUM ANALYZE big.users" -c "CHECKPOINT"
  echo "loaded $orders orders (+ items, 100000 users) in $(calc "int($(now) - $t0)") s"
  read -r b_it b_rows b_err < <(live big $fmt)
  echo "with $orders orders: $b_it iterations/s, $b_rows rows/s (errors: $b_err)"
  echo "RATIO loaded / empty (iterations/s, $fmt) = $(calc "int($b_it / $e_it * 100) / 100")"
  q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA big CASCADE" -c "DROP SCHEMA empty_$fmt CASCADE" -c "CHECKPOINT"
done

fi

if want 4; then
echo "## 4. rate accuracy"
q -q -c "SELECT thelook.setup('empty', init_num_users => 1000, seed => 1)"
secs=$(int "60 * $SCALE"); [ "$secs" -lt 5 ] && secs=5
for r in 20 200 2000; do
  id=$(q -c "SELECT thelook.start_simulation('empty', avg_qps => $r, seed => $r, duration => '$secs seconds')")
  wait_for "SELECT state <> 'running' AND state <> 'starting' FROM thelook.simulations WHERE id = $id" $((secs + 30)) || true
  # The worker's schedule runs for exactly "duration" from its own start, so s = duration.
  q -c "SELECT format('avg_qps %s over %s s: expected %s, scheduled %s, done %s (%s%%), z = %s', $r, s,
          round($r * s), scheduled, iterations, round(100.0 * iterations / ($r * s), 2), round(((iterations - $r * s) / sqrt($r * s))::numeric, 2))
        FROM (SELECT *, $secs AS s FROM thelook.simulations WHERE id = $id) x"
done
fi

if want 5; then
echo "## 5. what a scenario costs: flat-out ceiling by scenario (empty schema, alternating, 3 rounds)"
secs=$(int "20 * $SCALE"); [ "$secs" -lt 3 ] && secs=3
declare -A total=()
for round in 1 2 3; do
  for sc in reference retail retail_incidents pipeline_faults; do
    # Each run on a schema just set up: a run after another on the same tables meets bigger
    # indexes (the first run of a round would be favoured).
    fresh_schema sc
    # An accelerated clock, so that retail's curve and incidents really change under the run.
    read -r it rows err _ < <(ceiling sc "$secs" "scenario => '$sc', time_scale => 3600")
    echo "round $round, $sc: $it iterations/s, $rows rows/s (errors: $err)"
    total[$sc]=$(( ${total[$sc]:-0} + it ))
  done
done
target "retail / reference (iterations/s)" "$(calc "int(${total[retail]} / ${total[reference]} * 100) / 100")" 0.85
echo "RATIO retail_incidents / reference (iterations/s) = $(calc "int(${total[retail_incidents]} / ${total[reference]} * 100) / 100")"
target "pipeline_faults / reference (iterations/s)" "$(calc "int(${total[pipeline_faults]} / ${total[reference]} * 100) / 100")" 0.85
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA sc CASCADE"
fi

if want 6 && [ -n "${BENCH_BASELINE:-}" ]; then
echo "## 6. the reference ceiling against commit $BENCH_BASELINE (its own build, a private PostgreSQL copy)"
# A private copy of the server PG_CONFIG names (the same major version), for the baseline's build.
major=$("$PG_CONFIG" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
base=/var/tmp/thelook-baseline-$BENCH_BASELINE-pg$major
if [ ! -x "$base/pg/usr/lib/postgresql/$major/bin/postgres" ]; then
  rm -rf "$base"; mkdir -p "$base/pg/usr/lib/postgresql" "$base/pg/usr/share/postgresql"
  cp -a "$("$PG_CONFIG" --bindir)/.." "$base/pg/usr/lib/postgresql/$major"; cp -a "$("$PG_CONFIG" --sharedir)" "$base/pg/usr/share/postgresql/$major"
  ln -s /usr/include "$base/pg/usr/include"
  git -C "$REPO" worktree add -f --detach "$base/src" "$BENCH_BASELINE" >/dev/null 2>&1
  make -s -C "$base/src" install PG_CONFIG="$base/pg/usr/lib/postgresql/$major/bin/pg_config" >"$base/build.log" 2>&1
  git -C "$REPO" worktree remove --force "$base/src"
fi
secs=$(int "20 * $SCALE"); [ "$secs" -lt 6 ] && secs=6
# Each side on a fresh cluster of its own build, every round, the order alternating (a fresh
# cluster each time: neither side inherits the other's WAL, checkpoints or bloat). Besides the
# wall-clock rate, the iterations per CPU second of the worker between two samples taken after
# a warm-up: on a machine shared with other work the wall-clock rate follows the load, the CPU
# rate much less.
side_ceiling() {  # side_ceiling BIN PORT -> "iterations/s iterations-per-worker-CPU-second"
  ( PG_BIN=$1
    CLUSTERS=()  # this subshell stops only the cluster it starts
    start_cluster ceiling "$2" "shared_buffers = 512MB" "max_wal_size = 4GB" "checkpoint_timeout = 30min"
    q -q -c "CREATE EXTENSION thelook_datagen" -c "SET client_min_messages = warning" -c "SELECT thelook.setup('c_ref', init_num_users => 1000, seed => 1)" >/dev/null
    local id cpu
    id=$(start_flat c_ref "$secs" 5)
    cpu=$(cpu_rate "$id" "$secs" iterations)
    read -r it _ _ _ < <(rates "$id")
    echo "$it $cpu"
    stop_clusters ) 2>/dev/null
}
this_bin=$PG_BIN base_bin=$base/pg/usr/lib/postgresql/$major/bin
declare -a this_it=() base_it=() this_cpu=() base_cpu=()
rounds=${BENCH_BASELINE_ROUNDS:-6}
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="this base"; else order="base this"; fi
  for side in $order; do
    if [ "$side" = this ]; then
      read -r it cpu < <(side_ceiling "$this_bin" "${BENCH_BASELINE_PORT:-54971}")
      this_it+=("$it"); this_cpu+=("$cpu"); label="this build"
    else
      read -r it cpu < <(side_ceiling "$base_bin" "${BENCH_BASELINE_PORT:-54971}")
      base_it+=("$it"); base_cpu+=("$cpu"); label=$BENCH_BASELINE
    fi
    echo "round $round, $label: $it iterations/s, $cpu iterations per worker CPU second (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
med() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "medians: this build $(med "${this_it[@]}") iterations/s, $(med "${this_cpu[@]}") per CPU second; $BENCH_BASELINE $(med "${base_it[@]}") iterations/s, $(med "${base_cpu[@]}") per CPU second"
echo "RATIO this build / $BENCH_BASELINE (reference scenario, iterations/s, medians of $rounds) = $(calc "int($(med "${this_it[@]}") / $(med "${base_it[@]}") * 100) / 100")"
target "this build / $BENCH_BASELINE (reference scenario, iterations per worker CPU second)" \
  "$(calc "int($(med "${this_cpu[@]}") / $(med "${base_cpu[@]}") * 100) / 100")" 0.95
fi

if want 7; then
echo "## 7. shoppers: flat-out sessions/s and rows/s, session model vs the reference model (empty schema, alternating, 3 rounds)"
secs=$(int "20 * $SCALE"); [ "$secs" -lt 3 ] && secs=3
declare -A it_total=() rows_total=()
for round in 1 2 3; do
  for sc in reference shoppers; do
    fresh_schema sh
    read -r it rows err _ < <(ceiling sh "$secs" "scenario => '$sc'")
    echo "round $round, $sc: $it iterations/s, $rows rows/s (errors: $err)"
    it_total[$sc]=$(( ${it_total[$sc]:-0} + it )); rows_total[$sc]=$(( ${rows_total[$sc]:-0} + rows ))
  done
done
echo "RATIO shoppers / reference (iterations/s: sessions vs purchases) = $(calc "int(${it_total[shoppers]} / ${it_total[reference]} * 100) / 100")"
target "shoppers / reference (rows/s)" "$(calc "int(${rows_total[shoppers]} / ${rows_total[reference]} * 100) / 100")" 0.85
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA sh CASCADE"
fi

if want 8; then
echo "## 8. persisted progress: flat-out ceiling with it (the default) and without it (thelook.persist_progress = off)"
# Each run on a fresh schema (the same seed and size), the two modes alternating, three rounds:
# the ratio of the medians. Without persisted progress the worker skips the one UPDATE of
# thelook.simulation_runs per transaction (and a crash then resumes from an older position).
dur=$(int "20 * $SCALE"); [ "$dur" -lt 5 ] && dur=5
flat_out() {  # flat_out on|off ROUND -> "iterations/s rows/s transactions/s"
  local id schema="p_$1_$2"
  q -q -c "ALTER SYSTEM SET thelook.persist_progress = $1" -c "SELECT pg_reload_conf()" >/dev/null
  q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('$schema', init_num_users => 1000, seed => 1)" >/dev/null
  id=$(q -c "SELECT thelook.start_simulation('$schema', avg_qps => 1e7, seed => 5, duration => '$dur seconds')")
  wait_for "SELECT state <> 'running' AND state <> 'starting' FROM thelook.simulations WHERE id = $id" $((dur + 60)) || true
  q -F ' ' -c "SELECT round(iterations / s), round((users_inserted + users_updated + orders_inserted + orders_updated + order_items_inserted
                 + order_items_updated + events_inserted) / s), round(transactions / s)
               FROM (SELECT *, extract(epoch FROM ended_at - started_at) AS s FROM thelook.simulations WHERE id = $id) x"
  q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA $schema CASCADE" -c "CHECKPOINT"
}
on=(); off=()
for round in 1 2 3; do
  read -r a_it a_rows a_tx < <(flat_out on $round)
  read -r b_it b_rows b_tx < <(flat_out off $round)
  echo "round $round: persisted $a_it iterations/s ($a_rows rows/s, $a_tx transactions/s); not persisted $b_it iterations/s ($b_rows rows/s, $b_tx transactions/s)"
  on+=("$a_it"); off+=("$b_it")
done
q -q -c "ALTER SYSTEM RESET thelook.persist_progress" -c "SELECT pg_reload_conf()" >/dev/null
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}")
echo "median: persisted $m_on iterations/s, not persisted $m_off iterations/s"
echo "RATIO persisted / not persisted (flat-out iterations/s) = $(calc "int($m_on / $m_off * 100) / 100")"
fi

if want 9; then
echo "## 9. worker memory over a long flat-out run (retention on: flat out, arrival times lag the clock, so rows are past the window almost at once and every pass deletes its maximum)"
secs=$(int "600 * $SCALE"); [ "$secs" -lt 30 ] && secs=30
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('rss', init_num_users => 1000, seed => 1)" >/dev/null
q -q -c "SELECT count(*) FROM thelook.create_simulation_indexes('rss', keep_events => '1 minute', keep_orders => '2 minutes')" >/dev/null
id=$(q -c "SELECT thelook.start_simulation('rss', avg_qps => 1e7, seed => 6, duration => '$secs seconds',
                                           keep_events => '1 minute', keep_orders => '2 minutes')")
rss() {  # VmRSS (includes the shared buffers it touched) and RssAnon (its own memory), kB
  as_pg awk '/^VmRSS|^RssAnon/ {printf "%s ", $2} END {print ""}' "/proc/$1/status"
}
wait_for "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $id" 30 || true
pid=$(q -c "SELECT pid FROM thelook.simulations WHERE id = $id")
sleep 10
read -r rss0 anon0 < <(rss "$pid")
it0=$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $id")
sleep $((secs - 20))
read -r rss1 anon1 < <(rss "$pid")
it1=$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $id")
wait_for "SELECT state <> 'running' AND state <> 'starting' FROM thelook.simulations WHERE id = $id" 60 || true
echo "worker $pid after 10 s ($it0 iterations): VmRSS $rss0 kB, RssAnon $anon0 kB"
echo "worker $pid after $((secs - 10)) s ($it1 iterations): VmRSS $rss1 kB, RssAnon $anon1 kB"
echo "RATIO RssAnon end / start = $(calc "int($anon1 / $anon0 * 100) / 100"); VmRSS end / start = $(calc "int($rss1 / $rss0 * 100) / 100")"
q -c "SELECT format('tables at the end: events %s, orders %s, order_items %s (deleted: %s events, %s orders, %s items); %s errors',
                    (SELECT count(*) FROM rss.events), (SELECT count(*) FROM rss.orders), (SELECT count(*) FROM rss.order_items),
                    events_deleted, orders_deleted, order_items_deleted, total_errors) FROM thelook.simulations WHERE id = $id"
fi

if want 10; then
echo "## 10. CDC edge cases: flat-out ceiling with faults.cdc vs the reference (alternating, 3 rounds)"
# time_scale 50000 at avg_qps 1e7: 200 arrivals per simulated second, so that the faults' rates
# (per simulated hour, ages in simulated time) mean what they mean at 200 iterations/s: one
# account deleted per simulated second (one per 200 iterations), anonymous events purged after
# 1 simulated minute (a pass every simulated second), 1 % of iterations re-key an event.
secs=$(int "20 * $SCALE"); [ "$secs" -lt 3 ] && secs=3
faults='{"faults": {"cdc": {"account_deletions_per_hour": 3600, "purge_anonymous_sessions_after": "1 minute", "pk_update_rate": 0.01}}}'
declare -A cf_total=()
for round in 1 2 3; do
  for sc in reference faults; do
    # A fresh schema per run: both use seed 5, and the second would otherwise meet the first's ids.
    q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS cf CASCADE" \
         -c "SELECT thelook.setup('cf', init_num_users => 1000, seed => 1)" -c "CHECKPOINT" >/dev/null
    arg=$([ $sc = reference ] && echo "'reference'" || echo "'$faults'")
    # The faults' look-up indexes are part of what faults.cdc costs.
    q -q -c "SELECT count(*) FROM thelook.create_simulation_indexes('cf', scenario => $arg)" >/dev/null
    read -r it rows err _ < <(ceiling cf "$secs" "scenario => $arg, time_scale => 50000")
    echo "round $round, $sc: $it iterations/s, $rows inserted+updated rows/s (errors: $err)"
    cf_total[$sc]=$(( ${cf_total[$sc]:-0} + it ))
  done
  q -c "SELECT format('round %s ground truth: %s', $round, string_agg(kind || ' ' || n, ', ' ORDER BY kind))
        FROM (SELECT kind, count(*) AS n FROM cf.injected_faults GROUP BY kind) x"
done
echo "RATIO faults.cdc / reference (flat-out iterations/s) = $(calc "int(${cf_total[faults]} / ${cf_total[reference]} * 100) / 100")"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA cf CASCADE"
fi

if want 11; then
echo "## 11. file feeds: write_feed rows/s vs COPY TO of the same rows, and what the capture trigger costs inserts"
# Two schemas get the same rows (SRF inserts, same seeds); 'fd' has a feed (its capture trigger
# logs each row), 'nf' has none. Then write_feed writes fd's rows to files (CSV, then the same
# rows again as JSON Lines from a second feed) and COPY TO writes nf's rows to CSV files.
n=$(int "200000 * $SCALE")
src="$n, seed => 1, users => 20000, start_at => '2026-01-01', end_at => '2026-03-01'"
dir=$PGHOST/feeds; as_pg mkdir -p "$dir/fd" "$dir/jl" "$dir/copy"
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('fd', init_num_users => 0)" -c "SELECT thelook.setup('nf', init_num_users => 0)" \
     -c "SELECT thelook.setup('jl', init_num_users => 0)" >/dev/null
q -q -c "SELECT count(*) FROM thelook.write_feed('fd', '$dir/fd', include_existing => false)" \
     -c "SELECT count(*) FROM thelook.write_feed('jl', '$dir/jl', include_existing => false)" >/dev/null
fill() {  # fill SCHEMA -> seconds
  local t0; t0=$(now)
  q -q -c "BEGIN" -c "INSERT INTO $1.users SELECT * FROM thelook.generate_users(20000, 1)" \
       -c "INSERT INTO $1.orders SELECT * FROM thelook.generate_orders($src)" \
       -c "INSERT INTO $1.order_items SELECT * FROM thelook.generate_order_items($src)" \
       -c "INSERT INTO $1.events SELECT * FROM thelook.generate_events($(int "$n / 5"), seed => 1, users => 20000, start_at => '2026-01-01', end_at => '2026-03-01')" -c "COMMIT"
  calc "$(now) - $t0"
}
nf_secs=$(fill nf); fd_secs=$(fill fd); jl_secs=$(fill jl)
rows=$(q -c "SELECT (SELECT count(*) FROM nf.users) + (SELECT count(*) FROM nf.orders) + (SELECT count(*) FROM nf.order_items) + (SELECT count(*) FROM nf.events)")
echo "INSERT of $rows rows: no feed $(calc "int($nf_secs * 100) / 100") s, with a feed's capture trigger $(calc "int($fd_secs * 100) / 100") s and $(calc "int($jl_secs * 100) / 100") s"
echo "RATIO insert time with a feed / without = $(calc "int(($fd_secs + $jl_secs) / 2 / $nf_secs * 100) / 100")"
q -q -c "CHECKPOINT"
t0=$(now); q -q -c "SELECT count(*) FROM thelook.write_feed('fd', '$dir/fd', max_rows => NULL)" >/dev/null; feed_secs=$(calc "$(now) - $t0")
t0=$(now); q -q -c "SELECT count(*) FROM thelook.write_feed('jl', '$dir/jl', format => 'jsonl', max_rows => NULL)" >/dev/null; jl_write=$(calc "$(now) - $t0")
t0=$(now)
for t in users orders order_items events; do q -q -c "COPY nf.$t TO '$dir/copy/$t.csv' WITH (FORMAT csv, HEADER)"; done
copy_secs=$(calc "$(now) - $t0")
echo "write_feed csv: $rows rows in $(calc "int($feed_secs * 100) / 100") s = $(int "$rows / $feed_secs") rows/s ($(du -sm "$dir/fd" | cut -f1) MB, $(find "$dir/fd" -name 'part-*' | wc -l) files)"
echo "write_feed jsonl: $rows rows in $(calc "int($jl_write * 100) / 100") s = $(int "$rows / $jl_write") rows/s ($(du -sm "$dir/jl" | cut -f1) MB)"
echo "COPY TO csv: $rows rows in $(calc "int($copy_secs * 100) / 100") s = $(int "$rows / $copy_secs") rows/s ($(du -sm "$dir/copy" | cut -f1) MB, 4 files)"
echo "RATIO write_feed csv / COPY TO (rows/s) = $(calc "int($copy_secs / $feed_secs * 100) / 100"); jsonl / COPY TO = $(calc "int($copy_secs / $jl_write * 100) / 100")"
rm -rf "$dir"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA fd CASCADE" -c "DROP SCHEMA nf CASCADE" -c "DROP SCHEMA jl CASCADE" -c "CHECKPOINT"
# The live simulation's flat-out ceiling with a feed capturing its rows and without.
secs=$(int "20 * $SCALE"); [ "$secs" -lt 5 ] && secs=5
as_pg mkdir -p "$dir"
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('live_nf', init_num_users => 1000, seed => 1)" \
     -c "SELECT thelook.setup('live_fd', init_num_users => 1000, seed => 1)" >/dev/null
q -q -c "SELECT count(*) FROM thelook.write_feed('live_fd', '$dir', include_existing => false)" >/dev/null
nf_it=0; fd_it=0
for round in 1 2 3; do  # alternating
  read -r a_it a_rows _ _ < <(ceiling live_nf "$secs")
  read -r b_it b_rows _ _ < <(ceiling live_fd "$secs")
  echo "round $round, flat-out simulation, $secs s: no feed $a_it iterations/s ($a_rows rows/s), with a feed $b_it iterations/s ($b_rows rows/s)"
  nf_it=$((nf_it + a_it)); fd_it=$((fd_it + b_it))
done
target "flat-out iterations/s with a feed / without" "$(calc "int($fd_it / $nf_it * 100) / 100")" 0.85
rm -rf "$dir"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA live_nf CASCADE" -c "DROP SCHEMA live_fd CASCADE" -c "CHECKPOINT"
fi

if want 12; then
echo "## 12. inventory: flat-out ceiling with inventory on and off (alternating, 3 rounds; on: items taken directly, thelook.direct_takes = on, the default, and by the take statement, inv_stmt: off; inv_reopen: thelook.keep_scans_open = off), again at 10 M inventory rows; back-fill rows/s with and without"
secs=$(int "20 * $SCALE"); [ "$secs" -lt 3 ] && secs=3
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('inv_off', init_num_users => 1000, seed => 1)" \
     -c "SELECT thelook.setup('inv_on', init_num_users => 1000, seed => 1, inventory => true)"
inventory_rounds() {  # label
  local round side schema it rows err fpi0 fpi1 bytes0 bytes1 ckpt0 ckpt1
  declare -A total=()
  # A warm-up run with inventory, not counted: the first change of each old-stock page after the
  # checkpoint just before (setup's, add_sold_items') logs its full image, once per checkpoint,
  # and would fall on the first round's inv_on side alone (the WAL columns below show it).
  ceiling inv_on "$secs" >/dev/null
  for round in 1 2 3; do
    for side in inv_off inv_on inv_stmt inv_reopen; do
      # inv_stmt: the inv_on schema with every take by the statement (thelook.direct_takes = off);
      # inv_reopen: direct takes (and picks and moves) that open and close their relations each (thelook.keep_scans_open = off).
      schema=$side; [ "$side" = inv_stmt ] || [ "$side" = inv_reopen ] && schema=inv_on
      q -q -c "ALTER SYSTEM SET thelook.direct_takes = $([ "$side" = inv_stmt ] && echo off || echo on)" \
           -c "ALTER SYSTEM SET thelook.keep_scans_open = $([ "$side" = inv_reopen ] && echo off || echo on)" -c "SELECT pg_reload_conf()" >/dev/null
      # The WAL of the round: an update of a page first touched since the last checkpoint logs its
      # full image; the takes touch the old stock's pages, which the new rows of inv_off never do.
      read -r fpi0 bytes0 ckpt0 < <(q -F ' ' -c "SELECT wal_fpi, wal_bytes, (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) FROM pg_stat_wal")
      read -r it rows err _ < <(ceiling "$schema" "$secs")
      read -r fpi1 bytes1 ckpt1 < <(q -F ' ' -c "SELECT wal_fpi, wal_bytes, (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) FROM pg_stat_wal")
      echo "$1, round $round, $side: $it iterations/s, $rows rows/s (errors: $err; per iteration $(( (bytes1 - bytes0) / (it * secs + 1) )) WAL bytes, $(calc "int(($fpi1 - $fpi0) / ($it * $secs + 1) * 1000) / 1000") full-page images; checkpoints begun: $((ckpt1 - ckpt0)))"
      total[$side]=$(( ${total[$side]:-0} + it ))
    done
  done
  q -q -c "ALTER SYSTEM RESET thelook.direct_takes" -c "ALTER SYSTEM RESET thelook.keep_scans_open" -c "SELECT pg_reload_conf()" >/dev/null
  target "$1: inventory on / off (iterations/s)" "$(calc "int(${total[inv_on]} / ${total[inv_off]} * 100) / 100")" 0.85
  echo "RATIO $1: inventory on with the take statement (thelook.direct_takes = off) / off (iterations/s) = $(calc "int(${total[inv_stmt]} / ${total[inv_off]} * 100) / 100")"
  echo "RATIO $1: direct takes / take statement (thelook.direct_takes on / off, iterations/s) = $(calc "int(${total[inv_on]} / ${total[inv_stmt]} * 100) / 100")"
  echo "RATIO $1: direct takes, picks and moves reopening their relations each (thelook.keep_scans_open = off) / off (iterations/s) = $(calc "int(${total[inv_reopen]} / ${total[inv_off]} * 100) / 100")"
  echo "RATIO $1: relations kept open / reopened per take, pick and move (thelook.keep_scans_open on / off, iterations/s) = $(calc "int(${total[inv_on]} / ${total[inv_reopen]} * 100) / 100")"
}
inventory_rounds "initial stock ($(q -c "SELECT count(*) FROM inv_on.inventory_items") inventory rows)"
# Sold items of a long history: in the table and its primary key, not in the partial index of unsold ones.
n=$(int "10000000 * $SCALE")
t0=$(now)
add_sold_items inv_on "$n"
echo "added $n sold inventory rows in $(calc "int(($(now) - $t0) * 10) / 10") s"
inventory_rounds "at $(q -c "SELECT count(*) FROM inv_on.inventory_items") inventory rows"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA inv_off CASCADE" -c "DROP SCHEMA inv_on CASCADE" -c "CHECKPOINT"
# Back-fill of the same window and seed into a schema without and with inventory.
qps=$(calc "2000000 * $SCALE / 9.7 / 86400")
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('bf_off', init_num_users => 0)" \
     -c "SELECT thelook.setup('bf_on', init_num_users => 0, inventory => true)"
declare -A bf=()
for schema in bf_off bf_on; do
  read -r rows rate < <(q -F ' ' -c "SELECT total_rows, round(rows_per_second) FROM thelook.backfill('$schema',
      now() - interval '1 day', now(), avg_qps => $qps, seed => 1, init_num_users => 1000)")
  echo "backfill into $schema: $rows rows (inventory items included) at $rate rows/s"
  bf[$schema]=$rate
done
echo "RATIO backfill rows/s inventory on / off = $(calc "int(${bf[bf_on]} / ${bf[bf_off]} * 100) / 100")"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA bf_off CASCADE" -c "DROP SCHEMA bf_on CASCADE"
fi
if want 13; then
echo "## 13. live vs COPY: the reference flat out for a fixed time, then COPY FROM of exactly the rows it wrote into an identical empty twin schema (alternating, 3 rounds; each round with the direct path for new rows, thelook.direct_inserts = on, the default, without it, off: every new row through INSERT ... ON CONFLICT, with the picks by SELECT, thelook.direct_picks = off, with the lifecycle moves by UPDATE, thelook.direct_updates = off, and with each pick and move opening its tables and index scans anew, thelook.keep_scans_open = off)"
# New rows/s of the simulation (inserted rows over its run time; its lifecycle updates come on
# top) against COPY FROM of its four tables, exported to CSV, into a twin made by the same setup
# (same tables, keys and indexes) but empty, one transaction per round as a load would run.
secs=$(int "20 * $SCALE"); [ "$secs" -lt 5 ] && secs=5
dir=$PGHOST/live_copy; as_pg mkdir -p "$dir"
declare -A live_total=() copy_total=() cpu_total=()
for round in 1 2 3; do
  for direct in on off picks_off updates_off scans_off; do
    # picks_off: new rows direct, but the random user / open order picked by SELECT (thelook.direct_picks = off);
    # updates_off: everything direct but the lifecycle moves, one UPDATE of the order and one of its items each;
    # scans_off: everything direct, each pick and move opening and closing its tables and index scan (the build before they were kept).
    q -q -c "ALTER SYSTEM SET thelook.direct_inserts = $([ "$direct" = off ] && echo off || echo on)" \
         -c "ALTER SYSTEM SET thelook.direct_picks = $([ "$direct" = picks_off ] && echo off || echo on)" \
         -c "ALTER SYSTEM SET thelook.direct_updates = $([ "$direct" = updates_off ] && echo off || echo on)" \
         -c "ALTER SYSTEM SET thelook.keep_scans_open = $([ "$direct" = scans_off ] && echo off || echo on)" -c "SELECT pg_reload_conf()" >/dev/null
    q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS lv CASCADE" -c "DROP SCHEMA IF EXISTS lv_twin CASCADE" \
         -c "SELECT thelook.setup('lv', init_num_users => 1000, seed => 1)" -c "SELECT thelook.setup('lv_twin', init_num_users => 0, seed => 1)" -c "CHECKPOINT" >/dev/null
    read -r it rows err new_rate cpu_rate < <(cpu_ceiling lv "$secs")
    for t in users orders order_items events; do q -q -c "COPY lv.$t TO '$dir/$t.csv' WITH (FORMAT csv)"; done
    n=$(q -c "SELECT (SELECT count(*) FROM lv.users) + (SELECT count(*) FROM lv.orders) + (SELECT count(*) FROM lv.order_items) + (SELECT count(*) FROM lv.events)")
    q -q -c "CHECKPOINT"
    t0=$(now)
    q -q -c "BEGIN" -c "COPY lv_twin.users FROM '$dir/users.csv' WITH (FORMAT csv)" -c "COPY lv_twin.orders FROM '$dir/orders.csv' WITH (FORMAT csv)" \
         -c "COPY lv_twin.order_items FROM '$dir/order_items.csv' WITH (FORMAT csv)" -c "COPY lv_twin.events FROM '$dir/events.csv' WITH (FORMAT csv)" -c "COMMIT"
    c_rate=$(int "$n / ($(now) - $t0)")
    echo "round $round, $direct: live $new_rate new rows/s ($rows inserted+updated rows/s, $it iterations/s, errors: $err; $cpu_rate new rows per worker CPU second); COPY FROM of its $n rows into the twin $c_rate rows/s"
    live_total[$direct]=$(( ${live_total[$direct]:-0} + new_rate )); copy_total[$direct]=$(( ${copy_total[$direct]:-0} + c_rate ))
    cpu_total[$direct]=$(( ${cpu_total[$direct]:-0} + cpu_rate ))
  done
done
q -q -c "ALTER SYSTEM RESET thelook.direct_inserts" -c "ALTER SYSTEM RESET thelook.direct_picks" -c "ALTER SYSTEM RESET thelook.direct_updates" \
     -c "ALTER SYSTEM RESET thelook.keep_scans_open" \
     -c "SELECT pg_reload_conf()" >/dev/null
target "live new rows/s / COPY FROM of the same rows" "$(calc "int(${live_total[on]} / ${copy_total[on]} * 100) / 100")" 0.8
echo "RATIO live new rows/s / COPY FROM of the same rows, without the direct path (thelook.direct_inserts = off) = $(calc "int(${live_total[off]} / ${copy_total[off]} * 100) / 100")"
echo "RATIO live new rows/s direct path on / off = $(calc "int(${live_total[on]} / ${live_total[off]} * 100) / 100")"
echo "RATIO live new rows/s picks by index scan / by SELECT (thelook.direct_picks on / off) = $(calc "int(${live_total[on]} / ${live_total[picks_off]} * 100) / 100")"
echo "RATIO live new rows/s / COPY FROM of the same rows, with the lifecycle moves by UPDATE (thelook.direct_updates = off) = $(calc "int(${live_total[updates_off]} / ${copy_total[updates_off]} * 100) / 100")"
echo "RATIO live new rows/s moves on the heap / by UPDATE (thelook.direct_updates on / off) = $(calc "int(${live_total[on]} / ${live_total[updates_off]} * 100) / 100")"
echo "RATIO live new rows per worker CPU second moves on the heap / by UPDATE (thelook.direct_updates on / off) = $(calc "int(${cpu_total[on]} / ${cpu_total[updates_off]} * 100) / 100")"
echo "RATIO live new rows per worker CPU second direct path on / off = $(calc "int(${cpu_total[on]} / ${cpu_total[off]} * 100) / 100")"
echo "RATIO live new rows/s / COPY FROM of the same rows, each pick and move opening its scans anew (thelook.keep_scans_open = off) = $(calc "int(${live_total[scans_off]} / ${copy_total[scans_off]} * 100) / 100")"
echo "RATIO live new rows/s scans kept / opened per pick and move (thelook.keep_scans_open on / off) = $(calc "int(${live_total[on]} / ${live_total[scans_off]} * 100) / 100")"
echo "RATIO live new rows per worker CPU second scans kept / opened per pick and move (thelook.keep_scans_open on / off) = $(calc "int(${cpu_total[on]} / ${cpu_total[scans_off]} * 100) / 100")"
rm -rf "$dir"
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA lv CASCADE" -c "DROP SCHEMA lv_twin CASCADE" -c "CHECKPOINT"
fi

if want 14; then
cores=$(nproc)
echo "## 14. several cores: $cores simulations on $cores schemas and on one schema vs one simulation (alternating, 2 rounds)"
# Rows/s summed over the simulations running at once; each its own seed, never used before (on
# one schema, the same seed would draw the same ids). Each measurement starts from fresh schemas
# (fresh_schema: 1000 users, checkpointed), as section 5's do: with the schemas kept, every later
# measurement wrote into the bigger tables the earlier ones left, so the one simulation, measured
# first in each round, ran on smaller tables than the several after it.
secs=$(int "20 * $SCALE"); [ "$secs" -lt 5 ] && secs=5
together() {  # together SCHEMA... -> summed rows/s of one flat-out simulation per argument, started at once
  local ids=() id sum=0 rows schema
  for schema in $(printf '%s\n' "$@" | sort -u); do fresh_schema "$schema"; done
  for schema in "$@"; do ids+=("$(start_flat "$schema" "$secs" "$(next_seed)")"); done
  for id in "${ids[@]}"; do wait_done "$id" "$secs"; done
  for id in "${ids[@]}"; do read -r _ rows _ _ < <(rates "$id"); sum=$((sum + rows)); done
  echo "$sum"
}
one=0; many=0; same=0
for round in 1 2; do
  a=$(together mc_1)
  b=$(together $(for k in $(seq 1 "$cores"); do echo "mc_$k"; done))
  c=$(together $(for k in $(seq 1 "$cores"); do echo mc_1; done))
  echo "round $round: one simulation $a rows/s; $cores on $cores schemas $b rows/s; $cores on one schema $c rows/s"
  one=$((one + a)); many=$((many + b)); same=$((same + c))
done
target "$cores simulations on $cores schemas / one simulation (rows/s)" "$(calc "int($many / $one * 100) / 100")" "$(calc "0.8 * $cores")"
target "$cores simulations on one schema / one simulation (rows/s)" "$(calc "int($same / $one * 100) / 100")" "none, where scaling stops"
for k in $(seq 1 "$cores"); do q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS mc_$k CASCADE"; done
fi

if want 15; then
echo "## 15. bulk history at scale (bench/backfill_scale.sh)"
if [ -x "$REPO/bench/backfill_scale.sh" ]; then
  "$REPO/bench/backfill_scale.sh"
else
  echo "bench/backfill_scale.sh is not there yet: not measured"
fi
fi

if want 16; then
cores=$(nproc)
echo "## 16. parallel back-fill: CALL backfill_in_chunks(..., workers => $cores) vs workers => 1, the same history into fresh schemas (alternating, 3 rounds)"
# The same window and seed on both sides (a fixed window: now() would move it); rows/s from the
# procedure's summary NOTICE (its own time, the workers' start included). Each run on a schema
# just set up and checkpointed.
qps=$(calc "3000000 * $SCALE / 9.7 / (30 * 86400)")
bf_side() {  # bf_side WORKERS -> "rows/s rows"
  q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS pbf CASCADE" \
       -c "SELECT thelook.setup('pbf', init_num_users => 0)" -c "CHECKPOINT" >/dev/null
  q -q -c "CALL thelook.backfill_in_chunks('pbf', '2026-01-01 00:00+00', '2026-01-31 00:00+00', avg_qps => $qps, seed => 1,
                                         init_num_users => 1000, workers => $1)" 2>&1 |
    sed -n 's/.*NOTICE:  thelook backfill: \([0-9]*\) iterations, \([0-9]*\) users, \([0-9]*\) orders, \([0-9]*\) order items, \([0-9]*\) events in .* (\([0-9]*\) rows\/s)/\6 \2 \3 \4 \5/p' |
    awk '{ print $1, $2 + $3 + $4 + $5 }'
}
serial=0; parallel=0
for round in 1 2 3; do
  if [ $((round % 2)) -eq 1 ]; then read -r s_rate s_rows < <(bf_side 1); read -r p_rate p_rows < <(bf_side "$cores")
  else read -r p_rate p_rows < <(bf_side "$cores"); read -r s_rate s_rows < <(bf_side 1); fi
  echo "round $round: workers => 1 $s_rate rows/s ($s_rows rows); workers => $cores $p_rate rows/s ($p_rows rows)"
  serial=$((serial + s_rate)); parallel=$((parallel + p_rate))
done
target "parallel back-fill ($cores workers) / serial back-fill (rows/s)" "$(calc "int($parallel / $serial * 100) / 100")" 1.6
q -q -c "SET client_min_messages = warning" -c "DROP SCHEMA pbf CASCADE" -c "CHECKPOINT"
fi

if want 99; then
echo "## 99. the issue's figures against their targets (from the sections above, this run)"
for line in "${SUMMARY[@]}"; do echo "$line"; done
fi
if [ -n "${BENCH_OUT:-}" ]; then echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"; fi
rm -f "$CEILING_SEEDS"
