// What differs between the PostgreSQL releases this extension builds for (15, 16, 17, 18), in one
// place. Each shim is named for what it does, has the newest release's shape, and says which
// release changed the API; the code calls the shim, never an #if of its own. Included by
// postgres.hpp, after PostgreSQL's headers.
#pragma once

extern "C" {
#include "access/genam.h"
#include "access/relation.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
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

// The sequence of a table's identity column. PostgreSQL 17 made getIdentitySequence() take the
// opened relation instead of its oid (for partitions, whose identity lives on the parent).
inline Oid identity_sequence(Oid relid, AttrNumber attnum, bool missing_ok) {
#if PG_VERSION_NUM >= 170000
    Relation rel = relation_open(relid, AccessShareLock);
    const Oid seq = getIdentitySequence(rel, attnum, missing_ok);
    relation_close(rel, AccessShareLock);
    return seq;
#else
    return getIdentitySequence(relid, attnum, missing_ok);
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

// The new version of a row this transaction has locked (an UPDATE's heap part: wait, no crosscheck
// snapshot). PostgreSQL 16 turned update_indexes into TU_UpdateIndexes, adding a HOT update that
// must still update the summarizing (BRIN-like) indexes: *only_summarizing says so.
inline TM_Result update_tuple(Relation rel, ItemPointer tid, TupleTableSlot* slot, CommandId cid, Snapshot snapshot,
                              TM_FailureData* tmfd, bool* update_indexes, bool* only_summarizing) {
    LockTupleMode lockmode;
#if PG_VERSION_NUM >= 160000
    TU_UpdateIndexes which = TU_None;
    const TM_Result r = table_tuple_update(rel, tid, slot, cid, snapshot, InvalidSnapshot, true, tmfd, &lockmode, &which);
    *update_indexes = which != TU_None;
    *only_summarizing = which == TU_Summarizing;
#else
    const TM_Result r = table_tuple_update(rel, tid, slot, cid, snapshot, InvalidSnapshot, true, tmfd, &lockmode, update_indexes);
    *only_summarizing = false;
#endif
    return r;
}

// Index entries for the new version of an updated row (no ON CONFLICT). PostgreSQL 16 added
// onlySummarizing (see update_tuple).
inline List* update_index_tuples(ResultRelInfo* rri, TupleTableSlot* slot, EState* estate, bool only_summarizing) {
#if PG_VERSION_NUM >= 160000
    return ExecInsertIndexTuples(rri, slot, estate, true, false, nullptr, NIL, only_summarizing);
#else
    (void) only_summarizing;
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
