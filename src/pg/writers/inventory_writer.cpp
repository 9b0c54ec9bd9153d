#include "pg/writers/inventory_writer.hpp"

#include <algorithm>

#include "pg/bridge/datum.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/writers/item_take.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

void InventoryWriter::run(const SpiPlan& plan, Datum* args, const char* nulls, int expected, const char* what) {
    int rc = SPI_execute_plan(plan.get(), args, nulls, false, 0);
    if (rc != expected) elog(ERROR, "thelook: %s failed: %s", what, SPI_result_code_string(rc));
}

int64 InventoryWriter::int64_at(uint64 row, int col) {
    bool isnull = false;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
    return isnull ? 0 : DatumGetInt64(d);
}

InventoryWriter* InventoryWriter::open(const std::string& schema) {
    const bool exists = pg_guard([&] {
        Oid nsp = get_namespace_oid(schema.c_str(), true);
        return OidIsValid(nsp) && OidIsValid(get_relname_relid("inventory_items", nsp)) &&
               OidIsValid(get_relname_relid("inventory_restocks", nsp)) && OidIsValid(get_relname_relid("lost_sales", nsp));
    });
    return exists ? new InventoryWriter(schema) : nullptr;
}

InventoryWriter::InventoryWriter(const std::string& schema) : schema_(schema), direct_take_(std::make_unique<ItemTake>(schema)) {
    const std::string s = pg_guard([&] { return quote_identifier(schema.c_str()); });
    const std::string items = s + ".inventory_items", restocks = s + ".inventory_restocks";
    const std::string unsold = " WHERE product_id = $1 AND product_distribution_center_id = $2 AND sold_at IS NULL";
    // The level counted in the statement's snapshot includes the item taken (a CTE's changes are
    // not visible to the rest of the statement): level left = level - taken.
    // created_at <= t: another simulation on the schema, whose simulated clock runs ahead, may have
    // stocked items that this one's present has not seen arrive yet.
    take_ = prepare("WITH pick AS (SELECT id FROM " + items + unsold +
                        " AND created_at <= $3 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED), taken AS (UPDATE " + items +
                        " i SET sold_at = $3 FROM pick WHERE i.id = pick.id RETURNING i.id) "
                        "SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM " + items + unsold + ")",
                    {INT8OID, INT8OID, TIMESTAMPOID});
    uint32_t h = 2166136261u;  // FNV-1a of the table's name: the advisory locks' key space
    for (unsigned char c : restocks) h = (h ^ c) * 16777619u;
    lock_space_ = static_cast<int32_t>(h);
    // Another simulation ordering this product's restock right now holds the advisory lock: it will
    // have one pending, so this one inserts nothing instead of waiting on the unique index.
    order_ = prepare("INSERT INTO " + restocks +
                         " (simulation_id, product_id, distribution_center_id, ordered_at, arrives_at, quantity) "
                         "SELECT $1, $2, $3, $4, $5, $6 WHERE pg_catalog.pg_try_advisory_xact_lock($7, pg_catalog.hashint8($2)) "
                         "ON CONFLICT (product_id, distribution_center_id) WHERE arrived_at IS NULL DO NOTHING",
                     {INT4OID, INT8OID, INT8OID, TIMESTAMPOID, TIMESTAMPOID, INT4OID, INT4OID});
    lost_ = prepare("INSERT INTO " + s + ".lost_sales (simulation_id, product_id, distribution_center_id, user_id, "
                        "session_id, lost_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    {INT4OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPOID});
    due_ = prepare("SELECT id, product_id, distribution_center_id, "
                       "(extract(epoch FROM arrives_at::timestamptz) * 1000000)::bigint, quantity::bigint FROM " +
                       restocks + " WHERE arrived_at IS NULL AND arrives_at <= $1 ORDER BY arrives_at, id LIMIT 64 "
                       "FOR UPDATE SKIP LOCKED",
                   {TIMESTAMPOID});
    next_due_plan_ = prepare("SELECT coalesce((extract(epoch FROM min(arrives_at)::timestamptz) * 1000000)::bigint, "
                             "9223372036854775807) FROM " + restocks + " WHERE arrived_at IS NULL", {});
    // The new items from the schema's product row; the restock row gets the level before and after.
    deliver_ = prepare("WITH level AS (SELECT count(*)::int AS n FROM " + items + unsold +
                           "), added AS (INSERT INTO " + items +
                           " (product_id, created_at, cost, product_category, product_name, product_brand, "
                           "product_retail_price, product_department, product_sku, product_distribution_center_id) "
                           "SELECT p.id, $4, p.cost, p.category, p.name, p.brand, p.retail_price, p.department, p.sku, $2 "
                           "FROM " + s + ".products p, generate_series(1, $5) WHERE p.id = $1) "
                           "UPDATE " + restocks + " SET arrived_at = $4, old_level = (SELECT n FROM level), "
                           "new_level = (SELECT n FROM level) + $5 WHERE id = $3",
                       {INT8OID, INT8OID, INT8OID, TIMESTAMPOID, INT4OID});
    hold_ = prepare("UPDATE " + restocks + " SET arrives_at = $2 WHERE id = $1", {INT8OID, TIMESTAMPOID});
}

InventoryWriter::~InventoryWriter() = default;

int64_t InventoryWriter::take_item(const Product& p, Micros t) {
    if (settings::direct_takes) {
        int64 level = 0;
        const Datum at = pg_guard([&] { return local_timestamp_datum(t); });
        switch (direct_take_->take(p.id, p.distribution_center_id, at, level_cap_, &level)) {
            case ItemTake::Result::Taken: return level;
            case ItemTake::Result::None: return -1;
            case ItemTake::Result::Unavailable: break;  // the statement below
        }
    }
    return pg_guard([&]() -> int64 {
        Datum args[3] = {Int64GetDatum(p.id), Int64GetDatum(p.distribution_center_id), local_timestamp_datum(t)};
        run(take_, args, nullptr, SPI_OK_SELECT, "taking an inventory item");
        const int64 taken = int64_at(0, 1), level = int64_at(0, 2);
        return taken == 0 ? -1 : level - taken;
    });
}

void InventoryWriter::order_restock(const Product& p, Micros t, Micros arrives_at, int quantity, int32_t simulation_id) {
    pg_guard([&] {
        Datum args[7] = {Int32GetDatum(simulation_id), Int64GetDatum(p.id), Int64GetDatum(p.distribution_center_id),
                         local_timestamp_datum(t), local_timestamp_datum(arrives_at), Int32GetDatum(quantity),
                         Int32GetDatum(lock_space_)};
        const char nulls[7] = {simulation_id == 0 ? 'n' : ' ', ' ', ' ', ' ', ' ', ' ', ' '};
        run(order_, args, nulls, SPI_OK_INSERT, "ordering a restock");
    });
    if (next_due_ != kUnknownDue) next_due_ = std::min(next_due_, arrives_at);
}

void InventoryWriter::record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id,
                                       Micros t, int32_t simulation_id) {
    pg_guard([&] {
        Datum args[6] = {Int32GetDatum(simulation_id), Int64GetDatum(p.id), Int64GetDatum(p.distribution_center_id),
                         user_id.empty() ? 0 : text_datum(user_id), session_id.empty() ? 0 : text_datum(session_id),
                         local_timestamp_datum(t)};
        const char nulls[6] = {simulation_id == 0 ? 'n' : ' ', ' ', ' ', user_id.empty() ? 'n' : ' ',
                               session_id.empty() ? 'n' : ' ', ' '};
        run(lost_, args, nulls, SPI_OK_INSERT, "recording a lost sale");
    });
}

