#include "pg/bulk/bulk_insert.hpp"

#include "core/error.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/citus/citus_tables.hpp"
#include "pg/writers/table_rows.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

namespace thelook::pg {

namespace {

constexpr int kBatchRows = 1000;  // rows per table_multi_insert call (COPY uses up to 1000)

TableSpec spec_of(BulkTable t) {
    switch (t) {
        case BulkTable::Users: return kUsersTable;
        case BulkTable::Orders: return kOrdersTable;
        case BulkTable::OrderItems: return kOrderItemsTable;
        case BulkTable::Events: return kEventsTable;
    }
    return kUsersTable;
}

// Whether every INSERT trigger of the table is a file feed's capture trigger (feed_prepare makes
// it: thelook.feed_capture, AFTER INSERT FOR EACH STATEMENT) that fires as it does now: enabled
// for an origin session, and this session not a replica (session_replication_role). Then the live
// writer may append directly and log the rows itself: the trigger does nothing else. Inside pg_guard.
bool only_feed_capture(const TriggerDesc* trig) {
    if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA) return false;
    const Oid thelook = get_namespace_oid("thelook", true);
    bool any = false;
    for (int i = 0; i < trig->numtriggers; ++i) {
        const Trigger& t = trig->triggers[i];
        if (!TRIGGER_FOR_INSERT(t.tgtype)) continue;
        const char* name = get_func_name(t.tgfoid);
        if (t.tgenabled != TRIGGER_FIRES_ON_ORIGIN || TRIGGER_FOR_ROW(t.tgtype) || TRIGGER_FOR_BEFORE(t.tgtype) ||
            TRIGGER_FOR_INSTEAD(t.tgtype) || t.tgqual != nullptr || name == nullptr || strcmp(name, "feed_capture") != 0 ||
            get_func_namespace(t.tgfoid) != thelook)
            return false;
        any = true;
    }
    return any;
}

}  // namespace

