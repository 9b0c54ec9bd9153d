#include "pg/writers/schema_writer.hpp"

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/writers/inventory_writer.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

std::string qualified(const std::string& schema, const char* table) {
    return pg_guard([&] { return quote_identifier(schema.c_str()); }) + std::string(".") + table;
}

_SPI_plan* prepare(const std::string& sql, std::vector<Oid> types) {
    return pg_guard([&] {
        SPIPlanPtr plan = SPI_prepare(sql.c_str(), static_cast<int>(types.size()), types.data());
        if (plan == nullptr)
            elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql.c_str(), SPI_result_code_string(SPI_result));
        SPI_keepplan(plan);
        return plan;
    });
}

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

// Transposes rows into one array per column and runs the upsert. Inside pg_guard.
template <typename T, typename RowFn>
void execute_upsert(_SPI_plan* plan, const std::vector<T>& rows, RowFn row_fn, const TableSpec& t) {
    const ColumnSpec* cols = t.columns;
    const int ncols = t.ncolumns;
    const int nrows = static_cast<int>(rows.size());
    Datum* columns[16];
    bool* column_nulls[16];
    for (int c = 0; c < ncols; ++c) {
        columns[c] = static_cast<Datum*>(palloc(sizeof(Datum) * nrows));
        column_nulls[c] = static_cast<bool*>(palloc(sizeof(bool) * nrows));
    }
    Datum values[16];
    bool nulls[16];
    for (int r = 0; r < nrows; ++r) {
        row_fn(rows[r], values, nulls);
        for (int c = 0; c < ncols; ++c) {
            columns[c][r] = values[c];
            column_nulls[c][r] = nulls[c];
        }
    }
    Datum params[16];
    int dims[1] = {nrows}, lbs[1] = {1};
    for (int c = 0; c < ncols; ++c) {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(cols[c].type, &typlen, &typbyval, &typalign);
        params[c] = PointerGetDatum(construct_md_array(columns[c], column_nulls[c], 1, dims, lbs,
                                                       cols[c].type, typlen, typbyval, typalign));
    }
    int rc = SPI_execute_plan(plan, params, nullptr, false, 0);
    if (rc != SPI_OK_INSERT)
        elog(ERROR, "thelook upsert failed: %s", SPI_result_code_string(rc));
}

const char* copy_value(int col) {
    return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);
}

}  // namespace

int64 WriteCounts::rows() const {
    int64 total = 0;
    for (int i = 0; i < kTableCount; ++i) total += inserted[i] + updated[i] + deleted[i];
    return total;
}

