#!/bin/sh
# Prints the pg_config of the PostgreSQL to build and test against, when PG_CONFIG is not given:
# the pg_config on the PATH (on Debian, postgresql-common's, which answers for the newest
# postgresql-server-dev-NN installed), else the newest /usr/lib/postgresql/NN/bin/pg_config.
# Prints nothing when there is neither. Used by the Makefile, test/lib.sh and test/deps.sh.
# (postgresql-common's pg_config fails when no server-dev package is installed: then it is no answer.)
if command -v pg_config >/dev/null 2>&1 && pg_config --bindir >/dev/null 2>&1; then
  command -v pg_config
else
  ls -d /usr/lib/postgresql/*/bin/pg_config 2>/dev/null | sort -V | tail -n 1
fi
