#!/usr/bin/env bash
# The README's demo: a throwaway cluster on a private port, the extension, a schema, and a live
# simulation writing rows for a few seconds. Stops the cluster when done.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_TO_RUN=${DEMO_SECONDS:-15}
start_cluster demo "${DEMO_PORT:-54329}"
echo "$("$PG_CONFIG" --version) running on socket $PGHOST, port $PGPORT (stopped again at the end)"
q <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo');
SELECT 'simulation ' || thelook.start_simulation('demo', avg_qps => 50) || ' started at 50 iterations/s';
SQL
for ((i = 1; i <= SECONDS_TO_RUN / 3; i++)); do
  sleep 3
  q -c "SELECT format('after %ss: %s iterations (%s scheduled) | users %s  orders %s  order_items %s  events %s',
                      round(extract(epoch FROM now() - started_at)), iterations, scheduled,
                      (SELECT count(*) FROM demo.users), (SELECT count(*) FROM demo.orders),
                      (SELECT count(*) FROM demo.order_items), (SELECT count(*) FROM demo.events))
        FROM thelook.simulations WHERE id = 1"
done
echo
echo "Latest orders:"
as_pg "$PG_BIN/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -X -c \
  "SELECT id, status, num_of_items, created_at FROM demo.orders ORDER BY created_at DESC LIMIT 5"
echo "Status view:"
as_pg "$PG_BIN/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -X -c \
  "SELECT id, state, avg_qps, scheduled, iterations, round(achieved_qps::numeric, 1) AS achieved_qps, orders_inserted, orders_updated, events_inserted FROM thelook.simulations"
q -c "SELECT 'stopped: ' || thelook.stop_simulation(1)"
