// One iteration of the live simulation, decided here and written through a ShopStore (the
// bridge's SchemaWriter): a purchase by a random existing user (who may move first), then the side
// tasks (a new user, an anonymous session, a lifecycle step of a random open order), each with its
// probability. A checkout failure in force turns that share of purchases into sessions that end at
// the cart, with no order. The scenario's faults apply to whatever the iteration writes.
#pragma once

#include <string>
#include <vector>

#include "cdc_faults.hpp"
#include "entity_generator.hpp"
#include "faults.hpp"
#include "incidents.hpp"
#include "inventory.hpp"
#include "stock_book.hpp"
#include "simulation_params.hpp"

namespace thelook {

struct PickedUser {
    std::string id;
    Place place;
    std::string gender;  // "M", "F" or "" (unknown)
};

struct PickedOrder {
    std::string id, user_id;
    OrderStatus status = OrderStatus::Processing;
    Place place;  // of its user (empty when the user is gone)
};

// What the live loop reads from and writes to the database; its stock (a schema set up with
// inventory => true; otherwise stock is infinite and none of those calls is made) as InventoryStore.
class ShopStore : public InventoryStore {
public:
    virtual ~ShopStore() = default;
    // The first row at or after key in primary-key order (wrapping around); false when none.
    virtual bool pick_user(const std::string& key, PickedUser* out) = 0;
    virtual bool pick_open_order(const std::string& key, PickedOrder* out) = 0;
    virtual void update_user_address(const std::string& user_id, const Address& a, Micros now) = 0;
    // Moves an order still in `from` (and its items) to `to`; returns its items, none if it had moved.
    virtual std::vector<ItemRef> update_order(const std::string& order_id, OrderStatus from, OrderStatus to,
                                              const OrderTimes& changed) = 0;
    virtual void add(const User& u) = 0;
    virtual void add(const Purchase& p) = 0;
    virtual void add(const std::vector<Event>& events) = 0;
    // Ground truth of injected faults, written in the same transaction as the rows they list.
    virtual void add(const std::vector<FaultRecord>& truth) = 0;
    // CDC faults (cdc_faults.hpp), each with its ground truth in injected_faults, same transaction.
    // Deletes the first user at or after probe (wrapping around) with its events, its orders and
    // their items; returns the rows deleted (0: no user).
    virtual int64_t delete_account(const std::string& user_probe) { return 0; }
    // Deletes at most limit anonymous events (user_id NULL) created before cutoff, oldest first.
    virtual int64_t purge_anonymous_events(Micros cutoff, int64_t limit) { return 0; }
    // Gives the first event at or after probe (wrapping around) the primary key new_id.
    virtual bool rekey_event(const std::string& probe, const std::string& new_id) { return false; }
    // Ships up to `orders` of the oldest Processing orders and their items at t; returns the rows.
    virtual int64_t large_transaction(int64_t orders, Micros t) { return 0; }
};

class LiveLoop {
public:
    LiveLoop(EntityGenerator& gen, const SimulationParams& params) : gen_(gen), p_(params) {}
    void set_params(const SimulationParams& params) { p_ = params; }
    // The scenario's shopper model (not owned; null: the reference). Under the "sessions" model an
    // iteration is one session of a known or anonymous visitor.
    void set_model(const ShopperModel* model) {
        model_ = model;
        gen_.set_model(model);
    }

    // The scenario's faults (not owned; null: none): every row the iteration writes passes
    // through it, and late events it holds are written once due.
    void set_faults(FaultInjector* faults) { faults_ = faults; }

    // The scenario's faults.cdc (off by default); the planner's clocks carry over a change.
    void set_cdc_faults(const CdcFaults& faults) { cdc_.set_faults(faults); }
    CdcFaultPlanner& cdc_planner() { return cdc_; }

    // Before a transaction's iterations (uuid7 only): the millisecond of the oldest open order's
    // version-7 id, or -1.
    // Inventory decisions (not owned; null: infinite stock). Used only when the store has inventory.
    void set_inventory(const Inventory* inventory) { inventory_ = inventory; }
    // Before each iteration (iteration() calls it): the restocks that have arrived by t.
    void deliver_restocks(Micros t, ShopStore& store);

    void set_oldest_open_millis(int64_t millis) { oldest_open_millis_ = millis; }
    // checkout_failure: the share of purchases that fail at checkout at t (Intensity::checkout_failure).
    void iteration(Micros t, double checkout_failure, ShopStore& store);

private:
    bool injecting() const;
    void write(ShopStore& store, User u);
    void write(ShopStore& store, Purchase p, Micros t);
    void write(ShopStore& store, std::vector<Event> events, Micros t);
    void purchase_iteration(Micros t, double checkout_failure, ShopperModel const* model, ShopStore& store);
    void session_iteration(Micros t, double checkout_failure, const ShopperModel& model, ShopStore& store);
    void side_tasks(Micros t, bool ghost, ShopStore& store);
    PickedUser known_user(Micros t, ShopStore& store);
    std::string open_order_probe(Micros t);
    void cdc_faults(Micros t, ShopStore& store);
    const ShopperModel* model_ = nullptr;
    FaultInjector* faults_ = nullptr;
    const Inventory* inventory_ = nullptr;
    CdcFaultPlanner cdc_;

    EntityGenerator& gen_;
    SimulationParams p_;
    int64_t oldest_open_millis_ = -1;
};

}  // namespace thelook
