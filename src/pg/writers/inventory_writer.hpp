// The statements of a schema's inventory (setup(inventory => true)): taking an unsold item is a
// probe of the partial index on unsold items (FOR UPDATE SKIP LOCKED: two simulations never take
// the same item, and never wait for each other); a restock is a row of inventory_restocks, pending
// until its arrival (at most one pending per product and centre: a unique partial index, and an
// advisory lock so that a second simulation skips instead of waiting); lost sales are rows of
// lost_sales. Used by SchemaWriter inside its SPI connection; decisions come from the core.
#pragma once

#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/inventory.hpp"
#include "pg/bridge/spi_plan.hpp"

namespace thelook::pg {

class InventoryWriter {
public:
    // Null when the schema has no inventory_items table.
    static InventoryWriter* open(const std::string& schema);
    ~InventoryWriter();

    int64_t take_item(const Product& p, Micros t);
    void order_restock(const Product& p, Micros t, Micros arrives_at, int quantity, int32_t simulation_id);
    void record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t,
                          int32_t simulation_id);
    std::vector<DueRestock> due_restocks(Micros t);
    void deliver_restock(const DueRestock& r, Micros at);
    void hold_restock(const DueRestock& r, Micros until);
    // Items of products (columns from the schema's products table) stocked at stocked_at, sold at
    // sold_at (kNoTime: unsold); one statement. The back-fill's sold items, returns back in stock.
    struct StockItem {
        int64_t product_id;
        Micros stocked_at, sold_at;
    };
    void add_items(const std::vector<StockItem>& items);

private:
    explicit InventoryWriter(const std::string& schema);
    SpiPlan take_, order_, lost_, due_, deliver_, hold_, sold_;  // sold_: prepared on first use
    std::string schema_;
    int32_t lock_space_ = 0;
};

}  // namespace thelook::pg
