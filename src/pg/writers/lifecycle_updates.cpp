// SchemaWriter's UPDATEs of rows already written: a user's new address, an order and its items
// moving along their lifecycle, the heartbeat row.
#include <algorithm>

#include "pg/bridge/datum.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/writers/order_moves.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

void SchemaWriter::update_user_address(const std::string& user_id, const Address& a, Micros now) {
    const Location& l = *a.location;
    uint64 n = pg_guard([&] {
        Datum args[9] = {text_datum(user_id), text_datum(a.street_address), text_datum(l.postal_code),
                         text_datum(l.city), text_datum(l.state), text_datum(l.country),
                         Float8GetDatum(l.latitude), Float8GetDatum(l.longitude),
                         local_timestamp_datum(now)};
        int rc = SPI_execute_plan(update_user_.get(), args, nullptr, false, 0);
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
    Datum args[8];
    char nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    pg_guard([&] {
        args[0] = text_datum(order_id);
        args[1] = CStringGetTextDatum(status_name(status));
        args[7] = CStringGetTextDatum(status_name(from));
        args[2] = local_timestamp_datum(changed.updated_at);
        const Micros times[4] = {changed.shipped_at, changed.delivered_at, changed.returned_at, changed.cancelled_at};
        for (int i = 0; i < 4; ++i) {
            nulls[3 + i] = times[i] == kNoTime ? 'n' : ' ';
            args[3 + i] = times[i] == kNoTime ? 0 : local_timestamp_datum(times[i]);
        }
    });
    uint64 orders_updated = 0, n_items = 0;
    char** ids = nullptr;
    int64* products = nullptr;
    bool* null_products = nullptr;
    // The heap and indexes directly (order_moves.hpp) unless off or the tables need the UPDATEs:
    // the same changes either way.
    OrderMoves::Result direct = OrderMoves::Result::Unavailable;
    if (settings::direct_updates)
        direct = order_moves_->move(args, nulls, &orders_updated, &n_items, &ids, &products, &null_products);
    if (direct == OrderMoves::Result::Unavailable) {
        pg_guard([&] {
            int rc = SPI_execute_plan(update_order_.get(), args, nulls, false, 0);
            if (rc != SPI_OK_UPDATE) elog(ERROR, "thelook: updating an order failed: %s", SPI_result_code_string(rc));
            orders_updated = SPI_processed;
            if (orders_updated == 0) return;  // moved already: leave it and its items alone
            rc = SPI_execute_plan(update_items_.get(), args, nulls, false, 0);
            if (rc != SPI_OK_UPDATE_RETURNING)
                elog(ERROR, "thelook: updating order items failed: %s", SPI_result_code_string(rc));
            n_items = SPI_processed;
            ids = static_cast<char**>(palloc(sizeof(char*) * (n_items + 1)));
            products = static_cast<int64*>(palloc(sizeof(int64) * (n_items + 1)));
            null_products = static_cast<bool*>(palloc(sizeof(bool) * (n_items + 1)));
            for (uint64 i = 0; i < n_items; ++i) {
                ids[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
                products[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &null_products[i]));
            }
        });
    }
    counts_.updated[kOrders] += static_cast<int64>(orders_updated);
    counts_.updated[kOrderItems] += static_cast<int64>(n_items);
    if (orders_updated > 0) see_own_writes();
    std::vector<ItemRef> items(n_items);
    for (uint64 i = 0; i < n_items; ++i) {
        items[i].id = ids[i] ? ids[i] : "";
        items[i].product_id = null_products[i] ? 0 : products[i];
    }
    // RETURNING gives the heap's order, which differs between a run and its resumption (and
    // after any VACUUM); the exit sessions draw their ids item by item, so fix the order.
    std::sort(items.begin(), items.end(), [](const ItemRef& a, const ItemRef& b) { return a.id < b.id; });
    return items;
}

void SchemaWriter::heartbeat(Micros now) {
    pg_guard([&] {
        Datum arg = local_timestamp_datum(now);
        int rc = SPI_execute_plan(heartbeat_.get(), &arg, nullptr, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: heartbeat failed: %s", SPI_result_code_string(rc));
    });
    counts_.updated[kHeartbeat] += 1;
}

}  // namespace thelook::pg
