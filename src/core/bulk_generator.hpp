// Data sets generated in bulk, deterministically from a seed.
//  - OrderSet: order i of a data set (with its items, purchase sessions and, once its timeline has
//    reached them, cancel / return sessions) comes from its own random stream, so any slice or
//    shard of the set can be generated alone. Its buyer is user number u(i) of
//    generate_users(users, seed) with the same location filter and window: the user is rebuilt from
//    that user's own stream, so orders and users join without a look-up.
//  - SessionSet: anonymous session i, likewise from its own stream.
//  - History: what a live simulation would have written over a window, in time order, chunk by
//    chunk with bounded memory (the back-fill).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "entity_generator.hpp"
#include "order_timeline.hpp"
#include "incidents.hpp"
#include "live_timeline.hpp"
#include "rate_schedule.hpp"
#include "scenario.hpp"
#include "stock_book.hpp"
#include "traffic.hpp"

namespace thelook {

// Stream labels: derive_seed(seed, label) gives each kind of row its own family of streams.
inline constexpr uint64_t kOrderStream = 0x0DE5ULL;
inline constexpr uint64_t kSessionStream = 0x5E55ULL;
inline constexpr uint64_t kHistoryScheduleStream = 0xBAC0ULL;
inline constexpr uint64_t kHistoryStream = 0xBAC1ULL;
inline constexpr uint64_t kHistoryIncidentStream = 0xBAC2ULL;
inline constexpr uint64_t kHistoryLifecycleStream = 0xBAC3ULL;  // the orders' lifecycle steps and exit visits
inline constexpr uint64_t kCheckoutFailureStream = 0xC0F1ULL;  // OrderSet: whether order i's checkout fails

// What a data set function (generate_orders / _order_items / _events, generate_sessions) makes of
// a scenario: every section applies, or the function refuses it here (0A000 feature_not_supported,
// naming the function and the JSON path, with a hint), never ignores it. Refused: inventory (a data
// set has no stock to sell from), faults.cdc (changes to rows written before, not rows),
// faults.late_events (a data set has no arrival order), faults.files (write_feed's), and, for the
// order functions, shoppers.campaigns (a campaign's order comes from a walked visit).
enum class DataSet { Orders, Sessions };
void check_data_set_scenario(const Scenario& scenario, DataSet set, const std::string& function);

// What thelook.backfill refuses (0A000, naming the section, with a hint): faults.cdc (deletions,
// purges, re-keys and large transactions change rows written earlier, over the run's own
// transactions; a back-fill writes history in bulk) and faults.late_events (a late event is
// written after rows created later than it; a back-fill writes its window in time order as one
// delivery). Everything else applies as in the live loop.
void check_backfill_scenario(const Scenario& scenario);

struct TimeWindow {
    Micros start = 0, end = 0;
    // The time of row i of n rows spread evenly over the window (generate_users' rule).
    Micros spread(int64_t i, int64_t n) const;
};

class OrderSet {
public:
    // users >= 1; as_of >= window.end.
    OrderSet(const NameLists& names, const std::vector<Product>& products, const LocationSampler& locations,
             uint64_t seed, int64_t users, TimeWindow window, Micros as_of);

