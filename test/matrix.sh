#!/usr/bin/env bash
# The version matrix: the suite on Debian releases, each in a fresh debootstrapped root.
#   test/matrix.sh [SUITE[:STAGES]...]      (make test-matrix: bookworm trixie sid)
# SUITE is bookworm (PostgreSQL 15), trixie (17) or sid (18): the root installs that release's
# packages (test/deps.sh picks its PostgreSQL). STAGES, comma-separated, default all of:
#   build    test/deps.sh, then the Debian packages (make deb, warnings as errors), and the one for
#            the root's PostgreSQL installed with apt-get install ./postgresql-NN-thelook-datagen_*.deb:
#            the stages below test the packaged extension
#   unit     make WERROR=1 unit (Catch2 v2 on bookworm, v3 on trixie and sid)
#   regress  test/run_regress.sh
#   scripts  test/run_scripts.sh with MATRIX_SCRIPTS (default "t_readme.sh t_cdc.sh t_durable.sh
#            t_upgrade.sh"; MATRIX_SCRIPTS=all: every test/t_*.sh)
#   package  a second fresh root with no compiler and no source tree: the .deb installed with
#            apt-get, pg_createcluster, the preload line, the README's quick start
#            (test/package_quickstart.sh)
# What is tested is the release archive (make dist) of this checkout as git sees it: HEAD plus the
# changes to tracked files (git stash create); files git does not track are left out (a warning
# names them). Every root builds from that archive alone: it is the check that "make dist" builds.
# Prints one line per release and "N passed, N failed" (releases). Logs: $MATRIX_DIR/logs/.
# Base roots: /var/tmp/fresh-SUITE.tar when present (shared cache), else debootstrapped once into
# $MATRIX_DIR/base-SUITE.tar. Needs root (chroot, mount) and debootstrap.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
MATRIX_DIR=${MATRIX_DIR:-/var/tmp/thelook-matrix}
MIRROR=${MATRIX_MIRROR:-http://deb.debian.org/debian}
SCRIPTS=${MATRIX_SCRIPTS:-t_readme.sh t_cdc.sh t_durable.sh t_upgrade.sh}
ALL_STAGES=build,unit,regress,scripts,package
[ $# -gt 0 ] || set -- bookworm trixie sid
mkdir -p "$MATRIX_DIR/logs"

[ "$(id -u)" -eq 0 ] || { echo "matrix.sh: needs root (debootstrap, chroot, mount)"; exit 2; }
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; } ||
  { echo "matrix.sh: cannot install debootstrap"; exit 2; }

# The tree to test, as a tar stream of a commit.
tree=$(git -C "$REPO" stash create 2>/dev/null); tree=${tree:-HEAD}
untracked=$(git -C "$REPO" ls-files --others --exclude-standard | head -n 5)
[ -z "$untracked" ] || echo "matrix.sh: warning: files git does not track are not tested: $(echo $untracked)"
command -v unzip >/dev/null || { apt-get update -qq && apt-get install -y -qq unzip >/dev/null; } ||
  { echo "matrix.sh: cannot install unzip"; exit 2; }
zip=$(make -C "$REPO" -s --no-print-directory dist DIST_TREE="$tree" DIST_DIR="$MATRIX_DIR/dist" | tail -n 1)
[ -f "$zip" ] || { echo "matrix.sh: make dist made no archive"; exit 2; }
quickstart=$MATRIX_DIR/quickstart.sql
python3 "$REPO/test/readme_blocks.py" get quickstart >"$quickstart" ||
  { echo "matrix.sh: the README has no quickstart block"; exit 2; }

base_tar() {  # base_tar SUITE: prints the path of a minimal root's tarball, debootstrapping it once
  local suite=$1 tar=$MATRIX_DIR/base-$1.tar try
  if [ -f "/var/tmp/fresh-$suite.tar" ]; then echo "/var/tmp/fresh-$suite.tar"; return 0; fi
  if [ ! -f "$tar" ]; then
    for try in 1 2 3; do
      rm -rf "$MATRIX_DIR/debootstrap-$suite"
      if debootstrap --variant=minbase --include=ca-certificates "$suite" "$MATRIX_DIR/debootstrap-$suite" "$MIRROR" \
           >"$MATRIX_DIR/logs/debootstrap-$suite.log" 2>&1; then
        tar -C "$MATRIX_DIR/debootstrap-$suite" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
        rm -rf "$MATRIX_DIR/debootstrap-$suite"
        break
      fi
      echo "matrix.sh: debootstrap $suite failed (try $try of 3): $(tail -n 1 "$MATRIX_DIR/logs/debootstrap-$suite.log")" >&2
      sleep 10
    done
  fi
  [ -f "$tar" ] && echo "$tar"
}

mounts_under() { awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r; }
remove_root() {  # unmounts, then removes; never removes while anything is still mounted inside
  local root=$1 m
  [ -d "$root" ] || return 0
  for m in $(mounts_under "$root"); do umount -l "$m" 2>/dev/null; done
  if [ -n "$(mounts_under "$root")" ]; then
    echo "matrix.sh: $root still has mounts, not removed: $(mounts_under "$root" | tr '\n' ' ')" >&2; return 1
  fi
  rm -rf "$root"
}
new_root() {  # new_root DIR TARBALL: a clean root from the tarball, with /proc, /sys, /dev
  local root=$1
  remove_root "$root" || return 1
  mkdir -p "$root" && tar -C "$root" -xf "$2" || return 1
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # The archive reachable here may be a dated snapshot: sid's Release file is past its Valid-Until.
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99no-valid-until"
  echo 'Acquire::Retries "3";' >"$root/etc/apt/apt.conf.d/99retries"
  # rslave: nothing unmounted in the root propagates back to the host's /sys or /dev.
  mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" &&
    mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" || return 1
  mkdir -p "$root/dev/shm"
}
in_root() { chroot "$1" /bin/bash -lc "$2"; }

passed=0; failed=0; summary=()
for arg in "$@"; do
  suite=${arg%%:*}; stages=$ALL_STAGES; [[ "$arg" == *:* ]] && stages=${arg#*:}
  case $suite in bookworm|trixie|sid) ;; *) echo "matrix.sh: unknown suite '$suite' (bookworm, trixie, sid)"; failed=$((failed + 1)); continue ;; esac
  start=$(date +%s); result=PASS; line=""; major="?"
  root=$MATRIX_DIR/root-$suite; pkgroot=$MATRIX_DIR/pkgroot-$suite; debdir=$MATRIX_DIR/debs-$suite
  run() {  # run STAGE COMMAND: in the build root, logged, timed; appends to $line
    local stage=$1 t0=$(date +%s) log=$MATRIX_DIR/logs/$suite-$1.log
    if in_root "$root" "cd /root/project && $2" >"$log" 2>&1; then
      line+=" $stage ok $(( $(date +%s) - t0 ))s,"
    else
      line+=" $stage FAILED $(( $(date +%s) - t0 ))s,"; result=FAIL
      echo "--- [$suite] $stage failed; the end of $log:"; tail -n 30 "$log"
      return 1
    fi
  }
  echo "=== [$suite] stages $stages"
  if ! tar=$(base_tar "$suite") || ! new_root "$root" "$tar"; then
    line=" no root (debootstrap or unpack failed; see $MATRIX_DIR/logs/)"; result=FAIL
  else
    unzip -q "$zip" -d "$root/root/dist" && mv "$root/root/dist/"*/ "$root/root/project" && rmdir "$root/root/dist"
    # Only the build stage makes the packages; every later stage needs them.
    if [[ ",$stages," == *,build,* ]]; then
      run build "test/deps.sh && DEB_BUILD_OPTIONS=noddebs make deb && apt-get install -y -qq ../postgresql-\$(pg_config --version | sed 's/PostgreSQL \([0-9]*\).*/\1/')-thelook-datagen_*.deb" &&
        major=$(in_root "$root" "pg_config --version" | sed 's/PostgreSQL \([0-9]*\).*/\1/')
      # The packages outlive the root: $MATRIX_DIR/debs-SUITE/ (a later "SUITE:package" reuses them).
      rm -rf "$debdir"; mkdir -p "$debdir"; cp "$root/root/"postgresql-*-thelook-datagen_*.deb "$debdir/" 2>/dev/null
    elif ls "$debdir"/postgresql-*-thelook-datagen_*.deb >/dev/null 2>&1; then
      major=$(ls "$debdir" | grep -v dbgsym | head -n 1 | sed 's/^postgresql-\([0-9]*\)-.*/\1/')
    fi
    if [ "$result" = PASS ]; then
      [[ ",$stages," == *,build,* ]] || [[ ",$stages," != *,unit,* && ",$stages," != *,regress,* && ",$stages," != *,scripts,* ]] ||
        { line+=" unit/regress/scripts need the build stage,"; result=FAIL; }
      [[ ",$stages," == *,unit,* ]] && { run unit "make -j\$(nproc) WERROR=1 unit" || true; }
      [[ ",$stages," == *,regress,* ]] && { run regress "PORT_OFFSET=${PORT_OFFSET:-0} test/run_regress.sh" || true; }
      if [[ ",$stages," == *,scripts,* ]]; then
        [ "$SCRIPTS" = all ] && s="" || s="TEST_SCRIPTS='$SCRIPTS'"
        run scripts "PORT_OFFSET=${PORT_OFFSET:-0} $s test/run_scripts.sh" &&
          line+=" ($(tail -n 1 "$MATRIX_DIR/logs/$suite-scripts.log")),"
      fi
      if [[ ",$stages," == *,package,* ]]; then
        t0=$(date +%s); log=$MATRIX_DIR/logs/$suite-package.log
        debs=$(cd "$debdir" 2>/dev/null && ls postgresql-"$major"-thelook-datagen_*.deb 2>/dev/null)
        if [ -z "$debs" ]; then
          line+=" package FAILED (no postgresql-$major-thelook-datagen .deb built),"; result=FAIL
        elif new_root "$pkgroot" "$tar" && mkdir -p "$pkgroot/tmp/pkg" &&
             cp "$debdir/"postgresql-"$major"-thelook-datagen_*.deb "$REPO/test/package_quickstart.sh" "$quickstart" "$pkgroot/tmp/pkg/" &&
             in_root "$pkgroot" "cd /tmp/pkg && bash package_quickstart.sh quickstart.sql ./postgresql-$major-thelook-datagen_*.deb" >"$log" 2>&1; then
          line+=" package ok $(( $(date +%s) - t0 ))s,"
        else
          line+=" package FAILED $(( $(date +%s) - t0 ))s,"; result=FAIL
          echo "--- [$suite] package failed; the end of $log:"; tail -n 30 "$log"
        fi
        remove_root "$pkgroot"
      fi
    fi
  fi
  [ "${MATRIX_KEEP:-0}" = 1 ] || remove_root "$root"
  total=$(( $(date +%s) - start ))
  summary+=("$(printf '%-8s PostgreSQL %-2s %s %2dm%02ds:%s' "$suite" "$major" "$result" $((total / 60)) $((total % 60)) "${line%,}")")
  echo "=== ${summary[-1]}"
  if [ "$result" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "=== matrix"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
