#!/usr/bin/env bash
# CALL thelook.backfill_in_chunks(..., workers => 2): the parallel back-fill's tables equal the
# serial one's for the same seed (every column of every row, existing users and a scenario with
# incidents and faults included); the workers run as the calling role; an error in a worker reaches
# the caller with its SQLSTATE and the other worker stops; a cancelled caller leaves no worker; the
# refusals (workers out of range, a transaction block, a schema with inventory, a NOLOGIN role).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster backfill-parallel "${BACKFILL_PARALLEL_PORT:-54965}"
W="'2026-03-01 00:00+00', '2026-03-03 00:00+00', avg_qps => 0.1, seed => 11, init_num_users => 50"
q -q <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup(s, init_num_users => 0) FROM unnest(ARRAY['ser', 'par', 'ser_sc', 'par_sc', 'dup']) s;
-- Users who exist before the window (and some who sign up during it): the history's buyers are
-- read from the table, before any worker writes one of its own.
CREATE TABLE public.existing AS
  SELECT * FROM thelook.generate_users(300, seed => 3, start_at => '2026-02-01 00:00+00', end_at => '2026-03-02 00:00+00');
INSERT INTO ser.users SELECT * FROM public.existing;
INSERT INTO par.users SELECT * FROM public.existing;
INSERT INTO dup.users SELECT * FROM public.existing;
CREATE ROLE alice LOGIN;
GRANT USAGE ON SCHEMA thelook TO alice;
ALTER SCHEMA par OWNER TO alice;
GRANT ALL ON ALL TABLES IN SCHEMA par TO alice;
SQL

tables_md5() {  # every column of every row, by id
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY id)) FROM $1.users t)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY id)) FROM $1.orders t)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY id)) FROM $1.order_items t)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY id)) FROM $1.events t)"
}
truth_md5() {  # the ground truth without its identity ids, which follow the commits' order
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', kind, magnitude, started_at, ended_at, origin, target), ',' ORDER BY started_at, kind, origin)) FROM $1.incidents)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', table_name, row_id, kind, detail), ',' ORDER BY table_name, row_id, kind, detail)) FROM $1.injected_faults)"
}

q -q -c "CALL thelook.backfill_in_chunks('ser', $W, commit_rows => 20000)"
# Run as alice, in the background, to see who the workers are while they write.
QUSER=alice q -q -c "CALL thelook.backfill_in_chunks('par', $W, commit_rows => 20000, workers => 2)" 2>/tmp/bfpar_alice.err &
caller=$!
check "the workers appear in pg_stat_activity" wait_for "SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'thelook backfill'" 30
check_eq "they run as the calling role (alice), not as a superuser" "alice" \
  "$(q -c "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE backend_type = 'thelook backfill'")"
check "the parallel CALL succeeded" wait "$caller"
ser=$(tables_md5 ser)
echo "# serial:   $ser"
check "the serial back-fill wrote rows" test "$(q -c "SELECT count(*) FROM ser.orders")" -gt 2000
check_eq "the parallel back-fill's users, orders, order items and events equal the serial one's" "$ser" "$(tables_md5 par)"
check_eq "no worker is left" 0 "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook backfill'")"

# A scenario with incidents and faults: the ground truth is written by the chunk's owner.
SC='{"incidents": [{"kind": "checkout_failure", "magnitude": 0.3, "after": "4 hours", "duration": "4 hours"}],
     "random_incidents": [{"kind": "slump", "per_day": 3, "magnitude": [0.2, 0.6], "duration": ["30 minutes", "2 hours"]}],
     "faults": {"bad_records": {"rate": 0.02}, "duplicate_events": {"share": 0.01}}}'
if q -q -c "CALL thelook.backfill_in_chunks('ser_sc', $W, commit_rows => 20000, scenario => '$SC')" 2>/tmp/bfpar_sc.err; then
  q -q -c "CALL thelook.backfill_in_chunks('par_sc', $W, commit_rows => 20000, scenario => '$SC', workers => 3)"
  check_eq "with incidents and faults: the tables equal the serial back-fill's (3 workers)" "$(tables_md5 ser_sc)" "$(tables_md5 par_sc)"
  truth=$(truth_md5 ser_sc)
  echo "# ground truth (incidents, injected faults): $truth"
  check "the scenario recorded incidents and faults" test "${truth%%:*}" -gt 0
  check_eq "with incidents and faults: the same ground truth" "$truth" "$(truth_md5 par_sc)"
