#!/usr/bin/env bash
# Runs the pg_regress suite (sql/, expected/) on a temporary instance that pg_regress starts and
# stops itself. Works from root (runs as "postgres" in a copy of the suite) or as a normal user.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PGXS_DIR=$(dirname "$("$PG_CONFIG" --pgxs)")/..
PG_REGRESS=$PGXS_DIR/test/regress/pg_regress
work=$(mktemp -d /tmp/thelook-regress.XXXXXX)
cp -r "$REPO/sql" "$REPO/expected" "$REPO/test/regress.conf" "$work/"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$work"
tests=$(cd "$REPO/sql" && ls *.sql | sed 's/\.sql$//' | sort)
set +e
(cd "$work" && as_pg "$PG_REGRESS" --inputdir=. --outputdir=. --bindir="$PG_BIN" \
    --temp-instance=./tmp_check --temp-config=./regress.conf --port=$(( ${REGRESS_PORT:-54391} + ${PORT_OFFSET:-0} )) \
    --dbname=contrib_regression $tests)
rc=$?
set -e
if [ $rc -ne 0 ]; then
  [ -f "$work/regression.diffs" ] && cat "$work/regression.diffs"
  [ -f "$work/log/postmaster.log" ] && tail -20 "$work/log/postmaster.log"
  cp "$work/regression.diffs" "$REPO/regression.diffs" 2>/dev/null || true
fi
# KEEP_RESULTS=1 copies results/ back, to review a new expected file.
[ -n "${KEEP_RESULTS:-}" ] && cp -r "$work/results" "$REPO/results"
rm -rf "$work"
exit $rc