SchemaWriter::SchemaWriter(const std::string& schema) : schema_(schema) {
    const std::string users = qualified(schema, "users"), orders = qualified(schema, "orders"),
                      items = qualified(schema, "order_items"), events = qualified(schema, "events"),
                      heartbeat = qualified(schema, "heartbeat");
    pick_user_ = prepare("(SELECT id, city, state, postal_code, gender FROM " + users +
                             " WHERE id >= $1 ORDER BY id LIMIT 1) UNION ALL (SELECT id, city, state, "
                             "postal_code, gender FROM " + users + " ORDER BY id LIMIT 1) LIMIT 1",
                         {TEXTOID});
    const std::string open = " status IN ('Processing', 'Shipped', 'Delivered') ";
    pick_order_ = prepare("SELECT o.id, o.user_id, o.status, u.city, u.state, u.postal_code FROM ("
                          "(SELECT id, user_id, status FROM " + orders + " WHERE id >= $1 AND" + open +
                              "ORDER BY id LIMIT 1) UNION ALL (SELECT id, user_id, status FROM " + orders +
                              " WHERE" + open + "ORDER BY id LIMIT 1) LIMIT 1) o LEFT JOIN " + users +
                              " u ON u.id = o.user_id",
                          {TEXTOID});
    oldest_open_ = prepare("SELECT id FROM " + orders + " WHERE" + open + "ORDER BY id LIMIT 1", {});
    update_user_ = prepare("UPDATE " + users +
                               " SET street_address = $2, postal_code = $3, city = $4, state = $5, "
                               "country = $6, latitude = $7, longitude = $8, updated_at = $9 WHERE id = $1",
                           {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, FLOAT8OID, FLOAT8OID,
                            TIMESTAMPOID});
    const std::string moves = " SET status = $2, updated_at = $3, shipped_at = coalesce($4, shipped_at), "
                              "delivered_at = coalesce($5, delivered_at), returned_at = coalesce($6, "
                              "returned_at), cancelled_at = coalesce($7, cancelled_at) ";
    const std::vector<Oid> move_types = {TEXTOID, TEXTOID, TIMESTAMPOID, TIMESTAMPOID,
                                         TIMESTAMPOID, TIMESTAMPOID, TIMESTAMPOID};
    // "AND status = $8": only if the order is still in the status it was picked in. A pick reads
    // the transaction's snapshot, which does not show this transaction's own earlier moves, and
    // another simulation may move the same order; either way a stale pick must not move it twice.
    std::vector<Oid> order_move_types = move_types;
    order_move_types.push_back(TEXTOID);
    update_order_ = prepare("UPDATE " + orders + moves + "WHERE id = $1 AND status = $8", order_move_types);
    update_items_ = prepare("UPDATE " + items + moves + "WHERE order_id = $1 RETURNING id, product_id", move_types);
    heartbeat_ = prepare("INSERT INTO " + heartbeat +
                             " (id, ts) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts",
                         {TIMESTAMPOID});
    upsert_users_ = prepare(upsert_sql(schema, kUsersTable), array_types(kUsersTable));
    upsert_orders_ = prepare(upsert_sql(schema, kOrdersTable), array_types(kOrdersTable));
    upsert_items_ = prepare(upsert_sql(schema, kOrderItemsTable), array_types(kOrderItemsTable));
    upsert_events_ = prepare(upsert_sql(schema, kEventsTable), array_types(kEventsTable));
    inventory_.reset(InventoryWriter::open(schema));
}

SchemaWriter::~SchemaWriter() {
    for (_SPI_plan* plan : {pick_user_, pick_order_, oldest_open_, update_user_, update_order_, update_items_, heartbeat_,
                            upsert_users_, upsert_orders_, upsert_items_, upsert_events_, insert_incident_, insert_faults_, old_orders_,
                            delete_items_, delete_orders_, delete_events_, account_events_, account_items_,
                            account_orders_, account_user_, purge_events_, rekey_event_, large_pick_, large_orders_,
                            large_items_, large_truth_, insert_targeted_incident_})
        if (plan) SPI_freeplan(plan);
}

namespace {
// Whether the first of `buffered` at or after key (wrapping around) comes before the table's pick
// (found: the table's first row at or after key, or its first row when none is).
bool buffered_wins(const std::set<std::string>& buffered, const std::string& key, bool found,
                   const std::string& table_id) {
    if (buffered.empty()) return false;
    auto ge = buffered.lower_bound(key);
    if (found && table_id >= key) return ge != buffered.end() && *ge < table_id;
    if (ge != buffered.end()) return true;
    return !found || *buffered.begin() < table_id;
}
}  // namespace

bool SchemaWriter::pick_user(const std::string& key, PickedUser* out) {
    const bool found = query_user(key, out);
    if (!buffered_wins(buffered_users_, key, found, found ? out->id : std::string())) return found;
    flush();  // the buffered user is the pick: write it, then read it as the table has it
    return query_user(key, out);
}

bool SchemaWriter::pick_open_order(const std::string& key, PickedOrder* out) {
    const bool found = query_open_order(key, out);
    if (!buffered_wins(buffered_orders_, key, found, found ? out->id : std::string())) return found;
    flush();
    return query_open_order(key, out);
}

