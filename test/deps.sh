#!/usr/bin/env bash
# Installs what building and testing need, from Debian's packages, when it is missing.
# Never creates or starts a PostgreSQL cluster: the scripts start their own throwaway ones.
set -euo pipefail

# Extra packages for one target may be named on the command line (make charts: python3-matplotlib).
packages=("$@" build-essential postgresql-15 postgresql-server-dev-15 postgresql-15-cron
          postgresql-15-wal2json catch2 nlohmann-json3-dev python3 python3-psycopg2 ca-certificates sudo)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: missing packages (${missing[*]}) and no sudo to install them" >&2; exit 1; }
  SUDO=sudo
fi
echo "deps.sh: installing ${missing[*]}"
# Debian's postgresql package would create and start a "main" cluster on port 5432; we want none.
$SUDO mkdir -p /etc/postgresql-common
if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
