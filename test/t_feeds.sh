#!/usr/bin/env bash
# File feeds (thelook.write_feed): a back-fill and then a live simulation write rows while
# write_feed runs again and again (two calls at a time); a reader (test/feed_reader.py, Python's
# csv and json modules) follows the manifest and checks that files appear whole (a polling reader
# never sees a partial part-* file), that their records are the rows as inserted (a test-only row
# trigger records them on another path than the feed's), in their partition, no row in two files,
# none missing; that a reader that stops and resumes from the manifest misses nothing; that the
# damaged records are exactly the ground truth in injected_faults, at the configured rates (4
# sigma). Then JSON Lines by event_type written by a non-superuser with pg_write_server_files,
# max_rows, a manifest with a rolled-back tail, drop_feed, a feed created by another role than the
# tables' owner, the errors (42501 without the privilege, 25001 in a transaction block, 22023,
# 58P01, 42P01), and the README's pg_cron line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster feeds "${FEEDS_PORT:-54881}" "track_functions = 'pl'"  # counts the capture trigger's calls
work=$PGHOST/work
mkdir -p "$work/expected" "$work/expected2"
feed=$PGHOST/feed         # the cluster's directory: writable by the server's OS user
as_pg mkdir -p "$feed" "$PGHOST/feed2"
reader() { /usr/bin/python3 "$REPO/test/feed_reader.py" "$@"; }
# The README's blocks run by this test, in order, with the README's directory replaced by ours.
readme_block() {
  /usr/bin/python3 - "$1" <<'PY' | sed "s|/var/lib/postgresql/feeds/demo|$feed|g"
import os, sys
sys.path.insert(0, os.environ["REPO"] + "/test")
import readme_blocks
mine = [b for b in readme_blocks.blocks() if b[1] == "untested" and b[2].startswith("run verbatim by test/t_feeds.sh")]
sys.stdout.write(mine[int(sys.argv[1])][4])
PY
}
export REPO

q -q <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 200, seed => 3);
SELECT * FROM thelook.backfill('demo', start_at => '2026-11-01', end_at => '2026-11-02', avg_qps => 0.02, seed => 4);
-- The rows as inserted, recorded by row triggers (not the feed's path): those back-filled first,
-- then every insert.
CREATE TABLE audit (table_name text, id text, row jsonb);
INSERT INTO audit SELECT 'users', id, to_jsonb(t) FROM demo.users t;
INSERT INTO audit SELECT 'orders', id, to_jsonb(t) FROM demo.orders t;
INSERT INTO audit SELECT 'order_items', id, to_jsonb(t) FROM demo.order_items t;
INSERT INTO audit SELECT 'events', id, to_jsonb(t) FROM demo.events t;
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.audit VALUES (TG_TABLE_NAME, NEW.id, to_jsonb(NEW)); RETURN NULL; END $$;
CREATE TRIGGER audit AFTER INSERT ON demo.users FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT ON demo.orders FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT ON demo.order_items FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT ON demo.events FOR EACH ROW EXECUTE FUNCTION audit_row();
SQL
echo "# back-filled: $(q -c "SELECT count(*) FROM audit") rows"

# The README's first call: creates the feed and writes the back-filled rows.
first=$(readme_block 0 | q)
check "the first call wrote the back-filled rows' files" test "$(wc -l <<<"$first")" -ge 4
unrated=$(wc -l <"$feed/_manifest.jsonl")  # written without faults
q -q -c "INSERT INTO thelook.scenarios (name, definition) VALUES ('damaged_files',
  '{\"faults\": {\"files\": {\"truncated_line_rate\": 0.02, \"missing_column_rate\": 0.03, \"type_mismatch_rate\": 0.02}}}')"

