#!/usr/bin/env bash
# Bulk history at scale: a back-fill of 100 million rows (BENCH_SCALE=1; 0.05 gives 5 million) into
# one schema on a throwaway cluster, in ten consecutive slices of the window, each one back-fill
# call in its own transaction. Per slice: rows, seconds, rows/s, WAL bytes per row, disk bytes per
# row (the four tables with their indexes, after the slice); over the run: the back-end's peak
# private memory (RssAnon, sampled every 0.2 s: VmHWM would count the shared buffers it touched).
# Then the plan for 1,000 million rows from those figures (time at the last slice's
# rate, the tables being largest then; WAL and disk per row; memory). Not a test: it prints figures.
# BENCH_PORT picks the port (PORT_OFFSET moves it); BACKFILL_SLICES the number of slices.
set -euo pipefail
source "$(dirname "$0")/../test/lib.sh"
SCALE=${BENCH_SCALE:-1}
SLICES=${BACKFILL_SLICES:-10}
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
int() { awk "BEGIN { printf \"%d\", $1 }"; }
now() { date +%s.%N; }
rows_target=$(int "100000000 * $SCALE")
# Measured here: about 9.7 rows per iteration (an order, 1.45 items, ~7 events, some users), about
# 310 bytes of tables and indexes per row, and at most about twice max_wal_size of WAL on disk.
need_gb=$(int "$rows_target * 320 / 1e9 + 17")
start_cluster backfill_scale "${BENCH_PORT:-54975}" "shared_buffers = 1GB" "max_wal_size = 8GB" "checkpoint_timeout = 30min" \
  "fsync = off" "synchronous_commit = off"
free_gb=$(df -P -BG "$PGHOST" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
echo "## back-fill of $rows_target rows in $SLICES slices (BENCH_SCALE=$SCALE); needs about $need_gb GB, $free_gb GB free"
if [ "$free_gb" -lt "$need_gb" ]; then
  echo "not run: too little disk space (lower BENCH_SCALE)"
  exit 0
fi
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo); load $(cut -d' ' -f1 /proc/loadavg)"
q -q -c "CREATE EXTENSION thelook_datagen" -c "SELECT thelook.setup('big', init_num_users => 0)" >/dev/null
days=365
qps=$(calc "$rows_target / 9.7 / ($days * 86400)")
slice_days=$(calc "$days / $SLICES")
size() { q -c "SELECT sum(pg_total_relation_size(format('big.%I', t)::regclass)) FROM unnest(ARRAY['users', 'orders', 'order_items', 'events']) t"; }
lsn() { q -c "SELECT pg_current_wal_lsn()"; }
# One session runs every slice (the sampler watches it); it prints one line per slice:
# "rows seconds lsn_before lsn_after".
script=$(mktemp); chmod 644 "$script"
{
  echo "\\pset tuples_only on"
  echo "\\pset format unaligned"
  echo "\\pset fieldsep ' '"
  echo "SET client_min_messages = warning;"
  echo "SET application_name = 'backfill_scale';"
  for s in $(seq 0 $((SLICES - 1))); do
    echo "SELECT pg_current_wal_lsn() AS l0 \\gset"
    echo "SELECT total_rows, seconds, :'l0', pg_current_wal_lsn() FROM thelook.backfill('big',
            timestamptz '2025-01-01 00:00+00' + interval '1 day' * ($s * $slice_days),
            timestamptz '2025-01-01 00:00+00' + interval '1 day' * (($s + 1) * $slice_days),
            avg_qps => $qps, seed => $((s + 1)), init_num_users => $([ "$s" -eq 0 ] && echo 1000 || echo 0));"
    echo "SELECT 'size', sum(pg_total_relation_size(format('big.%I', t)::regclass)) FROM unnest(ARRAY['users', 'orders', 'order_items', 'events']) t;"
  done
} >"$script"
# The sampler: the back-end's largest RssAnon (kB) into $peak, its CPU time (ticks) into $peak.cpu
# (on a loaded machine rows per CPU second is the rate per core, rows per wall second is not).
peak=$(mktemp)
( echo 0 >"$peak"; pid=""
  while [ -z "$pid" ]; do pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'backfill_scale'" 2>/dev/null || true); sleep 0.2; done
  while [ -r "/proc/$pid/status" ]; do
    kb=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${kb:-0}" -gt "$(cat "$peak")" ] && echo "$kb" >"$peak"
    awk '{ print $14 + $15 }' "/proc/$pid/stat" >"$peak.cpu" 2>/dev/null || true
    sleep 0.2
  done ) &
