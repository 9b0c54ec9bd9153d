#!/usr/bin/env bash
# Fuzz test (issue 18): every function of schema thelook called thousands of times with random
# arguments drawn per type (test/fuzz_calls.py), as a superuser and as a plain role, under a
# statement timeout. Checks: the postmaster never restarted, no session died, no PANIC or
# "terminated by signal" in the server log, every rejected call had a SQLSTATE other than XX000,
# and every simulation the calls started is stopped at the end. File paths only under a temp dir.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PYTHON=/usr/bin/python3   # Debian's python3-psycopg2 belongs to the system interpreter
# A runaway allocation fails in the server (bad_alloc / out of memory) instead of taking the
# machine's memory: the limit is inherited by the postmaster and its backends.
ulimit -v 6000000
start_cluster fuzz "${FUZZ_PORT:-54891}" "timezone = 'UTC'" "temp_file_limit = '256MB'" "work_mem = '4MB'" \
  "thelook.max_simulations = 8" "log_min_messages = warning"
FUZZ_TMP=$(mktemp -d /tmp/thelook-fuzz-files.XXXXXX)
chown postgres "$FUZZ_TMP"
trap 'stop_clusters; rm -rf "$FUZZ_TMP"' EXIT

q -q <<'SQL' >/dev/null
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 200, seed => 1);
CREATE ROLE fuzzer LOGIN;
GRANT CREATE ON DATABASE postgres TO fuzzer;
SET ROLE fuzzer;
SELECT thelook.setup('fz', init_num_users => 100, seed => 2);
SQL
started=$(q -c "SELECT pg_postmaster_start_time()")

set +e
"$PYTHON" "$REPO/test/fuzz_calls.py" --host "$PGHOST" --port "$PGPORT" --tmp "$FUZZ_TMP" \
  --calls "${FUZZ_CALLS:-2500}" --seed "${FUZZ_SEED:-18}" --budget "${FUZZ_BUDGET:-100}"
rc=$?
set -e
check "every rejected call has a SQLSTATE other than XX000 and no session died" test "$rc" -eq 0

check_eq "the postmaster never restarted" "$started" "$(q -c "SELECT pg_postmaster_start_time()")"
q -c "SELECT thelook.stop_all_simulations()" >/dev/null
check "no simulation worker is left" wait_for \
  "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'thelook simulation'" 20
check_eq "no simulation is active" 0 \
  "$(q -c "SELECT count(*) FROM thelook.simulations WHERE state IN ('starting', 'running', 'stopping', 'restarting')")"
crashes=$(grep -E "PANIC|terminated by signal|server process .* was terminated|reinitializing|TRAP:" "$CLUSTER_LOG" || true)
check_eq "no PANIC, crash or reinitialization in the server log" "" "$crashes"
echo "# FATAL lines in the log (sessions ended by the server):"
grep "FATAL" "$CLUSTER_LOG" | sed 's/^[^]]*] //' | sort | uniq -c | sort -rn | head -10 | sed 's/^/#   /' || true
finish
