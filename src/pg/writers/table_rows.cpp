#include "pg/writers/table_rows.hpp"

#include "pg/bridge/datum.hpp"

#include <cstring>
#include <initializer_list>

namespace thelook::pg {

namespace {
const ColumnSpec kUserColumnSpecs[kUserColumns] = {
    {"id", TEXTOID}, {"first_name", TEXTOID}, {"last_name", TEXTOID}, {"email", TEXTOID},
    {"age", INT4OID}, {"gender", TEXTOID}, {"street_address", TEXTOID}, {"postal_code", TEXTOID},
    {"city", TEXTOID}, {"state", TEXTOID}, {"country", TEXTOID}, {"latitude", FLOAT8OID},
    {"longitude", FLOAT8OID}, {"traffic_source", TEXTOID}, {"created_at", TIMESTAMPOID},
    {"updated_at", TIMESTAMPOID}};
const ColumnSpec kOrderColumnSpecs[kOrderColumns] = {
    {"id", TEXTOID}, {"user_id", TEXTOID}, {"status", TEXTOID}, {"num_of_items", INT4OID},
    {"created_at", TIMESTAMPOID}, {"updated_at", TIMESTAMPOID}, {"returned_at", TIMESTAMPOID},
    {"shipped_at", TIMESTAMPOID}, {"delivered_at", TIMESTAMPOID}, {"cancelled_at", TIMESTAMPOID}};
const ColumnSpec kOrderItemColumnSpecs[kOrderItemColumns] = {
    {"id", TEXTOID}, {"order_id", TEXTOID}, {"product_id", INT8OID}, {"status", TEXTOID},
    {"quantity", INT4OID}, {"sale_price", FLOAT8OID}, {"created_at", TIMESTAMPOID},
    {"updated_at", TIMESTAMPOID}, {"shipped_at", TIMESTAMPOID}, {"delivered_at", TIMESTAMPOID},
    {"returned_at", TIMESTAMPOID}, {"cancelled_at", TIMESTAMPOID}};
const ColumnSpec kEventColumnSpecs[kEventColumns] = {
    {"id", TEXTOID}, {"user_id", TEXTOID}, {"sequence_number", INT4OID}, {"session_id", TEXTOID},
    {"ip_address", TEXTOID}, {"city", TEXTOID}, {"state", TEXTOID}, {"postal_code", TEXTOID},
    {"browser", TEXTOID}, {"traffic_source", TEXTOID}, {"uri", TEXTOID}, {"event_type", TEXTOID},
    {"created_at", TIMESTAMPOID}};
}  // namespace

const TableSpec kUsersTable{"users", kUserColumnSpecs, kUserColumns};
const TableSpec kOrdersTable{"orders", kOrderColumnSpecs, kOrderColumns};
const TableSpec kOrderItemsTable{"order_items", kOrderItemColumnSpecs, kOrderItemColumns};
const TableSpec kEventsTable{"events", kEventColumnSpecs, kEventColumns};

Oid array_type_of(Oid element_type) {
    switch (element_type) {
        case TEXTOID: return TEXTARRAYOID;
        case INT4OID: return INT4ARRAYOID;
        case INT8OID: return INT8ARRAYOID;
        case FLOAT8OID: return FLOAT8ARRAYOID;
        case TIMESTAMPOID: return TIMESTAMPARRAYOID;
        default: return InvalidOid;
    }
}

namespace {
void put_time(Micros t, Datum* value, bool* null) {
    *null = (t == kNoTime);
    *value = *null ? 0 : local_timestamp_datum(t);
}
void put_times(const OrderTimes& t, Datum* v, bool* n, const int (&cols)[6]) {
    put_time(t.created_at, &v[cols[0]], &n[cols[0]]);
    put_time(t.updated_at, &v[cols[1]], &n[cols[1]]);
    put_time(t.shipped_at, &v[cols[2]], &n[cols[2]]);
    put_time(t.delivered_at, &v[cols[3]], &n[cols[3]]);
    put_time(t.returned_at, &v[cols[4]], &n[cols[4]]);
    put_time(t.cancelled_at, &v[cols[5]], &n[cols[5]]);
}
// A bad record's NULL columns.
void put_nulls(NullColumns nulls, bool* n) {
    for (int i = 0; nulls != 0; ++i, nulls >>= 1)
        if (nulls & 1) n[i] = true;
}

// A row's text columns as varlenas in one palloc instead of one each: the per-column
// allocations were a tenth of an SRF's time (bench/profile.sh srf). Each piece starts 4-aligned,
// as a text value's header needs. column < 0: skipped (a NULL).
struct TextColumn {
    int column;
    const char* data;
    size_t len;
    TextColumn(int c, const std::string& s) : column(c), data(s.data()), len(s.size()) {}
    TextColumn(int c, const char* s) : column(c), data(s), len(strlen(s)) {}
};

void put_texts(std::initializer_list<TextColumn> columns, Datum* v) {
    size_t total = 0;
    for (const TextColumn& c : columns)
        if (c.column >= 0) total += INTALIGN(VARHDRSZ + c.len);
    char* at = static_cast<char*>(palloc(total));
    for (const TextColumn& c : columns) {
        if (c.column < 0) continue;
        text* t = reinterpret_cast<text*>(at);
        SET_VARSIZE(t, VARHDRSZ + c.len);
        memcpy(VARDATA(t), c.data, c.len);
        v[c.column] = PointerGetDatum(t);
        at += INTALIGN(VARHDRSZ + c.len);
    }
}
}  // namespace

void user_row(const User& u, Datum* v, bool* n) {
    for (int i = 0; i < kUserColumns; ++i) n[i] = false;
    put_texts({{0, u.id}, {1, u.first_name}, {2, u.last_name}, {3, u.email}, {5, u.gender}, {6, u.street_address},
               {7, u.location->postal_code}, {8, u.location->city}, {9, u.location->state}, {10, u.location->country},
               {13, u.traffic_source}},
              v);
    v[4] = Int32GetDatum(u.age);
    v[11] = Float8GetDatum(u.location->latitude);
    v[12] = Float8GetDatum(u.location->longitude);
    put_time(u.created_at, &v[14], &n[14]);
    put_time(u.updated_at, &v[15], &n[15]);
    put_nulls(u.nulls, n);
}

// orders: id, user_id, status, num_of_items, created_at, updated_at, returned_at, shipped_at,
// delivered_at, cancelled_at
void order_row(const Order& o, Datum* v, bool* n) {
    for (int i = 0; i < 4; ++i) n[i] = false;
    put_texts({{0, o.id}, {1, o.user_id}, o.bad_status.empty() ? TextColumn(2, status_name(o.status)) : TextColumn(2, o.bad_status)}, v);
    v[3] = Int32GetDatum(o.num_of_items);
    put_times(o.times, v, n, {4, 5, 7, 8, 6, 9});
    put_nulls(o.nulls, n);
}

// order_items: id, order_id, product_id, status, quantity, sale_price, created_at, updated_at,
// shipped_at, delivered_at, returned_at, cancelled_at
void order_item_row(const OrderItem& i, Datum* v, bool* n) {
    for (int k = 0; k < 6; ++k) n[k] = false;
    put_texts({{0, i.id}, {1, i.order_id}, {3, status_name(i.status)}}, v);
    v[2] = Int64GetDatum(i.product_id);
    v[4] = Int32GetDatum(i.quantity);
    v[5] = Float8GetDatum(i.sale_price);
    put_times(i.times, v, n, {6, 7, 8, 9, 10, 11});
    put_nulls(i.nulls, n);
}

// events: id, user_id, sequence_number, session_id, ip_address, city, state, postal_code,
// browser, traffic_source, uri, event_type, created_at
void event_row(const Event& e, Datum* v, bool* n) {
    for (int i = 0; i < kEventColumns; ++i) n[i] = false;
    n[1] = e.user_id.empty();
    v[1] = 0;
    put_texts({{0, e.id}, {n[1] ? -1 : 1, e.user_id}, {3, e.session_id}, {4, e.ip_address}, {5, e.city}, {6, e.state},
               {7, e.postal_code}, {8, e.browser}, {9, e.traffic_source}, {10, e.uri}, {11, e.event_type}},
              v);
    v[2] = Int32GetDatum(e.sequence_number);
    put_time(e.created_at, &v[12], &n[12]);
    put_nulls(e.nulls, n);
}

void product_row(const Product& p, Datum* v, bool* n) {
    for (int i = 0; i < kProductColumns; ++i) n[i] = false;
    v[0] = Int64GetDatum(p.id);
    v[1] = Float8GetDatum(p.cost);
    v[2] = text_datum(p.category);
    v[3] = text_datum(p.name);
    v[4] = text_datum(p.brand);
    v[5] = Float8GetDatum(p.retail_price);
    v[6] = text_datum(p.department);
    v[7] = text_datum(p.sku);
    v[8] = Int64GetDatum(p.distribution_center_id);
}

void dist_center_row(const DistCenter& d, Datum* v, bool* n) {
    for (int i = 0; i < kDistCenterColumns; ++i) n[i] = false;
    v[0] = Int64GetDatum(d.id);
    v[1] = text_datum(d.name);
    v[2] = Float8GetDatum(d.latitude);
    v[3] = Float8GetDatum(d.longitude);
}

void location_row(const Location& l, Datum* v, bool* n) {
    for (int i = 0; i < kLocationColumns; ++i) n[i] = false;
    v[0] = text_datum(l.country);
    v[1] = text_datum(l.state);
    v[2] = text_datum(l.city);
    v[3] = text_datum(l.postal_code);
    v[4] = Float8GetDatum(l.latitude);
    v[5] = Float8GetDatum(l.longitude);
    v[6] = Float8GetDatum(l.population);
}

void check_row_shape(int columns, int built, const char* what) {
    if (columns > built)
        elog(ERROR, "thelook: %s has %d columns, the library builds %d: the extension's SQL and library versions differ",
             what, columns, built);
}

SrfOutput begin_materialized_srf(FunctionCallInfo fcinfo, bool scalar) {
    MemoryContext row_context = nullptr;
    pg_guard([&] {
        InitMaterializedSRF(fcinfo, scalar ? MAT_SRF_USE_EXPECTED_DESC : 0);
        row_context = AllocSetContextCreate(CurrentMemoryContext, "thelook SRF row", ALLOCSET_SMALL_SIZES);
    });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    return SrfOutput{rsinfo->setResult, rsinfo->setDesc, row_context};
}

}  // namespace thelook::pg
