#!/usr/bin/env bash
# CDC edge cases (README "CDC edge cases"): a simulation with faults.cdc (account deletions,
# anonymous events purged, events re-keyed) into a schema set up with large_column, while the test
# evolves the schema, runs a large transaction and truncates events; a pgoutput consumer
# (test/cdc_faults_consumer.py) checks the stream against the tables and injected_faults. Rates
# within 4 sigma; the reference scenario injects nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster cdc_faults "${CDC_FAULTS_PORT:-54841}"
PYTHON=/usr/bin/python3
SECS=24; SCALE=360; QPS=200; DEL_PER_HOUR=60; PK_RATE=0.02

q <<'SQL' >/dev/null
CREATE EXTENSION thelook_datagen;
SELECT thelook.setup('shop', init_num_users => 300, seed => 3, large_column => true);
SELECT thelook.create_publication('shop', 'faults_pub');
SELECT thelook.setup('ref', init_num_users => 100, seed => 3);
CREATE TABLE public.cdc_pre_ids AS
          SELECT 'users' AS tbl, id::text FROM shop.users
    UNION ALL SELECT 'orders', id FROM shop.orders
    UNION ALL SELECT 'order_items', id FROM shop.order_items
    UNION ALL SELECT 'events', id FROM shop.events;
SELECT pg_create_logical_replication_slot('faults', 'pgoutput');
SQL
check_eq "large_column: users.profile is stored out of line (storage external), 4096 bytes, in the TOAST table" "e 4096 true" \
  "$(q -c "SELECT a.attstorage::text || ' ' || (SELECT min(length(profile)) FROM shop.users) || ' ' ||
                 ((SELECT count(*) FROM shop.users) = (SELECT count(DISTINCT profile) FROM shop.users))
           FROM pg_attribute a WHERE attrelid = 'shop.users'::regclass AND attname = 'profile'")"
check "the TOAST table holds them" test "$(q -c "SELECT pg_relation_size(reltoastrelid) > 300 * 4096 FROM pg_class WHERE oid = 'shop.users'::regclass")" = t
check_eq "without large_column the reference DDL: no profile column" 0 \
  "$(q -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'ref.users'::regclass AND attname = 'profile'")"

echo "# errors: 22023 naming the JSON path or the parameter"
err() { q -c "$1" 2>&1 | sed -n 's/^ERROR: *//p' | head -1; }
check_eq "pk_update_rate > 1" "scenario.faults.cdc.pk_update_rate: must be a share between 0 and 1, not 2" \
  "$(err "SELECT thelook.scenario('{\"faults\": {\"cdc\": {\"pk_update_rate\": 2}}}')")"
check_eq "unknown key" "scenario.faults.cdc.deletes: unknown key" "$(err "SELECT thelook.scenario('{\"faults\": {\"cdc\": {\"deletes\": 1}}}')")"
check_eq "large_transaction bound" 'parameter "orders" must be between 1 and 1000000' "$(err "SELECT thelook.large_transaction('shop', 0)")"
check_eq "truncate_table allow-list" "parameter \"table_name\" must be 'events' or 'orders'" "$(err "SELECT thelook.truncate_table('shop', 'users')")"
check_eq "evolve_schema: unknown change" "parameter \"change\" must be 'orders.loyalty_points' or 'users.tier'" "$(err "SELECT thelook.evolve_schema('shop', 'users.drop')")"

echo "# the reference scenario injects nothing"
ref=$(q -c "SELECT thelook.start_simulation('ref', avg_qps => 200, duration => '3 seconds', seed => 1)")
check "reference simulation finished" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $ref" 20
check_eq "ref.injected_faults is empty, no index added" "0 0" \
  "$(q -c "SELECT (SELECT count(*) FROM ref.injected_faults) || ' ' || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'ref' AND indexname LIKE 'events_%idx')")"

q -q -c "SELECT thelook.setup('old', init_num_users => 10)" -c "DROP TABLE old.injected_faults" >/dev/null  # as set up by 1.0
check_eq "faults.cdc on a schema without injected_faults: 42P01 at the start, nothing runs" \
  'relation "old.injected_faults" does not exist' \
  "$(err "SELECT thelook.start_simulation('old', scenario => '{\"faults\": {\"cdc\": {\"pk_update_rate\": 0.1}}}')")"

echo "# faults.cdc, $SECS s at $QPS/s, time_scale $SCALE"
faults='{"faults": {"cdc": {"account_deletions_per_hour": 60, "purge_anonymous_sessions_after": "30 minutes", "pk_update_rate": 0.02}}}'
check_eq "without the faults' indexes, the start fails (55000) and makes none: no DDL in the caller's transaction" \
  "faults.cdc needs an index on shop.events (user_id), and there is none 0" \
  "$(err "SELECT thelook.start_simulation('shop', scenario => '$faults')") $(q -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop' AND indexname LIKE '%user_id%idx'")"
check_eq "create_simulation_indexes makes them, as the caller" \
  "events_anonymous_created_at_idx events_user_id_idx orders_user_id_idx" \
  "$(q -c "SELECT string_agg(i, ' ' ORDER BY i) FROM thelook.create_simulation_indexes('shop', scenario => '$faults') i")"
