// SchemaWriter's buffered rows: added by the simulation, written by flush() per table, in the
// order users, orders, order items, events. New rows go to the heap and indexes directly, as the
// back-fill's and COPY's do (bulk/bulk_insert.cpp), in one subtransaction per flush; a table that
// needs INSERT's own path, or a flush that meets a key already there, goes through one
// INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (id) DO UPDATE per table instead.
//
// Why ON CONFLICT at all: the reference upserts, and a row's id comes from the simulation's seed.
// A fresh id is new, but a schema can hold it already: a simulation started again with a seed
// that already wrote there (same seed, same id stream), two simulations with one seed on one
// schema. The upsert then overwrites (what the reference does); a plain insert would fail the
// transaction with 23505 and, retried, the simulation. The direct path keeps that: a unique
// violation rolls its subtransaction back (logical decoding never sees rolled-back changes) and
// the same rows go through the upsert, so what is committed is what the upsert alone commits.
#include "pg/bridge/datum.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/bridge/transaction.hpp"
#include "pg/bulk/bulk_insert.hpp"
#include "pg/feeds/feed_log_writer.hpp"
#include "pg/writers/index_picks.hpp"
#include "pg/writers/order_moves.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

namespace {

// INSERT INTO s.t (c1, ...) SELECT * FROM unnest($1::t1[], ...) ON CONFLICT (id) DO UPDATE SET ...
std::string upsert_sql(const TableNames& tables, const TableSpec& t) {
    const std::string table = tables.qualified(t.name);
    const ColumnSpec* cols = t.columns;
    const int n = t.ncolumns;
    std::string names, params, updates;
    for (int i = 0; i < n; ++i) {
        if (i) {
            names += ", ";
            params += ", ";
        }
        names += cols[i].name;
        params += "$" + std::to_string(i + 1);
        if (i) updates += std::string(i > 1 ? ", " : "") + cols[i].name + " = EXCLUDED." + cols[i].name;
    }
    return "INSERT INTO " + table + " (" + names + ") SELECT * FROM unnest(" + params +
           ") ON CONFLICT (id) DO UPDATE SET " + updates;
}


std::vector<Oid> array_types(const TableSpec& t) {
    std::vector<Oid> types;
    for (int i = 0; i < t.ncolumns; ++i) types.push_back(array_type_of(t.columns[i].type));
    return types;
}

// Transposes rows into one array per column and runs the upsert. Inside pg_guard. The arrays are
// sized from the row type's column count, which the table's spec must match.
template <typename T, typename RowFn>
void execute_upsert(const SpiPlan& plan, const std::vector<T>& rows, RowFn row_fn, const TableSpec& t) {
    constexpr int kColumns = RowColumns<T>::value;
    const ColumnSpec* cols = t.columns;
    const int ncols = t.ncolumns;
    if (ncols != kColumns) elog(ERROR, "thelook: table spec %s has %d columns, its rows %d", t.name, ncols, kColumns);
    const int nrows = static_cast<int>(rows.size());
    Datum* columns[kColumns];
    bool* column_nulls[kColumns];
    for (int c = 0; c < ncols; ++c) {
        columns[c] = static_cast<Datum*>(palloc(sizeof(Datum) * nrows));
        column_nulls[c] = static_cast<bool*>(palloc(sizeof(bool) * nrows));
    }
    Datum values[kColumns];
    bool nulls[kColumns];
    for (int r = 0; r < nrows; ++r) {
        row_fn(rows[r], values, nulls);
        for (int c = 0; c < ncols; ++c) {
            columns[c][r] = values[c];
            column_nulls[c][r] = nulls[c];
        }
    }
    Datum params[kColumns];
    int dims[1] = {nrows}, lbs[1] = {1};
    for (int c = 0; c < ncols; ++c) {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(cols[c].type, &typlen, &typbyval, &typalign);
        params[c] = PointerGetDatum(construct_md_array(columns[c], column_nulls[c], 1, dims, lbs,
                                                       cols[c].type, typlen, typbyval, typalign));
    }
    int rc = SPI_execute_plan(plan.get(), params, nullptr, false, 0);
    if (rc != SPI_OK_INSERT)
        elog(ERROR, "thelook upsert failed: %s", SPI_result_code_string(rc));
}

// A flush's subtransaction gets an id of its own. Past 64 in one transaction PostgreSQL's
// per-backend cache of them overflows, and every other backend's visibility checks then look in
// pg_subtrans: stay well below (a transaction flushes again for each pick of a row it buffered).
constexpr int kMaxSubtransactions = 32;
// After a flush met a key already in the table, or none of its tables could be written directly
// (a feed's capture trigger on each), the next flushes go straight to the upsert: a simulation
// rerun on its seed's rows would otherwise write most transactions twice, and a schema whose
// tables all need INSERT would pay a subtransaction per flush for nothing.
constexpr int kUpsertFlushesAfterFallback = 100;

// One table's buffered rows: directly when direct and the table allows it (returns true), else
// by the upsert. A feed's table is written directly too, its rows then logged by feed_log (in the
// same subtransaction: a unique violation that sends the flush to the upsert rolls the log back too).
template <typename T, typename RowFn>
bool write_table(const TableNames& tables, BulkTable table, bool direct, const SpiPlan& plan, FeedLogWriter& feed_log,
                 const std::vector<T>& rows, RowFn row_fn, const TableSpec& spec) {
    if (rows.empty()) return false;
    if (direct) {
        TableAppender appender(tables.schema, table, tables.relation(spec.name));
        if (appender.try_open()) {
            appender.append(rows);
            if (appender.captures())
                feed_log.log(static_cast<int>(table), spec, appender.captured_rows(), appender.row_array_type());
            appender.close();
            return true;
        }
    }
    pg_guard([&] { execute_upsert(plan, rows, row_fn, spec); });
    return false;
}

}  // namespace

