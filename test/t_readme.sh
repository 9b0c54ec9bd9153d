#!/usr/bin/env bash
# The command blocks of README.md and docs/*.md, run as written and in a reader's order
# (test/readme_blocks.py extracts them by the name in their <!-- test: NAME --> comment, whichever
# file holds them). Each story starts from a new server, as a reader following it would:
#  1. README "Installing" and docs/operations.md "Preloading the library", on a server that does
#     NOT preload the library, in the order most people take: install, CREATE EXTENSION, use it,
#     only then add the preload line and restart. Nothing may die with FATAL; the simulation calls
#     fail with 55000 and a hint.
#  2. The README's quick start, then docs/simulations.md, scenarios.md, shoppers.md,
#     testing-pipelines.md, operations.md (monitoring) and bulk.md (a preloaded server, like
#     make demo's).
#  3. The README's five-minute walk-through to a change stream, then docs/cdc-debezium.md.
#  4. docs/pg-cron.md's recipes.
# Last, every block marked test must have been run here or be named by another test script.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ran=$(mktemp /tmp/thelook-readme-ran.XXXXXX)
block() { echo "$1" >>"$ran"; python3 "$REPO/test/readme_blocks.py" get "$1"; }
# run_sql NAME [psql args]: a block through psql, stopping at the first error, as a user pasting it sees it.
run_sql() { local name=$1; shift; block "$name" | q "$@" -f - ; }
run_sql_ok() { local out; if out=$(run_sql "$@" 2>&1); then echo "$out" | sed 's/^/#   /' | head -8; return 0; fi; echo "$out" | sed 's/^/#   /'; return 1; }
# run_sh NAME: a shell block as the server's OS user would not: as the reader (root here, with sudo).
# With PG_CONFIG set (a private PostgreSQL copy), sudo keeps it: its env_reset would drop it and
# "sudo make install" would then write the system's PostgreSQL instead.
sudo_keeping_pg_config() { command sudo --preserve-env=PG_CONFIG "$@"; }
run_sh_ok() {
  local out
  if out=$(cd "$REPO" && if [ -n "${PG_CONFIG:-}" ]; then sudo() { sudo_keeping_pg_config "$@"; }; export -f sudo sudo_keeping_pg_config; fi &&
           bash -euo pipefail -c "$(block "$1")" 2>&1); then return 0; fi
  echo "$out" | tail -5 | sed 's/^/#   /'; return 1
}
sqlstate_of() {  # sqlstate_of SQL: the SQLSTATE of the error it raises, or "ok"
  local out
  if out=$(q -c "\\set VERBOSITY verbose" -c "$1" 2>&1); then echo ok; return; fi
  echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1
}
# Prints what it finds. pg_cron 1.6.8 (sid; not 1.6.5 on trixie nor 1.4 on bookworm) stops its launcher with
# PostgreSQL's die(), which logs FATAL "terminating background worker" at every shutdown and
# restart: that line is not a failure (our own workers' would be).
no_fatal_in_log() {
  ! grep -E "FATAL|PANIC|server process .* was terminated" "$CLUSTER_LOG" |
    grep -v 'FATAL:  terminating background worker "pg_cron launcher" due to administrator command' |
    sed "s/^/#   /" | grep .
}

check "every block of README.md and docs/*.md is run by a test or says why not" python3 "$REPO/test/readme_blocks.py" check
check "every relative link of README.md and docs/*.md names a file and heading that exist" python3 "$REPO/test/readme_blocks.py" links
check "README.md stays a front door (at most 400 lines; the manual is docs/)" test "$(wc -l < "$REPO/README.md")" -le 400

# 1. Installing into an existing server, without the preload first.
PRELOAD= start_cluster readme-nopreload "${README_PORT:-54821}"
check_eq "the server preloads nothing" "" "$(q -c 'SHOW shared_preload_libraries')"
check "install-build: make && sudo make install" run_sh_ok install-build
check "install-create: CREATE EXTENSION, setup() and an SRF without the preload" run_sql_ok install-create
check_eq "start_simulation says 55000 (not preloaded)" "55000" "$(sqlstate_of "SELECT thelook.start_simulation('demo')")"
hint=$(q -c "SELECT thelook.start_simulation('demo')" 2>&1 | sed -n 's/^HINT:  //p' || true)
echo "# hint: $hint"
check "the hint names the exact postgresql.conf line and the restart" \
  bash -c "[[ \"\$1\" == *\"shared_preload_libraries = 'thelook_datagen'\"* && \"\$1\" == *restart* ]]" _ "$hint"
