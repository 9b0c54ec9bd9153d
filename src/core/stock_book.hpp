// The inventory rules of every generator that sells from stock, in one place: what a sale takes,
// what a stock-out loses, when a restock is ordered and delivered (inventory.hpp decides the
// numbers). The live loop runs them against the schema's tables (the bridge's InventoryWriter);
// the back-fill against a StockBook, the same stock held in memory and written in bulk.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "entity_generator.hpp"
#include "inventory.hpp"
#include "shopper_model.hpp"

namespace thelook {

// Where the stock is. take_item marks one unsold item of the product at its centre sold at t (the
// oldest in stock by then) and returns the level left, or -1 when none was free (a stock-out).
class InventoryStore {
public:
    virtual ~InventoryStore() = default;
    virtual bool has_inventory() const { return false; }
    virtual int64_t take_item(const Product& p, Micros t) { return 0; }
    // Orders a restock unless one of the product is pending already.
    virtual void order_restock(const Product& p, Micros t, Micros arrives_at, int quantity) {}
    virtual void record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t) {}
    // Restocks not yet arrived whose arrival time is at or before t (at most a batch of them).
    virtual std::vector<DueRestock> due_restocks(Micros t) { return {}; }
    // Delivers a due restock at `at` (the first iteration at or after its arrival time): its
    // items in stock from then, its row completed with the levels before and after.
    virtual void deliver_restock(const DueRestock& r, const Product& p, Micros at) {}
    // Postpones a due restock to `until` (a supply problem holds it back).
    virtual void hold_restock(const DueRestock& r, Micros until) {}
    // A returned item back in stock: one unsold item of the product at its centre from `at`.
    virtual void return_to_stock(const Product& p, Micros at) {}
};

// Each item of p takes one unsold item of its product. An item with none is a lost sale: it
// leaves the order; its session (session_per_item: the reference's one session per item) keeps
// its browsing pages and loses its cart and purchase pages; in a shopper's one session, one
// purchase event goes per lost item. A sale (or stock-out) that leaves the level below the minimum
// orders a restock, its arrival drawn from rng. Returns the number of lost items;
// p.order.num_of_items is updated.
int take_stock(EntityGenerator& gen, const Inventory& inventory, Purchase& p, const std::string& user_id,
               bool session_per_item, Micros t, InventoryStore& store);
// The session model's checkout: the cart's products out of stock are lost sales (no purchase
// event, out of the cart); s.purchased is false when nothing is left.
void take_cart_stock(EntityGenerator& gen, const Inventory& inventory, WalkedSession& s, const std::string& user_id,
                     Micros t, InventoryStore& store);
// Before an iteration at t: the restocks due by t arrive, or a supply problem holds them back.
void deliver_due_restocks(EntityGenerator& gen, const Inventory& inventory, Micros t, InventoryStore& store);

// The stock of one schema held in memory (the back-fill's): items in id order per product and
// centre, the pending restocks, and what changed since the last take_writes(), for the bridge to
// write. An item or restock read from the tables keeps its id (a change is an update); one made
// here is written once, when it is final (sold, delivered) or at the end (take_remaining).
class StockBook : public InventoryStore {
public:
    struct Item {
        int64_t id = 0;  // of the table; 0: made here, not written yet
        Micros created_at = 0;
    };
    struct Restock {
        int64_t id = 0;  // of the table; 0: ordered here
        int64_t product_id = 0, distribution_center_id = 0;
        Micros ordered_at = kNoTime, arrives_at = 0, arrived_at = kNoTime;
        int quantity = 0, old_level = 0, new_level = 0;
        bool changed = false;  // a read one whose arrives_at was postponed
    };
    struct LostSale {
        int64_t product_id = 0, distribution_center_id = 0;
        std::string user_id, session_id;
        Micros lost_at = 0;
    };
    // What to write: items read from the table now sold (id, sold_at); items made here, final
    // (sold_at set) or, from take_remaining, still in stock (sold_at kNoTime); restocks delivered
    // (or, from take_remaining, still pending); lost sales.
    struct NewItem {
        int64_t product_id = 0, distribution_center_id = 0;
        Micros created_at = 0, sold_at = kNoTime;
    };
    struct Writes {
        std::vector<std::pair<int64_t, Micros>> sold;
        std::vector<NewItem> items;
        std::vector<Restock> restocks;
        std::vector<LostSale> lost;
        size_t rows() const { return sold.size() + items.size() + restocks.size() + lost.size(); }
    };

    // The tables' state: unsold items in id order, pending restocks.
    void add_item(int64_t product_id, int64_t distribution_center_id, int64_t id, Micros created_at);
    void add_pending(const Restock& r);

    bool has_inventory() const override { return true; }
    int64_t take_item(const Product& p, Micros t) override;
    void order_restock(const Product& p, Micros t, Micros arrives_at, int quantity) override;
    void record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t) override;
    std::vector<DueRestock> due_restocks(Micros t) override;
    void deliver_restock(const DueRestock& r, const Product& p, Micros at) override;
    void hold_restock(const DueRestock& r, Micros until) override;
    void return_to_stock(const Product& p, Micros at) override;

    Writes take_writes();
    Writes take_remaining();  // the end: also what is still in stock or pending
    int64_t lost_sales() const { return lost_total_; }
    int64_t restocks_delivered() const { return delivered_total_; }

private:
    using Key = std::pair<int64_t, int64_t>;  // product, centre
    struct Shelf {
        std::vector<Item> items;  // unsold, in id order, from head on
        size_t head = 0;
        size_t level() const { return items.size() - head; }
    };
    std::map<Key, Shelf> shelves_;
    std::map<Key, Restock> pending_;          // at most one per product and centre
    std::multimap<Micros, Key> due_;          // pending restocks by arrives_at
    int64_t next_restock_ = 0;                // DueRestock ids of those ordered here: -1, -2, ...
    Writes writes_;
    int64_t lost_total_ = 0, delivered_total_ = 0;
};

}  // namespace thelook