sim=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => 150, time_scale => 43200, simulated_start => '2026-11-02', seed => 5)")
reader watch "$feed" 9 "$work/seen.json" &
watcher=$!
for ((i = 1; i <= 16; i++)); do
  # Two calls at once (as pg_cron's and someone's): they take turns.
  q -c "SELECT count(*) FROM thelook.write_feed('demo', '$feed', scenario => 'damaged_files')" >/dev/null &
  q -c "SELECT count(*) FROM thelook.write_feed('demo', '$feed', scenario => 'damaged_files')" >/dev/null
  wait $!
  if [ "$i" -eq 8 ]; then
    # A reader stops here: it has read the manifest so far and the files it lists.
    cp "$feed/_manifest.jsonl" "$work/mid_manifest.jsonl"
    (cd "$feed" && /usr/bin/python3 -c 'import json,sys; [print(json.loads(l)["file"]) for l in open(sys.argv[1])]' "$work/mid_manifest.jsonl" |
       xargs sha256sum) >"$work/mid_hashes"
  fi
  sleep 0.4
done
q -c "SELECT thelook.stop_simulation($sim)" >/dev/null
q -c "SELECT count(*) FROM thelook.write_feed('demo', '$feed', scenario => 'damaged_files')" >/dev/null
wait "$watcher"
check_eq "nothing is left in feed_log" 0 "$(q -c "SELECT count(*) FROM demo.feed_log")"
check "the simulation wrote rows while the feed ran ($(q -c "SELECT count(*) FROM audit") in all)" \
  test "$(q -c "SELECT iterations FROM thelook.simulations WHERE id = $sim")" -gt 200
check "orders span several dates (Hive partitions)" test "$(ls "$feed/table=orders" | wc -l)" -ge 3
check "many batches" test "$(q -c "SELECT max(batch) FROM demo.feed_files")" -ge 10
check_eq "the audit's events are the table's (the expected rows are the inserted ones)" "0 0" "$(q -c "
  WITH a AS (SELECT r.* FROM audit, jsonb_populate_record(NULL::demo.events, row) r WHERE table_name = 'events')
  SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM demo.events) x) || ' ' ||
         (SELECT count(*) FROM (SELECT * FROM demo.events EXCEPT ALL SELECT * FROM a) y)")"
for t in users orders order_items events; do
  q -c "COPY (SELECT r.* FROM audit a, jsonb_populate_record(NULL::demo.$t, a.row) r WHERE a.table_name = '$t') TO STDOUT WITH (FORMAT csv, HEADER)" >"$work/expected/$t.csv"
done
dump_truth() {
  q -c "COPY (SELECT table_name, row_id, kind, detail FROM $1.injected_faults WHERE table_name LIKE 'file:%' ORDER BY id) TO STDOUT WITH (FORMAT csv)" >"$2/truth.csv"
  q -c "COPY (SELECT part, file, table_name, rows, bytes, faults FROM $1.feed_files ORDER BY part) TO STDOUT WITH (FORMAT csv)" >"$2/files.csv"
}
dump_truth demo "$work"
check "CSV feed read by a reader that follows the manifest" \
  reader check "$feed" "$work/expected" "$work/truth.csv" "$work/files.csv" --seen "$work/seen.json" \
  --resume "$work/mid_manifest.jsonl" "$work/mid_hashes" --rates 0.02 0.03 0.02 --rates-after "$unrated"

