// What differs between the PostgreSQL releases this extension builds for (15, 16, 17, 18), in one
// place. Each shim is named for what it does, has the newest release's shape, and says which
// release changed the API; the code calls the shim, never an #if of its own. Included by
// postgres.hpp, after PostgreSQL's headers.
#pragma once

extern "C" {
#include "access/genam.h"
#include "access/tableam.h"
#include "catalog/pg_namespace.h"
#include "executor/executor.h"
#include "storage/proc.h"
#include "utils/relcache.h"
}

#if PG_VERSION_NUM < 150000
#error "thelook_datagen needs PostgreSQL 15 or later (shmem_request_hook, MarkGUCPrefixReserved)"
#endif

namespace thelook::pg {

// PostgreSQL 16 replaced the per-kind pg_namespace_aclcheck() & co. by object_aclcheck(), which
// takes the catalog of the object.
inline AclResult namespace_aclcheck(Oid namespace_oid, Oid role, AclMode mode) {
#if PG_VERSION_NUM >= 160000
    return object_aclcheck(NamespaceRelationId, namespace_oid, role, mode);
#else
    return pg_namespace_aclcheck(namespace_oid, role, mode);
#endif
}

// Index entries for a tuple just inserted (not an UPDATE, no ON CONFLICT). PostgreSQL 16 added
// the last argument, onlySummarizing (for HOT updates that touch only BRIN-like indexes): false
// for an insert, which must update every index.
inline List* insert_index_tuples(ResultRelInfo* rri, TupleTableSlot* slot, EState* estate) {
#if PG_VERSION_NUM >= 160000
    return ExecInsertIndexTuples(rri, slot, estate, false, false, nullptr, NIL, false);
#else
    return ExecInsertIndexTuples(rri, slot, estate, false, false, nullptr, NIL);
#endif
}

// The heap half of an UPDATE of the row at otid to slot's values (waiting for a transaction that
// holds the row), and which index entries the new version needs: *indexes is 0 for none (a HOT
// update), 1 for every index, 2 for the summarizing ones only. PostgreSQL 16 turned the bool into
// TU_UpdateIndexes, which added the summarizing case (BRIN).
inline TM_Result update_tuple(Relation rel, ItemPointer otid, TupleTableSlot* slot, CommandId cid, Snapshot snapshot,
                              TM_FailureData* tmfd, int* indexes) {
    LockTupleMode lockmode;
#if PG_VERSION_NUM >= 160000
    TU_UpdateIndexes update = TU_None;
    TM_Result r = table_tuple_update(rel, otid, slot, cid, snapshot, InvalidSnapshot, true, tmfd, &lockmode, &update);
    *indexes = update == TU_All ? 1 : update == TU_Summarizing ? 2 : 0;
#else
    bool update = false;
    TM_Result r = table_tuple_update(rel, otid, slot, cid, snapshot, InvalidSnapshot, true, tmfd, &lockmode, &update);
    *indexes = update ? 1 : 0;
#endif
    return r;
}

// Index entries for the new version of an updated row, as ExecUpdate makes them (indexes from
// update_tuple, not 0). PostgreSQL 16 added onlySummarizing.
inline List* update_index_tuples(ResultRelInfo* rri, TupleTableSlot* slot, EState* estate, int indexes) {
#if PG_VERSION_NUM >= 160000
    return ExecInsertIndexTuples(rri, slot, estate, true, false, nullptr, NIL, indexes == 2);
#else
    (void)indexes;
    return ExecInsertIndexTuples(rri, slot, estate, true, false, nullptr, NIL);
#endif
}

// An index scan of heap through index with nkeys scan keys and no ORDER BY keys. PostgreSQL 18
// added the instrumentation argument (EXPLAIN ANALYZE's counters): none here.
inline IndexScanDesc begin_index_scan(Relation heap, Relation index, Snapshot snapshot, int nkeys) {
#if PG_VERSION_NUM >= 180000
    return index_beginscan(heap, index, snapshot, nullptr, nkeys, 0);
#else
    return index_beginscan(heap, index, snapshot, nkeys, 0);
#endif
}

// This backend's local transaction id, which tells one top-level transaction from the next.
// PostgreSQL 17 moved it from PGPROC.lxid into PGPROC.vxid.
inline LocalTransactionId local_transaction_id() {
#if PG_VERSION_NUM >= 170000
    return MyProc->vxid.lxid;
#else
    return MyProc->lxid;
#endif
}

// The OID of the table's primary-key index, InvalidOid if it has none. PostgreSQL 18 added
// deferrable_ok (a deferrable primary key now counts when it is true); false keeps the meaning of
// the earlier releases: an immediately checked primary key only.
inline Oid primary_key_index(Relation rel) {
#if PG_VERSION_NUM >= 180000
    return RelationGetPrimaryKeyIndex(rel, false);
#else
    return RelationGetPrimaryKeyIndex(rel);
#endif
}

}  // namespace thelook::pg
