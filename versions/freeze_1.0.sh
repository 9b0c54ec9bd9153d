#!/usr/bin/env bash
# Regenerates thelook_datagen--1.0.sql, the frozen install script of release 1.0, from the last
# commit whose src/sql/ was 1.0 (78f904f): its src/sql/*.sql concatenated in file-name order,
# exactly as the Makefile's "cat $(SQL_PARTS)" assembled it then. Output: the file beside this
# script. Check: running it leaves "git status" clean.
set -euo pipefail
COMMIT=78f904f6b26fc8ff7239b218427ce5359a7fc13a
cd "$(dirname "$0")"
out=thelook_datagen--1.0.sql
: >"$out.tmp"
# ls-tree lists in byte order, the order of make's $(sort) and of the C locale.
git ls-tree --name-only "$COMMIT" ../src/sql/ | LC_ALL=C sort | grep '\.sql$' | while read -r part; do
  git show "$COMMIT:src/sql/${part##*/}" >>"$out.tmp"
done
mv "$out.tmp" "$out"
echo "wrote versions/$out from $COMMIT ($(wc -c <"$out") bytes)"
