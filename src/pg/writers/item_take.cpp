#include "pg/writers/item_take.hpp"

#include <cstring>

#include "pg/bridge/guard.hpp"
#include "pg/citus/citus_tables.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/ruleutils.h"
}

namespace thelook::pg {

namespace {

// inventory_items_unsold_idx as setup() makes it (setup/1.1.sql): its predicate as PostgreSQL
// prints it, its key columns in order. An index with another predicate or other keys may hold sold
// items or order them otherwise, so the take then runs the statement.
constexpr const char* kUnsoldPredicate = " WHERE (sold_at IS NULL)";
const char* const kKeyColumns[] = {"product_id", "product_distribution_center_id", "id"};

AttrNumber column(TupleDesc desc, const char* name, Oid type) {
    for (int a = 0; a < desc->natts; ++a) {
        Form_pg_attribute att = TupleDescAttr(desc, a);
        if (!att->attisdropped && att->atttypid == type && strcmp(NameStr(att->attname), name) == 0) return att->attnum;
    }
    return InvalidAttrNumber;
}

// Whether the slot's row is one the statement takes: unsold, stocked by t (a NULL created_at is
// not "<= t"), and, after the lock followed an update chain, still of the product at the centre
// (the executor's EvalPlanQual re-check of the statement's conditions).
bool takeable(TupleTableSlot* slot, AttrNumber product, AttrNumber centre, AttrNumber created, AttrNumber sold,
              int64 product_id, int64 centre_id, Timestamp t, bool recheck_keys) {
    bool isnull = false;
    slot_getattr(slot, sold, &isnull);
    if (!isnull) return false;
    const Datum c = slot_getattr(slot, created, &isnull);
    if (isnull || DatumGetTimestamp(c) > t) return false;
    if (!recheck_keys) return true;
    const Datum p = slot_getattr(slot, product, &isnull);
    if (isnull || DatumGetInt64(p) != product_id) return false;
    const Datum d = slot_getattr(slot, centre, &isnull);
    return !isnull && DatumGetInt64(d) == centre_id;
}

}  // namespace

void ItemTake::refresh() {
    const LocalTransactionId lxid = local_transaction_id();
    const SubTransactionId subxact = GetCurrentSubTransactionId();
    if (lxid == checked_in_ && subxact == checked_sub_) return;
    check();
    checked_in_ = lxid;
    checked_sub_ = subxact;
}

// Locks the table as the UPDATE does (RowExclusiveLock, to the end of the transaction) and decides.
void ItemTake::check() {
    usable_ = false;
    rel_ = index_ = InvalidOid;
    const char* schema = schema_.c_str();
    bool plain = false;
    pg_guard([&] {
        RangeVar* rv = makeRangeVar(pstrdup(schema), pstrdup("inventory_items"), -1);
        rel_ = RangeVarGetRelid(rv, RowExclusiveLock, true);
        if (!OidIsValid(rel_)) return;
        Relation rel = table_open(rel_, NoLock);
        TupleDesc desc = RelationGetDescr(rel);
        // What the UPDATE would do and this does not: fire triggers (row or statement, UPDATE's, or
        // a foreign key's), apply rules or policies, compute generated columns, route partitions.
        const TriggerDesc* trig = rel->trigdesc;
        plain = rel->rd_rel->relkind == RELKIND_RELATION && !rel->rd_rel->relispartition && rel->rd_rules == nullptr &&
                rel->rd_tableam == GetHeapamTableAmRoutine() && trig == nullptr &&
                !(desc->constr && desc->constr->has_generated_stored) &&
                pg_class_aclcheck(rel_, GetUserId(), ACL_SELECT | ACL_UPDATE) == ACLCHECK_OK &&
                check_enable_rls(rel_, InvalidOid, false) != RLS_ENABLED;
        product_ = column(desc, "product_id", INT8OID);
        centre_ = column(desc, "product_distribution_center_id", INT8OID);
        created_ = column(desc, "created_at", TIMESTAMPOID);
        sold_ = column(desc, "sold_at", TIMESTAMPOID);
        const AttrNumber id = column(desc, "id", INT8OID);
        plain = plain && product_ && centre_ && created_ && sold_ && id;
        if (!plain) {
            table_close(rel, NoLock);
            return;
        }
        const AttrNumber keys[3] = {product_, centre_, id};
        const Oid family = get_opclass_family(GetDefaultOpClass(INT8OID, BTREE_AM_OID));
        List* indexes = RelationGetIndexList(rel);
        ListCell* lc;
        foreach (lc, indexes) {
            const Oid oid = lfirst_oid(lc);
            if (OidIsValid(index_)) break;
            Relation index = index_open(oid, RowExclusiveLock);
            bool fits = index->rd_rel->relam == BTREE_AM_OID && index->rd_index->indisvalid &&
                        index->rd_index->indnkeyatts == 3 && RelationGetIndexExpressions(index) == NIL;
            for (int k = 0; fits && k < 3; ++k)
                fits = index->rd_index->indkey.values[k] == keys[k] && index->rd_opfamily[k] == family &&
                       (index->rd_indoption[k] & INDOPTION_DESC) == 0;
            if (fits) {
                const char* def = pg_get_indexdef_string(oid);
                const char* where = strstr(def, " WHERE ");
                fits = where != nullptr && strcmp(where, kUnsoldPredicate) == 0;
            }
            index_close(index, NoLock);
            if (fits) index_ = oid;
        }
        if (OidIsValid(index_))
            eq_ = get_opcode(get_opfamily_member(family, INT8OID, INT8OID, BTEqualStrategyNumber));
        table_close(rel, NoLock);
    });
    // A Citus table's heap is an empty shell (its rows are in shards): only the statement finds them.
    usable_ = plain && OidIsValid(index_) && !is_citus_table(rel_);
}

ItemTake::Result ItemTake::take(int64 product_id, int64 centre_id, Datum t, int64 count_up_to, int64* level) {
    refresh();
    if (!usable_) return Result::Unavailable;
    bool taken = false;
    int64 count = 0;
    pg_guard([&] {
        // As SPI runs a statement that writes: a snapshot of its own (READ COMMITTED: what other
        // simulations committed by now), after a command-counter step that shows it this
        // transaction's earlier writes, its own takes included.
        PushActiveSnapshot(GetTransactionSnapshot());
        CommandCounterIncrement();
        UpdateActiveSnapshotCommandId();
        Snapshot snapshot = GetActiveSnapshot();
        const CommandId cid = GetCurrentCommandId(true);
        handles_.acquire(rel_, index_);
        Relation rel = handles_.rel();
        EState* estate = handles_.estate();
        MemoryContext caller = MemoryContextSwitchTo(handles_.per_take());
        TupleTableSlot* slot = table_slot_create(rel, nullptr);
        TupleTableSlot* locked = table_slot_create(rel, nullptr);
        const Timestamp until = DatumGetTimestamp(t);
        // The visible unsold items of the product at the centre, in id order: the first takeable one
        // that can be locked is taken; all count towards the level (the statement's count(*) ran
        // under the same snapshot and counted the taken item too), up to count_up_to left.
        ScanKeyData keys[2];
        ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, INT8OID, InvalidOid, eq_, Int64GetDatum(product_id));
        ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, INT8OID, InvalidOid, eq_, Int64GetDatum(centre_id));
        IndexScanDesc scan = begin_index_scan(rel, handles_.index(), snapshot, 2);
        index_rescan(scan, keys, 2, nullptr, 0);
        // ExecLockRows' flags: wait for no one, and under READ COMMITTED lock the newest version of
        // an item another transaction updated since the snapshot (then re-checked, as EvalPlanQual does).
        const uint8 flags = TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS |
                            (IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION);
        while (!(taken && count > count_up_to) && index_getnext_slot(scan, ForwardScanDirection, slot)) {
            ++count;
            if (taken || !takeable(slot, product_, centre_, created_, sold_, product_id, centre_id, until, false)) continue;
            ItemPointerData tid = slot->tts_tid;
            TM_FailureData tmfd;
            const TM_Result r = table_tuple_lock(rel, &tid, snapshot, locked, cid, LockTupleExclusive, LockWaitSkip, flags, &tmfd);
            switch (r) {
                case TM_Ok:
                    taken = !tmfd.traversed ||
                            takeable(locked, product_, centre_, created_, sold_, product_id, centre_id, until, true);
                    break;
                case TM_WouldBlock:   // another transaction holds it: SKIP LOCKED
                case TM_SelfModified:  // this transaction's own later version: not ours to take again
                    break;
                case TM_Updated:
                case TM_Deleted:
                    if (IsolationUsesXactSnapshot())
                        ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                                        errmsg("could not serialize access due to concurrent update")));
                    break;  // gone (READ COMMITTED: a deleted item is passed over, as the executor does)
                default:
                    elog(ERROR, "thelook: unexpected table_tuple_lock status %d taking an inventory item", static_cast<int>(r));
            }
        }
        index_endscan(scan);
        if (taken) {
            // The locked version with sold_at = t, written as ExecUpdate writes it: constraints
            // checked, the new version's entries in every index (never a HOT update: sold_at is in
            // the unsold index's predicate), the old key logged per the replica identity by heap_update.
            ResultRelInfo* rri = handles_.result_rel();
            TupleTableSlot* updated = handles_.updated_slot();
            ExecClearTuple(updated);  // a take that failed half-way may have left its tuple
            slot_getallattrs(locked);
            const int natts = RelationGetDescr(rel)->natts;
            memcpy(updated->tts_values, locked->tts_values, sizeof(Datum) * natts);
            memcpy(updated->tts_isnull, locked->tts_isnull, sizeof(bool) * natts);
            updated->tts_values[sold_ - 1] = t;
            updated->tts_isnull[sold_ - 1] = false;
            ExecStoreVirtualTuple(updated);
            ExecMaterializeSlot(updated);
            if (rel->rd_att->constr) ExecConstraints(rri, updated, estate);
            ItemPointerData tid = locked->tts_tid;
            TM_FailureData tmfd;
            bool update_indexes = false, only_summarizing = false;
            const TM_Result r = update_tuple(rel, &tid, updated, cid, snapshot, &tmfd, &update_indexes, &only_summarizing);
            if (r != TM_Ok)  // the row lock is held: nothing else can have changed it
                elog(ERROR, "thelook: unexpected table_tuple_update status %d taking an inventory item", static_cast<int>(r));
            if (update_indexes && rri->ri_NumIndices > 0) list_free(update_index_tuples(rri, updated, estate, only_summarizing));
        }
        ExecDropSingleTupleTableSlot(locked);  // their buffer pins
        ExecDropSingleTupleTableSlot(slot);
        MemoryContextSwitchTo(caller);
        handles_.done();
        PopActiveSnapshot();
    });
    if (!taken) return Result::None;
    *level = count - 1;
    return Result::Taken;
}

}  // namespace thelook::pg
