// The live writer's picks read straight from the B-trees (index_beginscan under the active
// snapshot), without the executor: a prepared SELECT per pick cost more in executor start-up than
// its index probe (docs/performance.md). The rows are the ones the SELECTs of row_picks.cpp return,
// row for row: the same index order (the column's collation and the default text operator class),
// the same snapshot, the same filter. Where a SELECT would do more than read the heap (row-level
// security, no table-level SELECT privilege, a Citus shell, a view, another table access method,
// an index that is not the one setup() made), the answer is Unavailable and the writer runs its
// SELECT instead, as TableAppender::try_open sends such tables to INSERT.
//
// The tables, their indexes, a slot and the index scans stay open from a transaction's first pick
// to its next write of buffered rows (close(), called before the flush's subtransaction and so
// before every commit), each pick a rescan under the active snapshot: opening, locking and
// beginning a scan per pick was about a quarter of the picks' time (docs/performance.md). After an
// abort the transaction's resource owner has released them, and the next pick starts afresh.
#pragma once

#include <string>

#include "core/id_space.hpp"
#include "pg/bridge/postgres.hpp"
#include "pg/citus/shard_tables.hpp"

namespace thelook::pg {

class IndexPicks {
public:
    explicit IndexPicks(TableNames tables) : tables_(std::move(tables)) {}
    enum class Result { Found, None, Unavailable };
    // The first user at or after key in id order, else the first user: id, city, state,
    // postal_code, gender (nullptr for NULL), palloc'd in the current memory context.
    Result user(const std::string& key, const char* out[5]);
    // The first order in an open status at or after key, else the first open one: id, user_id,
    // status, then its user's city, state, postal_code (nullptr without a user).
    Result open_order(const std::string& key, const char* out[6]);
    // A sharded simulation's: rows whose id is outside it are passed over, as the SELECTs'
    // "hashtext(id) BETWEEN" does (null: every row). space must outlive this; its hash is
    // shard_hash (hashtext), which the scan applies to the column's bytes directly.
    void set_id_space(const IdSpace* space) { space_ = space; }
    // Ends the scans and closes what the picks keep open (see above). Must be called before the
    // transaction commits or a subtransaction begins: the scans belong to the current resource owner.
    void close();

private:
    // One table as this transaction found it: what the picks read, or why they may not.
    struct Table {
        Oid rel = InvalidOid, index = InvalidOid;
        bool usable = false;
        AttrNumber cols[5] = {};  // id first, then what a pick returns
        RegProcedure ge = InvalidOid, eq = InvalidOid;  // the index's >= and = on text
        Oid collation = InvalidOid;
    };
    // What one table's picks keep open between picks of a (sub)transaction: nullptr until the
    // first pick, and after close(). In TopTransactionContext.
    struct Open {
        Relation heap = nullptr, index = nullptr;
        TupleTableSlot* slot = nullptr;
        IndexScanDesc keyed = nullptr;  // one scan key: >= key, or = key (an order's user)
        IndexScanDesc from_start = nullptr;  // no key: the wrap-around, rare
    };
    // Re-checks both tables once per transaction (privileges, RLS and indexes may change between);
    // a new (sub)transaction also forgets what the last one kept open (an abort released it).
    void refresh();
    Open& open(const Table& t, Open* o);
    void close_open(Open* o);
    void check(const char* table, const char* const* columns, int ncolumns, bool open_index, Table* t);

    TableNames tables_;
    const IdSpace* space_ = nullptr;
    LocalTransactionId checked_in_ = InvalidLocalTransactionId;
    SubTransactionId checked_sub_ = InvalidSubTransactionId;
    Table users_, orders_;
    Open open_users_, open_orders_;
};

}  // namespace thelook::pg