    // Order i with its items and (with_events) events, its lifecycle played out up to as_of.
    // The caller may move rows out of the result; it is rebuilt by the next call, which reuses the
    // events left in it (EventPool: write them out, do not keep references). with_items
    // false (only without events): the items are drawn but their ids left empty and their
    // faults not applied, for a caller that reads only the order.
    Purchase& order(int64_t i, bool with_events = true, bool with_items = true);
    // The ids of the orders, items and events (see EntityGenerator::set_id_format).
    void set_id_format(IdFormat ids) { order_gen_.set_id_format(ids); }
    // Orders come by the scenario's traffic shape and incidents (as a back-fill with this seed
    // over the window would place them) instead of uniformly after their buyer signed up. Its
    // bad records and duplicate events apply (order i's from a stream of its own, so that
    // generate_orders and generate_order_items agree); nothing is late in a data set. In a
    // checkout failure, that share of the purchases fail: order i is then no order (order().order.id
    // is empty, no items) and its events the visit that ended at the cart.
    void set_scenario(const Scenario& scenario, const ZoneRules& zone);

private:
    uint64_t seed_, order_seed_;
    std::unique_ptr<IncidentPlan> incidents_;  // the scenario's (checkout failures); null: none
    Intensity intensity_;
    std::unique_ptr<const CumulativeIntensity> shape_;
    std::unique_ptr<const ShopperModel> model_;
    std::unique_ptr<FaultInjector> faults_;  // the scenario's bad records and duplicates; null: none
    std::vector<FaultRecord> truth_;         // of the last row (an SRF has nowhere to put it)
    const std::vector<Product>& products_;
    int64_t users_;
    TimeWindow window_;
    Micros as_of_;
    EntityGenerator user_gen_, order_gen_;
    Purchase purchase_;
};

class SessionSet {
public:
    SessionSet(const NameLists& names, const std::vector<Product>& products, const LocationSampler& locations,
               uint64_t seed, int64_t n, TimeWindow window);
    std::vector<Event> session(int64_t i);
    // A session's events once written, for the next sessions to reuse (EventPool).
    void recycle(std::vector<Event>&& events) { gen_.recycle(std::move(events)); }
    // Sessions spread by the scenario's shape (its cumulative intensity) instead of evenly; under
    // the session model, anonymous visits walked by its matrix (a visit that would buy ends at
    // checkout: orders are generate_orders' part).
    void set_scenario(const Scenario& scenario, const ZoneRules& zone);

private:
    uint64_t seed_, stream_seed_;
    std::unique_ptr<const CumulativeIntensity> shape_;
    std::unique_ptr<const ShopperModel> model_;
    std::unique_ptr<FaultInjector> faults_;
    std::vector<FaultRecord> truth_;
    const std::vector<Product>& products_;
    int64_t n_;
    TimeWindow window_;
    EntityGenerator gen_;
};

struct HistoryParams {
    TimeWindow window;
    double avg_qps = 20;
    double user_create_prob = 0.05;
    double ghost_create_prob = 0.2;
    int64_t init_num_users = 0;  // users who sign up at window.start, before the first purchase
    uint64_t seed = 0;
    IdFormat ids = IdFormat::Uuid4;  // of orders, order items and events
    Scenario scenario;               // traffic shape and incidents over the window
    ZoneRules zone;                  // of scenario.traffic.timezone
};

// A buyer: enough of a user to place an order.
struct Buyer {
    std::string id;
    Place place;
    Micros created_at = 0;
    std::string gender;  // for the popularity model ("" unknown)
};

struct HistoryChunk {
    std::vector<User> users;
    std::vector<Order> orders;
    std::vector<OrderItem> items;
    std::vector<Event> events;
    std::vector<FaultRecord> faults;  // ground truth of the scenario's faults in these rows
    int64_t iterations = 0;
    size_t rows() const { return users.size() + orders.size() + items.size() + events.size(); }
    void clear();
};

class History {
public:
    History(const NameLists& names, const std::vector<Product>& products, const LocationSampler& locations,
            const HistoryParams& params);

    // Existing users of the table, in created_at order; they buy from their created_at on.
    void add_existing_user(Buyer b);

    // A schema with inventory: every sale takes stock from store (not owned) by the live loop's
    // rules (stock_book.hpp), each iteration first takes in the restocks due and the returned items
    // that the scenario puts back (at their return); the rng draws for it come after the
    // reference's, so that a back-fill without inventory is unchanged.
    void set_stock(const InventorySection& section, InventoryStore* store);

    // Generates the next arrivals (at most max_iterations) into out (cleared first). Returns false
    // when the window is exhausted and nothing was generated.
    bool next_chunk(size_t max_iterations, HistoryChunk* out);

    // Ground truth: the scenario's incidents that started up to the last arrival generated (all of
    // the window's once next_chunk has returned false), each once.
    std::vector<IncidentWindow> take_incidents();

    // Share of the window done, 0..1.
    double progress() const;
    Micros now() const { return now_; }

private:
    const Buyer& sign_up(Micros t, HistoryChunk* out, const Location* where = nullptr);
    void iteration(Micros t, HistoryChunk* out);
    void session_iteration(Micros t, HistoryChunk* out);
    void add_order(Purchase p, const Buyer& buyer, Micros t, HistoryChunk* out);
    void side_tasks(Micros t, HistoryChunk* out);
    void inject_faults(HistoryChunk* out);
    void restock(Micros t);
    void take_returns(Micros t);

    std::unique_ptr<Inventory> inventory_;  // null: infinite stock
    InventoryStore* stock_ = nullptr;
    std::multimap<Micros, int64_t> returns_;  // returned items going back to stock: product by time
    std::unique_ptr<LiveTimelines> lifecycle_;  // each order's live lifecycle steps, drawn at its creation
    int64_t iterations_ = 0, orders_ = 0;       // so far: the orders per iteration that split a gap

    HistoryParams p_;
    EntityGenerator gen_;
    IncidentPlan incidents_;
    Intensity intensity_;
    ShopperModel model_;
    std::unique_ptr<FaultInjector> faults_;  // null: the scenario injects none
    PoissonSchedule schedule_;
    std::vector<Buyer> pool_;     // buyers who exist at now_
    std::deque<Buyer> future_;    // existing users who sign up later, by created_at
    int64_t initial_left_;
    Micros now_;
    Rng lifecycle_rng_;  // the orders' lifecycle steps and exit visits (kHistoryLifecycleStream)
};

}  // namespace thelook