check_eq "ensure_simulation says 55000" "55000" "$(sqlstate_of "SELECT thelook.ensure_simulation('x', 'demo')")"
check_eq "stop_simulation says 55000" "55000" "$(sqlstate_of "SELECT thelook.stop_simulation(1)")"
check_eq "thelook.simulations lists no rows" "0" "$(q -c "SELECT count(*) FROM thelook.simulations")"
check_eq "stop_all_simulations says 55000" "55000" "$(sqlstate_of "SELECT thelook.stop_all_simulations()")"
check_eq "run-time settings stay settable" "ok" \
  "$(sqlstate_of "SET thelook.max_iterations_per_transaction = 50; SET thelook.max_transaction_span = '50ms'; SET thelook.synchronous_commit = on")"
check_eq "create_publication works" "ok" "$(sqlstate_of "SELECT thelook.create_publication('demo', 'nopreload_pub')")"
check_eq "debezium_config works" "ok" "$(sqlstate_of "SELECT thelook.debezium_config('demo')")"
check_eq "kafka_topics works" "ok" "$(sqlstate_of "SELECT count(*) FROM thelook.kafka_topics('demo')")"
for srf in "generate_users(100, seed => 1)" "generate_orders(100, seed => 1)" "generate_order_items(100, seed => 1)" \
           "generate_events(100, seed => 1)" "generate_sessions(100, seed => 1)" "products()" "dist_centers()" "locations()"; do
  check_eq "thelook.$srf works" "ok" "$(sqlstate_of "SELECT count(*) FROM thelook.$srf")"
done
check_eq "backfill works" "ok" \
  "$(sqlstate_of "SELECT thelook.setup('bf', init_num_users => 0); SELECT * FROM thelook.backfill('bf', now() - interval '1 day', now(), avg_qps => 0.01, seed => 1, init_num_users => 10)")"
check_eq "backfill_in_chunks works" "ok" \
  "$(sqlstate_of "SELECT thelook.setup('bfc', init_num_users => 0); CALL thelook.backfill_in_chunks('bfc', now() - interval '1 day', now(), avg_qps => 0.01, commit_rows => 100)")"
check "no FATAL or crash in the server log" no_fatal_in_log
append_conf "$(block install-conf)"
restart_cluster
check_eq "after the restart the server preloads the library" "thelook_datagen" "$(q -c 'SHOW shared_preload_libraries')"
check "install-simulate: the extension created before the restart simulates, no DROP/CREATE" run_sql_ok install-simulate
check "its simulation writes orders" wait_for "SELECT count(*) > 0 FROM demo.orders" 10
check_eq "thelook.max_simulations is defined now" "16" "$(q -c 'SHOW thelook.max_simulations')"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "still no FATAL or crash in the server log" no_fatal_in_log
stop_clusters

