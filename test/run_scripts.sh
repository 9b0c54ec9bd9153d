#!/usr/bin/env bash
# Runs every lifecycle / CDC / pg_cron test script (test/t_*.sh); each starts and stops its own
# cluster. Prints one line per script and a closing "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
passed=0; failed=0
for t in ${TEST_SCRIPTS:-t_*.sh}; do
  echo "=== $t"
  start=$(date +%s)
  if bash "$t"; then passed=$((passed + 1)); r=PASS; else failed=$((failed + 1)); r=FAIL; fi
  echo "=== $t: $r ($(( $(date +%s) - start )) s)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
