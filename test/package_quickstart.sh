#!/usr/bin/env bash
# Installs a built package on a fresh Debian root, as a user would, and runs the quick start:
#   package_quickstart.sh QUICKSTART.sql ./postgresql-NN-thelook-datagen_*.deb
# Run by test/matrix.sh inside a root that has no compiler and no source tree (only this script,
# the README's quick-start block and the .deb files are copied in). apt-get installs the package
# and what it depends on (postgresql-NN) from the archive; pg_createcluster makes a cluster, the
# preload line goes into its postgresql.conf (pg_conftool); then CREATE EXTENSION, setup(), a set-returning function, a
# simulation that must write rows, stop; the cluster is dropped at the end.
set -euo pipefail
quickstart=$1; shift
fail() { echo "not ok - $*"; exit 1; }
ok() { echo "ok - $*"; }

for c in cc gcc g++ c++ clang; do
  ! command -v "$c" >/dev/null || fail "this root has a compiler ($c): the package test needs one without"
done
[ ! -e /root/project ] || fail "this root has a source tree (/root/project)"
ok "no compiler, no source tree"

export DEBIAN_FRONTEND=noninteractive
# No service starts during apt-get (a chroot has no init); no default cluster: we create our own.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
for i in 1 2 3; do apt-get update -qq && break; echo "apt-get update failed (try $i of 3)"; sleep 5; done
for i in 1 2 3; do
  apt-get install -y -qq "$@" >/tmp/apt-install.log 2>&1 && break
  echo "apt-get install failed (try $i of 3):"; tail -5 /tmp/apt-install.log; [ "$i" -lt 3 ] || exit 1; sleep 5
done
ok "apt-get install $(printf '%s ' "${@##*/}")"
pkg=$(basename "$1"); major=${pkg#postgresql-}; major=${major%%-*}
dpkg-query -W -f='${Status}\n' "postgresql-$major-thelook-datagen" | grep -q "install ok installed" ||
  fail "postgresql-$major-thelook-datagen is not installed"
ok "postgresql-$major-thelook-datagen installed for PostgreSQL $major"

# A port per release (roots share the host's network; the matrix may run two at once).
port=${PACKAGE_PORT:-$((55400 + major))}
pg_createcluster "$major" thelook -p "$port" -- --no-locale -E UTF8 >/dev/null
trap 'pg_dropcluster --stop "$major" thelook >/dev/null 2>&1 || true' EXIT
# pg_conftool (postgresql-common) edits the cluster's postgresql.conf, as an administrator would.
pg_conftool "$major" thelook set shared_preload_libraries thelook_datagen
[ "$(pg_conftool -s "$major" thelook show shared_preload_libraries)" = thelook_datagen ] ||
  fail "pg_conftool did not set shared_preload_libraries"
pg_ctlcluster "$major" thelook start
ok "cluster $major/thelook started with the preload line"

q() { runuser -u postgres -- psql -p "$port" -X -At -v ON_ERROR_STOP=1 "$@"; }
q -c "SELECT version()" | sed 's/^/# /'
# The README's quick start as written, except its last line: stop once rows have been seen.
grep -v 'stop_simulation' "$quickstart" >/tmp/quickstart-start.sql
grep -q 'start_simulation' /tmp/quickstart-start.sql || fail "the quick start has no start_simulation"
q -f /tmp/quickstart-start.sql | sed 's/^/# /'
ok "the quick start ran (CREATE EXTENSION, setup, start_simulation)"
[ "$(q -c "SELECT count(*) FROM thelook.generate_orders(100, seed => 1)")" = 100 ] ||
  fail "generate_orders(100, seed => 1) did not give 100 rows"
ok "a set-returning function: generate_orders(100, seed => 1) gives 100 rows"
before=$(q -c "SELECT count(*) FROM demo.orders")
for _ in $(seq 1 100); do
  [ "$(q -c "SELECT count(*) > $before FROM demo.orders")" = t ] && break
  sleep 0.2
done
after=$(q -c "SELECT count(*) FROM demo.orders")
[ "$after" -gt "$before" ] || fail "the simulation wrote no orders in 20 s ($before before, $after after)"
ok "the simulation writes orders ($before, then $after)"
[ "$(q -c "SELECT thelook.stop_simulation(1)")" = t ] || fail "stop_simulation(1) did not return true"
[ "$(q -c "SELECT state FROM thelook.simulations WHERE id = 1")" = stopped ] || fail "simulation 1 is not stopped"
ok "stop_simulation(1): stopped"
pg_ctlcluster "$major" thelook stop
ok "cluster stopped"
echo "package quick start on PostgreSQL $major: PASS"
