#!/usr/bin/env bash
# The README's CSV-batch recipe for file-fed pipelines: server-side COPY ... TO a file (superuser
# or pg_write_server_files) and psql's \copy (any role), one file per shard; the files load back
# into an identical schema and equal the generated rows.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster csv "${TEST_PORT:-54962}"
out=$PGHOST/batches   # the cluster's own directory: writable by the server's OS user
as_pg mkdir -p "$out"
q -q <<'SQL'
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('demo', init_num_users => 0);
CREATE ROLE analyst LOGIN;
GRANT USAGE ON SCHEMA thelook TO analyst;
SQL
args="2000, seed => 5, users => 300, start_at => '2024-01-01', end_at => '2024-02-01'"
batches=4
for ((b = 0; b < batches; b++)); do
  q -c "COPY (SELECT * FROM thelook.generate_events($args, shard => $b, shards => $batches)) TO '$out/events_$b.csv' WITH (FORMAT csv, HEADER)"
done
check "server-side COPY wrote $batches files" test "$(ls "$out"/events_*.csv | wc -l)" -eq $batches
check_eq "files have a header" "id,user_id,sequence_number,session_id,ip_address,city,state,postal_code,browser,traffic_source,uri,event_type,created_at" "$(head -1 "$out/events_0.csv")"
# A role without file privileges cannot COPY to a server file, but \copy writes on the client side.
set +e
err=$(QUSER=analyst q -c "COPY (SELECT * FROM thelook.generate_sessions(10, seed => 1)) TO '$out/x.csv' WITH (FORMAT csv)" 2>&1)
set -e
check "server-side COPY TO file needs privileges" grep -q "permission denied\|must be superuser\|pg_write_server_files" <<<"$err"
QUSER=analyst q -c "\\copy (SELECT * FROM thelook.generate_sessions(500, seed => 5, start_at => '2024-01-01', end_at => '2024-02-01')) TO '$out/sessions.csv' WITH (FORMAT csv, HEADER)"
check "\\copy as a plain role wrote the file" test -s "$out/sessions.csv"

for ((b = 0; b < batches; b++)); do q -c "COPY demo.events FROM '$out/events_$b.csv' WITH (FORMAT csv, HEADER)" >/dev/null; done
q -c "COPY demo.events FROM '$out/sessions.csv' WITH (FORMAT csv, HEADER)" >/dev/null
check_eq "batches load back to the generated rows" "0 0" "$(q -c "
  WITH gen AS (SELECT * FROM thelook.generate_events($args)
               UNION ALL SELECT * FROM thelook.generate_sessions(500, seed => 5, start_at => '2024-01-01', end_at => '2024-02-01'))
  SELECT (SELECT count(*) FROM (SELECT * FROM gen EXCEPT SELECT * FROM demo.events) a) || ' ' ||
         (SELECT count(*) FROM (SELECT * FROM demo.events EXCEPT SELECT * FROM gen) b)")"
finish
