// SchemaWriter's buffered rows: added by the simulation, written by flush() as one
// INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (id) DO UPDATE per table.
#include "pg/bridge/datum.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

namespace {

// INSERT INTO s.t (c1, ...) SELECT * FROM unnest($1::t1[], ...) ON CONFLICT (id) DO UPDATE SET ...
std::string upsert_sql(const std::string& schema, const TableSpec& t) {
    const std::string table = qualified(schema, t.name);
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

}  // namespace

void SchemaWriter::prepare_upserts() {
    upsert_users_ = prepare(upsert_sql(schema_, kUsersTable), array_types(kUsersTable));
    upsert_orders_ = prepare(upsert_sql(schema_, kOrdersTable), array_types(kOrdersTable));
    upsert_items_ = prepare(upsert_sql(schema_, kOrderItemsTable), array_types(kOrderItemsTable));
    upsert_events_ = prepare(upsert_sql(schema_, kEventsTable), array_types(kEventsTable));
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
    pg_guard([&] {
        if (!users_.empty()) execute_upsert(upsert_users_, users_, user_row, kUsersTable);
        if (!orders_.empty()) execute_upsert(upsert_orders_, orders_, order_row, kOrdersTable);
        if (!items_.empty()) execute_upsert(upsert_items_, items_, order_item_row, kOrderItemsTable);
        if (!events_.empty()) execute_upsert(upsert_events_, events_, event_row, kEventsTable);
    });
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