// The transaction's snapshot, moved on to see its own writes so far (see_own_writes): an order
// moved earlier in the transaction is seen in its new status, a flushed user is found.
bool SchemaWriter::query_user(const std::string& key, PickedUser* out) {
    const char *id = nullptr, *city = nullptr, *state = nullptr, *postal = nullptr, *gender = nullptr;
    bool found = pg_guard([&] {
        Datum arg = text_datum(key);
        int rc = SPI_execute_plan(pick_user_, &arg, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: picking a user failed: %s", SPI_result_code_string(rc));
        if (SPI_processed == 0) return false;
        id = copy_value(1);
        city = copy_value(2);
        state = copy_value(3);
        postal = copy_value(4);
        gender = copy_value(5);
        return true;
    });
    if (!found) return false;
    out->id = id;
    out->place = Place{city ? city : "", state ? state : "", postal ? postal : ""};
    out->gender = gender ? gender : "";
    return true;
}

std::string SchemaWriter::oldest_open_order_id() {
    const char* id = pg_guard([&]() -> const char* {
        int rc = SPI_execute_plan(oldest_open_, nullptr, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading the oldest open order failed: %s", SPI_result_code_string(rc));
        return SPI_processed == 0 ? nullptr : copy_value(1);
    });
    return id ? id : "";
}

bool SchemaWriter::query_open_order(const std::string& key, PickedOrder* out) {
    const char *id = nullptr, *user_id = nullptr, *status = nullptr, *city = nullptr, *state = nullptr,
               *postal = nullptr;
    bool found = pg_guard([&] {
        Datum arg = text_datum(key);
        int rc = SPI_execute_plan(pick_order_, &arg, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: picking an order failed: %s", SPI_result_code_string(rc));
        if (SPI_processed == 0) return false;
        id = copy_value(1);
        user_id = copy_value(2);
        status = copy_value(3);
        city = copy_value(4);
        state = copy_value(5);
        postal = copy_value(6);
        return true;
    });
    if (!found) return false;
    out->id = id;
    out->user_id = user_id ? user_id : "";
    if (!parse_status(status ? status : "", &out->status)) return false;
    out->place = Place{city ? city : "", state ? state : "", postal ? postal : ""};
    return true;
}

bool SchemaWriter::has_products() {
    std::string sql = "SELECT 1 FROM " + qualified(schema_, "products") + " LIMIT 1";
    return pg_guard([&] {
        int rc = SPI_execute(sql.c_str(), true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading products failed: %s", SPI_result_code_string(rc));
        return SPI_processed > 0;
    });
}

std::vector<Product> SchemaWriter::load_products() {
    std::string sql = "SELECT id, retail_price, cost, department, category, brand, name, sku, distribution_center_id FROM " +
                      qualified(schema_, "products") + " ORDER BY id";
    uint64 n = pg_guard([&] {
        int rc = SPI_execute(sql.c_str(), true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading products failed: %s", SPI_result_code_string(rc));
        return SPI_processed;
    });
    std::vector<Product> products(n);
    for (uint64 i = 0; i < n; ++i) {
        const char *dept = nullptr, *category = nullptr, *brand = nullptr, *name = nullptr, *sku = nullptr;
        bool null_id = false, null_price = false, null_cost = false, null_dc = false;
        Datum id = 0, price = 0, cost = 0, dc = 0;
        pg_guard([&] {
            HeapTuple t = SPI_tuptable->vals[i];
            TupleDesc d = SPI_tuptable->tupdesc;
            id = SPI_getbinval(t, d, 1, &null_id);
            price = SPI_getbinval(t, d, 2, &null_price);
            cost = SPI_getbinval(t, d, 3, &null_cost);
            dept = SPI_getvalue(t, d, 4);
            category = SPI_getvalue(t, d, 5);
            brand = SPI_getvalue(t, d, 6);
            name = SPI_getvalue(t, d, 7);
            sku = SPI_getvalue(t, d, 8);
            dc = SPI_getbinval(t, d, 9, &null_dc);
        });
        products[i].sku = sku ? sku : "";
        products[i].distribution_center_id = null_dc ? 0 : DatumGetInt64(dc);
        products[i].id = null_id ? 0 : DatumGetInt64(id);
        products[i].retail_price = null_price ? 0 : DatumGetFloat8(price);
        products[i].cost = null_cost ? 0 : DatumGetFloat8(cost);
        products[i].department = dept ? dept : "";
        products[i].category = category ? category : "";
        products[i].brand = brand ? brand : "";
        products[i].name = name ? name : "";
    }
    return products;
}

void SchemaWriter::update_user_address(const std::string& user_id, const Address& a, Micros now) {
    const Location& l = *a.location;
    uint64 n = pg_guard([&] {
        Datum args[9] = {text_datum(user_id), text_datum(a.street_address), text_datum(l.postal_code),
                         text_datum(l.city), text_datum(l.state), text_datum(l.country),
                         Float8GetDatum(l.latitude), Float8GetDatum(l.longitude),
                         local_timestamp_datum(now)};
        int rc = SPI_execute_plan(update_user_, args, nullptr, false, 0);
        if (rc != SPI_OK_UPDATE) elog(ERROR, "thelook: updating a user failed: %s", SPI_result_code_string(rc));
        return SPI_processed;
    });
    counts_.updated[kUsers] += static_cast<int64>(n);
    see_own_writes();
}

// Picks read the active snapshot (read_only: no new snapshot per pick, the cheap way); after a
// write it moves on to the current command, so that later picks see the transaction's own rows.
void SchemaWriter::see_own_writes() {
    pg_guard([] {
        CommandCounterIncrement();
        UpdateActiveSnapshotCommandId();
    });
}

std::vector<ItemRef> SchemaWriter::update_order(const std::string& order_id, OrderStatus from,
                                                OrderStatus status, const OrderTimes& changed) {
    uint64 orders_updated = 0, n_items = 0;
    pg_guard([&] {
        Datum args[8];
        char nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
        args[0] = text_datum(order_id);
        args[1] = CStringGetTextDatum(status_name(status));
        args[7] = CStringGetTextDatum(status_name(from));
        args[2] = local_timestamp_datum(changed.updated_at);
        const Micros times[4] = {changed.shipped_at, changed.delivered_at, changed.returned_at, changed.cancelled_at};
        for (int i = 0; i < 4; ++i) {
            nulls[3 + i] = times[i] == kNoTime ? 'n' : ' ';
            args[3 + i] = times[i] == kNoTime ? 0 : local_timestamp_datum(times[i]);
        }
        int rc = SPI_execute_plan(update_order_, args, nulls, false, 0);
        if (rc != SPI_OK_UPDATE) elog(ERROR, "thelook: updating an order failed: %s", SPI_result_code_string(rc));
        orders_updated = SPI_processed;
        if (orders_updated == 0) return;  // moved already: leave it and its items alone
        rc = SPI_execute_plan(update_items_, args, nulls, false, 0);
        if (rc != SPI_OK_UPDATE_RETURNING)
            elog(ERROR, "thelook: updating order items failed: %s", SPI_result_code_string(rc));
        n_items = SPI_processed;
    });
    counts_.updated[kOrders] += static_cast<int64>(orders_updated);
    counts_.updated[kOrderItems] += static_cast<int64>(n_items);
    if (orders_updated > 0) see_own_writes();
    std::vector<ItemRef> items(n_items);
    for (uint64 i = 0; i < n_items; ++i) {
        const char* id = nullptr;
        bool null_product = false;
        Datum product = 0;
        pg_guard([&] {
            id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
            product = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &null_product);
        });
        items[i].id = id ? id : "";
        items[i].product_id = null_product ? 0 : DatumGetInt64(product);
    }
    return items;
}

void SchemaWriter::heartbeat(Micros now) {
    pg_guard([&] {
        Datum arg = local_timestamp_datum(now);
        int rc = SPI_execute_plan(heartbeat_, &arg, nullptr, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: heartbeat failed: %s", SPI_result_code_string(rc));
    });
    counts_.updated[kHeartbeat] += 1;
}

RetentionCounts SchemaWriter::delete_old_orders(Micros cutoff, int64 limit) {
    if (!old_orders_) {
        const std::string orders = qualified(schema_, "orders"), items = qualified(schema_, "order_items");
        old_orders_ = prepare("SELECT coalesce(array_agg(id), '{}') FROM (SELECT id FROM " + orders +
                                  " WHERE created_at < $1 ORDER BY created_at, id LIMIT $2) o",
                              {TIMESTAMPOID, INT8OID});
        delete_items_ = prepare("DELETE FROM " + items + " WHERE order_id = ANY ($1)", {TEXTARRAYOID});
        delete_orders_ = prepare("DELETE FROM " + orders + " WHERE id = ANY ($1)", {TEXTARRAYOID});
    }
    RetentionCounts n;
    pg_guard([&] {
        Datum args[2] = {local_timestamp_datum(cutoff), Int64GetDatum(limit)};
        int rc = SPI_execute_plan(old_orders_, args, nullptr, false, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: finding old orders failed: %s", SPI_result_code_string(rc));
        bool isnull = false;
        Datum ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (isnull || ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(ids)), ARR_DIMS(DatumGetArrayTypeP(ids))) == 0) return;
        ids = PointerGetDatum(DatumGetArrayTypePCopy(ids));
        // Items first: a consumer that keeps referential integrity never sees an item without its order.
        rc = SPI_execute_plan(delete_items_, &ids, nullptr, false, 0);
        if (rc != SPI_OK_DELETE) elog(ERROR, "thelook: deleting old order items failed: %s", SPI_result_code_string(rc));
        n.order_items = static_cast<int64>(SPI_processed);
        rc = SPI_execute_plan(delete_orders_, &ids, nullptr, false, 0);
        if (rc != SPI_OK_DELETE) elog(ERROR, "thelook: deleting old orders failed: %s", SPI_result_code_string(rc));
        n.orders = static_cast<int64>(SPI_processed);
    });
    counts_.deleted[kOrders] += n.orders;
    counts_.deleted[kOrderItems] += n.order_items;
    return n;
}

int64 SchemaWriter::delete_old_events(Micros cutoff, int64 limit) {
    if (!delete_events_) {
        const std::string events = qualified(schema_, "events");
        delete_events_ = prepare("DELETE FROM " + events + " WHERE id IN (SELECT id FROM " + events +
                                     " WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
                                 {TIMESTAMPOID, INT8OID});
    }
    int64 n = pg_guard([&] {
        Datum args[2] = {local_timestamp_datum(cutoff), Int64GetDatum(limit)};
        int rc = SPI_execute_plan(delete_events_, args, nullptr, false, 0);
        if (rc != SPI_OK_DELETE) elog(ERROR, "thelook: deleting old events failed: %s", SPI_result_code_string(rc));
        return static_cast<int64>(SPI_processed);
    });
    counts_.deleted[kEvents] += n;
    return n;
}

// Tables of ground truth are prepared on first use: schemas set up by an earlier version have
// none until setup() runs again.
void SchemaWriter::require_table(const char* table, const char* why) {
    const bool exists = pg_guard([&] {
        Oid nsp = get_namespace_oid(schema_.c_str(), true);
        return OidIsValid(nsp) && OidIsValid(get_relname_relid(table, nsp));
    });
    if (!exists)
        throw Error(sqlstate::kUndefinedTable, "relation \"" + schema_ + "." + table + "\" does not exist", why,
                    "Run SELECT thelook.setup('" + schema_ + "') again: it adds the table to an existing schema.");
}

void SchemaWriter::require_incidents_table() {
    if (insert_incident_) return;
    require_table("incidents", "The scenario has incidents, and they are recorded there as ground truth.");
    insert_incident_ = prepare("INSERT INTO " + qualified(schema_, "incidents") +
                                   " (simulation_id, kind, magnitude, started_at, ended_at, origin) "
                                   "VALUES ($1, $2, $3, $4, $5, $6)",
                               {INT4OID, TEXTOID, FLOAT8OID, TIMESTAMPOID, TIMESTAMPOID, TEXTOID});
}

void SchemaWriter::require_faults_table() {
    if (insert_faults_) return;
    require_table("injected_faults", "The scenario injects faults, and they are listed there as ground truth.");
    insert_faults_ = prepare("INSERT INTO " + qualified(schema_, "injected_faults") +
                                 " (simulation_id, table_name, row_id, kind, detail) "
                                 "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
                             {INT4OID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID});
}

// Ground truth, one statement for the transaction's rows. Inside pg_guard.
void SchemaWriter::write_truth() {
    const int n = static_cast<int>(truth_.size());
    Datum* cols[4];
    for (auto& c : cols) c = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    for (int r = 0; r < n; ++r) {
        const FaultRecord& f = truth_[r];
        cols[0][r] = text_datum(f.table);
        cols[1][r] = text_datum(f.row_id);
        cols[2][r] = text_datum(f.kind);
        cols[3][r] = text_datum(f.detail);
    }
    Datum args[5] = {Int32GetDatum(simulation_id_)};
    for (int c = 0; c < 4; ++c) args[c + 1] = PointerGetDatum(construct_array(cols[c], n, TEXTOID, -1, false, TYPALIGN_INT));
    const char nulls[5] = {simulation_id_ == 0 ? 'n' : ' ', ' ', ' ', ' ', ' '};
    int rc = SPI_execute_plan(insert_faults_, args, nulls, false, 0);
    if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording injected faults failed: %s", SPI_result_code_string(rc));
}

void SchemaWriter::record_incidents(const std::vector<IncidentWindow>& incidents, int32 simulation_id) {
    if (incidents.empty()) return;
    require_incidents_table();
    for (const IncidentWindow& w : incidents) {
        if (!w.target.empty()) {
            record_targeted_incident(w, simulation_id);
            continue;
        }
        pg_guard([&] {
            Datum args[6] = {Int32GetDatum(simulation_id), CStringGetTextDatum(incident_kind_name(w.kind)),
                             Float8GetDatum(w.magnitude), local_timestamp_datum(w.start),
                             local_timestamp_datum(w.end), CStringGetTextDatum(w.origin)};
            const char nulls[6] = {simulation_id == 0 ? 'n' : ' ', ' ', ' ', ' ', ' ', ' '};
            int rc = SPI_execute_plan(insert_incident_, args, nulls, false, 0);
            if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording an incident failed: %s", SPI_result_code_string(rc));
        });
    }
}

// A supply problem's target goes into incidents.target (a column setup() adds since inventory).
void SchemaWriter::record_targeted_incident(const IncidentWindow& w, int32 simulation_id) {
    if (!insert_targeted_incident_)
        insert_targeted_incident_ = prepare("INSERT INTO " + qualified(schema_, "incidents") +
                                                " (simulation_id, kind, magnitude, started_at, ended_at, origin, target) "
                                                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                            {INT4OID, TEXTOID, FLOAT8OID, TIMESTAMPOID, TIMESTAMPOID, TEXTOID, TEXTOID});
    const std::string target = w.target.describe();  // not inside pg_guard: a longjmp would skip its destructor
    pg_guard([&] {
        Datum args[7] = {Int32GetDatum(simulation_id), CStringGetTextDatum(incident_kind_name(w.kind)),
                         Float8GetDatum(w.magnitude), local_timestamp_datum(w.start), local_timestamp_datum(w.end),
                         CStringGetTextDatum(w.origin), text_datum(target)};
        const char nulls[7] = {simulation_id == 0 ? 'n' : ' ', ' ', ' ', ' ', ' ', ' ', ' '};
        int rc = SPI_execute_plan(insert_targeted_incident_, args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording an incident failed: %s", SPI_result_code_string(rc));
    });
}

int64_t SchemaWriter::take_item(const Product& p, Micros t) { return inventory_->take_item(p, t); }

void SchemaWriter::order_restock(const Product& p, Micros t, Micros arrives_at, int quantity) {
    inventory_->order_restock(p, t, arrives_at, quantity, simulation_id_);
}

void SchemaWriter::record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t) {
    inventory_->record_lost_sale(p, user_id, session_id, t, simulation_id_);
    counts_.lost_sales += 1;
}

std::vector<DueRestock> SchemaWriter::due_restocks(Micros t) { return inventory_->due_restocks(t); }
void SchemaWriter::deliver_restock(const DueRestock& r, const Product&, Micros at) { inventory_->deliver_restock(r, at); }
void SchemaWriter::hold_restock(const DueRestock& r, Micros until) { inventory_->hold_restock(r, until); }
void SchemaWriter::return_to_stock(const Product& p, Micros at) { inventory_->add_items({{p.id, at, kNoTime}}); }

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