sampler=$!
t0=$(now)
total_rows=0; total_secs=0; total_wal=0; first_rate=""; last_rate=0
printf '%-6s %12s %9s %10s %10s %11s\n' slice rows seconds "rows/s" "WAL B/row" "disk B/row"
slice=0
while read -r a b c d; do
  case $a in
    size)
      disk=$b
      printf '%-6s %12s %9s %10s %10s %11s\n' "$slice" "$rows" "$secs" "$rate" "$(int "$wal / $rows")" "$(int "$disk / $total_rows")" ;;
    *)
      rows=$a; secs=$(calc "int($b * 10) / 10")
      wal=$(q -c "SELECT pg_wal_lsn_diff('$d', '$c')")
      slice=$((slice + 1)); rate=$(int "$rows / $b")
      total_rows=$((total_rows + rows)); total_secs=$(calc "$total_secs + $b"); total_wal=$(calc "$total_wal + $wal")
      [ -n "$first_rate" ] || first_rate=$rate
      last_rate=$rate; last_wal_row=$(int "$wal / $rows") ;;
  esac
done < <(as_pg "$PG_BIN/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 -f "$script")
rm -f "$script"
wait "$sampler" 2>/dev/null || true
hwm_kb=$(cat "$peak"); cpu=$(calc "$(cat "$peak.cpu" 2>/dev/null || echo 0) / $(getconf CLK_TCK)"); rm -f "$peak" "$peak.cpu"
wall=$(calc "$(now) - $t0")
disk=$(size)
echo "total: $total_rows rows in $(int "$total_secs") s of back-fill ($(int "$wall") s with the size queries) = $(int "$total_rows / $total_secs") rows/s" \
     "($(int "$total_rows / ($cpu + 0.001)") rows per CPU second of the back-end; load $(cut -d' ' -f1 /proc/loadavg));" \
     "WAL $(int "$total_wal / $total_rows") bytes/row ($(calc "int($total_wal / 1e9 * 10) / 10") GB); tables and indexes $(int "$disk / $total_rows") bytes/row ($(calc "int($disk / 1e9 * 10) / 10") GB);" \
     "peak private memory of the back-end $(int "$hwm_kb / 1024") MB"
echo "rate: first slice $first_rate rows/s, last slice $last_rate rows/s (ratio $(calc "int($last_rate / $first_rate * 100) / 100"); the indexes grow with the tables)"
b=1000000000
echo "## plan for $b rows (from this run's figures)"
echo "time: at least $(calc "int($b / $last_rate / 360) / 10") h at the last slice's rate (the rate falls as the indexes grow: back-fill in slices, one per commit, as here);" \
     "$(calc "int($b / ($total_rows / ($cpu + 0.001)) / 360) / 10") h of one core's CPU at this run's rows per CPU second"
echo "WAL: at least $(calc "int($total_wal / $total_rows * $b / 1e9)") GB written in all, at this run's mean; $(calc "int($last_wal_row * $b / 1e9)") GB at its last slice's $last_wal_row bytes/row" \
     "(what a replica, an archive or a logical-decoding consumer receives; with random uuid4 keys every checkpoint makes the next change of each index page a full-page image, so WAL per row grows with the indexes: id_format => 'uuid7' keeps the primary keys' inserts at their right edge, not measured here)"
echo "disk: $(calc "int($disk / $total_rows * $b / 1e9)") GB of tables and indexes, plus max_wal_size of WAL"
echo "memory: $(int "$hwm_kb / 1024") MB per back-end (bounded: at most 500,000 buyers are kept, and rows go out 1,000 at a time)"