# 2. The quick start, then the bulk sections, on a preloaded server like make demo's.
start_cluster readme-main "${README_PORT2:-54822}"
check "quickstart block" run_sql_ok quickstart
# The README's table of functions and views lists every object of schema thelook, as installed.
unlisted() {
  local table n missing="" bt='`'
  table=$(sed -n '/^## Functions and views/,/^## Where to go next/p' "$REPO/README.md")
  for n in $(q -c "SELECT proname FROM pg_proc WHERE pronamespace = 'thelook'::regnamespace
                   UNION SELECT relname FROM pg_class WHERE relnamespace = 'thelook'::regnamespace AND relkind IN ('r', 'v', 'm')"); do
    grep -qE "${bt}$n\\(|(view|table) ${bt}$n${bt}" <<<"$table" || missing="$missing $n"
  done
  [ -z "$missing" ] || { echo "#   not in the README's table:$missing"; return 1; }
}
check "the README's table names every function, view and table of schema thelook" unlisted
check_eq "its simulation 1 was stopped" "stopped" "$(q -c "SELECT state FROM thelook.simulations WHERE id = 1")"
check "sim-start block (docs/simulations.md)" run_sql_ok sim-start
check "its simulation writes orders" wait_for "SELECT orders_inserted > 0 FROM thelook.simulations WHERE name = 'steady'" 10
check "sim-alter block" run_sql_ok sim-alter
check "the view shows the new rate" wait_for "SELECT avg_qps = 100 FROM thelook.simulations WHERE name = 'steady'" 10
check "sim-stop block" run_sql_ok sim-stop
check "the simulation is stopped, and kept so" wait_for "SELECT state = 'stopped' AND desired_state = 'stopped' FROM thelook.simulations WHERE name = 'steady'" 10
check "sim-retention block" run_sql_ok sim-retention
check_eq "the view shows its retention" "t" "$(q -c "SELECT keep_events = '7 days' AND keep_orders = '30 days' FROM thelook.simulations WHERE name = 'unattended'")"
monitor_shows_worker() { local out; out=$(run_sql ops-monitor 2>&1) && grep -q "unattended" <<<"$out" && grep -q "thelook simulation" <<<"$out"; }
check "ops-monitor block (docs/operations.md) lists the running simulation and its worker" monitor_shows_worker
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "traffic-live block (retail, accelerated, a spike, alter_simulation)" run_sql_ok traffic-live
check_eq "its simulation runs retail at 400/s and 60x" "retail|400|60" \
  "$(q -c "SELECT scenario, avg_qps, time_scale FROM thelook.simulations WHERE name = 'shop'")"
check "the injected spike is recorded in demo.incidents" wait_for "SELECT count(*) = 1 FROM demo.incidents WHERE kind = 'spike'" 10
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "shoppers-live block (sessions, then a campaign by alter_simulation)" run_sql_ok shoppers-live
check "the visits make purchase sessions" wait_for "SELECT count(*) > 0 FROM demo.events WHERE event_type = 'checkout'" 20
check_eq "the view shows the campaign scenario in force" "shoppers+custom" "$(q -c "SELECT scenario FROM thelook.simulations WHERE name = 'visits'")"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "faults-live block (pipeline_faults, then tuned by alter_simulation)" run_sql_ok faults-live
check "faults-validate block" run_sql_ok faults-validate
check "the validator's flags are all injected ones" wait_for "SELECT count(*) > 0 AND count(*) = count(f.row_id) FROM thelook.validate('pipeline') v
  LEFT JOIN pipeline.injected_faults f ON (f.table_name, f.row_id, f.kind) = (v.table_name, v.row_id, v.defect)" 10
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "traffic-backfill block (90 days of retail_incidents, then live)" run_sql_ok traffic-backfill
check "the back-fill recorded incidents" test "$(q -c "SELECT count(*) FROM history_shop.incidents")" -gt 0
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "bulk-srfs block" run_sql_ok bulk-srfs
check_eq "the SRF pieces join: every order's user exists" "0" \
  "$(q -c "SELECT count(*) FROM demo.orders o WHERE o.created_at < now() - interval '1 minute' AND NOT EXISTS (SELECT FROM demo.users u WHERE u.id = o.user_id)")"
check "backfill block" run_sql_ok backfill
check "its simulation continues the back-filled shop" \
  wait_for "SELECT count(*) > 0 FROM shop.orders WHERE created_at > now() - interval '1 minute'" 10
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "backfill-chunks block (a CALL outside a transaction block)" run_sql_ok backfill-chunks
check "history was back-filled over 90 days" \
  test "$(q -c "SELECT min(created_at) < now() - interval '80 days' AND count(*) > 1000 FROM history.orders")" = t
check "csv-dir block" run_sh_ok csv-dir
check "csv-server block" run_sql_ok csv-server
check_eq "the server-side CSV has the header and 10 % of the events" "t" \
  "$(python3 -c "import csv,sys; r=list(csv.reader(open('/var/lib/thelook/batches/events_0000.csv'))); print('t' if r[0][0]=='id' and len(r) > 50000 else 'f')")"
clientdir=$(mktemp -d /tmp/thelook-readme-csv.XXXXXX); chown postgres "$clientdir"
csv_client() { (cd "$clientdir" && block csv-client | q -f - >/dev/null); }
check "csv-client block (psql \\copy)" csv_client
check "the client-side CSV has rows" test "$(wc -l < "$clientdir/sessions_0003.csv")" -gt 1000
rm -rf "$clientdir" /var/lib/thelook/batches/events_0000.csv
check "no FATAL or crash in the server log" no_fatal_in_log
stop_clusters

# 3. The Debezium walk-through, from a new server.
start_cluster readme-cdc "${README_PORT3:-54823}"
append_conf "$(block debezium-conf)"
restart_cluster
check_eq "debezium-conf: wal_level" "logical" "$(q -c 'SHOW wal_level')"
check "debezium-schema block" run_sql_ok debezium-schema
check "debezium-publication block" run_sql_ok debezium-publication
check "debezium-traffic block" run_sql_ok debezium-traffic
peek=$(mktemp /tmp/thelook-peek.XXXXXX); chown postgres "$peek"
as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PATH="$PG_BIN:$PATH" timeout 6 bash -c "$(block debezium-peek)" >"$peek" 2>&1 || true
check "debezium-peek block streams the simulation's inserts" grep -q 'table demo.orders: INSERT' "$peek"
check "... and the progress row's updates, as the README says" grep -q 'table thelook.simulation_runs: UPDATE' "$peek"
rm -f "$peek"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
q -c "SELECT pg_drop_replication_slot('peek')" >/dev/null
# docs/cdc-debezium.md, on the walk-through's server.
check "debezium-role block" run_sql_ok debezium-role
check_eq "debezium-topics block lists seven topics" "7" "$(run_sql debezium-topics | grep -c '^ecomm\.demo\.')"
own=$(run_sql cdc-own-tables 2>&1 || true)
echo "$own" | sed 's/^/#   /' | head -12
check "cdc-own-tables block: a test_decoding slot carries thelook.simulation_runs updates beside the theLook rows" \
  bash -c '[ "$(sed -n "s/^table thelook.simulation_runs|//p" <<<"$1")" -gt 0 ] && [ "$(sed -n "s/^table demo.events|//p" <<<"$1")" -gt 0 ]' _ "$own"
check "no FATAL or crash in the server log" no_fatal_in_log
stop_clusters

# 4. The pg_cron recipes, from a new server that preloads only thelook_datagen; the jobs connect
# over the Unix socket only in background workers (the cluster listens on no TCP port).
PRELOAD=thelook_datagen start_cluster readme-cron "${README_PORT4:-54824}" "cron.use_background_workers = on"
append_conf "$(block cron-conf)"
restart_cluster
check "cron-setup block" run_sql_ok cron-setup
for b in cron-business-hours cron-burst cron-nightly cron-campaign cron-check; do check "$b block" run_sql_ok "$b"; done
check_eq "the recipes scheduled their jobs (shop-burst unscheduled again)" "campaign-off campaign-on shop-close shop-nightly-lifecycle shop-open" \
  "$(q -c "SELECT string_agg(jobname, ' ' ORDER BY jobname) FROM cron.job")"
q -c "SELECT cron.unschedule(jobid) FROM cron.job" >/dev/null
check "no FATAL or crash in the server log" no_fatal_in_log
stop_clusters

# Every block marked test is run here, or named by another test script.
unrun() {
  local name others
  others=$(ls "$REPO"/test/*.sh "$REPO"/test/citus/*.sh 2>/dev/null | grep -v '/t_readme.sh$')
  for name in $(python3 "$REPO/test/readme_blocks.py" names); do
    grep -qx -- "$name" "$ran" && continue
    # shellcheck disable=SC2086
    grep -qE -- "(get|block|run_sql|run_sql_ok|run_sh_ok) +[\"']?$name([\"' )]|\$)" $others && continue
    echo "#   $name ($(python3 "$REPO/test/readme_blocks.py" where "$name")) is marked test but no test runs it"
    return 1
  done
}
check "every block marked test is run" unrun
rm -f "$ran"
finish