else
  check "the scenario with incidents and faults runs serially" false
  head -3 /tmp/bfpar_sc.err | sed 's/^/#   /'
fi

# An error in a worker: an order that a worker is about to write is already there (23505); the
# caller raises it and the other worker stops.
q -q -c "INSERT INTO dup.orders SELECT * FROM ser.orders ORDER BY created_at OFFSET 3000 LIMIT 1"
check_error "a worker's unique violation reaches the caller (23505)" 23505 'duplicate key value violates unique constraint' \
  "CALL thelook.backfill_in_chunks('dup', $W, commit_rows => 20000, workers => 2)"
check "the error says which worker" grep -q "back-fill worker [12] of 2; the other workers were stopped" \
  <<<"$(q -v VERBOSITY=verbose -c "TRUNCATE dup.orders, dup.order_items, dup.events; DELETE FROM dup.users WHERE id NOT IN (SELECT id FROM public.existing);
        INSERT INTO dup.orders SELECT * FROM ser.orders ORDER BY created_at OFFSET 3000 LIMIT 1;" -c "CALL thelook.backfill_in_chunks('dup', $W, commit_rows => 20000, workers => 2)" 2>&1 || true)"
check_eq "no worker is left after the error" 0 "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'thelook backfill'")"

# A cancelled caller (statement_timeout) stops its workers.
q -q -c "SELECT thelook.setup('big', init_num_users => 0)"
# (Each statement its own -c: one query string of several statements is a transaction block.)
err=$(q -v VERBOSITY=verbose -c "SET statement_timeout = '1s'" \
        -c "CALL thelook.backfill_in_chunks('big', '2026-01-01 00:00+00', '2026-03-01 00:00+00', avg_qps => 1, seed => 1, workers => 2)" 2>&1 || true)
check "a cancelled parallel back-fill raises 57014" grep -q "ERROR:  57014: canceling statement due to statement timeout" <<<"$err"
check "its workers end" wait_for "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'thelook backfill'" 20

# Refusals.
check_error "workers => 0: 22023" 22023 'parameter "workers" must be between 1 and 16' \
  "CALL thelook.backfill_in_chunks('big', $W, workers => 0)"
check_error "workers => 17: 22023" 22023 'parameter "workers" must be between 1 and 16' \
  "CALL thelook.backfill_in_chunks('big', $W, workers => 17)"
check_error "inside a transaction block: 25001" 25001 'parameter "workers" needs a CALL outside a transaction block' \
  "BEGIN; CALL thelook.backfill_in_chunks('big', $W, workers => 2); COMMIT;"
q -q -c "SELECT thelook.setup('inv', init_num_users => 0, inventory => true)"
check_error "a schema with inventory: 0A000" 0A000 'a parallel back-fill cannot write into schema "inv", which has inventory' \
  "CALL thelook.backfill_in_chunks('inv', $W, workers => 2)"
q -q <<'SQL'
CREATE ROLE bob NOLOGIN;
GRANT USAGE ON SCHEMA thelook TO bob;
GRANT USAGE ON SCHEMA big TO bob;
GRANT ALL ON ALL TABLES IN SCHEMA big TO bob;
SQL
err=$(q -v VERBOSITY=verbose -c "SET ROLE bob" -c "CALL thelook.backfill_in_chunks('big', $W, workers => 2)" 2>&1 || true)
check "a role that cannot log in: 42501" grep -q 'ERROR:  42501: parameter "workers" needs a role that can log in' <<<"$err"
check_eq "workers => 1 still runs in the session (the serial back-fill)" "ok" \
  "$(q -q -c "CALL thelook.backfill_in_chunks('big', '2026-03-01 00:00+00', '2026-03-01 06:00+00', avg_qps => 0.01, seed => 2, workers => 1)" && echo ok)"
finish
