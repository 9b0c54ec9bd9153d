// The live writer's lifecycle moves (an order and its items to a new status) straight on the heap
// and indexes, without the executor: one prepared UPDATE per order and one per its items cost more
// in executor start-up and plan set-up than their index probe and heap update (docs/performance.md).
// The changes are the ones the UPDATEs of lifecycle_updates.cpp make, row for row and in the same
// order: the same snapshot (a new one per statement after a command-counter increment, as SPI
// takes), the same rows (the order by its primary key, if still in the status it was picked in;
// its items by order_items' order_id index, in index order, which is heap order as the executor's
// scan of them is), the same new tuples through heap_update (which writes what logical decoding
// reads, replica identity included), the same index entries, NOT NULL and CHECK constraints
// checked as ExecUpdate checks them. Where the UPDATE would do more (triggers, rules, row-level
// security, no table-level UPDATE and SELECT privilege, a generated column, a partition, Citus,
// another access method, not the indexes setup() made) or meets an order another transaction
// changed first (the executor re-checks it: EvalPlanQual), the answer is Unavailable before
// anything is written, and the writer runs the UPDATEs instead.
//
// Each table, its indexes, executor state, slots and index scan stay open from a transaction's
// first move to its next write of buffered rows (close(), called before the flush's subtransaction
// and so before every commit), as IndexPicks keeps the picks' (index_picks.hpp); each statement
// still takes its own command id and snapshot. After an abort the transaction's resource owner has
// released them, and the next move starts afresh.
#pragma once

#include "pg/bridge/postgres.hpp"
#include "pg/citus/shard_tables.hpp"

namespace thelook::pg {

class OrderMoves {
public:
    explicit OrderMoves(TableNames tables) : tables_(std::move(tables)) {}
    enum class Result { Done, Unavailable };
    // The arguments of the UPDATEs: args[0] order id, [1] new status, [2] updated_at, [3..6]
    // shipped_at, delivered_at, returned_at, cancelled_at (nulls[i] == 'n': left as they are),
    // [7] the status it must still be in. On Done: *orders the orders moved (0 or 1), and its
    // items' ids and product ids (null product: *null_product[i]), palloc'd, *nitems of them.
    Result move(const Datum* args, const char* nulls, uint64* orders, uint64* nitems, char*** item_ids,
                int64** products, bool** null_products);
    // Ends what the moves keep open (see above). Must be called before the transaction commits or
    // a subtransaction begins: it belongs to the current resource owner.
    void close();

    // What one table's moves keep open between the statements of a (sub)transaction: nullptr until
    // the first move, and after close(). In TopTransactionContext.
    struct Open {
        Relation rel = nullptr, index = nullptr;
        EState* estate = nullptr;
        ResultRelInfo* rri = nullptr;
        TupleTableSlot* found = nullptr;  // the row as the scan returns it
        TupleTableSlot* fresh = nullptr;  // its new version
        IndexScanDesc scan = nullptr;     // one scan key: key = $1
    };

private:
    // One table as this transaction found it: whether the UPDATE may be bypassed, and how.
    struct Table {
        Oid rel = InvalidOid, index = InvalidOid;
        bool usable = false;
        AttrNumber key = 0;                   // the column the index looks up (orders.id, order_items.order_id)
        AttrNumber moves[6] = {};             // status, updated_at, shipped_at, delivered_at, returned_at, cancelled_at
        AttrNumber id = 0, product_id = 0;    // order_items: what RETURNING gives
        RegProcedure eq = InvalidOid;
        Oid collation = InvalidOid;
    };
    void refresh();  // once per transaction and subtransaction, as IndexPicks; forgets what an abort released
    Open& open(const Table& t, Open* o);
    void close_open(Open* o);
    void check(const char* table, bool items, Table* t);
    Result move_rows(const Datum* args, const char* nulls, uint64* orders, uint64* nitems, char*** item_ids,
                     int64** products, bool** null_products);

    TableNames tables_;
    LocalTransactionId checked_in_ = InvalidLocalTransactionId;
    SubTransactionId checked_sub_ = InvalidSubTransactionId;
    Table orders_, items_;
    Open open_orders_, open_items_;
};

}  // namespace thelook::pg
