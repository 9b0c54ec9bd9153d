#include "pg/feeds/feed_log_appender.hpp"

#include <algorithm>

#include "pg/bridge/compat.hpp"
#include "pg/bridge/guard.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/pg_sequence.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

namespace thelook::pg {

namespace {

constexpr int kBatchRows = 1000;  // rows per table_multi_insert call, as COPY
constexpr int kSeq = -2, kNull = -1;  // a log column's source other than a row column

// Whether INSERT must write the log (what table_multi_insert would skip). Inside pg_guard.
bool needs_insert(Relation log) {
    const TriggerDesc* trig = log->trigdesc;
    const TupleDesc desc = RelationGetDescr(log);
    return log->rd_rel->relkind != RELKIND_RELATION || log->rd_rel->relispartition || log->rd_rules != nullptr ||
           log->rd_tableam != GetHeapamTableAmRoutine() ||
           (trig && (trig->trig_insert_before_row || trig->trig_insert_after_row || trig->trig_insert_instead_row ||
                     trig->trig_insert_before_statement || trig->trig_insert_after_statement || trig->trig_insert_new_table)) ||
           (desc->constr && desc->constr->has_generated_stored) ||
           pg_class_aclcheck(RelationGetRelid(log), GetUserId(), ACL_INSERT) != ACLCHECK_OK ||
           check_enable_rls(RelationGetRelid(log), InvalidOid, false) == RLS_ENABLED;
}

// The sequence's increment (1 if it cannot be read). Inside pg_guard.
int64 sequence_increment(Oid seq) {
    HeapTuple tuple = SearchSysCache1(SEQRELID, ObjectIdGetDatum(seq));
    if (!HeapTupleIsValid(tuple)) return 1;
    const int64 increment = reinterpret_cast<Form_pg_sequence>(GETSTRUCT(tuple))->seqincrement;
    ReleaseSysCache(tuple);
    return increment;
}

}  // namespace

bool append_to_own_log(const std::string& schema, const std::string& log_table, Datum rows, Oid row_type) {
    bool done = false;
    pg_guard([&] {
        Relation log = table_openrv_extended(makeRangeVar(pstrdup(schema.c_str()), pstrdup(log_table.c_str()), -1), RowExclusiveLock, true);
        if (log == nullptr) return;
        const Oid feed_log = get_relname_relid("feed_log", RelationGetNamespace(log));
        const Oid seq = OidIsValid(feed_log) ? identity_sequence(feed_log, 1, true) : InvalidOid;
        if (!OidIsValid(seq) || needs_insert(log)) {
            table_close(log, NoLock);
            return;
        }
        const TupleDesc log_desc = RelationGetDescr(log);
        const TupleDesc row_desc = lookup_rowtype_tupdesc(row_type, -1);
        // Each log column's source: the row's column of that name and type, seq, or NULL.
        int* source = static_cast<int*>(palloc(sizeof(int) * log_desc->natts));
        for (int a = 0; a < log_desc->natts; ++a) {
            const Form_pg_attribute att = TupleDescAttr(log_desc, a);
            source[a] = kNull;
            if (att->attisdropped) continue;
            if (strcmp(NameStr(att->attname), "seq") == 0) {
                source[a] = kSeq;
                continue;
            }
            for (int r = 0; r < row_desc->natts; ++r) {
                const Form_pg_attribute ratt = TupleDescAttr(row_desc, r);
                if (!ratt->attisdropped && ratt->atttypid == att->atttypid && strcmp(NameStr(ratt->attname), NameStr(att->attname)) == 0)
                    source[a] = r;
            }
        }
        Datum* elems;
        bool* elem_nulls;
        int n;
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(row_type, &typlen, &typbyval, &typalign);
        deconstruct_array(DatumGetArrayTypeP(rows), row_type, typlen, typbyval, typalign, &elems, &elem_nulls, &n);
        Datum* values = static_cast<Datum*>(palloc(sizeof(Datum) * row_desc->natts));
        bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * row_desc->natts));

        EState* estate = CreateExecutorState();
        ResultRelInfo* rri = makeNode(ResultRelInfo);
        InitResultRelInfo(rri, log, 0, nullptr, 0);
        ExecOpenIndices(rri, false);
        const CommandId cid = GetCurrentCommandId(true);
        // The slots get a copy of the log's descriptor: the relation's own is reference-counted,
        // and each slot made on it would register with the resource owner and leave it again (3 %
        // of a flat-out simulation with a feed, in bench/profile.sh feed).
        const TupleDesc slot_desc = CreateTupleDescCopy(log_desc);
        TupleTableSlot* slots[kBatchRows];
        int nslots = 0;
        for (int begin = 0; begin < n; begin += kBatchRows) {
            const int k = std::min(kBatchRows, n - begin);
            // A batch's rows numbered from one nextval where the sequence leaves room (feed_prepare
            // makes it go up by kBatchRows): they arrive together, and nextval per row was 2 % of
            // a flat-out simulation with a feed. Otherwise (a feed made by 1.1) one per row.
            const bool one_nextval = sequence_increment(seq) >= k;
            const int64 first = one_nextval ? nextval_internal(seq, true) : 0;
            for (; nslots < k; ++nslots) slots[nslots] = MakeSingleTupleTableSlot(slot_desc, table_slot_callbacks(log));
            for (int i = 0; i < k; ++i) {
                HeapTupleHeader h = DatumGetHeapTupleHeader(elems[begin + i]);
                HeapTupleData tuple;
                tuple.t_len = HeapTupleHeaderGetDatumLength(h);
                ItemPointerSetInvalid(&tuple.t_self);
                tuple.t_tableOid = InvalidOid;
                tuple.t_data = h;
                heap_deform_tuple(&tuple, row_desc, values, nulls);
                TupleTableSlot* slot = slots[i];
                ExecClearTuple(slot);
                for (int a = 0; a < log_desc->natts; ++a) {
                    slot->tts_isnull[a] = source[a] == kNull || (source[a] >= 0 && nulls[source[a]]);
                    slot->tts_values[a] = source[a] == kSeq ? Int64GetDatum(one_nextval ? first + i : nextval_internal(seq, true))
                                          : slot->tts_isnull[a] ? Datum(0) : values[source[a]];
                }
                ExecStoreVirtualTuple(slot);
                if (log_desc->constr) ExecConstraints(rri, slot, estate);
            }
            table_multi_insert(log, slots, k, cid, 0, nullptr);
            for (int i = 0; i < k; ++i) {
                ResetPerTupleExprContext(estate);
                if (rri->ri_NumIndices > 0) list_free(insert_index_tuples(rri, slots[i], estate));
                ExecClearTuple(slots[i]);
            }
        }
        for (int i = 0; i < nslots; ++i) ExecDropSingleTupleTableSlot(slots[i]);
        table_finish_bulk_insert(log, 0);
        ExecCloseIndices(rri);
        FreeExecutorState(estate);
        ReleaseTupleDesc(row_desc);
        table_close(log, NoLock);
        done = true;
    });
    return done;
}

}  // namespace thelook::pg
