#!/usr/bin/env bash
# make test-citus: this extension on a Citus cluster (a coordinator and two workers) in a
# PostgreSQL 17 trixie root. Usage: test/citus/run.sh [prepare]   ("prepare": the cached root only)
# The root: /var/tmp/fresh-trixie.tar (or a debootstrap of trixie) plus the build dependencies and
# Citus built from ../shared/vendor/citus-*.tar.gz (or CITUS_TARBALL); it is kept, ready, in
# $CITUS_DIR/root-HASH (HASH: the Citus tarball's sha256, first 12 digits), so a second run only
# builds this extension (from "make dist" of the checkout as git sees it) and runs the tests.
# The tests (test/citus/t_cluster.sh, run inside the root) start three clusters on ports
# 7432/7433/7434 + PORT_OFFSET and stop them; every mount is undone at the end.
# Needs root (chroot, mount). Ends with "N passed, N failed".
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CITUS_DIR=${CITUS_DIR:-/var/tmp/citus}
TARBALL=${CITUS_TARBALL:-$(ls "$REPO"/../shared/vendor/citus-*.tar.gz 2>/dev/null | head -n 1)}
BASE=${CITUS_BASE_TAR:-/var/tmp/fresh-trixie.tar}
MIRROR=${CITUS_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "test-citus: needs root (chroot, mount)"; exit 2; }
[ -f "$TARBALL" ] || { echo "test-citus: no Citus source tarball (set CITUS_TARBALL)"; exit 2; }
hash=$(sha256sum "$TARBALL" | cut -c1-12)
root=$CITUS_DIR/root-$hash
mkdir -p "$CITUS_DIR/logs"

mounts_under() { awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r; }
unmount_root() { local m; for m in $(mounts_under "$root"); do umount -l "$m" 2>/dev/null; done; }
trap unmount_root EXIT
mount_root() {
  unmount_root
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" &&
    mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" || return 1
  mkdir -p "$root/dev/shm"
}
in_root() { chroot "$root" /bin/bash -lc "$1"; }

# 1. The cached root: trixie + build deps + Citus (made once per Citus tarball).
if [ ! -f "$root/.citus-ready" ]; then
  echo "test-citus: preparing $root (once per Citus tarball: a few minutes)"
  unmount_root; rm -rf "$root"; mkdir -p "$root"
  if [ -f "$BASE" ]; then tar -C "$root" -xf "$BASE" || exit 2
  else
    command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
    debootstrap --variant=minbase --include=ca-certificates trixie "$root" "$MIRROR" >"$CITUS_DIR/logs/debootstrap.log" 2>&1 ||
      { echo "test-citus: debootstrap failed (see $CITUS_DIR/logs/debootstrap.log)"; exit 2; }
  fi
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99no-valid-until"
  echo 'Acquire::Retries "3";' >"$root/etc/apt/apt.conf.d/99retries"
  mount_root || { echo "test-citus: cannot mount /proc, /sys, /dev in $root"; exit 2; }
  mkdir -p "$root/root/citus" && tar -C "$root/root/citus" --strip-components=1 -xzf "$TARBALL" || exit 2
  log=$CITUS_DIR/logs/prepare.log
  if ! in_root "set -e; mkdir -p /etc/postgresql-common; echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
      export DEBIAN_FRONTEND=noninteractive; apt-get update -qq
      apt-get install -y -qq --no-install-recommends build-essential make git unzip postgresql-17 postgresql-server-dev-17 \
        postgresql-17-cron postgresql-17-wal2json catch2 nlohmann-json3-dev python3 python3-psycopg2 ca-certificates sudo \
        libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev libicu-dev libselinux1-dev libxslt1-dev \
        libpam0g-dev libreadline-dev zlib1g-dev autoconf flex bison >/dev/null
      cd /root/citus && ./configure PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config >configure.log && make -j2 >make.log && make install >install.log" \
      >"$log" 2>&1; then
    echo "test-citus: preparing the root failed; the end of $log:"; tail -n 30 "$log"; exit 2
  fi
  touch "$root/.citus-ready"
fi
mount_root || { echo "test-citus: cannot mount /proc, /sys, /dev in $root"; exit 2; }
[ "${1:-}" = prepare ] && { echo "test-citus: root ready: $root"; exit 0; }

# 2. This extension from the release archive of the checkout (HEAD plus changes to tracked files).
tree=$(git -C "$REPO" stash create 2>/dev/null); tree=${tree:-HEAD}
zip=$(make -C "$REPO" -s --no-print-directory dist DIST_TREE="$tree" | tail -n 1)
[ -f "$REPO/$zip" ] || { echo "test-citus: make dist made no archive"; exit 2; }
# Into the build tree of the last run, copying only the files whose content changed (unchanged ones
# keep their times, so make rebuilds only what changed); files gone from the tree are removed.
rm -rf "$root/root/dist" && mkdir -p "$root/root/dist" "$root/root/project" &&
  (cd "$root/root/dist" && unzip -q "$REPO/$zip") || exit 2
new=$(echo "$root/root/dist/"*/)
(cd "$new" && find . -type f) | while read -r f; do
  cmp -s "$new/$f" "$root/root/project/$f" || { mkdir -p "$(dirname "$root/root/project/$f")" && cp -p "$new/$f" "$root/root/project/$f" && touch "$root/root/project/$f"; }
done
(cd "$root/root/project" && git -C "$REPO" ls-tree -r --name-only "$tree" >"$root/root/dist/files" &&
  find . -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.sql' -o -name '*.sh' -o -name '*.py' \) | sed 's|^\./||' |
  grep -vxF -f "$root/root/dist/files" | grep -v '^thelook_datagen--' | xargs -r rm -f)
log=$CITUS_DIR/logs/build.log
if ! in_root "cd /root/project && make -j2 WERROR=1 PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config install" >"$log" 2>&1; then
  echo "test-citus: building the extension failed; the end of $log:"; tail -n 30 "$log"; exit 1
fi

# 3. The cluster tests, inside the root.
in_root "cd /root/project && PORT_OFFSET=${PORT_OFFSET:-0} PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config test/citus/t_cluster.sh" 2>&1 |
  tee "$CITUS_DIR/logs/t_cluster.log"
rc=${PIPESTATUS[0]}
ok=$(grep -c '^ok - ' "$CITUS_DIR/logs/t_cluster.log"); bad=$(grep -c '^not ok - ' "$CITUS_DIR/logs/t_cluster.log")
[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || bad=1  # the script stopped before its checks ended
echo "$ok passed, $bad failed"
[ "$bad" -eq 0 ]
