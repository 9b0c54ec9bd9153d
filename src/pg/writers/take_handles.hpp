// What every inventory take of a transaction shares (item_take.cpp): the table and its unsold index
// open, and an executor state whose result relation has the table's indexes open, their partial
// predicates compiled. Opened by the first take, they stay open until the (sub)transaction that
// opened them commits (closed just before, as the executor closes its relations at the end of a
// statement) or aborts (then the resource owner has released them: only forgotten). Opening and
// closing them per take was about 3 % of a flat-out simulation with inventory at 2.5 M items, an
// eighth of the take (bench/profile.sh inventory, 7 December): relation_open and index_open,
// ExecOpenIndices and BuildIndexInfo, ExecPrepareQual of the unsold index's predicate, the
// executor state's memory.
// thelook.keep_scans_open = off: opened and closed by every take, as before (the bench's baseline).
#pragma once

#include "pg/bridge/postgres.hpp"

extern "C" {
#include "nodes/execnodes.h"
#include "utils/resowner.h"
}

namespace thelook::pg {

class TakeHandles {
public:
    TakeHandles() = default;
    TakeHandles(const TakeHandles&) = delete;
    TakeHandles& operator=(const TakeHandles&) = delete;
    ~TakeHandles();

    // Inside pg_guard: the handles of rel_oid and index_oid, opened if not open (or open for
    // other relations). The take's own allocations go to per_take(), reset by done().
    void acquire(Oid rel_oid, Oid index_oid);
    Relation rel() const { return rel_; }
    Relation index() const { return index_; }
    EState* estate() const { return estate_; }
    ResultRelInfo* result_rel() const { return rri_; }
    TupleTableSlot* updated_slot() const { return updated_; }
    MemoryContext per_take() const;
    // Inside pg_guard, after each take: its memory freed; closed unless thelook.keep_scans_open.
    void done();

private:
    void close();   // with the resource owner that opened them (their references are recorded there)
    void forget();  // after an abort released them
    static void on_xact(XactEvent event, void* arg);
    static void on_subxact(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void* arg);

    bool open_ = false, registered_ = false;
    LocalTransactionId lxid_ = InvalidLocalTransactionId;
    SubTransactionId sub_ = InvalidSubTransactionId;  // the subtransaction that opened them
    ResourceOwner owner_ = nullptr;
    Relation rel_ = nullptr, index_ = nullptr;
    EState* estate_ = nullptr;
    ResultRelInfo* rri_ = nullptr;
    TupleTableSlot* updated_ = nullptr;
};

}  // namespace thelook::pg
