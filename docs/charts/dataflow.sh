#!/usr/bin/env bash
# The data-flow diagram (README.md, docs/cdc-debezium.md, docs/architecture.md): docs/img/dataflow.png
# from docs/charts/dataflow.dot with Graphviz dot (Debian's graphviz). No server needed.
set -euo pipefail
cd "$(dirname "$0")"
dot -Tpng -Gdpi=110 dataflow.dot -o ../img/dataflow.png
echo "docs/img/dataflow.png written"
