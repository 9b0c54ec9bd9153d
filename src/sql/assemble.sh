#!/usr/bin/env bash
# assemble.sh VERSION TEMPLATE: prints TEMPLATE (src/sql/install.sql or an upgrade script under
# src/sql/upgrades/) with every line "--#include DIR" replaced by the definition of object DIR
# (relative to src/sql/) as of VERSION: the file DIR/<v>.sql with the newest <v> not after VERSION
# (sort -V order). Each object's definition thus lives in one file per version in which it changed,
# and every script that needs it includes it. Fails on an unknown object or one that VERSION
# predates. See src/sql/README.md.
set -euo pipefail
version=$1 template=$2
sql=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Any argument that is not a release number would make sort -V compare nonsense.
[[ "$version" =~ ^[0-9]+(\.[0-9]+)+$ ]] || { echo "assemble.sh: '$version' is not a version like 1.2" >&2; exit 1; }
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  if [[ "$line" =~ ^--#include[[:space:]]+([A-Za-z0-9_/]+)[[:space:]]*$ ]]; then
    dir=${BASH_REMATCH[1]}
    [ -d "$sql/$dir" ] || { echo "$template:$n: no object directory src/sql/$dir" >&2; exit 1; }
    best=
    for f in "$sql/$dir"/*.sql; do
      [ -e "$f" ] || continue
      v=$(basename "$f" .sql)
      [ "$(printf '%s\n%s\n' "$v" "$version" | sort -V | tail -n 1)" = "$version" ] || continue  # v after VERSION
      if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$v" "$best" | sort -V | tail -n 1)" = "$v" ]; then best=$v; fi
    done
    [ -n "$best" ] || { echo "$template:$n: src/sql/$dir has no definition for version $version or earlier" >&2; exit 1; }
    cat "$sql/$dir/$best.sql"
  else
    printf '%s\n' "$line"
  fi
done <"$template"
