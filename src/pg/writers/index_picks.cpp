#include "pg/writers/index_picks.hpp"

#include <cstring>

#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/citus/citus_tables.hpp"
#include "pg/citus/shard_hash.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/ruleutils.h"
#include "utils/memutils.h"
}

namespace thelook::pg {

namespace {

// orders_open_id_idx's predicate as PostgreSQL prints it (setup/1.1.sql): an index with another
// predicate may lack open orders, or hold others, so the picks then take the SELECT.
constexpr const char* kOpenPredicate =
    " WHERE (status = ANY (ARRAY['Processing'::text, 'Shipped'::text, 'Delivered'::text]))";
constexpr const char* kOpenStatuses[] = {"Processing", "Shipped", "Delivered"};

const char* const kUserColumns[] = {"id", "city", "state", "postal_code", "gender"};
const char* const kOrderColumns[] = {"id", "user_id", "status"};

bool text_is(Datum d, const char* s) {
    text* t = DatumGetTextPP(d);
    const size_t n = VARSIZE_ANY_EXHDR(t);
    return n == strlen(s) && memcmp(VARDATA_ANY(t), s, n) == 0;
}

const char* text_value(TupleTableSlot* slot, AttrNumber col) {
    bool isnull = false;
    Datum d = slot_getattr(slot, col, &isnull);
    return isnull ? nullptr : TextDatumGetCString(d);
}

// The first row in index order at or after key (none: from the start, BTEqual: equal to it) that
// is visible to the active snapshot and, for open_status, whose status column is an open one:
// what "WHERE id >= $1 [AND status IN (...)] ORDER BY id LIMIT 1" returns. Inside pg_guard.
// A sharded simulation's id space: only rows whose id (column id_col) is in it count.
bool in_space(TupleTableSlot* slot, AttrNumber id_col, const IdSpace* space) {
    if (!space) return true;
    bool isnull = false;
    Datum d = slot_getattr(slot, id_col, &isnull);
    if (isnull) return false;
    text* t = DatumGetTextPP(d);  // hashed in place: no C++ object inside the caller's pg_guard
    return space->contains_hash(shard_hash_bytes(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

bool first_row(IndexScanDesc scan, TupleTableSlot* slot, const Datum* key, StrategyNumber strategy, RegProcedure proc,
               Oid collation, AttrNumber open_status, AttrNumber id_col = 0, const IdSpace* space = nullptr) {
    ScanKeyData sk;
    const int nkeys = key ? 1 : 0;
    if (key) ScanKeyEntryInitialize(&sk, 0, 1, strategy, TEXTOID, collation, proc, *key);
    // The snapshot of this pick, as a scan begun now would take: the active one, which moves on
    // to see the transaction's own writes (SchemaWriter::see_own_writes) between picks.
    scan->xs_snapshot = GetActiveSnapshot();
    index_rescan(scan, key ? &sk : nullptr, nkeys, nullptr, 0);
    bool found = false;
    while (!found && index_getnext_slot(scan, ForwardScanDirection, slot)) {
        if (!in_space(slot, id_col, space)) continue;
        if (open_status == 0) {
            found = true;
            break;
        }
        bool isnull = false;
        Datum status = slot_getattr(slot, open_status, &isnull);
        if (isnull) continue;
        for (const char* s : kOpenStatuses) found = found || text_is(status, s);
    }
    return found;
}

// After a pick, nothing pinned until the next (what index_endscan left): the slot's heap buffer
// and the scan's. The B-tree scan holds no leaf pin under an MVCC snapshot.
void release_pins(IndexScanDesc scan, TupleTableSlot* slot) {
    ExecClearTuple(slot);
    if (scan && scan->xs_heapfetch) table_index_fetch_reset(scan->xs_heapfetch);
}

}  // namespace

void IndexPicks::refresh() {
    const LocalTransactionId lxid = local_transaction_id();
    // A lock taken in a subtransaction that aborts is released: check again in each one.
    const SubTransactionId subxact = GetCurrentSubTransactionId();
    if (lxid == checked_in_ && subxact == checked_sub_) return;
    open_users_ = Open{};  // the last (sub)transaction's, released by its end
    open_orders_ = Open{};
    check("users", kUserColumns, 5, false, &users_);
    check("orders", kOrderColumns, 3, true, &orders_);
    checked_in_ = lxid;
    checked_sub_ = subxact;
}

// Locks the table as SELECT does (AccessShareLock, to the end of the transaction) and decides.
void IndexPicks::check(const char* table, const char* const* columns, int ncolumns, bool open_index, Table* t) {
    *t = Table{};
    const char* schema = tables_.schema.c_str();
    const char* relname = tables_.relation(table).c_str();
    bool plain = false;
    pg_guard([&] {
        RangeVar* rv = makeRangeVar(pstrdup(schema), pstrdup(relname), -1);
        t->rel = RangeVarGetRelid(rv, AccessShareLock, true);
        if (!OidIsValid(t->rel)) return;
        Relation rel = table_open(t->rel, NoLock);
        plain = rel->rd_rel->relkind == RELKIND_RELATION && rel->rd_tableam == GetHeapamTableAmRoutine() &&
                pg_class_aclcheck(t->rel, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
                check_enable_rls(t->rel, InvalidOid, false) != RLS_ENABLED;
        TupleDesc desc = RelationGetDescr(rel);
        for (int c = 0; plain && c < ncolumns; ++c) {
            t->cols[c] = InvalidAttrNumber;
            for (int a = 0; a < desc->natts; ++a) {
                Form_pg_attribute att = TupleDescAttr(desc, a);
                if (!att->attisdropped && att->atttypid == TEXTOID && strcmp(NameStr(att->attname), columns[c]) == 0)
                    t->cols[c] = att->attnum;
            }
            plain = t->cols[c] != InvalidAttrNumber;
        }
        if (!plain) {
            table_close(rel, NoLock);
            return;
        }
        // The index an "ORDER BY id" in the column's collation walks: a valid B-tree on id alone,
        // the default text operator class, that collation.
        const Oid collation = TupleDescAttr(desc, t->cols[0] - 1)->attcollation;
        const Oid family = get_opclass_family(GetDefaultOpClass(TEXTOID, BTREE_AM_OID));
        List* candidates = open_index ? RelationGetIndexList(rel) : list_make1_oid(primary_key_index(rel));
        ListCell* lc;
        foreach (lc, candidates) {
            const Oid oid = lfirst_oid(lc);
            if (!OidIsValid(oid) || OidIsValid(t->index)) continue;
            Relation index = index_open(oid, AccessShareLock);
            bool fits = index->rd_rel->relam == BTREE_AM_OID && index->rd_index->indisvalid &&
                        index->rd_index->indnkeyatts == 1 && index->rd_index->indkey.values[0] == t->cols[0] &&
                        index->rd_opfamily[0] == family && index->rd_indcollation[0] == collation &&
                        RelationGetIndexExpressions(index) == NIL;
            if (fits && open_index) {
                const char* def = pg_get_indexdef_string(oid);
                const char* where = strstr(def, " WHERE ");
                fits = where != nullptr && strcmp(where, kOpenPredicate) == 0;
            } else if (fits) {
                fits = RelationGetIndexPredicate(index) == NIL;
            }
            index_close(index, NoLock);
            if (!fits) continue;
            t->index = oid;
            t->collation = collation;
            t->ge = get_opcode(get_opfamily_member(family, TEXTOID, TEXTOID, BTGreaterEqualStrategyNumber));
            t->eq = get_opcode(get_opfamily_member(family, TEXTOID, TEXTOID, BTEqualStrategyNumber));
        }
        table_close(rel, NoLock);
    });
    // A Citus table's heap is an empty shell (its rows are in shards): only its SELECT finds them.
    t->usable = plain && OidIsValid(t->index) && !is_citus_table(t->rel);
}

IndexPicks::Open& IndexPicks::open(const Table& t, Open* o) {
    if (o->heap != nullptr) return *o;
    MemoryContext caller = MemoryContextSwitchTo(TopTransactionContext);
    o->heap = table_open(t.rel, AccessShareLock);
    o->index = index_open(t.index, AccessShareLock);
    o->slot = table_slot_create(o->heap, nullptr);
    o->keyed = begin_index_scan(o->heap, o->index, GetActiveSnapshot(), 1);
    MemoryContextSwitchTo(caller);
    return *o;
}

void IndexPicks::close_open(Open* o) {
    if (o->heap == nullptr) return;
    if (o->from_start) index_endscan(o->from_start);
    index_endscan(o->keyed);
    ExecDropSingleTupleTableSlot(o->slot);
    index_close(o->index, NoLock);
    table_close(o->heap, NoLock);
    *o = Open{};
}

void IndexPicks::close() {
    pg_guard([&] {
        close_open(&open_users_);
        close_open(&open_orders_);
    });
}

namespace {
// The scan without keys of o, begun at its first use.
IndexScanDesc scan_from_start(IndexScanDesc* scan, Relation heap, Relation index) {
    if (*scan == nullptr) {
        MemoryContext caller = MemoryContextSwitchTo(TopTransactionContext);
        *scan = begin_index_scan(heap, index, GetActiveSnapshot(), 0);
        MemoryContextSwitchTo(caller);
    }
    return *scan;
}
}  // namespace

IndexPicks::Result IndexPicks::user(const std::string& key, const char* out[5]) {
    refresh();
    if (!users_.usable) return Result::Unavailable;
    bool found = false;
    const Table& u = users_;
    pg_guard([&] {
        Open& o = open(u, &open_users_);
        Datum k = text_datum(key);
        found = first_row(o.keyed, o.slot, &k, BTGreaterEqualStrategyNumber, u.ge, u.collation, 0, u.cols[0], space_);
        if (!found) {
            release_pins(o.keyed, o.slot);
            found = first_row(scan_from_start(&o.from_start, o.heap, o.index), o.slot, nullptr, 0, InvalidOid, u.collation, 0,
                              u.cols[0], space_);
        }
        for (int c = 0; found && c < 5; ++c) out[c] = text_value(o.slot, u.cols[c]);
        release_pins(o.keyed, o.slot);
        release_pins(o.from_start, o.slot);
        if (!settings::keep_scans_open) close_open(&open_users_);
    });
    return found ? Result::Found : Result::None;
}

IndexPicks::Result IndexPicks::open_order(const std::string& key, const char* out[6]) {
    refresh();
    if (!orders_.usable || !users_.usable) return Result::Unavailable;
    bool found = false;
    const Table &ot = orders_, &u = users_;
    pg_guard([&] {
        Open& o = open(ot, &open_orders_);
        Datum k = text_datum(key);
        const AttrNumber status = ot.cols[2];
        found = first_row(o.keyed, o.slot, &k, BTGreaterEqualStrategyNumber, ot.ge, ot.collation, status, ot.cols[0], space_);
        if (!found) {
            release_pins(o.keyed, o.slot);
            found = first_row(scan_from_start(&o.from_start, o.heap, o.index), o.slot, nullptr, 0, InvalidOid, ot.collation,
                              status, ot.cols[0], space_);
        }
        for (int c = 0; found && c < 3; ++c) out[c] = text_value(o.slot, ot.cols[c]);
        release_pins(o.keyed, o.slot);
        release_pins(o.from_start, o.slot);
        if (!settings::keep_scans_open) close_open(&open_orders_);
        if (!found) return;
        // "LEFT JOIN users u ON u.id = o.user_id": its user's place, or none.
        out[3] = out[4] = out[5] = nullptr;
        if (out[1] == nullptr) return;
        Open& user = open(u, &open_users_);
        Datum uid = CStringGetTextDatum(out[1]);
        if (first_row(user.keyed, user.slot, &uid, BTEqualStrategyNumber, u.eq, u.collation, 0))
            for (int c = 0; c < 3; ++c) out[3 + c] = text_value(user.slot, u.cols[1 + c]);
        release_pins(user.keyed, user.slot);
        if (!settings::keep_scans_open) close_open(&open_users_);
    });
    return found ? Result::Found : Result::None;
}

}  // namespace thelook::pg