int SchemaWriter::write_buffered(bool direct) {
    int n = 0;
    n += write_table(tables_, BulkTable::Users, direct, upsert_users_, feed_log_, users_, user_row, kUsersTable);
    n += write_table(tables_, BulkTable::Orders, direct, upsert_orders_, feed_log_, orders_, order_row, kOrdersTable);
    n += write_table(tables_, BulkTable::OrderItems, direct, upsert_items_, feed_log_, items_, order_item_row, kOrderItemsTable);
    n += write_table(tables_, BulkTable::Events, direct, upsert_events_, feed_log_, events_, event_row, kEventsTable);
    return n;
}

bool SchemaWriter::direct_inserts_now() {
    if (!settings::direct_inserts) return false;
    if (upsert_flushes_left_ > 0) {
        --upsert_flushes_left_;
        return false;
    }
    return !MyProc->subxidStatus.overflowed && MyProc->subxidStatus.count < kMaxSubtransactions;
}

void SchemaWriter::prepare_upserts() {
    upsert_users_ = prepare(upsert_sql(tables_, kUsersTable), array_types(kUsersTable));
    upsert_orders_ = prepare(upsert_sql(tables_, kOrdersTable), array_types(kOrdersTable));
    upsert_items_ = prepare(upsert_sql(tables_, kOrderItemsTable), array_types(kOrderItemsTable));
    upsert_events_ = prepare(upsert_sql(tables_, kEventsTable), array_types(kEventsTable));
}

void SchemaWriter::add(const Purchase& p) {
    orders_.push_back(p.order);
    buffered_orders_.insert(p.order.id);
    items_.insert(items_.end(), p.items.begin(), p.items.end());
    events_.insert(events_.end(), p.events.begin(), p.events.end());
}

void SchemaWriter::add(const std::vector<Event>& events) {
    events_.insert(events_.end(), events.begin(), events.end());
}

void SchemaWriter::flush() {
    // The picks' and moves' open scans belong to this (sub)transaction's resource owner: closed
    // before the flush's subtransaction begins and, as run_batch flushes last, before the commit.
    index_picks_->close();
    order_moves_->close();
    const bool any = !users_.empty() || !orders_.empty() || !items_.empty() || !events_.empty();
    bool written = !any;
    if (any && direct_inserts_now()) {
        try {
            int direct_tables = 0;
            in_subtransaction([&] { direct_tables = write_buffered(true); });
            written = true;
            if (direct_tables == 0) upsert_flushes_left_ = kUpsertFlushesAfterFallback;
        } catch (const PgError& e) {
            if (e.sqlerrcode() != ERRCODE_UNIQUE_VIOLATION) throw;
            upsert_flushes_left_ = kUpsertFlushesAfterFallback;
        }
    }
    if (!written) write_buffered(false);
    if (!truth_.empty()) {
        require_faults_table();
        pg_guard([&] { write_truth(); });
    }
    counts_.inserted[kUsers] += static_cast<int64>(users_.size());
    counts_.inserted[kOrders] += static_cast<int64>(orders_.size());
    counts_.inserted[kOrderItems] += static_cast<int64>(items_.size());
    counts_.inserted[kEvents] += static_cast<int64>(events_.size());
    const bool wrote = !users_.empty() || !orders_.empty();
    discard();
    if (wrote) see_own_writes();
}

void SchemaWriter::discard() {
    buffered_users_.clear();
    buffered_orders_.clear();
    users_.clear();
    orders_.clear();
    items_.clear();
    events_.clear();
    truth_.clear();
}

}  // namespace thelook::pg
