// The back-fill's stock: the tables read into a StockBook once, its changes written in bulk
// (arrays unnested), in the chunk's transaction.
#include "pg/bridge/datum.hpp"
#include "pg/writers/inventory_writer.hpp"
#include "pg/writers/schema_writer.hpp"

extern "C" {
#include "utils/array.h"
}

namespace thelook::pg {

namespace {

// One-dimensional arrays; a null where is_null says (inside pg_guard).
template <typename T, typename ToDatum, typename IsNull>
Datum array_of(const std::vector<T>& values, Oid type, int len, bool byval, char align, ToDatum to_datum, IsNull is_null) {
    const int n = static_cast<int>(values.size());
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i) {
        nulls[i] = is_null(values[i]);
        elems[i] = nulls[i] ? 0 : to_datum(values[i]);
    }
    int dims[1] = {n}, lbs[1] = {1};
    return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, type, len, byval, align));
}

Datum int8s(const std::vector<int64_t>& v) {
    return array_of(v, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, [](int64_t x) { return Int64GetDatum(x); },
                    [](int64_t) { return false; });
}
Datum int4s(const std::vector<int>& v, bool null_below_zero) {
    return array_of(v, INT4OID, 4, true, TYPALIGN_INT, [](int x) { return Int32GetDatum(x); },
                    [&](int x) { return null_below_zero && x < 0; });
}
Datum times(const std::vector<Micros>& v) {  // kNoTime: null
    return array_of(v, TIMESTAMPOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, [](Micros t) { return local_timestamp_datum(t); },
                    [](Micros t) { return t == kNoTime; });
}
Datum texts(const std::vector<std::string>& v) {  // "": null
    return array_of(v, TEXTOID, -1, false, TYPALIGN_INT, [](const std::string& s) { return text_datum(s); },
                    [](const std::string& s) { return s.empty(); });
}

constexpr const char* kEpoch = "(extract(epoch FROM %s::timestamptz) * 1000000)::bigint";

std::string epoch(const char* column_name) {
    char buf[128];
    snprintf(buf, sizeof buf, kEpoch, column_name);
    return buf;
}

}  // namespace

void InventoryWriter::load(StockBook* book) {
    const std::string s = pg_guard([&] { return quote_identifier(schema_.c_str()); });
    const std::string items = s + ".inventory_items", restocks = s + ".inventory_restocks";
    const std::string read_items = "SELECT id, product_id, coalesce(product_distribution_center_id, 0), " + epoch("created_at") +
                                   " FROM " + items + " WHERE sold_at IS NULL AND product_id IS NOT NULL ORDER BY id";
    const std::string read_pending = "SELECT id, product_id, distribution_center_id, " + epoch("ordered_at") + ", " +
                                     epoch("arrives_at") + ", quantity::bigint FROM " + restocks + " WHERE arrived_at IS NULL";
    const uint64 n = pg_guard([&] {
        if (SPI_execute(read_items.c_str(), true, 0) != SPI_OK_SELECT) elog(ERROR, "thelook backfill: reading the stock failed");
        return SPI_processed;
    });
    pg_guard([&] {
        for (uint64 i = 0; i < n; ++i) book->add_item(int64_at(i, 2), int64_at(i, 3), int64_at(i, 1), int64_at(i, 4));
        SPI_freetuptable(SPI_tuptable);
    });
    const uint64 m = pg_guard([&] {
        if (SPI_execute(read_pending.c_str(), true, 0) != SPI_OK_SELECT) elog(ERROR, "thelook backfill: reading the restocks failed");
        return SPI_processed;
    });
    pg_guard([&] {
        for (uint64 i = 0; i < m; ++i) {
            StockBook::Restock r;
            r.id = int64_at(i, 1);
            r.product_id = int64_at(i, 2);
            r.distribution_center_id = int64_at(i, 3);
            r.ordered_at = int64_at(i, 4);
            r.arrives_at = int64_at(i, 5);
            r.quantity = static_cast<int>(int64_at(i, 6));
            book->add_pending(r);
        }
        SPI_freetuptable(SPI_tuptable);
    });
    sell_ = prepare("UPDATE " + items + " i SET sold_at = u.s FROM unnest($1::bigint[], $2::timestamp[]) u (id, s) WHERE i.id = u.id",
                    {INT8ARRAYOID, TIMESTAMPARRAYOID});
    add_restocks_ = prepare("INSERT INTO " + restocks + " (product_id, distribution_center_id, ordered_at, arrives_at, arrived_at, "
                            "old_level, quantity, new_level) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamp[], "
                            "$4::timestamp[], $5::timestamp[], $6::int[], $7::int[], $8::int[])",
                            {INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPARRAYOID, TIMESTAMPARRAYOID, TIMESTAMPARRAYOID, INT4ARRAYOID,
                             INT4ARRAYOID, INT4ARRAYOID});
    update_restocks_ = prepare("UPDATE " + restocks + " r SET arrives_at = u.a, arrived_at = u.d, old_level = u.o, new_level = u.n "
                               "FROM unnest($1::bigint[], $2::timestamp[], $3::timestamp[], $4::int[], $5::int[]) u (id, a, d, o, n) "
                               "WHERE r.id = u.id",
                               {INT8ARRAYOID, TIMESTAMPARRAYOID, TIMESTAMPARRAYOID, INT4ARRAYOID, INT4ARRAYOID});
    add_lost_ = prepare("INSERT INTO " + s + ".lost_sales (product_id, distribution_center_id, user_id, session_id, lost_at) "
                        "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamp[])",
                        {INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPARRAYOID});
}

