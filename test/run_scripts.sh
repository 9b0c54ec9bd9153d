#!/usr/bin/env bash
# Runs every lifecycle / CDC / pg_cron test script (test/t_*.sh); each starts and stops its own
# cluster. Prints each script's output and one line per script as it ends, and a closing
# "N passed, N failed".
#
# TEST_JOBS scripts run at once (default: the number of cores, at most 4). Most scripts spend their
# time waiting for simulations that run at a set rate, so two at a time on two cores halves the
# suite's time. A script that runs while others do gets a port offset of its own (lane k adds
# 5000 * k to PORT_OFFSET), since the scripts' default ports are not all distinct. Scripts in
# EXCLUSIVE run alone, before the others: t_readme.sh runs the README's "make && sudo make install",
# which rewrites the installed library while other scripts' servers would be loading it.
set -uo pipefail
cd "$(dirname "$0")"
jobs=${TEST_JOBS:-$(nproc)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -lt 1 ] && jobs=1
EXCLUSIVE=" t_readme.sh "
logs=$(mktemp -d /tmp/thelook-scripts.XXXXXX)
trap 'rm -rf "$logs"' EXIT
passed=0; failed=0

declare -A lane_of=() name_of=() start_of=()
free_lanes=()
for ((k = 0; k < jobs; k++)); do free_lanes+=("$k"); done

launch() {  # launch SCRIPT: starts it in the first free lane
  local t=$1 lane=${free_lanes[0]}
  free_lanes=("${free_lanes[@]:1}")
  PORT_OFFSET=$(( ${PORT_OFFSET:-0} + 5000 * lane )) bash "$t" >"$logs/$t.log" 2>&1 &
  lane_of[$!]=$lane; name_of[$!]=$t; start_of[$!]=$(date +%s)
}
reap() {  # reap: waits for one running script, prints its output and result, frees its lane
  local pid rc t
  wait -n -p pid; rc=$?
  t=${name_of[$pid]}
  echo "=== $t"
  cat "$logs/$t.log"
  if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); r=PASS; else failed=$((failed + 1)); r=FAIL; fi
  echo "=== $t: $r ($(( $(date +%s) - start_of[$pid] )) s)"
  free_lanes+=("${lane_of[$pid]}")
  unset "lane_of[$pid]" "name_of[$pid]" "start_of[$pid]"
}

scripts=(${TEST_SCRIPTS:-t_*.sh})
for t in "${scripts[@]}"; do
  [[ $EXCLUSIVE == *" $t "* ]] || continue
  launch "$t"; reap
done
for t in "${scripts[@]}"; do
  [[ $EXCLUSIVE == *" $t "* ]] && continue
  while [ "${#name_of[@]}" -ge "$jobs" ]; do reap; done
  launch "$t"
done
while [ "${#name_of[@]}" -gt 0 ]; do reap; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