// Opens and checks the table inside pg_guard. live: the problems that INSERT handles itself are
// reported (not raised) and the table is closed again; bulk: no INSERT privilege raises 42501.
TableAppender::Problem TableAppender::open_table(bool live, char* detail, size_t detail_size) {
    const TableSpec spec = spec_of(table_);
    const char* schema = schema_.c_str();
    const char* relname = relation_.empty() ? spec.name : relation_.c_str();
    Problem problem = Problem::Ok;
    pg_guard([&] {
        RangeVar* rv = makeRangeVar(pstrdup(schema), pstrdup(relname), -1);
        Relation rel = table_openrv_extended(rv, RowExclusiveLock, true);
        if (rel == nullptr) {
            problem = Problem::Missing;
            return;
        }
        rel_ = rel;
        // What ExecInsert does and table_multi_insert does not: partition routing and the partition
        // constraint, rewrite rules (COPY ignores them, INSERT applies them), stored generated columns.
        if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relispartition || rel->rd_rules != nullptr) {
            problem = Problem::NotPlain;
            return;
        }
        AclResult acl = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT);
        if (acl != ACLCHECK_OK) {
            if (live) {
                problem = Problem::NoPrivilege;
                return;
            }
            aclcheck_error(acl, OBJECT_TABLE, RelationGetRelationName(rel));
        }
        if (check_enable_rls(RelationGetRelid(rel), InvalidOid, false) == RLS_ENABLED) { problem = Problem::Rls; return; }
        // Row and statement triggers on INSERT, including the internal ones of foreign keys and
        // deferrable unique constraints, and a feed's capture trigger.
        TriggerDesc* trig = rel->trigdesc;
        captures_ = false;
        if (trig && (trig->trig_insert_before_row || trig->trig_insert_after_row ||
                     trig->trig_insert_instead_row || trig->trig_insert_before_statement ||
                     trig->trig_insert_after_statement || trig->trig_insert_new_table)) {
            if (!live || !only_feed_capture(trig)) {
                problem = Problem::Triggers;
                return;
            }
            captures_ = true;
        }
        if (live && rel->rd_tableam != GetHeapamTableAmRoutine()) { problem = Problem::NotHeap; return; }
        if (live && is_citus_table(RelationGetRelid(rel))) { problem = Problem::Citus; return; }
        TupleDesc desc = RelationGetDescr(rel);
        if (desc->constr && desc->constr->has_generated_stored) { problem = Problem::Generated; return; }
        natts_ = desc->natts;
        int present = 0;
        for (int a = 0; a < desc->natts; ++a)
            if (!TupleDescAttr(desc, a)->attisdropped) ++present;
        if (present != spec.ncolumns) {
            snprintf(detail, detail_size, "Table %s.%s has %d columns; theLook's has %d.", schema, spec.name,
                     present, spec.ncolumns);
            problem = Problem::Shape;
            return;
        }
        for (int c = 0; c < spec.ncolumns; ++c) {
            map_[c] = -1;
            for (int a = 0; a < desc->natts; ++a) {
                Form_pg_attribute att = TupleDescAttr(desc, a);
                if (!att->attisdropped && strcmp(NameStr(att->attname), spec.columns[c].name) == 0 &&
                    att->atttypid == spec.columns[c].type)
                    map_[c] = a;
            }
            if (map_[c] < 0) {
                snprintf(detail, detail_size, "Column %s.%s.%s is missing or has another type.", schema,
                         spec.name, spec.columns[c].name);
                problem = Problem::Shape;
                return;
            }
        }
        check_constraints_ = desc->constr != nullptr;

        estate_ = CreateExecutorState();
        rri_ = makeNode(ResultRelInfo);
        InitResultRelInfo(rri_, rel, 0, nullptr, 0);
        ExecOpenIndices(rri_, false);
        // The back-fill's buffer ring keeps a long load from evicting the rest of shared buffers;
        // the live writer's few rows per transaction go where INSERT would put them.
        bistate_ = live ? nullptr : GetBulkInsertState();
        // The slots' descriptor: a copy without a reference count, so that making and dropping a
        // flush's thousand slots does not pin the relation's descriptor a thousand times in the
        // resource owner (which showed in the live writer's profile).
        slot_desc_ = CreateTupleDescCopy(desc);
        slots_ = static_cast<TupleTableSlot**>(palloc0(sizeof(TupleTableSlot*) * kBatchRows));
        nslots_ = 0;
        batch_context_ = AllocSetContextCreate(CurrentMemoryContext, "thelook bulk batch", ALLOCSET_DEFAULT_SIZES);
        if (captures_) {
            row_type_ = rel->rd_rel->reltype;
            row_array_type_ = get_array_type(row_type_);
            capture_context_ = AllocSetContextCreate(CurrentMemoryContext, "thelook feed capture", ALLOCSET_DEFAULT_SIZES);
            ncaptured_ = captured_size_ = 0;
            captured_ = nullptr;
        }
    });
    if (problem != Problem::Ok && live && rel_ != nullptr) {
        pg_guard([&] { table_close(rel_, NoLock); });
        rel_ = nullptr;
    }
    return problem;
}

bool TableAppender::try_open() {
    char detail[256] = "";
    return open_table(true, detail, sizeof detail) == Problem::Ok;
}

void TableAppender::open() {
    char detail[256] = "";
    const Problem problem = open_table(false, detail, sizeof detail);
    const std::string name = schema_ + "." + spec_of(table_).name;
    switch (problem) {
        case Problem::Ok: return;
        case Problem::Missing:
            throw Error(sqlstate::kUndefinedTable, "table " + name + " does not exist", "",
                        "Run thelook.setup('" + schema_ + "') first.");
        case Problem::NotPlain:
            throw Error(sqlstate::kFeatureNotSupported, "table " + name + " is not a plain table", "",
                        "Bulk writes support ordinary tables (not partitioned, a partition, foreign, or with rules).");
        case Problem::Rls:
            throw Error(sqlstate::kFeatureNotSupported, "table " + name + " has row-level security enabled", "",
                        "Bulk writes, like COPY FROM, do not apply row-level security policies; run as the table owner or disable RLS.");
        case Problem::Triggers:
            throw Error(sqlstate::kFeatureNotSupported, "table " + name + " has INSERT triggers", "",
                        "Bulk writes do not fire triggers; drop or disable them (ALTER TABLE ... DISABLE TRIGGER) for the back-fill.");
        case Problem::Generated:
            throw Error(sqlstate::kFeatureNotSupported, "table " + name + " has a generated column", "",
                        "Bulk writes do not compute generated columns; drop the column for the back-fill.");
        case Problem::Shape:
            throw Error(sqlstate::kDatatypeMismatch, "table " + name + " does not have theLook's columns", detail,
                        "Create the table with thelook.setup().");
        case Problem::NoPrivilege:
        case Problem::NotHeap:
        case Problem::Citus:
            break;  // live only
    }
}

