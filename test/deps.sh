#!/usr/bin/env bash
# Installs what building and testing need, from Debian's packages, when it is missing.
# Never creates or starts a PostgreSQL cluster: the scripts start their own throwaway ones.
#
# Which PostgreSQL: PG_MAJOR=NN if given; else that of PG_CONFIG (or the pg_config that
# test/find_pg_config.sh finds) when it belongs to an installed server-dev package; else the
# newest postgresql-server-dev-NN the configured archive offers (bookworm: 15, trixie: 17, sid: 18).
# Prints the major version chosen ("deps.sh: PostgreSQL NN").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
apt_updated=
apt_update() {
  [ -n "$apt_updated" ] && return 0
  # A mirror that fails now and then should not fail the build: three tries.
  local i
  for i in 1 2 3; do
    $SUDO apt-get update -qq && { apt_updated=1; return 0; }
    echo "deps.sh: apt-get update failed (try $i of 3)" >&2; sleep 5
  done
  return 1
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

major=${PG_MAJOR:-}
if [ -z "$major" ]; then
  pgc=${PG_CONFIG:-$("$here/find_pg_config.sh")}
  if [ -n "$pgc" ] && [ -x "$pgc" ]; then
    v=$("$pgc" --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p' || true)
    # /usr/bin/pg_config answers for libpq when no server-dev is installed: only trust it with one.
    [ -n "$v" ] && installed "postgresql-server-dev-$v" && major=$v
  fi
fi
if [ -z "$major" ]; then
  command -v apt-cache >/dev/null || { echo "deps.sh: no apt-cache; set PG_MAJOR and install postgresql-server-dev-NN by hand" >&2; exit 1; }
  if ! apt-cache show postgresql-common >/dev/null 2>&1; then apt_update; fi
  major=$(apt-cache search --names-only '^postgresql-server-dev-[0-9]+$' 2>/dev/null |
          sed -n 's/^postgresql-server-dev-\([0-9][0-9]*\) .*/\1/p' | sort -n | tail -n 1)
  if [ -z "$major" ]; then apt_update; major=$(apt-cache search --names-only '^postgresql-server-dev-[0-9]+$' |
          sed -n 's/^postgresql-server-dev-\([0-9][0-9]*\) .*/\1/p' | sort -n | tail -n 1); fi
  [ -n "$major" ] || { echo "deps.sh: the archive offers no postgresql-server-dev-NN" >&2; exit 1; }
fi
echo "deps.sh: PostgreSQL $major"

# Extra packages for one target may be named on the command line (make charts: python3-matplotlib).
packages=("$@" build-essential "postgresql-$major" "postgresql-server-dev-$major" "postgresql-$major-cron"
          "postgresql-$major-wal2json" catch2 nlohmann-json3-dev python3 python3-psycopg2 ca-certificates sudo)
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
  echo "deps.sh: missing packages (${missing[*]}) and no sudo to install them" >&2; exit 1
fi
echo "deps.sh: installing ${missing[*]}"
# Debian's postgresql package would create and start a "main" cluster on port 5432; we want none.
$SUDO mkdir -p /etc/postgresql-common
if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
apt_update
for i in 1 2 3; do
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  echo "deps.sh: apt-get install failed (try $i of 3)" >&2; sleep 5
  apt_updated=; apt_update || true
done
echo "deps.sh: could not install ${missing[*]}" >&2
exit 1
