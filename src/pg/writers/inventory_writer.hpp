// The statements of a schema's inventory (setup(inventory => true)): taking an unsold item is a
// probe of the partial index on unsold items (FOR UPDATE SKIP LOCKED: two simulations never take
// the same item, and never wait for each other); a restock is a row of inventory_restocks, pending
// until its arrival (at most one pending per product and centre: a unique partial index, and an
// advisory lock so that a second simulation skips instead of waiting); lost sales are rows of
// lost_sales. Used by SchemaWriter inside its SPI connection; decisions come from the core.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/inventory.hpp"
#include "core/stock_book.hpp"
#include "pg/bridge/spi_plan.hpp"

namespace thelook::pg {

class ItemTake;

class InventoryWriter {
public:
    // Null when the schema has no inventory_items table.
    static InventoryWriter* open(const std::string& schema);
    ~InventoryWriter();

    // The level left after taking one unsold item of p at its centre sold at t; -1: none to take.
    // Without the executor (item_take.cpp) unless thelook.direct_takes is off or the table needs
    // the statement; then the level is counted only up to count_levels_up_to's (the statement
    // counts them all).
    int64_t take_item(const Product& p, Micros t);
    // The highest level a caller tells apart (the scenario's restock minimum: a level below it
    // orders a restock, and min(level, minimum) decides alike). Unset: every level exactly.
    void count_levels_up_to(int64_t cap) { level_cap_ = cap; }
    void order_restock(const Product& p, Micros t, Micros arrives_at, int quantity, int32_t simulation_id);
    void record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t,
                          int32_t simulation_id);
    // Per iteration: a query only once t reaches the earliest pending arrival, which is read once
    // per transaction (forget_due) and lowered by this writer's own orders.
    std::vector<DueRestock> due_restocks(Micros t);
    void forget_due() { next_due_ = kUnknownDue; }
    void deliver_restock(const DueRestock& r, Micros at);
    void hold_restock(const DueRestock& r, Micros until);
    // Items of products (columns from the schema's products table) stocked at stocked_at, sold at
    // sold_at (kNoTime: unsold); one statement. The back-fill's sold items, returns back in stock.
    struct StockItem {
        int64_t product_id;
        Micros stocked_at, sold_at;
    };
    void add_items(const std::vector<StockItem>& items);

    // The back-fill's stock (inventory_book.cpp): the unsold items and pending restocks of the
    // tables into book, and the book's changes back, a few statements per chunk.
    void load(StockBook* book);
    void write(const StockBook::Writes& w);

private:
    explicit InventoryWriter(const std::string& schema);
    // Inside pg_guard: a prepared statement that must return `expected`; a bigint of the result.
    static void run(const SpiPlan& plan, Datum* args, const char* nulls, int expected, const char* what);
    static int64 int64_at(uint64 row, int col);
    static constexpr Micros kUnknownDue = INT64_MIN;
    SpiPlan take_, order_, lost_, due_, next_due_plan_, deliver_, hold_, sold_;  // sold_: prepared on first use
    SpiPlan sell_, add_restocks_, update_restocks_, add_lost_;  // the back-fill's, prepared by load()
    Micros next_due_ = kUnknownDue;  // the earliest pending arrives_at (INT64_MAX: none)
    std::string schema_;
    int32_t lock_space_ = 0;
    std::unique_ptr<ItemTake> direct_take_;
    int64_t level_cap_ = INT64_MAX;
};

}  // namespace thelook::pg
