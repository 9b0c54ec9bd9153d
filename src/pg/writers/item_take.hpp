// Taking an unsold inventory item without the executor: what InventoryWriter's take statement
// (a CTE: the first unsold item of the product at its centre stocked by t, FOR UPDATE SKIP LOCKED;
// its UPDATE to sold_at = t; the count of that product's unsold items there) does, as one scan of
// the partial index of unsold items under a snapshot of its own, a row lock that skips a locked
// item (table_tuple_lock with LockWaitSkip) and a heap update with its index entries
// (table_tuple_update, ExecInsertIndexTuples). The statement cost the simulation more in executor
// start-up and its InitPlan than in the probe itself (docs/performance.md). The same item is taken,
// the same level counted, the same WAL written (a row lock, then the update with the old key the
// table's replica identity asks for): logical decoding sees the same UPDATE.
// Where the statement does more than that (a trigger or rule on the table, row-level security, no
// table-level SELECT or UPDATE privilege, a stored generated column, another table access method,
// a partition, a Citus table, no index of setup()'s shape), the answer is Unavailable and
// InventoryWriter runs the statement, as IndexPicks sends such picks to their SELECT.
#pragma once

#include <string>

#include "pg/bridge/postgres.hpp"
#include "pg/writers/take_handles.hpp"

namespace thelook::pg {

class ItemTake {
public:
    explicit ItemTake(std::string schema) : schema_(std::move(schema)) {}
    enum class Result { Taken, None, Unavailable };
    // Marks the first unsold item (id order) of product at centre with created_at <= t that no
    // other transaction holds sold at t; *level: that product's unsold items left there (Taken),
    // counted up to count_up_to (the scan stops there: each item counted is a heap visit).
    Result take(int64 product_id, int64 centre_id, Datum t, int64 count_up_to, int64* level);

private:
    // Re-checks the table once per transaction and subtransaction (its triggers, policies,
    // privileges and indexes may change in between; a lock taken in an aborted subtransaction is gone).
    void refresh();
    void check();

    std::string schema_;
    LocalTransactionId checked_in_ = InvalidLocalTransactionId;
    SubTransactionId checked_sub_ = InvalidSubTransactionId;
    bool usable_ = false;
    Oid rel_ = InvalidOid, index_ = InvalidOid;
    RegProcedure eq_ = InvalidOid;  // int8 = int8 of the index's operator family
    AttrNumber product_ = 0, centre_ = 0, created_ = 0, sold_ = 0;  // heap attribute numbers
    TakeHandles handles_;  // the relations and executor state the transaction's takes share
};

}  // namespace thelook::pg
