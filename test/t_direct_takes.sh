#!/usr/bin/env bash
# Inventory takes without the executor (src/pg/writers/item_take.cpp) against the take statement
# they stand in for: the same seeded simulation on schemas set up alike, one taking items directly,
# the others by the statement, must leave exactly the same rows (order items, the stock item by
# item with its sold_at, restocks with the levels they found, lost sales), and logical decoding must
# see exactly the same changes of inventory_items (each UPDATE with the old key or the whole old row
# its replica identity asks for). Small stocks and short lead times make stock-outs and restocks
# frequent, so the level each take counts decides when restocks are ordered.
#   ref       the tables as setup() made them: direct takes
#   trig      an UPDATE trigger on inventory_items (the direct take does not fire triggers: statement)
#   otheridx  inventory_items_unsold_idx replaced by one with another predicate (statement)
#   off       thelook.direct_takes = off for the run (the statement throughout)
#   fullref / fulloff   replica identity full (setup(replica_identity => 'full')), direct / off
# (Two simulations sharing one schema's stock, where a locked item is passed over as SKIP LOCKED
# passes it, are test/t_inventory.sh's first run: every sold order item took exactly one item.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster direct-takes "${DIRECT_TAKES_PORT:-54964}" "timezone = 'UTC'"
q -q -c "CREATE EXTENSION thelook_datagen"
for s in ref trig otheridx off; do
  q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3, inventory => true)" >/dev/null
done
for s in fullref fulloff; do
  q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3, inventory => true, replica_identity => 'full')" >/dev/null
done
for s in ref trig otheridx off fullref fulloff; do
  q -q <<SQL
TRUNCATE $s.inventory_items RESTART IDENTITY;
INSERT INTO $s.inventory_items (product_id, created_at, sold_at, cost, product_category, product_name, product_brand,
       product_retail_price, product_department, product_sku, product_distribution_center_id)
SELECT * FROM thelook.generate_inventory_items(1, 4, seed => 2);
SQL
done
q -q <<'SQL'
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER noop BEFORE UPDATE ON trig.inventory_items FOR EACH ROW EXECUTE FUNCTION public.noop();
DROP INDEX otheridx.inventory_items_unsold_idx;
CREATE INDEX inventory_items_unsold_idx ON otheridx.inventory_items (product_id, product_distribution_center_id, id)
    WHERE sold_at IS NULL AND cost >= 0;
SELECT pg_create_logical_replication_slot('takes', 'test_decoding');
SQL
check_eq "otheridx: the replacement index exists with its other predicate" "1" \
  "$(q -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'otheridx' AND indexdef LIKE '%cost >= %'")"

SCENARIO='{"shoppers": {"popularity": {"zipf_exponent": 1}}, "inventory": {"minimum": 2, "restock": 4, "lead_time": ["5 minutes", "20 minutes"]}}'
PARAMS="avg_qps => 300, max_iter => 2500, seed => 42, time_scale => 600, simulated_start => '2026-01-01 00:00+00',
        heartbeat_interval => '0', scenario => '$SCENARIO'"
ids=$(run_simulations "$PARAMS" ref trig otheridx fullref)
ids="$ids,$(with_setting direct_takes off run_simulations "$PARAMS" off fulloff)"
check_runs_finished "$ids"
# Which way the items were taken: the statement's UPDATE finds the item picked by its primary key,
# the direct take never reads that index.
pkey_scans() { q -c "SELECT idx_scan FROM pg_stat_user_indexes WHERE schemaname = '$1' AND indexrelname = 'inventory_items_pkey'"; }
check_eq "ref: the items were taken directly (no primary-key scan of inventory_items)" "0" "$(pkey_scans ref)"
check "off: the items were taken by the statement ($(pkey_scans off) primary-key scans)" test "$(pkey_scans off)" -gt 0

stock_of() {  # items (by id, with sold_at), restocks with their levels, lost sales
  q -c "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, product_id, created_at, sold_at), ',' ORDER BY id)) FROM $1.inventory_items)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', product_id, ordered_at, arrives_at, arrived_at, old_level, quantity, new_level), ','
                                                              ORDER BY id)) FROM $1.inventory_restocks)
          || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', product_id, user_id, session_id, lost_at), ',' ORDER BY id)) FROM $1.lost_sales)"
}
# The UPDATEs of inventory_items as test_decoding prints them, the schema's name taken out.
decoded_updates() {
  q -c "SELECT count(*) || ':' || coalesce(md5(string_agg(substr(data, length('table $1.') + 1), ',' ORDER BY lsn)), '')
          FROM takes_changes WHERE data LIKE 'table $1.inventory\_items: UPDATE:%'"
}
flush_wal
q -q -c "CREATE TABLE takes_changes AS SELECT lsn, data FROM pg_logical_slot_get_changes('takes', NULL, NULL)"

ref=$(stock_of ref)
echo "# reference stock (items; restocks; lost sales): $ref"
read -r items restocks lost <<<"$(q -c "SELECT (SELECT count(*) FROM ref.inventory_items WHERE sold_at IS NOT NULL),
  (SELECT count(*) FROM ref.inventory_restocks WHERE arrived_at IS NOT NULL), (SELECT count(*) FROM ref.lost_sales)" | tr '|' ' ')"
check "the reference sold items ($items), received restocks ($restocks) and lost sales ($lost)" \
  test "$items" -gt 300 -a "$restocks" -gt 20 -a "$lost" -gt 20
for s in trig otheridx off fullref fulloff; do
  check_eq "$s: exactly the reference's orders, items and events" "$(entities_md5 ref)" "$(entities_md5 "$s")"
  check_eq "$s: exactly the reference's stock, restocks and lost sales" "$ref" "$(stock_of "$s")"
done
ref_cdc=$(decoded_updates ref)
echo "# decoded UPDATEs of ref.inventory_items: $ref_cdc"
check "the reference's takes were decoded (one UPDATE per item sold)" test "${ref_cdc%%:*}" -ge "$items"
for s in trig otheridx off; do
  check_eq "$s: logical decoding sees the reference's UPDATEs of inventory_items" "$ref_cdc" "$(decoded_updates "$s")"
done
full_cdc=$(decoded_updates fullref)
check "replica identity full: each decoded UPDATE carries the old row" \
  test "$(q -c "SELECT bool_and(data LIKE '%old-key:%') FROM takes_changes WHERE data LIKE 'table fullref.inventory\_items: UPDATE:%'")" = t
check_eq "replica identity full: logical decoding sees the same UPDATEs, direct or by the statement" "$full_cdc" "$(decoded_updates fulloff)"
q -q -c "SELECT pg_drop_replication_slot('takes')"
finish
