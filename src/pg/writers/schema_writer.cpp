// SchemaWriter: construction (the hot path's statements, prepared once and kept), the row counts
// and the inventory calls, which InventoryWriter serves. The other members are in the files named
// for what they do: row_picks, product_catalogue, lifecycle_updates, retention_deletes,
// ground_truth, upserts, and cdc_fault_writer.
#include "pg/writers/schema_writer.hpp"

#include "pg/bridge/datum.hpp"
#include "pg/writers/index_picks.hpp"
#include "pg/writers/inventory_writer.hpp"

namespace thelook::pg {

std::string qualified(const std::string& schema, const char* table) {
    return pg_guard([&] { return quote_identifier(schema.c_str()); }) + std::string(".") + table;
}

int64 WriteCounts::rows() const {
    int64 total = 0;
    for (int i = 0; i < kTableCount; ++i) total += inserted[i] + updated[i] + deleted[i];
    return total;
}

// The picks' SELECTs; a sharded simulation's see only the rows of its shard (the same filter as
// IndexPicks applies).
void SchemaWriter::prepare_picks() {
    const std::string users = tables_.qualified("users"), orders = tables_.qualified("orders");
    const std::string in_shard = space_ ? " pg_catalog.hashtext(id) BETWEEN " + std::to_string(space_->min_hash()) +
                                              " AND " + std::to_string(space_->max_hash()) + " "
                                        : std::string(" true ");
    pick_user_ = prepare("(SELECT id, city, state, postal_code, gender FROM " + users +
                             " WHERE id >= $1 AND" + in_shard + "ORDER BY id LIMIT 1) UNION ALL (SELECT id, city, state, "
                             "postal_code, gender FROM " + users + " WHERE" + in_shard + "ORDER BY id LIMIT 1) LIMIT 1",
                         {TEXTOID});
    const std::string open = " status IN ('Processing', 'Shipped', 'Delivered') AND" + in_shard;
    pick_order_ = prepare("SELECT o.id, o.user_id, o.status, u.city, u.state, u.postal_code FROM ("
                          "(SELECT id, user_id, status FROM " + orders + " WHERE id >= $1 AND" + open +
                              "ORDER BY id LIMIT 1) UNION ALL (SELECT id, user_id, status FROM " + orders +
                              " WHERE" + open + "ORDER BY id LIMIT 1) LIMIT 1) o LEFT JOIN " + users +
                              " u ON u.id = o.user_id",
                          {TEXTOID});
    oldest_open_ = prepare("SELECT id FROM " + orders + " WHERE" + open + "ORDER BY id LIMIT 1", {});
}

void SchemaWriter::set_id_space(const IdSpace* space) {
    space_ = space && !space->whole() ? space : nullptr;
    prepare_picks();
    index_picks_->set_id_space(space_);
}

SchemaWriter::SchemaWriter(const TableNames& tables) : schema_(tables.schema), tables_(tables), feed_log_(tables.schema) {
    const std::string& schema = schema_;
    const std::string users = tables_.qualified("users"), orders = tables_.qualified("orders"),
                      items = tables_.qualified("order_items"), heartbeat = qualified(schema, "heartbeat");
    prepare_picks();
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
    prepare_upserts();
    inventory_.reset(InventoryWriter::open(schema));
    index_picks_ = std::make_unique<IndexPicks>(tables_);
}

SchemaWriter::~SchemaWriter() = default;

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

}  // namespace thelook::pg
