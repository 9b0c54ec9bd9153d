#!/usr/bin/env bash
# The direct lifecycle moves (src/pg/writers/order_moves.cpp, thelook.direct_updates): an order and
# its items moved on the heap without the executor change exactly what the UPDATEs change, in the
# same order, and where the direct path cannot stand in for the UPDATEs they run. Each schema
# below is set up alike and runs the same seeded simulation:
#   ref        as setup() made it (direct moves), replica identity full
#   trig       an AFTER UPDATE trigger on orders (the UPDATEs must fire it: it counts the moves)
#   noitemidx  order_items_order_id_idx dropped (the items have no index of setup's shape)
#   off        thelook.direct_updates = off for the run (the UPDATEs throughout), replica identity full
#   reopen     thelook.keep_scans_open = off for the run (each move opens and closes its tables,
#              executor state and scans instead of reusing those kept open), replica identity full
# All must write exactly the reference's rows; and logical decoding (test_decoding, one slot over
# the whole test) must see the same updates of orders and order_items, row for row and in the same
# order (the items of one move as a set, see decoded_updates), from ref, off and reopen (the
# timestamps, which follow each run's start time, left out).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start_cluster direct-updates "${DIRECT_UPDATES_PORT:-54965}"
PARAMS="avg_qps => 400, max_iter => 3000, seed => 42, id_format => 'uuid4', heartbeat_interval => '0'"
q -q -c "CREATE EXTENSION thelook_datagen"
for s in ref off reopen; do q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3, replica_identity => 'full')" >/dev/null; done
for s in trig noitemidx; do q -q -c "SELECT thelook.setup('$s', init_num_users => 300, seed => 3)" >/dev/null; done
q -q <<'SQL'
CREATE TABLE trig.moves_seen (n bigint NOT NULL);
INSERT INTO trig.moves_seen VALUES (0);
CREATE FUNCTION trig.count_move() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN UPDATE trig.moves_seen SET n = n + 1; RETURN NULL; END$$;
CREATE TRIGGER count_move AFTER UPDATE ON trig.orders FOR EACH ROW EXECUTE FUNCTION trig.count_move();
DROP INDEX noitemidx.order_items_order_id_idx;
SELECT pg_create_logical_replication_slot('moves', 'test_decoding');
SQL

ids=$(run_simulations "$PARAMS" ref trig noitemidx)
ids="$ids,$(with_setting direct_updates off run_simulations "$PARAMS" off)"
ids="$ids,$(with_setting keep_scans_open off run_simulations "$PARAMS" reopen)"
check_runs_finished "$ids"

ref=$(entities_md5 ref)
echo "# reference (rows:md5 of users orders items events): $ref"
check "the reference moved orders on: some are Shipped or later" \
  test "$(q -c "SELECT count(*) > 100 FROM ref.orders WHERE status <> 'Processing'")" = t
for s in trig noitemidx off reopen; do
  check_eq "$s: exactly the reference's rows" "$ref" "$(entities_md5 "$s")"
done
check_eq "trig: the trigger saw every move (the UPDATE ran, not the direct path)" \
  "$(q -c "SELECT orders_updated FROM thelook.simulations WHERE schema = 'trig'")" "$(q -c "SELECT n FROM trig.moves_seen")"
check_eq "the moves' counters agree: ref and off" \
  "$(q -c "SELECT orders_updated || ' ' || order_items_updated FROM thelook.simulations WHERE schema = 'off'")" \
  "$(q -c "SELECT orders_updated || ' ' || order_items_updated FROM thelook.simulations WHERE schema = 'ref'")"

# The decoded updates of one schema's orders and order_items, in commit order, timestamps masked.
# The items of one move are sorted: the UPDATE takes them in heap order, which depends on where
# pruning and HOT updates put each version (the global xmin horizon, so other sessions' timing) and
# so differs between two runs of the UPDATEs themselves; the orders' sequence is compared as is.
decoded_updates() {
  grep -E "^table $1\.(orders|order_items): UPDATE:" "$PGHOST/moves.txt" |
    sed -E "s/^table $1\./table /; s/\[timestamp without time zone\]:'[^']*'/[ts]/g" |
    /usr/bin/python3 -c '
import sys
items = []
for line in sys.stdin:
    if line.startswith("table order_items:"):
        items.append(line)
        continue
    sys.stdout.writelines(sorted(items)); items = []
    sys.stdout.write(line)
sys.stdout.writelines(sorted(items))'
}
flush_wal
q -c "SELECT data FROM pg_logical_slot_get_changes('moves', NULL, NULL)" | as_pg tee "$PGHOST/moves.txt" >/dev/null
[ -n "${KEEP_DECODED:-}" ] && cp "$PGHOST/moves.txt" "$KEEP_DECODED"
n_ref=$(decoded_updates ref | wc -l)
echo "# decoded updates: ref $n_ref, off $(decoded_updates off | wc -l), reopen $(decoded_updates reopen | wc -l)"
check "decoding saw the reference's moves (more than 100 updates)" test "$n_ref" -gt 100
check_eq "decoding saw the same updates, row for row, in the same order, with the direct moves and the UPDATEs" \
  "$(decoded_updates off | md5sum)" "$(decoded_updates ref | md5sum)"
check_eq "decoding saw the same updates with the moves' scans kept open and opened per move" \
  "$(decoded_updates reopen | md5sum)" "$(decoded_updates ref | md5sum)"
q -q -c "SELECT pg_drop_replication_slot('moves')"
finish
