// SchemaWriter's retention: the oldest orders (with their items) and events deleted, a bounded
// number per call; the statements are prepared on first use.
#include "pg/bridge/datum.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

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
        int rc = SPI_execute_plan(old_orders_.get(), args, nullptr, false, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: finding old orders failed: %s", SPI_result_code_string(rc));
        bool isnull = false;
        Datum ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (isnull || ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(ids)), ARR_DIMS(DatumGetArrayTypeP(ids))) == 0) return;
        ids = PointerGetDatum(DatumGetArrayTypePCopy(ids));
        // Items first: a consumer that keeps referential integrity never sees an item without its order.
        rc = SPI_execute_plan(delete_items_.get(), &ids, nullptr, false, 0);
        if (rc != SPI_OK_DELETE) elog(ERROR, "thelook: deleting old order items failed: %s", SPI_result_code_string(rc));
        n.order_items = static_cast<int64>(SPI_processed);
        rc = SPI_execute_plan(delete_orders_.get(), &ids, nullptr, false, 0);
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
                                     " WHERE created_at < $1 ORDER BY created_at, id LIMIT $2)",
                                 {TIMESTAMPOID, INT8OID});
    }
    int64 n = pg_guard([&] {
        Datum args[2] = {local_timestamp_datum(cutoff), Int64GetDatum(limit)};
        int rc = SPI_execute_plan(delete_events_.get(), args, nullptr, false, 0);
        if (rc != SPI_OK_DELETE) elog(ERROR, "thelook: deleting old events failed: %s", SPI_result_code_string(rc));
        return static_cast<int64>(SPI_processed);
    });
    counts_.deleted[kEvents] += n;
    return n;
}

}  // namespace thelook::pg
