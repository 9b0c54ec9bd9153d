#!/usr/bin/env bash
# CDC proof: a simulation (>= 200 iterations/s, order and user updates and anonymous sessions on,
# 2 s heartbeats) for 30 s into a schema with REPLICA IDENTITY FULL and the publication; then a
# real streaming-replication client (psycopg2's LogicalReplicationConnection, decoding pgoutput
# as Debezium receives it) reads the slot and checks the stream against the tables and the
# simulation's counters (test/cdc_consumer.py). pg_recvlogical with test_decoding, on a second
# slot created at the same moment, gives a second opinion on the per-table counts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
QPS=${CDC_QPS:-250}
start_cluster cdc "${CDC_PORT:-54811}"
PYTHON=/usr/bin/python3   # Debian's python3-psycopg2 belongs to the system interpreter

q <<'SQL' >/dev/null
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', replica_identity => 'full', seed => 7);
SELECT thelook.create_publication('demo', 'thelook_pub');
-- What exists before the slot does (setup's rows) cannot be in the stream.
CREATE TABLE public.cdc_pre_ids AS
          SELECT 'users' AS tbl, id::text FROM demo.users
    UNION ALL SELECT 'orders', id FROM demo.orders
    UNION ALL SELECT 'order_items', id FROM demo.order_items
    UNION ALL SELECT 'events', id FROM demo.events
    UNION ALL SELECT 'products', id::text FROM demo.products
    UNION ALL SELECT 'dist_centers', id::text FROM demo.dist_centers
    UNION ALL SELECT 'heartbeat', id::text FROM demo.heartbeat;
SELECT pg_create_logical_replication_slot('thelook_cdc', 'pgoutput');
SELECT pg_create_logical_replication_slot('thelook_td', 'test_decoding');
SQL
check_eq "every table (the seven, incidents and injected_faults) has replica identity full" "9 9" \
  "$(q -c "SELECT count(*) FILTER (WHERE relreplident = 'f') || ' ' || count(*) FROM pg_class WHERE relnamespace = 'demo'::regnamespace AND relkind = 'r'")"
check_eq "the publication covers the seven tables" "7" \
  "$(q -c "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'thelook_pub' AND schemaname = 'demo'")"

id=$(q -c "SELECT thelook.start_simulation('demo', avg_qps => $QPS, duration => '30 seconds',
                                           heartbeat_interval => '2 seconds', seed => 11, name => 'cdc')")
check "the simulation finished within 60 s" \
  wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $id" 60
q -c "SELECT format('# simulation: %s iterations (%s scheduled), %s it/s, %s transactions, largest %s rows, %s heartbeats, %s errors',
                    iterations, scheduled, round(achieved_qps::numeric, 1), transactions, max_rows_per_transaction,
                    heartbeats, total_errors) FROM thelook.simulations WHERE id = $id"
check "it ran at >= 200 iterations/s (30 s, no errors)" \
  test "$(q -c "SELECT iterations >= 6000 AND total_errors = 0 FROM thelook.simulations WHERE id = $id")" = t

# A transactional marker after the last simulation transaction tells the consumers where to stop.
end_lsn=$(q -c "SELECT pg_logical_emit_message(true, 'thelook_cdc_end', 'done')")
counts=$(mktemp /tmp/thelook-cdc-counts.XXXXXX)
check "psycopg2 pgoutput consumer: stream matches tables and counters" \
  "$PYTHON" "$(dirname "$0")/cdc_consumer.py" \
  "host=$PGHOST port=$PGPORT user=postgres dbname=postgres" thelook_cdc thelook_pub demo "$id" "$counts"

# Second opinion: pg_recvlogical + test_decoding, per-table INSERT/UPDATE counts.
td=$(mktemp /tmp/thelook-cdc-td.XXXXXX)
chown postgres "$td"
as_pg "$PG_BIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres --slot thelook_td \
  --start -E "$end_lsn" -o include-xids=0 -f "$td" --no-loop
for t in users orders order_items events heartbeat; do
  for op in INSERT UPDATE; do
    n=$(grep -c "^table demo\.$t: $op:" "$td" || true)
    want=$("$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]][sys.argv[3]])" \
           "$counts" "$([ $op = INSERT ] && echo inserted || echo updated)" "$t")
    check_eq "test_decoding agrees: $t $op" "$want" "$n"
  done
done
rm -f "$counts" "$td"
q -c "SELECT pg_drop_replication_slot('thelook_cdc'), pg_drop_replication_slot('thelook_td')" >/dev/null
finish
