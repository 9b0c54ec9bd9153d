// The theLook tables' rows as Datum arrays in column order, for set-returning functions.
// Each function pallocs: call inside pg_guard.
#pragma once

#include "core/catalog.hpp"
#include "core/entities.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

constexpr int kUserColumns = 16, kOrderColumns = 10, kOrderItemColumns = 12, kEventColumns = 13,
              kProductColumns = 9, kDistCenterColumns = 4, kLocationColumns = 7;

// How many columns the row function of an entity fills: the size of every Datum array built
// for it, and what a result descriptor is checked against.
template <typename T>
struct RowColumns;
template <> struct RowColumns<User> { static constexpr int value = kUserColumns; };
template <> struct RowColumns<Order> { static constexpr int value = kOrderColumns; };
template <> struct RowColumns<OrderItem> { static constexpr int value = kOrderItemColumns; };
template <> struct RowColumns<Event> { static constexpr int value = kEventColumns; };
template <> struct RowColumns<Product> { static constexpr int value = kProductColumns; };
template <> struct RowColumns<DistCenter> { static constexpr int value = kDistCenterColumns; };
template <> struct RowColumns<Location> { static constexpr int value = kLocationColumns; };

// Raises an internal error when a result or statement has more columns than the row function of
// T fills: the SQL declares another shape than this code builds (tuplestore_putvalues and the
// upserts would read Datums that were never set). Fewer is allowed: an older SQL version's type
// is a prefix. Inside pg_guard.
void check_row_shape(int columns, int built, const char* what);

// The columns of the tables the generators write, in the reference order: the one definition
// that the simulation's upserts and the back-fill's bulk insert both use.
struct ColumnSpec {
    const char* name;
    Oid type;
};
struct TableSpec {
    const char* name;
    const ColumnSpec* columns;
    int ncolumns;
};
extern const TableSpec kUsersTable, kOrdersTable, kOrderItemsTable, kEventsTable;
// The array type of a column type used above (text[], int4[], int8[], float8[], timestamp[]).
Oid array_type_of(Oid element_type);

void user_row(const User& u, Datum* values, bool* nulls);
void order_row(const Order& o, Datum* values, bool* nulls);
void order_item_row(const OrderItem& i, Datum* values, bool* nulls);
void event_row(const Event& e, Datum* values, bool* nulls);
void product_row(const Product& p, Datum* values, bool* nulls);
void dist_center_row(const DistCenter& d, Datum* values, bool* nulls);
void location_row(const Location& l, Datum* values, bool* nulls);

// A materialized SRF result: the tuplestore and descriptor set up by InitMaterializedSRF, and a
// scratch context for one row's Datums. The tuplestore copies each row, so the scratch context is
// reset after every row: without it, a call's text Datums would pile up in the caller's context
// until the query ends (hundreds of MB for a million rows).
struct SrfOutput {
    Tuplestorestate* store;
    TupleDesc desc;
    MemoryContext row_context;
};
// scalar: a SETOF of a base type (one column, the caller's expected descriptor).
SrfOutput begin_materialized_srf(FunctionCallInfo fcinfo, bool scalar = false);

// One row into the tuplestore, its Datums built in the scratch context (reset after).
template <typename T, typename RowFn>
void put_row(const SrfOutput& out, const T& row, RowFn row_fn) {
    constexpr int kColumns = RowColumns<T>::value;
    check_row_shape(out.desc->natts, kColumns, "the function's result");
    Datum values[kColumns];
    bool nulls[kColumns];
    MemoryContext caller = MemoryContextSwitchTo(out.row_context);
    row_fn(row, values, nulls);
    tuplestore_putvalues(out.store, out.desc, values, nulls);
    MemoryContextReset(out.row_context);
    MemoryContextSwitchTo(caller);
}

template <typename T, typename RowFn>
void put_rows(const SrfOutput& out, const std::vector<T>& rows, RowFn row_fn) {
    for (const T& r : rows) put_row(out, r, row_fn);
}

}  // namespace thelook::pg