void InventoryWriter::write(const StockBook::Writes& w) {
    if (!w.sold.empty()) {
        std::vector<int64_t> ids;
        std::vector<Micros> at;
        for (const auto& s : w.sold) {
            ids.push_back(s.first);
            at.push_back(s.second);
        }
        pg_guard([&] {
            Datum args[2] = {int8s(ids), times(at)};
            run(sell_, args, nullptr, SPI_OK_UPDATE, "selling inventory items");
        });
    }
    if (!w.items.empty()) {
        std::vector<StockItem> items;
        items.reserve(w.items.size());
        for (const StockBook::NewItem& i : w.items) items.push_back({i.product_id, i.created_at, i.sold_at});
        add_items(items);
    }
    // Restocks: those ordered here inserted, those read from the table updated.
    std::vector<int64_t> ids, products, centres;
    std::vector<Micros> ordered, arrives, arrived;
    std::vector<int> old_level, quantity, new_level;
    std::vector<int64_t> up_ids;
    std::vector<Micros> up_arrives, up_arrived;
    std::vector<int> up_old, up_new;
    for (const StockBook::Restock& r : w.restocks) {
        const bool done = r.arrived_at != kNoTime;
        if (r.id == 0) {
            products.push_back(r.product_id);
            centres.push_back(r.distribution_center_id);
            ordered.push_back(r.ordered_at);
            arrives.push_back(r.arrives_at);
            arrived.push_back(r.arrived_at);
            old_level.push_back(done ? r.old_level : -1);
            quantity.push_back(r.quantity);
            new_level.push_back(done ? r.new_level : -1);
        } else {
            up_ids.push_back(r.id);
            up_arrives.push_back(r.arrives_at);
            up_arrived.push_back(r.arrived_at);
            up_old.push_back(done ? r.old_level : -1);
            up_new.push_back(done ? r.new_level : -1);
        }
    }
    if (!products.empty())
        pg_guard([&] {
            Datum args[8] = {int8s(products), int8s(centres), times(ordered), times(arrives), times(arrived),
                             int4s(old_level, true), int4s(quantity, false), int4s(new_level, true)};
            run(add_restocks_, args, nullptr, SPI_OK_INSERT, "adding restocks");
        });
    if (!up_ids.empty())
        pg_guard([&] {
            Datum args[5] = {int8s(up_ids), times(up_arrives), times(up_arrived), int4s(up_old, true), int4s(up_new, true)};
            run(update_restocks_, args, nullptr, SPI_OK_UPDATE, "completing restocks");
        });
    if (!w.lost.empty()) {
        std::vector<int64_t> lp, lc;
        std::vector<std::string> users, sessions;
        std::vector<Micros> at;
        for (const StockBook::LostSale& l : w.lost) {
            lp.push_back(l.product_id);
            lc.push_back(l.distribution_center_id);
            users.push_back(l.user_id);
            sessions.push_back(l.session_id);
            at.push_back(l.lost_at);
        }
        pg_guard([&] {
            Datum args[5] = {int8s(lp), int8s(lc), texts(users), texts(sessions), times(at)};
            run(add_lost_, args, nullptr, SPI_OK_INSERT, "recording lost sales");
        });
    }
}

}  // namespace thelook::pg
