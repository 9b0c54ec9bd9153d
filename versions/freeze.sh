#!/usr/bin/env bash
# Regenerates the frozen install scripts of released versions, versions/thelook_datagen--V.sql,
# from the commit each was released at. Usage: versions/freeze.sh [VERSION...] (default: all).
# Check: running it leaves "git status" clean. To release the version being developed, add its
# line to RELEASES (the commit of the release) and run this; then bump default_version.
set -euo pipefail
cd "$(dirname "$0")"
# version commit layout: "concat" = src/sql/*.sql concatenated in file-name order (what the
# Makefile's "cat $(SQL_PARTS)" did up to 1.1); "assembled" = src/sql/assemble.sh of that commit.
RELEASES="
1.0 78f904f6b26fc8ff7239b218427ce5359a7fc13a concat
1.1 4d4ef878dd862b73e1ea843fae1ae56a768f70c5 concat
"
wanted=" $* "
echo "$RELEASES" | while read -r version commit layout; do
  [ -n "$version" ] || continue
  [ $# -eq 0 ] || [[ "$wanted" == *" $version "* ]] || continue
  out=thelook_datagen--$version.sql
  case $layout in
    concat)
      : >"$out.tmp"
      # ls-tree lists in byte order, the order of make's $(sort) and of the C locale.
      git ls-tree --name-only "$commit" ../src/sql/ | LC_ALL=C sort | grep '\.sql$' | while read -r part; do
        git show "$commit:src/sql/${part##*/}" >>"$out.tmp"
      done ;;
    assembled)
      tree=$(mktemp -d)
      git archive "$commit" src/sql | tar -x -C "$tree"
      "$tree/src/sql/assemble.sh" "$version" "$tree/src/sql/install.sql" >"$out.tmp"
      rm -rf "$tree" ;;
  esac
  mv "$out.tmp" "$out"
  echo "wrote versions/$out from $commit ($(wc -c <"$out") bytes)"
done
