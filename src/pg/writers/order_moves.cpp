#include "pg/writers/order_moves.hpp"

#include <cstring>

#include "pg/bridge/guard.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/citus/citus_tables.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/memutils.h"
#include "utils/rls.h"
}

namespace thelook::pg {

namespace {

// The columns a move sets, in the order of the UPDATE's arguments 1..6.
const char* const kMoveColumns[] = {"status", "updated_at", "shipped_at", "delivered_at", "returned_at", "cancelled_at"};
const Oid kMoveTypes[] = {TEXTOID, TIMESTAMPOID, TIMESTAMPOID, TIMESTAMPOID, TIMESTAMPOID, TIMESTAMPOID};

AttrNumber column(TupleDesc desc, const char* name, Oid type) {
    for (int a = 0; a < desc->natts; ++a) {
        Form_pg_attribute att = TupleDescAttr(desc, a);
        if (!att->attisdropped && att->atttypid == type && strcmp(NameStr(att->attname), name) == 0) return att->attnum;
    }
    return InvalidAttrNumber;
}

bool same_text(Datum a, Datum b) {
    text* x = DatumGetTextPP(a);
    text* y = DatumGetTextPP(b);
    const size_t n = VARSIZE_ANY_EXHDR(x);
    return n == VARSIZE_ANY_EXHDR(y) && memcmp(VARDATA_ANY(x), VARDATA_ANY(y), n) == 0;
}

// What the executor's UPDATE of one statement sets up: a command-counter increment and a new
// snapshot (SPI_execute_plan with read_only false, in READ COMMITTED: rows other transactions
// committed since are seen), on the table and indexes kept open (locked as UPDATE locks them).
struct Statement {
    Relation rel = nullptr;
    Relation index = nullptr;
    EState* estate = nullptr;
    ResultRelInfo* rri = nullptr;
    TupleTableSlot* found = nullptr;  // the row as the scan returns it
    TupleTableSlot* fresh = nullptr;  // its new version
    IndexScanDesc scan = nullptr;
    CommandId cid = 0;
};

Statement begin_statement(const OrderMoves::Open& o) {
    CommandCounterIncrement();
    PushActiveSnapshot(GetTransactionSnapshot());
    Statement s{o.rel, o.index, o.estate, o.rri, o.found, o.fresh, o.scan, GetCurrentCommandId(true)};
    s.estate->es_output_cid = s.cid;
    return s;
}

// Nothing pinned after the statement (what ending the scan and dropping the slots left).
void end_statement(Statement* s) {
    ExecClearTuple(s->fresh);
    ExecClearTuple(s->found);
    if (s->scan->xs_heapfetch) table_index_fetch_reset(s->scan->xs_heapfetch);
    PopActiveSnapshot();
}

// The new version of s->found: its values with the move's columns set ("coalesce($n, column)"
// for the timestamps), NOT NULL and CHECK constraints checked as ExecUpdate checks them.
void form_new_version(Statement* s, const AttrNumber* moves, const Datum* args, const char* nulls) {
    TupleTableSlot* old = s->found;
    TupleTableSlot* fresh = s->fresh;
    const int natts = RelationGetDescr(s->rel)->natts;
    slot_getallattrs(old);
    ExecClearTuple(fresh);
    memcpy(fresh->tts_values, old->tts_values, sizeof(Datum) * natts);
    memcpy(fresh->tts_isnull, old->tts_isnull, sizeof(bool) * natts);
    for (int m = 0; m < 6; ++m) {
        if (nulls[1 + m] == 'n') continue;  // status and updated_at are never null: always set
        fresh->tts_values[moves[m] - 1] = args[1 + m];
        fresh->tts_isnull[moves[m] - 1] = false;
    }
    ExecStoreVirtualTuple(fresh);
    if (RelationGetDescr(s->rel)->constr) ExecConstraints(s->rri, fresh, s->estate);
}

// Updates s->found to s->fresh and makes its index entries. Returns the heap's answer; on TM_Ok
// the row is moved.
TM_Result update_found(Statement* s, TM_FailureData* tmfd) {
    bool update_indexes = false, only_summarizing = false;
    TM_Result r = update_tuple(s->rel, &s->found->tts_tid, s->fresh, s->cid, GetActiveSnapshot(), tmfd, &update_indexes,
                               &only_summarizing);
    if (r == TM_Ok && update_indexes && s->rri->ri_NumIndices > 0) {
        ResetPerTupleExprContext(s->estate);
        list_free(update_index_tuples(s->rri, s->fresh, s->estate, only_summarizing));
    }
    return r;
}

// The statement's scan of key, under its snapshot (as a scan begun now would take it).
IndexScanDesc scan_equal(Statement* s, RegProcedure eq, Oid collation, Datum key, ScanKeyData* sk) {
    ScanKeyEntryInitialize(sk, 0, 1, BTEqualStrategyNumber, TEXTOID, collation, eq, key);
    s->scan->xs_snapshot = GetActiveSnapshot();
    index_rescan(s->scan, sk, 1, nullptr, 0);
    return s->scan;
}

}  // namespace

void OrderMoves::refresh() {
    const LocalTransactionId lxid = local_transaction_id();
    const SubTransactionId subxact = GetCurrentSubTransactionId();  // a lock taken in an aborted one is gone
    if (lxid == checked_in_ && subxact == checked_sub_) return;
    open_orders_ = Open{};  // the last (sub)transaction's, released by its end
    open_items_ = Open{};
    check("orders", false, &orders_);
    check("order_items", true, &items_);
    checked_in_ = lxid;
    checked_sub_ = subxact;
}

// Locks the table as UPDATE does (RowExclusiveLock, to the end of the transaction) and decides.
void OrderMoves::check(const char* table, bool items, Table* t) {
    *t = Table{};
    const char* schema = tables_.schema.c_str();
    const char* relname = tables_.relation(table).c_str();
    bool plain = false;
    pg_guard([&] {
        RangeVar* rv = makeRangeVar(pstrdup(schema), pstrdup(relname), -1);
        t->rel = RangeVarGetRelid(rv, RowExclusiveLock, true);
        if (!OidIsValid(t->rel)) return;
        Relation rel = table_open(t->rel, NoLock);
        TupleDesc desc = RelationGetDescr(rel);
        TriggerDesc* trig = rel->trigdesc;
        // UPDATE needs SELECT too: its WHERE and SET read columns, RETURNING returns them.
        plain = rel->rd_rel->relkind == RELKIND_RELATION && !rel->rd_rel->relispartition && rel->rd_rules == nullptr &&
                rel->rd_tableam == GetHeapamTableAmRoutine() &&
                pg_class_aclcheck(t->rel, GetUserId(), ACL_UPDATE) == ACLCHECK_OK &&
                pg_class_aclcheck(t->rel, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
                check_enable_rls(t->rel, InvalidOid, false) != RLS_ENABLED &&
                !(trig && (trig->trig_update_before_row || trig->trig_update_after_row || trig->trig_update_instead_row ||
                           trig->trig_update_before_statement || trig->trig_update_after_statement ||
                           trig->trig_update_old_table || trig->trig_update_new_table)) &&
                !(desc->constr && desc->constr->has_generated_stored);
        t->key = column(desc, items ? "order_id" : "id", TEXTOID);
        plain = plain && t->key != InvalidAttrNumber;
        for (int m = 0; plain && m < 6; ++m) plain = (t->moves[m] = column(desc, kMoveColumns[m], kMoveTypes[m])) != 0;
        if (plain && items) {
            t->id = column(desc, "id", TEXTOID);
            t->product_id = column(desc, "product_id", INT8OID);
            plain = t->id != InvalidAttrNumber && t->product_id != InvalidAttrNumber;
        }
        if (plain) CheckCmdReplicaIdentity(rel, CMD_UPDATE);  // raises what UPDATE would raise
        if (!plain) {
            table_close(rel, NoLock);
            return;
        }
        // The index "WHERE key = $1" finds its rows by: a valid B-tree on the key alone, the default
        // text operator class and the column's collation, no predicate (orders: the primary key).
        const Oid collation = TupleDescAttr(desc, t->key - 1)->attcollation;
        const Oid family = get_opclass_family(GetDefaultOpClass(TEXTOID, BTREE_AM_OID));
        List* candidates = items ? RelationGetIndexList(rel) : list_make1_oid(primary_key_index(rel));
        ListCell* lc;
        foreach (lc, candidates) {
            const Oid oid = lfirst_oid(lc);
            if (!OidIsValid(oid) || OidIsValid(t->index)) continue;
            Relation index = index_open(oid, RowExclusiveLock);
            const bool fits = index->rd_rel->relam == BTREE_AM_OID && index->rd_index->indisvalid &&
                              index->rd_index->indnkeyatts == 1 && index->rd_index->indkey.values[0] == t->key &&
                              index->rd_opfamily[0] == family && index->rd_indcollation[0] == collation &&
                              RelationGetIndexExpressions(index) == NIL && RelationGetIndexPredicate(index) == NIL;
            index_close(index, NoLock);
            if (!fits) continue;
            t->index = oid;
            t->collation = collation;
            t->eq = get_opcode(get_opfamily_member(family, TEXTOID, TEXTOID, BTEqualStrategyNumber));
        }
        table_close(rel, NoLock);
    });
    // A Citus table's heap is an empty shell (its rows are in shards): only its UPDATE finds them.
    t->usable = plain && OidIsValid(t->index) && !is_citus_table(t->rel);
}

OrderMoves::Open& OrderMoves::open(const Table& t, Open* o) {
    if (o->rel != nullptr) return *o;
    MemoryContext caller = MemoryContextSwitchTo(TopTransactionContext);
    o->rel = table_open(t.rel, RowExclusiveLock);
    o->index = index_open(t.index, RowExclusiveLock);
    o->estate = CreateExecutorState();
    o->rri = makeNode(ResultRelInfo);
    InitResultRelInfo(o->rri, o->rel, 0, nullptr, 0);
    ExecOpenIndices(o->rri, false);
    o->found = table_slot_create(o->rel, nullptr);
    o->fresh = MakeSingleTupleTableSlot(RelationGetDescr(o->rel), &TTSOpsVirtual);
    o->scan = begin_index_scan(o->rel, o->index, GetActiveSnapshot(), 1);
    MemoryContextSwitchTo(caller);
    return *o;
}

void OrderMoves::close_open(Open* o) {
    if (o->rel == nullptr) return;
    index_endscan(o->scan);
    ExecDropSingleTupleTableSlot(o->fresh);
    ExecDropSingleTupleTableSlot(o->found);
    ExecCloseIndices(o->rri);
    FreeExecutorState(o->estate);
    index_close(o->index, NoLock);
    table_close(o->rel, NoLock);
    *o = Open{};
}

void OrderMoves::close() {
    pg_guard([&] {
        close_open(&open_orders_);
        close_open(&open_items_);
    });
}

OrderMoves::Result OrderMoves::move(const Datum* args, const char* nulls, uint64* orders, uint64* nitems,
                                    char*** item_ids, int64** products, bool** null_products) {
    refresh();
    if (!orders_.usable || !items_.usable) return Result::Unavailable;
    const Result r = pg_guard([&] { return move_rows(args, nulls, orders, nitems, item_ids, products, null_products); });
    if (!settings::keep_scans_open) close();
    return r;
}

// move()'s work, inside its pg_guard.
OrderMoves::Result OrderMoves::move_rows(const Datum* args, const char* nulls, uint64* orders, uint64* nitems,
                                         char*** item_ids, int64** products, bool** null_products) {
    *orders = *nitems = 0;
    *item_ids = nullptr;
    *products = nullptr;
    *null_products = nullptr;

    // "UPDATE orders SET ... WHERE id = $1 AND status = $8"
    Statement s = begin_statement(open(orders_, &open_orders_));
    ScanKeyData sk;
    IndexScanDesc scan = scan_equal(&s, orders_.eq, orders_.collation, args[0], &sk);
    bool found = false;
    while (!found && index_getnext_slot(scan, ForwardScanDirection, s.found)) {
        bool isnull = false;
        Datum status = slot_getattr(s.found, orders_.moves[0], &isnull);
        found = !isnull && same_text(status, args[7]);
    }
    TM_Result r = TM_Ok;
    TM_FailureData tmfd;
    if (found) {
        form_new_version(&s, orders_.moves, args, nulls);
        r = update_found(&s, &tmfd);
    }
    end_statement(&s);
    // Another transaction changed or deleted the order first: the executor would re-check it
    // (EvalPlanQual); nothing is written yet, so the UPDATE does.
    if (r == TM_Updated || r == TM_Deleted) return Result::Unavailable;
    if (r != TM_Ok) elog(ERROR, "thelook: moving order failed: heap update result %d", static_cast<int>(r));
    if (!found) return Result::Done;  // moved already: leave it and its items alone
    *orders = 1;

    // "UPDATE order_items SET ... WHERE order_id = $1 RETURNING id, product_id"
    s = begin_statement(open(items_, &open_items_));
    scan = scan_equal(&s, items_.eq, items_.collation, args[0], &sk);
    uint64 capacity = 8;
    *item_ids = static_cast<char**>(palloc(sizeof(char*) * capacity));
    *products = static_cast<int64*>(palloc(sizeof(int64) * capacity));
    *null_products = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    while (index_getnext_slot(scan, ForwardScanDirection, s.found)) {
        form_new_version(&s, items_.moves, args, nulls);
        r = update_found(&s, &tmfd);
        if (r == TM_Deleted) continue;  // deleted meanwhile (retention, an account deletion): the UPDATE skips it too
        // An item changed by another transaction after its order was locked here: no simulation
        // does that (an item moves only with its order); the batch fails and is retried.
        if (r == TM_Updated)
            ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                            errmsg("could not move the items of an order: an item was updated concurrently"),
                            errhint("The simulation retries the transaction.")));
        if (r == TM_SelfModified) {
            // As ExecUpdate: changed by this statement already (not possible with one version per
            // item seen) or by a later command of this transaction.
            if (tmfd.cmax != s.cid)
                ereport(ERROR, (errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
                                errmsg("tuple to be updated was already modified by an operation triggered by the current command")));
            continue;
        }
        if (r != TM_Ok) elog(ERROR, "thelook: moving order items failed: heap update result %d", static_cast<int>(r));
        if (*nitems == capacity) {
            capacity *= 2;
            *item_ids = static_cast<char**>(repalloc(*item_ids, sizeof(char*) * capacity));
            *products = static_cast<int64*>(repalloc(*products, sizeof(int64) * capacity));
            *null_products = static_cast<bool*>(repalloc(*null_products, sizeof(bool) * capacity));
        }
        bool isnull = false;
        Datum id = slot_getattr(s.fresh, items_.id, &isnull);
        (*item_ids)[*nitems] = isnull ? nullptr : TextDatumGetCString(id);
        Datum product = slot_getattr(s.fresh, items_.product_id, &isnull);
        (*null_products)[*nitems] = isnull;
        (*products)[*nitems] = isnull ? 0 : DatumGetInt64(product);
        ++*nitems;
    }
    end_statement(&s);
    return Result::Done;
}

}  // namespace thelook::pg