echo "# a feed's tables without other triggers: the simulation appends directly and logs the rows itself"
# The audit triggers above keep demo's tables on INSERT (and the capture trigger); here nothing
# but the feed's trigger is on the tables, so the live writer takes its direct path and logs the
# rows itself, into the tables' own logs (feed_log_<table>). The oracle: every id in the tables is in exactly one file, none else, and the
# events (never updated) are the table's rows exactly, value for value.
trigger_calls() { q -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE schemaname = 'thelook' AND funcname = 'feed_capture'"; }
calls_before=$(trigger_calls)
check "the capture trigger's calls are counted (demo's inserts went through it)" test "$calls_before" -gt 0
as_pg mkdir -p "$PGHOST/feed4"
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('fast', init_num_users => 100, seed => 11)" >/dev/null
q -c "SELECT count(*) FROM thelook.write_feed('fast', '$PGHOST/feed4')" >/dev/null
fast=$(q -c "SELECT thelook.start_simulation('fast', avg_qps => 400, time_scale => 43200, simulated_start => '2026-11-02', seed => 12)")
for ((i = 1; i <= 6; i++)); do
  sleep 0.5
  q -c "SELECT count(*) FROM thelook.write_feed('fast', '$PGHOST/feed4', format => 'csv')" >/dev/null
done
sleep 1  # a backlog for the max_rows call below
q -c "SELECT thelook.stop_simulation($fast)" >/dev/null
wait_for "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'thelook simulation'" 30 || true  # its worker has exited
# max_rows on the own logs (no index: the call reads each log once and takes the first rows by seq).
backlog=$(q -c "SELECT count(*) FROM fast.feed_log_events")
first=$(q -c "SELECT min(seq) FROM fast.feed_log_events")
took=$(q -c "SELECT coalesce(sum(rows), 0) FROM thelook.write_feed('fast', '$PGHOST/feed4', max_rows => 50) WHERE table_name = 'events'")
check "max_rows => 50 on a backlog of $backlog events in the own log: took $took" test "$backlog" -gt 50 -a "$took" -eq 50
check_eq "... the first 50 by seq (what is left starts after them)" "$(q -c "SELECT $first + 0 < (SELECT min(seq) FROM fast.feed_log_events)")" t
check_eq "... and left the rest" $((backlog - 50)) "$(q -c "SELECT count(*) FROM fast.feed_log_events")"
q -c "SELECT count(*) FROM thelook.write_feed('fast', '$PGHOST/feed4')" >/dev/null
check_eq "nothing is left in fast's logs" 0 "$(q -c "SELECT (SELECT count(*) FROM fast.feed_log) + (SELECT count(*) FROM fast.feed_log_users) +
  (SELECT count(*) FROM fast.feed_log_orders) + (SELECT count(*) FROM fast.feed_log_order_items) + (SELECT count(*) FROM fast.feed_log_events)")"
check "the simulation wrote orders ($(q -c "SELECT count(*) FROM fast.orders"))" test "$(q -c "SELECT count(*) FROM fast.orders")" -gt 100
sleep 1  # the worker's function statistics are flushed as it exits
check_eq "the capture trigger did not fire for the simulation's inserts (the direct path)" "$calls_before" "$(trigger_calls)"
mkdir -p "$work/fast"
for t in users orders order_items events; do
  q -c "COPY (SELECT id FROM fast.$t) TO STDOUT" >"$work/fast/$t.ids"
done
q -c "COPY fast.events TO STDOUT WITH (FORMAT csv, HEADER)" >"$work/fast/events.csv"
check "every row of fast's tables in exactly one file, the events as in the table" \
  /usr/bin/python3 "$REPO/test/feed_ids.py" "$PGHOST/feed4" "$work/fast" --events
check "the simulation's rows went to the tables' own logs (feed_log_orders: $(q -c "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'fast.feed_log_orders'::regclass") inserted)" \
  test "$(q -c "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'fast.feed_log_orders'::regclass")" -gt 0

echo "# JSON Lines by event_type, written by a role with pg_write_server_files (not a superuser)"
q -q <<'SQL'
CREATE ROLE feeder LOGIN;
GRANT pg_write_server_files TO feeder;
GRANT CREATE ON DATABASE postgres TO feeder;
GRANT USAGE ON SCHEMA thelook TO feeder;
CREATE ROLE analyst LOGIN;
GRANT USAGE ON SCHEMA thelook TO analyst;
SQL
jl="scenario => '{\"faults\": {\"files\": {\"truncated_line_rate\": 0.05, \"missing_column_rate\": 0.05, \"type_mismatch_rate\": 0.04}}}', format => 'jsonl', partition_by => 'event_type'"
QUSER=feeder q -q -c "SELECT thelook.setup('shop', init_num_users => 60, seed => 8)" >/dev/null
QUSER=feeder q -c "SELECT count(*) FROM thelook.write_feed('shop', '$PGHOST/feed2', $jl)" >/dev/null
args="3000, seed => 9, users => 60, start_at => '2026-11-01', end_at => '2026-11-10'"
QUSER=feeder q -q <<SQL
INSERT INTO shop.orders SELECT * FROM thelook.generate_orders($args);
INSERT INTO shop.order_items SELECT * FROM thelook.generate_order_items($args);
SQL
QUSER=feeder q -c "SELECT count(*) FROM thelook.write_feed('shop', '$PGHOST/feed2', $jl)" >/dev/null
# A call whose transaction failed after writing leaves manifest lines the database does not have:
# the next call cuts them off.
echo '{"part":999,"file":"table=x/part-000999.jsonl"}' >>"$PGHOST/feed2/_manifest.jsonl"
QUSER=feeder q -q -c "INSERT INTO shop.events SELECT * FROM thelook.generate_events($args)"
# At most 5000 rows a table a call: the rest waits for the next calls.
calls=0
while [ "$(q -c "SELECT count(*) FROM shop.feed_log")" -gt 0 ]; do
  QUSER=feeder q -c "SELECT count(*) FROM thelook.write_feed('shop', '$PGHOST/feed2', $jl, max_rows => 5000)" >/dev/null
  calls=$((calls + 1))
done
check "max_rows => 5000: the $(q -c "SELECT count(*) FROM shop.events") events took $calls calls" test "$calls" -ge 4
check_eq "the manifest's tail that no transaction committed is cut off" 0 "$(grep -c '"part":999' "$PGHOST/feed2/_manifest.jsonl" || true)"
check "events are partitioned by event_type" test -d "$PGHOST/feed2/table=events/event_type=purchase"
for t in users orders order_items events; do
  q -c "COPY shop.$t TO STDOUT WITH (FORMAT csv, HEADER)" >"$work/expected2/$t.csv"
done
dump_truth shop "$work/expected2"
mv "$work/expected2/truth.csv" "$work/expected2/files.csv" "$work/"
check "JSON Lines feed read by a reader that follows the manifest" \
  reader check "$PGHOST/feed2" "$work/expected2" "$work/truth.csv" "$work/files.csv" --rates 0.05 0.05 0.04

echo "# errors"
err() { set +e; local out; out=$("$@" 2>&1); set -e; echo "$out"; }
as_analyst() { QUSER=analyst q "$@"; }
e=$(err as_analyst -v VERBOSITY=verbose -c "SELECT * FROM thelook.write_feed('demo', '$feed')")
check "a role without pg_write_server_files: 42501" grep -q "ERROR:  42501: permission denied to write feed files as role \"analyst\"" <<<"$e"
check "... with a hint naming the grant and psql's \\copy" grep -q 'HINT:  GRANT pg_write_server_files TO analyst; or write files on the client side with psql.s \\copy' <<<"$e"
e=$(err as_analyst -v VERBOSITY=verbose -c "SELECT thelook.feed_prepare('demo', '$feed', NULL, 1, true)")
check "nor may it start a feed's log through feed_prepare" grep -q "ERROR:  42501: permission denied for function feed_prepare" <<<"$e"
e=$(err q -v VERBOSITY=verbose -c "BEGIN" -c "SELECT * FROM thelook.write_feed('demo', '$feed')")
check "inside a transaction block: 25001" grep -q "ERROR:  25001: thelook.write_feed() cannot run inside a transaction block" <<<"$e"
expect_error() {  # expect_error SQLSTATE "message part" ARGS
  local e
  e=$(err q -v VERBOSITY=verbose -c "SELECT * FROM thelook.write_feed($3)")
  check "write_feed($3): $1" grep -q "ERROR:  $1: .*$2" <<<"$e"
}
expect_error 22023 'parameter "directory" must be an absolute path' "'demo', 'feeds/demo'"
expect_error 22023 'parameter "directory" must not be null' "'demo'"
expect_error 58P01 'does not exist' "'demo', '$PGHOST/no-such-dir'"
expect_error 22023 "parameter \"format\" must be 'csv' or 'jsonl'" "'demo', '$feed', format => 'parquet'"
expect_error 22023 'unknown table "products"' "'demo', '$feed', tables => '{orders,products}'"
expect_error 22023 'is listed twice' "'demo', '$feed', tables => '{orders,orders}'"
expect_error 22023 "parameter \"partition_by\" must be 'date' or 'event_type'" "'demo', '$feed', partition_by => 'hour'"
expect_error 22023 'parameter "max_rows" must be positive' "'demo', '$feed', max_rows => 0"
expect_error 22023 'scenario.faults.files.torn_rate: unknown key' "'demo', '$feed', scenario => '{\"faults\": {\"files\": {\"torn_rate\": 1}}}'"
expect_error 22023 'schema "demo" already feeds directory' "'demo', '$PGHOST/feed2'"
expect_error 22023 'differs from the feed' "'demo', '$feed', tables => '{orders}'"
expect_error 42P01 'has no theLook tables' "'nowhere', '$feed'"
check_eq "nothing was written by the failed calls" 0 "$(q -c "SELECT count(*) FROM demo.feed_log")"
# A directory the server's user may not write in (root's): the file-system error, with its hint.
mkdir -p "$PGHOST/roots"; chmod 755 "$PGHOST/roots"
q -q -c "SET client_min_messages = warning" -c "SELECT thelook.setup('nofeed', init_num_users => 10, seed => 1)" >/dev/null
e=$(err q -v VERBOSITY=verbose -c "SELECT * FROM thelook.write_feed('nofeed', '$PGHOST/roots')")
check "a directory the server may not write in: 42501 naming what it could not create" \
  grep -Eq "ERROR:  42501: could not (create directory|open file) \"$PGHOST/roots/[^\"]*\"( for writing)?: Permission denied" <<<"$e"
check "... with a hint about the server's operating-system user" grep -q "HINT:  The feed's files are written by the server's operating-system user" <<<"$e"
check_eq "and no feed was started" "" "$(q -c "SELECT to_regclass('nofeed.feed_log')")"

echo "# drop_feed"
check_eq "drop_feed('shop')" t "$(QUSER=feeder q -c "SELECT thelook.drop_feed('shop')")"
check_eq "its triggers and tables are gone" "0 " "$(q -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'thelook_feed_capture' AND tgrelid::regclass::text LIKE 'shop.%'") $(q -c "SELECT to_regclass('shop.feed_log')")"
check_eq "drop_feed again: false" f "$(q -c "SELECT thelook.drop_feed('shop')")"
# A feed created by another role than the tables' owner: the owner's inserts are still captured.
as_pg mkdir -p "$PGHOST/feed3"
q -q -c "SELECT count(*) FROM thelook.write_feed('shop', '$PGHOST/feed3', include_existing => false)" >/dev/null
QUSER=feeder q -q -c "INSERT INTO shop.users SELECT * FROM thelook.generate_users(10, 77)"
check_eq "the tables' owner inserts into a feed the superuser created; the next call writes its 10 rows" 10 \
  "$(q -c "SELECT sum(rows) FROM thelook.write_feed('shop', '$PGHOST/feed3')")"

echo "# pg_cron"
q -q -c "CREATE EXTENSION pg_cron"
job=$(readme_block 1 | q)
check "the README's cron.schedule line schedules the feed" test "$job" -gt 0
check_eq "cron.unschedule" t "$(q -c "SELECT cron.unschedule('thelook-feed-demo')")"
check_eq "no errors in the server log but the expected ones" 0 \
  "$(grep -E 'ERROR|FATAL|PANIC' "$CLUSTER_LOG" | grep -vcE 'permission denied to write feed|permission denied for function feed_prepare|cannot run inside a transaction block|parameter "|scenario.faults|does not exist|already feeds|has no theLook tables|unknown table|listed twice|differs from the feed|could not create directory|could not open file' || true)"
finish