# The README's example, verbatim.
id=$(q <<'SQL'
SELECT thelook.start_simulation('shop', avg_qps => 200, duration => '24 seconds', seed => 11,
    time_scale => 360, user_update_prob => 0.2,
    scenario => '{"faults": {"cdc": {"account_deletions_per_hour": 60,
                  "purge_anonymous_sessions_after": "30 minutes", "pk_update_rate": 0.02,
                  "large_transaction": {"every": "1 hour", "orders": 500}}}}');
SQL
)
check_eq "the faults' indexes are there" \
  "events_anonymous_created_at_idx events_user_id_idx orders_user_id_idx" \
  "$(q -c "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'shop' AND indexname LIKE '%user_id%idx' OR indexname = 'events_anonymous_created_at_idx'")"
check "it runs" wait_for "SELECT state = 'running' AND iterations > 0 FROM thelook.simulations WHERE id = $id" 20
sleep 6
check_eq "evolve_schema adds orders.loyalty_points while it runs" "orders.loyalty_points added (int NOT NULL DEFAULT 0)" \
  "$(q -c "SELECT thelook.evolve_schema('shop')")"
check_eq "evolve_schema again changes nothing" "orders.loyalty_points exists already" "$(q -c "SELECT thelook.evolve_schema('shop')")"
check_eq "evolve_schema adds users.tier too" "users.tier added (text NOT NULL DEFAULT 'standard')" \
  "$(q -c "SELECT thelook.evolve_schema('shop', 'users.tier')")"
sleep 4
n=$(q -c "SELECT thelook.large_transaction('shop', 3000)")
check "large_transaction ships up to 3000 orders with their items in one transaction ($n rows)" test "$n" -gt 500
sleep 4
n=$(q -c "SELECT thelook.truncate_table('shop', 'events')")
check "truncate_table('shop', 'events') while it runs ($n rows)" test "$n" -gt 0
check "the simulation finished" wait_for "SELECT state = 'finished' FROM thelook.simulations WHERE id = $id" $((SECS + 30))
q -c "SELECT format('# simulation: %s iterations, %s transactions, %s errors, simulated %s', iterations, transactions, total_errors,
                    simulated_time - started_at) FROM thelook.simulations WHERE id = $id"
check_eq "it kept writing across the schema change, the large transaction and the truncate: no errors" 0 \
  "$(q -c "SELECT total_errors FROM thelook.simulations WHERE id = $id")"
q -c "SELECT pg_logical_emit_message(true, 'thelook_cdc_end', 'done')" >/dev/null
check "pgoutput consumer: deletes, re-keys, unchanged TOAST, the large transaction, the new RELATION, the counts" \
  "$PYTHON" "$(dirname "$0")/cdc_faults_consumer.py" "host=$PGHOST port=$PGPORT user=postgres dbname=postgres" faults faults_pub shop

echo "# rates (4 sigma)"
read -r iters sim_hours < <(q -F ' ' -c "SELECT iterations, extract(epoch FROM simulated_time - started_at) / 3600 FROM thelook.simulations WHERE id = $id")
deleted=$(q -c "SELECT count(*) FROM shop.injected_faults WHERE kind = 'account_deleted' AND table_name = 'users'")
rekeyed=$(q -c "SELECT count(*) FROM shop.injected_faults WHERE kind = 'pk_update'")
within() {  # within NAME OBSERVED EXPECTED SIGMA
  echo "# $1: $2, expected $3 +- $4"
  awk -v o="$2" -v e="$3" -v s="$4" 'BEGIN { exit !((o - e) ^ 2 <= 16 * s ^ 2) }'
}
exp_del=$(awk -v h="$sim_hours" -v r=$DEL_PER_HOUR 'BEGIN { print h * r }')
check "account deletions: $DEL_PER_HOUR per simulated hour over $sim_hours h" within deletions "$deleted" "$exp_del" "$(awk -v e="$exp_del" 'BEGIN { print sqrt(e) }')"
exp_pk=$(awk -v n="$iters" -v p=$PK_RATE 'BEGIN { print n * p }')
check "pk updates: $PK_RATE of $iters iterations" within pk_updates "$rekeyed" "$exp_pk" "$(awk -v n="$iters" -v p=$PK_RATE 'BEGIN { print sqrt(n * p * (1 - p)) }')"
check_eq "no anonymous event older than 30 simulated minutes (+ one purge interval) is left" 0 \
  "$(q -c "SELECT count(*) FROM shop.events WHERE user_id IS NULL AND created_at < (SELECT simulated_time::timestamp - interval '31 minutes' FROM thelook.simulations WHERE id = $id)")"
check_eq "users signed up after the change have the default tier; so do the older ones" "0" \
  "$(q -c "SELECT count(*) FROM shop.users WHERE tier IS DISTINCT FROM 'standard'")"
check_eq "the schema changes are listed in injected_faults" "orders.loyalty_points users.tier" \
  "$(q -c "SELECT string_agg(table_name || '.' || row_id, ' ' ORDER BY table_name) FROM shop.injected_faults WHERE kind = 'schema_change'")"
check_eq "no deleted user left anything behind (events, orders)" 0 \
  "$(q -c "SELECT count(*) FROM shop.injected_faults f WHERE kind = 'account_deleted' AND table_name = 'users'
             AND (EXISTS (SELECT FROM shop.events e WHERE e.user_id = f.row_id) OR EXISTS (SELECT FROM shop.orders o WHERE o.user_id = f.row_id))")"
q -c "SELECT pg_drop_replication_slot('faults')" >/dev/null
finish