std::vector<DueRestock> InventoryWriter::due_restocks(Micros t) {
    if (next_due_ == kUnknownDue)
        next_due_ = pg_guard([&] {
            run(next_due_plan_, nullptr, nullptr, SPI_OK_SELECT, "finding the next restock");
            return int64_at(0, 1);
        });
    if (t < next_due_) return {};
    next_due_ = kUnknownDue;  // those found are delivered or postponed: read it again next time
    const uint64 n = pg_guard([&] {
        Datum arg = local_timestamp_datum(t);
        run(due_, &arg, nullptr, SPI_OK_SELECT, "finding due restocks");
        return SPI_processed;
    });
    std::vector<DueRestock> out(n);
    for (uint64 i = 0; i < n; ++i)
        pg_guard([&] {
            const int row = static_cast<int>(i);
            out[i] = DueRestock{int64_at(row, 1), int64_at(row, 2), int64_at(row, 3), int64_at(row, 4),
                                static_cast<int>(int64_at(row, 5))};
        });
    return out;
}

void InventoryWriter::deliver_restock(const DueRestock& r, Micros at) {
    pg_guard([&] {
        Datum args[5] = {Int64GetDatum(r.product_id), Int64GetDatum(r.distribution_center_id), Int64GetDatum(r.id),
                         local_timestamp_datum(at), Int32GetDatum(r.quantity)};
        run(deliver_, args, nullptr, SPI_OK_UPDATE, "delivering a restock");
    });
}

void InventoryWriter::hold_restock(const DueRestock& r, Micros until) {
    pg_guard([&] {
        Datum args[2] = {Int64GetDatum(r.id), local_timestamp_datum(until)};
        run(hold_, args, nullptr, SPI_OK_UPDATE, "postponing a restock");
    });
}

}  // namespace thelook::pg

namespace thelook::pg {

void InventoryWriter::add_items(const std::vector<StockItem>& items) {
    if (items.empty()) return;
    if (!sold_) {
        const std::string s = pg_guard([&] { return quote_identifier(schema_.c_str()); });
        sold_ = prepare("INSERT INTO " + s + ".inventory_items (product_id, created_at, sold_at, cost, product_category, "
                            "product_name, product_brand, product_retail_price, product_department, product_sku, "
                            "product_distribution_center_id) SELECT u.p, u.c, u.s, p.cost, p.category, p.name, p.brand, "
                            "p.retail_price, p.department, p.sku, p.distribution_center_id "
                            "FROM unnest($1::bigint[], $2::timestamp[], $3::timestamp[]) u (p, c, s) JOIN " + s +
                            ".products p ON p.id = u.p",
                        {INT8ARRAYOID, TIMESTAMPARRAYOID, TIMESTAMPARRAYOID});
    }
    pg_guard([&] {
        const int n = static_cast<int>(items.size());
        Datum* products = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        Datum* created = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        Datum* sold = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        bool* unsold = static_cast<bool*>(palloc(sizeof(bool) * n));
        for (int i = 0; i < n; ++i) {
            products[i] = Int64GetDatum(items[i].product_id);
            created[i] = local_timestamp_datum(items[i].stocked_at);
            unsold[i] = items[i].sold_at == kNoTime;
            sold[i] = unsold[i] ? 0 : local_timestamp_datum(items[i].sold_at);
        }
        int dims[1] = {n}, lbs[1] = {1};
        Datum args[3] = {PointerGetDatum(construct_array(products, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)),
                         PointerGetDatum(construct_array(created, n, TIMESTAMPOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)),
                         PointerGetDatum(construct_md_array(sold, unsold, 1, dims, lbs, TIMESTAMPOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE))};
        run(sold_, args, nullptr, SPI_OK_INSERT, "adding inventory items");
    });
}

}  // namespace thelook::pg
