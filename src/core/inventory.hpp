// Inventory: what a sale, a stock-out and a restock are, decided here; the bridge (a ShopStore)
// executes the decisions with index probes on the schema's inventory tables.
//
//   "inventory": {"minimum": 3,                        restock when the level falls below this
//                 "restock": 20,                       items per restock
//                 "lead_time": ["1 day", "7 days"],    uniform; or one duration
//                 "returns_to_stock": 0.8}             share of returned items back in stock (default 0)
//
// The initial stock is setup()'s (thelook.generate_inventory_items: uniform in [5, 30] per product).
// A supply problem (an incident of kind "supply_problem" with a category, brand or
// distribution_center_id target) holds back the restocks of the products it covers: one that falls
// due inside the window arrives when the window ends.
#pragma once

#include <cstdint>
#include <string>

#include "catalog.hpp"
#include "entities.hpp"
#include "random.hpp"

namespace thelook {

class IncidentPlan;

struct InventorySection {
    bool given = false;  // the scenario has the section (the schema must then have the tables)
    int minimum, restock;
    double lead_time_min_seconds, lead_time_max_seconds;
    // Share of returned order items that go back to stock, as an unsold item of their product at
    // its centre from the return's time (0, the default: a return never restocks).
    double returns_to_stock = 0;
    InventorySection();
};

// A restock ordered earlier whose arrival time has come (one row of the restock table).
struct DueRestock {
    int64_t id = 0, product_id = 0, distribution_center_id = 0;
    Micros arrives_at = 0;
    int quantity = 0;
};

class Inventory {
public:
    Inventory(const InventorySection& s, IncidentPlan* incidents) : s_(s), incidents_(incidents) {}
    const InventorySection& section() const { return s_; }
    // After a sale (or a stock-out) left `level` items: whether a restock is due.
    bool restock_due(int64_t level) const { return level < s_.minimum; }
    int restock_quantity() const { return s_.restock; }
    // When a restock ordered at t arrives.
    Micros arrival(Rng& rng, Micros t) const;
    // A restock due at t of this product: kNoTime to deliver it now, or the time a supply problem
    // in force holds it back until.
    Micros held_until(const Product& p, Micros t) const;
    // Whether a returned order item goes back to stock: a hash of its id below returns_to_stock,
    // so that the live run and the back-fill decide alike and no random stream changes.
    bool returns_to_stock(const std::string& order_item_id) const;

private:
    InventorySection s_;
    IncidentPlan* incidents_;
};

}  // namespace thelook
