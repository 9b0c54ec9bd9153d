#!/usr/bin/env bash
# make fuzz: Debian's sqlsmith (random SQL over every table and function it can see) against a
# throwaway cluster with the extension set up, for a bounded time. Runs as a plain role: a
# superuser's random calls could write files anywhere the server's account may (lo_export,
# COPY ... TO). Prints sqlsmith's error summary, the distinct errors of the calls that involve
# thelook, and whether the server crashed. Not part of make test (random queries over the whole
# catalog find PostgreSQL's own limits too).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_MAX=${SQLSMITH_SECONDS:-240}
QUERIES=${SQLSMITH_QUERIES:-20000}
SEED=${SQLSMITH_SEED:-18}
ulimit -v 6000000   # a runaway allocation fails in the server, not on the machine
start_cluster smith "${SMITH_PORT:-54893}" "timezone = 'UTC'" "temp_file_limit = '256MB'" "work_mem = '4MB'" \
  "thelook.max_simulations = 8" "log_min_error_statement = error" "log_min_messages = warning" \
  "log_line_prefix = '%m [%p] %e '"
OUT=${SQLSMITH_OUT:-$REPO/sqlsmith-results}
mkdir -p "$OUT"

q -q <<'SQL' >/dev/null
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 200, seed => 1);
CREATE ROLE smith LOGIN;
GRANT CREATE ON DATABASE postgres TO smith;
ALTER ROLE smith SET statement_timeout = '1s';
ALTER ROLE smith SET lock_timeout = '1s';
SET ROLE smith;
SELECT thelook.setup('smith', init_num_users => 100, seed => 2);
SQL
started=$(q -c "SELECT pg_postmaster_start_time()")

echo "# sqlsmith: seed $SEED, at most $QUERIES queries or $SECONDS_MAX s, as role smith"
set +e
as_pg timeout --signal=INT "$SECONDS_MAX" sqlsmith --verbose --seed="$SEED" --max-queries="$QUERIES" \
  --target="host=$PGHOST port=$PGPORT dbname=postgres user=smith" >"$OUT/sqlsmith.out" 2>"$OUT/sqlsmith.err"
rc=$?
set -e
echo "# sqlsmith exit status $rc (124: stopped by the time limit)"
check "sqlsmith ran to its query or time limit" test "$rc" -eq 0 -o "$rc" -eq 124
# sqlsmith's last report: queries so far, then its most frequent errors.
tr '\r' '\n' <"$OUT/sqlsmith.err" | awk '/^queries:/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' \
  | grep -v '^\s*$' | grep -v '^[.eSCt]*$' | head -30 | sed 's/^/#   /'
cp "$CLUSTER_LOG" "$OUT/server.log"

echo "# errors in statements that call thelook (distinct messages, most frequent first):"
grep -A1 "ERROR:" "$CLUSTER_LOG" | grep -B1 "STATEMENT:.*thelook" | grep "ERROR:" | sed 's/^.*ERROR:  //' \
  | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -30 | sed 's/^/#   /' || true
echo "# internal errors (XX000) anywhere:"
grep -A1 " XX000 ERROR:" "$CLUSTER_LOG" | sed 's/^[^]]*] //' | sort | uniq -c | sort -rn | head -20 | sed 's/^/#   /' || true
check_eq "the postmaster never restarted" "$started" "$(q -c "SELECT pg_postmaster_start_time()")"
crashes=$(grep -E "PANIC|terminated by signal|server process .* was terminated|reinitializing|TRAP:" "$CLUSTER_LOG" || true)
check_eq "no PANIC, crash or reinitialization in the server log" "" "$crashes"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
echo "# sqlsmith's output, the server log: $OUT/"
finish
