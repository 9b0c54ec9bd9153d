// The statements a simulation runs against one theLook schema: index look-ups that pick a random
// user or open order without scanning, the lifecycle and address UPDATEs, and buffered new rows
// flushed once per transaction, straight to the heap and indexes as COPY writes them, or as
// upserts (INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (id) DO UPDATE) where needed.
// Plans are prepared once and kept. Must be used inside an SPI connection.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "core/entity_generator.hpp"
#include "core/incidents.hpp"
#include "core/live_loop.hpp"
#include "pg/bridge/spi_plan.hpp"
#include "pg/citus/shard_tables.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/feeds/feed_log_writer.hpp"

namespace thelook::pg {

class IndexPicks;
class InventoryWriter;

struct RetentionCounts {
    int64 orders = 0, order_items = 0, events = 0;
};

struct WriteCounts {
    int64 lost_sales = 0;
    int64 inserted[kTableCount] = {};
    int64 updated[kTableCount] = {};
    int64 deleted[kTableCount] = {};
    int64 rows() const;  // every row changed: what a CDC consumer receives
};

// schema.table with the schema quoted. Inside SPI. (Statements are prepared by prepare(), in
// pg/bridge/spi_plan.hpp.)
std::string qualified(const std::string& schema, const char* table);

// An index the CDC faults need (not in the reference DDL: only schemas that use them pay for it).
struct FaultIndex {
    const char* name;
    const char* table;
    const char* columns;  // "(user_id)", with a WHERE clause for a partial index
};
std::vector<FaultIndex> fault_indexes(const CdcFaults& faults);

class SchemaWriter : public ShopStore {
public:
    // The tables of tables.schema, each as tables names it (a sharded simulation's shard relations
    // on a Citus node, shard_tables.hpp; else the tables themselves).
    explicit SchemaWriter(const TableNames& tables);
    explicit SchemaWriter(const std::string& schema) : SchemaWriter(TableNames::plain(schema)) {}
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
    // A sharded simulation's id space: the picks see only its rows (space must outlive the
    // writer; null or the whole space: every row).
    void set_id_space(const IdSpace* space);
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
    // Throw 42P01 with a hint when the schema has no incidents / injected_faults table (set up by 1.0).
    void require_incidents_table();
    void require_faults_table();
    // Who the ground truth of injected faults belongs to (0: NULL, a back-fill).
    void set_simulation_id(int32 id) { simulation_id_ = id; }

    // CDC faults (cdc_fault_writer.cpp): deletes and re-keys, each deleted or re-keyed row listed
    // in the schema's injected_faults in the same statement.
    int64_t delete_account(const std::string& user_probe) override;
    int64_t purge_anonymous_events(Micros cutoff, int64_t limit) override;
    bool rekey_event(const std::string& probe, const std::string& new_id) override;
    int64_t large_transaction(int64_t orders, Micros t) override;

    // Inventory: on when the schema has the inventory tables (setup(inventory => true)).
    bool has_inventory() const override { return inventory_ != nullptr; }
    InventoryWriter* inventory() { return inventory_.get(); }
    int64_t take_item(const Product& p, Micros t) override;
    void order_restock(const Product& p, Micros t, Micros arrives_at, int quantity) override;
    void record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t) override;
    std::vector<DueRestock> due_restocks(Micros t) override;
    void deliver_restock(const DueRestock& r, const Product& p, Micros at) override;
    void hold_restock(const DueRestock& r, Micros until) override;
    void return_to_stock(const Product& p, Micros at) override;

    void add(const User& u) override {
        users_.push_back(u);
        buffered_users_.insert(u.id);
    }
    void add(const Purchase& p) override;
    void add(const std::vector<Event>& events) override;
    void add(const std::vector<FaultRecord>& truth) override { truth_.insert(truth_.end(), truth.begin(), truth.end()); }
    // Writes the buffered rows (users, orders, items, events, in that order, then the ground truth
    // of their faults).
    void flush();
    void discard();

    const WriteCounts& counts() const { return counts_; }
    void reset_counts() { counts_ = WriteCounts{}; }

private:
    bool query_user(const std::string& key, PickedUser* out);
    bool query_open_order(const std::string& key, PickedOrder* out);
    void see_own_writes();
    void require_table(const char* table, const char* why);
    void write_truth();
    void prepare_upserts();  // upserts.cpp, called by the constructor
    void prepare_picks();
    // The buffered rows, each table directly (as COPY) when direct and the table allows it, else
    // by its upsert; returns how many tables were written directly. And whether this flush may
    // try the direct path (upserts.cpp).
    int write_buffered(bool direct);
    bool direct_inserts_now();
    // Throws 42P01 when the schema has no injected_faults table. Creates the faults' indexes when
    // missing (start_simulation makes them; this covers one dropped since).
    void require_fault_support(const CdcFaults& faults);
    int64 run_fault_plan(const SpiPlan& plan, Datum* args, const char* nulls, const char* what);
    void record_targeted_incident(const IncidentWindow& w, int32 simulation_id);

    std::string schema_;
    TableNames tables_;
    const IdSpace* space_ = nullptr;
    // The statements, each owned by its SpiPlan: those of the hot path prepared by the
    // constructor, the others (retention, ground truth, CDC faults) empty until first used.
    SpiPlan pick_user_, pick_order_, oldest_open_, update_user_, update_order_, update_items_, heartbeat_;
    SpiPlan upsert_users_, upsert_orders_, upsert_items_, upsert_events_;
    SpiPlan insert_incident_, insert_faults_, insert_targeted_incident_;
    SpiPlan old_orders_, delete_items_, delete_orders_, delete_events_;
    SpiPlan account_events_, account_items_, account_orders_, account_user_, purge_events_, rekey_event_;
    SpiPlan large_pick_, large_orders_, large_items_, large_truth_;
    int32 simulation_id_ = 0;
    int upsert_flushes_left_ = 0;  // flushes that skip the direct path after one fell back entirely
    bool has_faults_table_ = false;
    std::vector<User> users_;
    std::vector<Order> orders_;
    std::vector<OrderItem> items_;
    std::vector<Event> events_;
    std::vector<FaultRecord> truth_;
    std::set<std::string> buffered_users_, buffered_orders_;  // ids in users_ and orders_
    WriteCounts counts_;
    std::unique_ptr<InventoryWriter> inventory_;
    std::unique_ptr<IndexPicks> index_picks_;  // the picks without the executor, when allowed
    FeedLogWriter feed_log_;  // a file feed's log rows for the tables written directly
};

}  // namespace thelook::pg
