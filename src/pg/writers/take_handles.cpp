#include "pg/writers/take_handles.hpp"

#include "pg/bridge/guard.hpp"
#include "pg/bridge/settings.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

namespace thelook::pg {

TakeHandles::~TakeHandles() {
    // A writer dropped inside the transaction of its takes (a function's end): close them now, not
    // at a commit that would report the references as leaked. Nothing can be done about an error.
    try {
        pg_guard([&] {
            if (open_ && IsTransactionState() && lxid_ == local_transaction_id()) close();
            if (registered_) {
                UnregisterXactCallback(on_xact, this);
                UnregisterSubXactCallback(on_subxact, this);
            }
        });
    } catch (...) {
    }
}

void TakeHandles::acquire(Oid rel_oid, Oid index_oid) {
    if (open_ && lxid_ != local_transaction_id()) forget();  // cannot happen: the callbacks saw its end
    if (open_ && (RelationGetRelid(rel_) != rel_oid || RelationGetRelid(index_) != index_oid)) close();
    if (open_) return;
    if (!registered_) {
        RegisterXactCallback(on_xact, this);
        RegisterSubXactCallback(on_subxact, this);
        registered_ = true;
    }
    // In the transaction's context, not the caller's: a simulation's SPI connection ends (and frees
    // its memory) before the commit that closes these.
    MemoryContext caller = MemoryContextSwitchTo(TopTransactionContext);
    EState* estate = CreateExecutorState();
    MemoryContextSwitchTo(estate->es_query_cxt);
    estate_ = estate;
    rel_ = table_open(rel_oid, RowExclusiveLock);
    index_ = index_open(index_oid, RowExclusiveLock);
    rri_ = makeNode(ResultRelInfo);
    InitResultRelInfo(rri_, rel_, 0, nullptr, 0);
    CheckCmdReplicaIdentity(rel_, CMD_UPDATE);
    ExecOpenIndices(rri_, false);
    updated_ = MakeSingleTupleTableSlot(RelationGetDescr(rel_), &TTSOpsVirtual);
    MemoryContextSwitchTo(caller);
    open_ = true;
    lxid_ = local_transaction_id();
    sub_ = GetCurrentSubTransactionId();
    owner_ = CurrentResourceOwner;
}

MemoryContext TakeHandles::per_take() const { return GetPerTupleMemoryContext(estate_); }

void TakeHandles::done() {
    ExecClearTuple(updated_);
    ResetPerTupleExprContext(estate_);
    if (!settings::keep_scans_open) close();
}

void TakeHandles::close() {
    ResourceOwner current = CurrentResourceOwner;
    CurrentResourceOwner = owner_;
    open_ = false;
    ExecDropSingleTupleTableSlot(updated_);
    ExecCloseIndices(rri_);
    index_close(index_, NoLock);
    table_close(rel_, NoLock);
    FreeExecutorState(estate_);
    CurrentResourceOwner = current;
    forget();
}

void TakeHandles::forget() {
    open_ = false;
    rel_ = index_ = nullptr;
    estate_ = nullptr;
    rri_ = nullptr;
    updated_ = nullptr;
    owner_ = nullptr;
}

// Called by PostgreSQL, outside any C++ frame of ours: nothing here throws.
void TakeHandles::on_xact(XactEvent event, void* arg) {
    auto* self = static_cast<TakeHandles*>(arg);
    if (!self->open_) return;
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            self->close();
            break;
        default:  // an abort: the resource owner released the relations, the memory goes with the transaction
            self->forget();
    }
}

void TakeHandles::on_subxact(SubXactEvent event, SubTransactionId sub, SubTransactionId, void* arg) {
    auto* self = static_cast<TakeHandles*>(arg);
    if (!self->open_ || sub != self->sub_) return;  // opened by an enclosing (sub)transaction: still open
    if (event == SUBXACT_EVENT_PRE_COMMIT_SUB)
        self->close();
    else if (event == SUBXACT_EVENT_ABORT_SUB)
        self->forget();
}

}  // namespace thelook::pg
