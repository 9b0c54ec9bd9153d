#include "pg/writers/table_rows.hpp"

#include "pg/bridge/datum.hpp"

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
}  // namespace

void user_row(const User& u, Datum* v, bool* n) {
    for (int i = 0; i < kUserColumns; ++i) n[i] = false;
    v[0] = text_datum(u.id);
    v[1] = text_datum(u.first_name);
    v[2] = text_datum(u.last_name);
    v[3] = text_datum(u.email);
    v[4] = Int32GetDatum(u.age);
    v[5] = text_datum(u.gender);
    v[6] = text_datum(u.street_address);
    v[7] = text_datum(u.location->postal_code);
    v[8] = text_datum(u.location->city);
    v[9] = text_datum(u.location->state);
    v[10] = text_datum(u.location->country);
    v[11] = Float8GetDatum(u.location->latitude);
    v[12] = Float8GetDatum(u.location->longitude);
    v[13] = text_datum(u.traffic_source);
    put_time(u.created_at, &v[14], &n[14]);
    put_time(u.updated_at, &v[15], &n[15]);
    put_nulls(u.nulls, n);
}

// orders: id, user_id, status, num_of_items, created_at, updated_at, returned_at, shipped_at,
// delivered_at, cancelled_at
void order_row(const Order& o, Datum* v, bool* n) {
    for (int i = 0; i < 4; ++i) n[i] = false;
    v[0] = text_datum(o.id);
    v[1] = text_datum(o.user_id);
    v[2] = o.bad_status.empty() ? CStringGetTextDatum(status_name(o.status)) : text_datum(o.bad_status);
    v[3] = Int32GetDatum(o.num_of_items);
    put_times(o.times, v, n, {4, 5, 7, 8, 6, 9});
    put_nulls(o.nulls, n);
}

// order_items: id, order_id, product_id, status, quantity, sale_price, created_at, updated_at,
// shipped_at, delivered_at, returned_at, cancelled_at
void order_item_row(const OrderItem& i, Datum* v, bool* n) {
    for (int k = 0; k < 6; ++k) n[k] = false;
    v[0] = text_datum(i.id);
    v[1] = text_datum(i.order_id);
    v[2] = Int64GetDatum(i.product_id);
    v[3] = CStringGetTextDatum(status_name(i.status));
    v[4] = Int32GetDatum(i.quantity);
    v[5] = Float8GetDatum(i.sale_price);
    put_times(i.times, v, n, {6, 7, 8, 9, 10, 11});
    put_nulls(i.nulls, n);
}

// events: id, user_id, sequence_number, session_id, ip_address, city, state, postal_code,
// browser, traffic_source, uri, event_type, created_at
void event_row(const Event& e, Datum* v, bool* n) {
    for (int i = 0; i < kEventColumns; ++i) n[i] = false;
    v[0] = text_datum(e.id);
    n[1] = e.user_id.empty();
    v[1] = n[1] ? 0 : text_datum(e.user_id);
    v[2] = Int32GetDatum(e.sequence_number);
    v[3] = text_datum(e.session_id);
    v[4] = text_datum(e.ip_address);
    v[5] = text_datum(e.city);
    v[6] = text_datum(e.state);
    v[7] = text_datum(e.postal_code);
    v[8] = text_datum(e.browser);
    v[9] = text_datum(e.traffic_source);
    v[10] = text_datum(e.uri);
    v[11] = text_datum(e.event_type);
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
