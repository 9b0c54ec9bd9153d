#!/usr/bin/env bash
# META.json, the PGXN distribution's description, against the PGXN Meta Spec and this tree
# (test/check_meta.py). No server.
set -euo pipefail
python3 "$(dirname "$0")/check_meta.py"