template <typename T, typename RowFn>
void TableAppender::append_rows(const std::vector<T>& rows, RowFn row_fn) {
    const size_t total = rows.size();
    const int ncols = spec_of(table_).ncolumns;
    pg_guard([&] {
        const CommandId cid = GetCurrentCommandId(true);
        Datum values[16];
        bool nulls[16];
        for (size_t begin = 0; begin < total; begin += kBatchRows) {
            const int n = static_cast<int>(std::min<size_t>(kBatchRows, total - begin));
            for (; nslots_ < n; ++nslots_)
                slots_[nslots_] = MakeSingleTupleTableSlot(slot_desc_, table_slot_callbacks(rel_));
            MemoryContext old = MemoryContextSwitchTo(batch_context_);
            for (int k = 0; k < n; ++k) {
                TupleTableSlot* slot = slots_[k];
                ExecClearTuple(slot);
                row_fn(rows[begin + k], values, nulls);
                for (int a = 0; a < natts_; ++a) {
                    slot->tts_values[a] = 0;
                    slot->tts_isnull[a] = true;
                }
                for (int c = 0; c < ncols; ++c) {
                    slot->tts_values[map_[c]] = values[c];
                    slot->tts_isnull[map_[c]] = nulls[c];
                }
                ExecStoreVirtualTuple(slot);
                if (check_constraints_) ExecConstraints(rri_, slot, estate_);
            }
            MemoryContextSwitchTo(old);
            table_multi_insert(rel_, slots_, n, cid, 0, bistate_);
            if (captures_) {
                // The row as stored (what the trigger's transition table would hold), copied out
                // of the slot before the next batch reuses it.
                MemoryContextSwitchTo(capture_context_);
                if (ncaptured_ + n > captured_size_) {
                    const int size = std::max(ncaptured_ + n, 2 * captured_size_);
                    captured_ = static_cast<Datum*>(captured_ ? repalloc(captured_, sizeof(Datum) * size) : palloc(sizeof(Datum) * size));
                    captured_size_ = size;
                }
                for (int k = 0; k < n; ++k) captured_[ncaptured_++] = ExecFetchSlotHeapTupleDatum(slots_[k]);
                MemoryContextSwitchTo(old);
            }
            if (rri_->ri_NumIndices > 0) {
                for (int k = 0; k < n; ++k) {
                    ResetPerTupleExprContext(estate_);
                    List* recheck = insert_index_tuples(rri_, slots_[k], estate_);
                    list_free(recheck);
                }
            }
            ResetPerTupleExprContext(estate_);
            for (int k = 0; k < n; ++k) ExecClearTuple(slots_[k]);
            MemoryContextReset(batch_context_);
        }
    });
}

void TableAppender::append(const std::vector<User>& rows) { append_rows(rows, user_row); }
void TableAppender::append(const std::vector<Order>& rows) { append_rows(rows, order_row); }
void TableAppender::append(const std::vector<OrderItem>& rows) { append_rows(rows, order_item_row); }
void TableAppender::append(const std::vector<Event>& rows) { append_rows(rows, event_row); }

Datum TableAppender::captured_rows() {
    return pg_guard([&] {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(row_type_, &typlen, &typbyval, &typalign);
        ArrayType* rows = construct_array(captured_, ncaptured_, row_type_, typlen, typbyval, typalign);
        ncaptured_ = captured_size_ = 0;
        captured_ = nullptr;
        MemoryContextReset(capture_context_);
        return PointerGetDatum(rows);
    });
}

void TableAppender::close() {
    pg_guard([&] {
        if (estate_) {
            for (int i = 0; i < nslots_; ++i) ExecDropSingleTupleTableSlot(slots_[i]);
            if (bistate_) FreeBulkInsertState(bistate_);
            table_finish_bulk_insert(rel_, 0);
            ExecCloseIndices(rri_);
            FreeExecutorState(estate_);
            MemoryContextDelete(batch_context_);
            if (capture_context_) MemoryContextDelete(capture_context_);
        }
        if (rel_) table_close(rel_, NoLock);
    });
    rel_ = nullptr;
    estate_ = nullptr;
    bistate_ = nullptr;
    capture_context_ = nullptr;
    captured_ = nullptr;
    ncaptured_ = captured_size_ = 0;
    captures_ = false;
    nslots_ = 0;
}

}  // namespace thelook::pg
