// The statements a simulation runs against one theLook schema: index look-ups that pick a random
// user or open order without scanning, the lifecycle and address UPDATEs, and buffered upserts
// (INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (id) DO UPDATE) flushed once per
// transaction. Plans are prepared once and kept. Must be used inside an SPI connection.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "core/entity_generator.hpp"
#include "core/incidents.hpp"
#include "core/live_loop.hpp"
#include "pg/shared_state.hpp"

struct _SPI_plan;

namespace thelook::pg {

class InventoryWriter;

// A plan prepared and kept for the life of the connection (SPI_keepplan).
_SPI_plan* prepare(const std::string& sql, std::vector<Oid> types);

struct RetentionCounts {
    int64 orders = 0, order_items = 0, events = 0;
};

struct WriteCounts {
    int64 lost_sales = 0;
    int64 inserted[kTableCount] = {};
    int64 updated[kTableCount] = {};
    int64 deleted[kTableCount] = {};
    int64 rows() const;
};

class SchemaWriter : public ShopStore {
public:
    explicit SchemaWriter(const std::string& schema);
    ~SchemaWriter();
    SchemaWriter(const SchemaWriter&) = delete;
    SchemaWriter& operator=(const SchemaWriter&) = delete;

    // Picks the first row at or after a random key in primary-key order (wrapping around): an
    // index probe whose cost does not grow with the table. The rows this transaction buffered
    // count as if written: the pick is the one every earlier iteration's rows committed would
    // give, so a seeded simulation picks the same rows however its iterations are grouped into
    // transactions (a retry, a resume, another machine's speed). Ids are compared bytewise, the
    // order of the C collation, which for canonical lower-case UUIDs is every collation's.
    bool pick_user(const std::string& key, PickedUser* out) override;
    bool pick_open_order(const std::string& key, PickedOrder* out) override;
    // The smallest id among open orders, or "" when there is none.
    std::string oldest_open_order_id();
    // Loads the catalogue of the schema's products table.
    std::vector<Product> load_products();
    bool has_products();

    void update_user_address(const std::string& user_id, const Address& a, Micros now) override;
    // Moves an order that is still in status `from`, and its items, to `status`, setting the
    // timestamps in `changed` (kNoTime leaves one as it is). Returns the order's items; none when
    // the order was no longer in `from` (moved earlier in this transaction, or by another
    // simulation), and then nothing changes.
    std::vector<ItemRef> update_order(const std::string& order_id, OrderStatus from, OrderStatus status,
                                      const OrderTimes& changed) override;
    void heartbeat(Micros now);
    // Retention: deletes at most `limit` orders created (simulated time) before cutoff, oldest
    // first, with their items (items first); and at most `limit` such events.
    RetentionCounts delete_old_orders(Micros cutoff, int64 limit);
    int64 delete_old_events(Micros cutoff, int64 limit);
    // Ground truth: incidents as rows of the schema's incidents table (simulation_id 0 = NULL),
    // written now, in the current transaction.
    void record_incidents(const std::vector<IncidentWindow>& incidents, int32 simulation_id);
    // Throws 42P01 with a hint when the schema has no incidents table (set up by 1.0).
    void require_incidents_table();

    // Inventory: on when the schema has the inventory tables (setup(inventory => true)).
    bool has_inventory() const override { return inventory_ != nullptr; }
    InventoryWriter* inventory() { return inventory_.get(); }
    void set_simulation_id(int32 id) { simulation_id_ = id; }
    int64_t take_item(const Product& p, Micros t) override;
    void order_restock(const Product& p, Micros t, Micros arrives_at, int quantity) override;
    void record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t) override;
    std::vector<DueRestock> due_restocks(Micros t) override;
    void deliver_restock(const DueRestock& r, const Product& p, Micros at) override;
    void hold_restock(const DueRestock& r, Micros until) override;

    void add(const User& u) override {
        users_.push_back(u);
        buffered_users_.insert(u.id);
    }
    void add(const Purchase& p) override;
    void add(const std::vector<Event>& events) override;
    // Writes the buffered rows (users, orders, items, events, in that order).
    void flush();
    void discard();

    const WriteCounts& counts() const { return counts_; }
    void reset_counts() { counts_ = WriteCounts{}; }

private:
    bool query_user(const std::string& key, PickedUser* out);
    bool query_open_order(const std::string& key, PickedOrder* out);
    void see_own_writes();
    void record_targeted_incident(const IncidentWindow& w, int32 simulation_id);

    std::string schema_;
    _SPI_plan *pick_user_ = nullptr, *pick_order_ = nullptr, *oldest_open_ = nullptr, *update_user_ = nullptr,
              *update_order_ = nullptr, *update_items_ = nullptr, *heartbeat_ = nullptr,
              *upsert_users_ = nullptr, *upsert_orders_ = nullptr, *upsert_items_ = nullptr,
              *upsert_events_ = nullptr, *insert_incident_ = nullptr, *old_orders_ = nullptr,
              *delete_items_ = nullptr, *delete_orders_ = nullptr, *delete_events_ = nullptr,
              *insert_targeted_incident_ = nullptr;
    std::vector<User> users_;
    std::vector<Order> orders_;
    std::vector<OrderItem> items_;
    std::vector<Event> events_;
    std::set<std::string> buffered_users_, buffered_orders_;  // ids in users_ and orders_
    WriteCounts counts_;
    std::unique_ptr<InventoryWriter> inventory_;
    int32 simulation_id_ = 0;
};

}  // namespace thelook::pg
