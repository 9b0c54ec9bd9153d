# Shared helpers for the test and demo scripts: throwaway PostgreSQL clusters on a private
# port and socket directory, always stopped on exit. Source it; then start_cluster NAME PORT.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The server: PG_CONFIG's (as the Makefile's: test/find_pg_config.sh when not given, or the
# pg_config beside PG_BIN when only that is); PG_BIN, its programs, is $PG_CONFIG --bindir
# unless given.
if [ -z "${PG_CONFIG:-}" ]; then
  if [ -n "${PG_BIN:-}" ]; then PG_CONFIG=$PG_BIN/pg_config; else PG_CONFIG=$("$REPO/test/find_pg_config.sh"); fi
fi
# A bare name is looked up on the PATH: the Makefile's fallback "pg_config", when make read the
# Makefile before test/deps.sh had installed the server (make demo / make test on a fresh machine).
case $PG_CONFIG in
  */*) ;;
  *) PG_CONFIG=$(command -v "$PG_CONFIG" 2>/dev/null || "$REPO/test/find_pg_config.sh") ;;
esac
[ -n "$PG_CONFIG" ] && [ -x "$PG_CONFIG" ] ||
  { echo "lib.sh: no pg_config (PG_CONFIG='$PG_CONFIG'): run test/deps.sh or set PG_CONFIG" >&2; exit 2; }
PG_BIN=${PG_BIN:-$("$PG_CONFIG" --bindir)}
export PG_CONFIG PG_BIN
CLUSTERS=()

# PostgreSQL refuses to run as root: run its programs as "postgres" when we are root. When
# postgres may not enter the current directory (a clone under /root), run from / instead:
# otherwise psql and pg_ctl print "could not change directory" on every call. Paths handed to
# as_pg are absolute.
as_pg() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  if runuser -u postgres -- test -x "$PWD"; then
    runuser -u postgres -- "$@"
  else
    (cd / && runuser -u postgres -- "$@")
  fi
}

# start_cluster NAME PORT [extra postgresql.conf lines...]: sets PGHOST, PGPORT, PGDATA_DIR.
# PORT_OFFSET=N moves every test's port by N (parallel runs from several checkouts).
# PRELOAD=... overrides shared_preload_libraries; PRELOAD= (empty) starts a server that preloads
# nothing, as a stock installation does.
start_cluster() {
  local name=$1 port=$(( $2 + ${PORT_OFFSET:-0} )); shift 2
  local dir
  dir=$(mktemp -d "/tmp/thelook-$name.XXXXXX")
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/data" --no-locale -E UTF8 -A trust -U postgres >"$dir/initdb.log" 2>&1
  {
    echo "port = $port"
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$dir'"
    [ -n "${PRELOAD-thelook_datagen,pg_cron}" ] && echo "shared_preload_libraries = '${PRELOAD-thelook_datagen,pg_cron}'"
    echo "wal_level = logical"
    echo "max_worker_processes = 32"
    echo "max_wal_senders = 10"
    echo "max_replication_slots = 10"
    echo "cron.database_name = 'postgres'"
    echo "fsync = off"
    for line in "$@"; do echo "$line"; done
  } | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
  CLUSTERS+=("$dir")
  trap stop_clusters EXIT
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
    cat "$dir/server.log" >&2
    return 1
  fi
  export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres PGDATA_DIR=$dir/data
  CLUSTER_LOG=$dir/server.log
}

stop_clusters() {
  local dir
  for dir in "${CLUSTERS[@]}"; do
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    [ -n "${KEEP_CLUSTERS:-}" ] || rm -rf "$dir"
  done
  CLUSTERS=()
}

# restart_cluster: pg_ctl restart of the last cluster started (after appending to its postgresql.conf).
restart_cluster() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$CLUSTER_LOG" -w -t 60 -m fast restart >/dev/null
}
# append_conf TEXT: appends lines to the last cluster's postgresql.conf.
append_conf() { printf '%s\n' "$1" | as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null; }

# psql as the cluster's superuser; extra arguments go to psql. Prints unaligned tuples.
q() { as_pg "$PG_BIN/psql" -h "$PGHOST" -p "$PGPORT" -U "${QUSER:-postgres}" -d "${PGDATABASE:-postgres}" -X -At -v ON_ERROR_STOP=1 "$@"; }

# Assertions: each prints ok/not ok and counts failures in FAILURES.
FAILURES=0
CHECKS=0
check() {  # check "description" command...
  local what=$1; shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then echo "ok - $what"; else echo "not ok - $what"; FAILURES=$((FAILURES + 1)); fi
}
check_eq() {  # check_eq "description" expected actual
  CHECKS=$((CHECKS + 1))
  if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1 (expected '$2', got '$3')"; FAILURES=$((FAILURES + 1)); fi
}
# check_error "description" SQLSTATE "message part" SQL: the statement fails with that error.
check_error() {
  local e
  e=$(q -v VERBOSITY=verbose -c "$4" 2>&1) && { echo "not ok - $1 (no error)"; FAILURES=$((FAILURES + 1)); CHECKS=$((CHECKS + 1)); return; }
  check "$1" grep -qF "ERROR:  $2: " <<<"$(grep -F "$3" <<<"$e")" || echo "$e" | head -3 | sed 's/^/#   /'
}
# entities_md5 SCHEMA: count:md5 of the users, orders, order items and events of a schema (the
# columns a seeded run decides), to compare two runs' rows.
entities_md5() {
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, first_name, last_name, email, age, gender, street_address,
                       postal_code, city, state, country, traffic_source), ',' ORDER BY id)) FROM $1.users)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, user_id, status, num_of_items), ',' ORDER BY id)) FROM $1.orders)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, order_id, product_id, status, quantity, sale_price), ',' ORDER BY id)) FROM $1.order_items)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, user_id, sequence_number, session_id, uri, event_type), ',' ORDER BY id)) FROM $1.events)"
}
# wait_for "SQL returning t" seconds: polls until true or the time is up.
wait_for() {
  local sql=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    [ "$(q -c "$sql" 2>/dev/null)" = "t" ] && return 0
    sleep 0.1
  done
  return 1
}
# run_simulations PARAMS SCHEMA...: starts a simulation (start_simulation's arguments PARAMS) in
# each schema at once and waits, up to 180 s, for all to end; prints their ids, comma-separated.
run_simulations() {
  local params=$1 ids="" s id; shift
  for s in "$@"; do
    id=$(q -c "SELECT thelook.start_simulation('$s', $params)")
    ids="$ids${ids:+,}$id"
  done
  wait_for "SELECT bool_and(state IN ('finished', 'failed')) FROM thelook.simulations WHERE id IN ($ids)" 180 >/dev/null || true
  echo "$ids"
}
# with_setting NAME VALUE COMMAND...: COMMAND with thelook.NAME = VALUE in the server's configuration
# (ALTER SYSTEM and a reload, which workers started after it read), reset after.
with_setting() {
  local name=$1 value=$2; shift 2
  q -q -c "ALTER SYSTEM SET thelook.$name = $value" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
  "$@"
  q -q -c "ALTER SYSTEM RESET thelook.$name" -c "SELECT pg_reload_conf()" >/dev/null
}
# check_runs_finished IDS: lists the simulations IDS (comma-separated) and checks that all finished
# without errors.
check_runs_finished() {
  q -c "SELECT schema, state, iterations, total_errors, last_error FROM thelook.simulations WHERE id IN ($1) ORDER BY id" | sed 's/^/# /'
  check_eq "every run finished without errors" "$(awk -F, '{print NF}' <<<"$1") 0" \
    "$(q -c "SELECT count(*) FILTER (WHERE state = 'finished') || ' ' || sum(total_errors) FROM thelook.simulations WHERE id IN ($1)")"
}
# flush_wal: the workers commit asynchronously (thelook.synchronous_commit = off), so their last
# commits may still sit in the WAL buffers when a run ends; pg_logical_slot_get_changes decodes only
# flushed WAL. A synchronous commit after theirs flushes the WAL up to itself, and so theirs.
flush_wal() {
  q -q -c "SET synchronous_commit = on" -c "CREATE TABLE public.wal_flush_mark (); DROP TABLE public.wal_flush_mark"
}
finish() {
  echo "# $CHECKS checks, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
