// Inventory: the scenario's "inventory" section and supply_problem incidents (every error path names
// its JSON path, 22023, with a hint), the restock decisions (lead time uniform in its range, 4 sigma),
// supply problems holding back only the products they cover and only in their window, and the live
// loop's stock-outs (a lost item leaves the order, its session loses its cart and purchase pages).
#include <map>
#include <set>

#include "core/bulk_generator.hpp"
#include "core/incidents.hpp"
#include "core/inventory.hpp"
#include "core/live_loop.hpp"
#include "core/progress.hpp"
#include "core/scenario.hpp"
#include "core/stock_book.hpp"
#include "fixtures.hpp"
#include "scenario_checks.hpp"

using namespace thelook;
using fixtures::kNow;

namespace {

void rejects(const std::string& doc, const std::string& path, const std::string& what) {
    thelook::testing::check_scenario_rejects(doc, path, what);
}

// A store with a stock per product id (absent: none), keeping what the loop does.
struct StockStore : ShopStore {
    std::map<int64_t, int64_t> stock;
    std::vector<Purchase> purchases;
    std::vector<std::vector<Event>> event_batches;
    std::vector<int64_t> lost, restocked;
    std::vector<std::string> lost_sessions;
    std::vector<DueRestock> due;
    std::vector<std::pair<int64_t, Micros>> held, delivered;

    bool pick_user(const std::string&, PickedUser* out) override {
        *out = PickedUser{"u1", Place{"C", "S", "P"}, "F"};
        return true;
    }
    bool pick_open_order(const std::string&, PickedOrder*) override { return false; }
    void update_user_address(const std::string&, const Address&, Micros) override {}
    std::vector<ItemRef> update_order(const std::string&, OrderStatus, OrderStatus, const OrderTimes&) override { return {}; }
    void add(const User&) override {}
    void add(const Purchase& p) override { purchases.push_back(p); }
    void add(const std::vector<Event>& events) override { event_batches.push_back(events); }
    void add(const std::vector<FaultRecord>&) override {}
    bool has_inventory() const override { return true; }
    int64_t take_item(const Product& p, Micros) override {
        auto it = stock.find(p.id);
        if (it == stock.end() || it->second == 0) return -1;
        return --it->second;
    }
    void order_restock(const Product& p, Micros, Micros, int) override { restocked.push_back(p.id); }
    void record_lost_sale(const Product& p, const std::string&, const std::string& session, Micros) override {
        lost.push_back(p.id);
        lost_sessions.push_back(session);
    }
    std::vector<DueRestock> due_restocks(Micros) override { return due; }
    void deliver_restock(const DueRestock& r, const Product&, Micros at) override { delivered.push_back({r.id, at}); }
    void hold_restock(const DueRestock& r, Micros until) override { held.push_back({r.id, until}); }
};

SimulationParams quiet() {
    SimulationParams p;
    p.user_create_prob = p.user_update_prob = p.order_update_prob = p.ghost_create_prob = 0;
    return p;
}

}  // namespace

TEST_CASE("inventory: the section's defaults and values", "[inventory]") {
    const Scenario none = parse_scenario("{}");
    CHECK_FALSE(none.inventory.given);
    CHECK(none.inventory.minimum == dist::kRestockMinimum);
    CHECK(none.inventory.restock == dist::kRestockQuantity);
    const Scenario s = parse_scenario(R"({"inventory": {"minimum": 0, "restock": 7, "lead_time": ["1 hour", "2 hours"]}})");
    CHECK(s.inventory.given);
    CHECK(s.inventory.minimum == 0);
    CHECK(s.inventory.restock == 7);
    CHECK(s.inventory.lead_time_min_seconds == 3600);
    CHECK(s.inventory.lead_time_max_seconds == 7200);
    CHECK(parse_scenario(R"({"inventory": {"lead_time": 60}})").inventory.lead_time_max_seconds == 60);
}

TEST_CASE("inventory: the section's errors name their path", "[inventory]") {
    rejects(R"({"inventory": 3})", "scenario.inventory", "must be an object");
    rejects(R"({"inventory": {"min": 3}})", "scenario.inventory.min", "unknown key");
    rejects(R"({"inventory": {"minimum": -1}})", "scenario.inventory.minimum", "whole number");
    rejects(R"({"inventory": {"minimum": 1.5}})", "scenario.inventory.minimum", "whole number");
    rejects(R"({"inventory": {"restock": 0}})", "scenario.inventory.restock", "whole number from 1");
    rejects(R"({"inventory": {"lead_time": "soon"}})", "scenario.inventory.lead_time", "duration");
    rejects(R"({"inventory": {"lead_time": ["2 days", "1 day"]}})", "scenario.inventory.lead_time", "max is below min");
    rejects(R"({"inventory": {"lead_time": ["1 day"]}})", "scenario.inventory.lead_time", "[min, max]");
    rejects(R"({"inventory": {"lead_time": ["1 day", -3]}})", "scenario.inventory.lead_time[1]", "positive");
    rejects(R"({"inventory": {"initial": [5, 30]}})", "scenario.inventory.initial", "unknown key");
}

TEST_CASE("inventory: supply_problem incidents and their targets", "[inventory][incidents]") {
    const Scenario s = parse_scenario(R"({"incidents": [{"kind": "supply_problem", "category": "Jeans", "brand": "B",
        "distribution_center_id": 3, "after": "1 hour", "duration": "2 hours"}],
        "random_incidents": [{"kind": "supply_problem", "brand": "Z", "per_day": 1, "duration": "1 hour"}]})");
    REQUIRE(s.incidents.size() == 1);
    const SupplyTarget& t = s.incidents[0].effect.target;
    CHECK(t.category == "Jeans");
    CHECK(t.brand == "B");
    CHECK(t.distribution_center_id == 3);
    CHECK(t.describe() == "category=Jeans brand=B distribution_center_id=3");
    CHECK(s.random_incidents[0].effect.target.brand == "Z");
    rejects(R"({"incidents": [{"kind": "spike", "category": "Jeans", "after": 0, "duration": 60}]})",
            "scenario.incidents[0].category", "only a supply_problem");
    rejects(R"({"incidents": [{"kind": "supply_problem", "magnitude": 2, "after": 0, "duration": 60}]})",
            "scenario.incidents[0].magnitude", "no magnitude");
    rejects(R"({"incidents": [{"kind": "supply_problem", "distribution_center_id": 0, "after": 0, "duration": 60}]})",
            "scenario.incidents[0].distribution_center_id", "distribution centre");
    rejects(R"({"incidents": [{"kind": "supply_problem", "brand": "", "after": 0, "duration": 60}]})",
            "scenario.incidents[0].brand", "non-empty");
    rejects(R"({"incidents": [{"kind": "shortage", "after": 0, "duration": 60}]})", "scenario.incidents[0].kind", "unknown");
}

TEST_CASE("inventory: a supply problem holds back only what it covers, only in its window", "[inventory][incidents]") {
    const Scenario s = parse_scenario(R"({"incidents": [{"kind": "supply_problem", "category": "Jeans",
        "after": "1 hour", "duration": "2 hours"}]})");
    IncidentPlan plan(s, kNow, 1);
    const Inventory inv(s.inventory, &plan);
    Product jeans, shirt;
    jeans.category = "Jeans";
    shirt.category = "Shirts";
    const Micros hour = 3600 * kMicrosPerSecond;
    CHECK(inv.held_until(jeans, kNow + hour / 2) == kNoTime);
    CHECK(inv.held_until(jeans, kNow + hour) == kNow + 3 * hour);
    CHECK(inv.held_until(jeans, kNow + 2 * hour) == kNow + 3 * hour);
    CHECK(inv.held_until(jeans, kNow + 3 * hour) == kNoTime);
    CHECK(inv.held_until(shirt, kNow + 2 * hour) == kNoTime);
    CHECK(plan.rate_multiplier(kNow + 2 * hour) == 1.0);  // the traffic is not touched
}

TEST_CASE("inventory: a supply problem's target survives the saved progress (a resumed simulation)", "[inventory][incidents]") {
    const Scenario s = parse_scenario(R"({"incidents": [{"kind": "supply_problem", "brand": "Levi's",
        "distribution_center_id": 2, "after": 0, "duration": "1 hour"}]})");
    SimulationProgress p;
    IncidentPlan plan(s, kNow, 1);
    plan.take_started(kNow);
    p.incidents = plan.snapshot();
    const SimulationProgress q = progress_from_json(progress_to_json(p));
    REQUIRE(q.incidents.windows.size() == 1);
    const IncidentWindow& w = q.incidents.windows[0].window;
    CHECK(w.kind == IncidentKind::SupplyProblem);
    CHECK(w.target.brand == "Levi's");
    CHECK(w.target.distribution_center_id == 2);
    CHECK(w.target.category.empty());
}

TEST_CASE("inventory: lead times are uniform in their range, restocks due below the minimum", "[inventory][stats]") {
    InventorySection sec;
    sec.lead_time_min_seconds = 100;
    sec.lead_time_max_seconds = 300;
    sec.minimum = 3;
    const Inventory inv(sec, nullptr);
    CHECK(inv.restock_due(2));
    CHECK_FALSE(inv.restock_due(3));
    Rng rng(5);
    double sum = 0;
    for (int i = 0; i < fixtures::kDraws; ++i) {
        const double s = static_cast<double>(inv.arrival(rng, kNow) - kNow) / 1e6;
        REQUIRE(s >= 100);
        REQUIRE(s <= 300);
        sum += s;
    }
    const double sd = 200 / std::sqrt(12.0) / std::sqrt(static_cast<double>(fixtures::kDraws));
    CHECK(std::abs(sum / fixtures::kDraws - 200) < 4 * sd);
}

TEST_CASE("inventory: the live loop's stock-outs are lost sales", "[inventory][live]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 17);
    LiveLoop loop(gen, quiet());
    const InventorySection sec;
    const Inventory inv(sec, nullptr);
    loop.set_inventory(&inv);
    StockStore store;
    // Half the products in stock (plenty), half never.
    std::set<int64_t> stocked;
    for (size_t i = 0; i < w.products.size(); i += 2) {
        store.stock[w.products[i].id] = 1000000;
        stocked.insert(w.products[i].id);
    }
    const int n = 3000;
    for (int i = 0; i < n; ++i) loop.iteration(kNow + i, 0, store);
    size_t wanted = store.lost.size();
    for (const Purchase& p : store.purchases) {
        wanted += p.items.size();
        CHECK(p.order.num_of_items == static_cast<int>(p.items.size()));
        std::map<std::string, int> carts, buys;
        for (const Event& e : p.events) {
            if (e.event_type == "cart") ++carts[e.session_id];
            if (e.event_type == "purchase") ++buys[e.session_id];
        }
        CHECK(buys.size() == p.items.size());  // one purchase session per item sold
        for (const OrderItem& it : p.items) CHECK(stocked.count(it.product_id) == 1);
    }
    for (int64_t id : store.lost) CHECK(stocked.count(id) == 0);
    // The share of wanted items lost is the share of products out of stock (uniform picks, 4 sigma);
    // each lost one's session has no cart or purchase page.
    const double p_lost = 1.0 - static_cast<double>(stocked.size()) / static_cast<double>(w.products.size());
    const double share = static_cast<double>(store.lost.size()) / static_cast<double>(wanted);
    CHECK(std::abs(share - p_lost) < 4 * std::sqrt(p_lost * (1 - p_lost) / static_cast<double>(wanted)));
    std::set<std::string> lost(store.lost_sessions.begin(), store.lost_sessions.end());
    auto check_events = [&](const std::vector<Event>& events) {
        for (const Event& e : events)
            if (lost.count(e.session_id)) CHECK((e.event_type != "cart" && e.event_type != "purchase"));
    };
    for (const Purchase& p : store.purchases) check_events(p.events);
    for (const auto& b : store.event_batches) check_events(b);
    CHECK(store.restocked.size() == store.lost.size());  // a stock-out orders a restock (level 0 < minimum)
}

TEST_CASE("inventory: a shopper's lost items get no purchase event and no order item", "[inventory][live]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 23);
    LiveLoop loop(gen, quiet());
    const Scenario sc = parse_scenario(R"({"shoppers": {"model": "sessions", "known_share": 1, "matrix": "campaign"}})");
    const ShopperModel model(sc.shoppers, w.products, kNow);
    loop.set_model(&model);
    const Inventory inv(sc.inventory, nullptr);
    loop.set_inventory(&inv);
    StockStore store;
    for (size_t i = 0; i < w.products.size(); i += 2) store.stock[w.products[i].id] = 1000000;
    for (int i = 0; i < 20000; ++i) loop.iteration(kNow + i, 0, store);
    REQUIRE(store.lost.size() > 50);
    REQUIRE(store.purchases.size() > 50);
    for (const Purchase& p : store.purchases) {
        size_t buys = 0;
        for (const Event& e : p.events) buys += e.event_type == "purchase";
        CHECK(buys == p.items.size());
        CHECK(p.order.num_of_items == static_cast<int>(p.items.size()));
        for (const OrderItem& it : p.items) CHECK(store.stock.count(it.product_id) == 1);
    }
    for (const auto& b : store.event_batches)
        for (const Event& e : b) CHECK(e.event_type != "purchase");  // sessions with every item lost
}

TEST_CASE("inventory: due restocks are delivered, or held by a supply problem", "[inventory][live]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 3);
    LiveLoop loop(gen, quiet());
    const Product& held_product = w.products[0];
    const std::string doc = R"({"incidents": [{"kind": "supply_problem", "category": ")" + held_product.category +
                            R"(", "after": 0, "duration": "1 hour"}]})";
    const Scenario s = parse_scenario(doc);
    IncidentPlan plan(s, kNow, 1);
    const Inventory inv(s.inventory, &plan);
    loop.set_inventory(&inv);
    StockStore store;
    const Product* other = nullptr;
    for (const Product& p : w.products)
        if (p.category != held_product.category) other = &p;
    REQUIRE(other);
    store.due = {DueRestock{1, held_product.id, 1, kNow, 5}, DueRestock{2, other->id, 1, kNow, 5}};
    loop.deliver_restocks(kNow + 10, store);
    REQUIRE(store.held.size() == 1);
    CHECK(store.held[0] == std::make_pair<int64_t, Micros>(1, kNow + 3600 * kMicrosPerSecond));
    REQUIRE(store.delivered.size() == 1);
    CHECK(store.delivered[0] == std::make_pair<int64_t, Micros>(2, kNow + 10));
}

TEST_CASE("inventory: with the scenario's faults on, stock is taken and lost sales are recorded as without", "[inventory][faults]") {
    // Row faults change rows on their way to the store; every inventory call must still reach it,
    // with the decisions of a run without faults.
    fixtures::World w;
    auto run = [&](FaultInjector* faults, StockStore& store) {
        EntityGenerator gen(w.names, w.products, w.sampler, 17);
        LiveLoop loop(gen, quiet());
        const InventorySection sec;
        const Inventory inv(sec, nullptr);
        loop.set_inventory(&inv);
        loop.set_faults(faults);
        for (size_t i = 0; i < w.products.size(); i += 2) store.stock[w.products[i].id] = 3;
        for (int i = 0; i < 3000; ++i) loop.iteration(kNow + i, 0, store);
    };
    StockStore plain, faulted;
    run(nullptr, plain);
    FaultsSection f;
    f.duplicate_events.share = 0.05;  // touches events only: orders and items stay the reference's
    FaultInjector injector(f, 3, IdFormat::Uuid4);
    run(&injector, faulted);
    CHECK(!plain.lost.empty());
    CHECK(!plain.restocked.empty());
    CHECK(faulted.lost == plain.lost);
    CHECK(faulted.restocked == plain.restocked);
    CHECK(faulted.purchases.size() == plain.purchases.size());
}

TEST_CASE("inventory: returns_to_stock is a documented share, 0 by default", "[inventory][returns]") {
    CHECK(parse_scenario(R"({"inventory": {}})").inventory.returns_to_stock == 0);
    CHECK(parse_scenario(R"({"inventory": {"returns_to_stock": 0.8}})").inventory.returns_to_stock == 0.8);
    rejects(R"({"inventory": {"returns_to_stock": 1.5}})", "scenario.inventory.returns_to_stock", "");
    rejects(R"({"inventory": {"returns_to_stock": "all"}})", "scenario.inventory.returns_to_stock", "");
    const Inventory none(parse_scenario(R"({"inventory": {}})").inventory, nullptr);
    const Inventory most(parse_scenario(R"({"inventory": {"returns_to_stock": 0.8}})").inventory, nullptr);
    Rng rng(5);
    const int n = fixtures::kDraws;
    int back = 0;
    for (int i = 0; i < n; ++i) {
        const std::string id = uuid_v4(rng);
        CHECK_FALSE(none.returns_to_stock(id));
        back += most.returns_to_stock(id);
        CHECK(most.returns_to_stock(id) == most.returns_to_stock(id));  // a hash of the id: the same every time
    }
    CHECK(std::abs(back - 0.8 * n) < 4 * std::sqrt(n * 0.8 * 0.2));
}

namespace {
// Every order picked is Delivered with two items; the loop may return it.
struct ReturningStore : StockStore {
    int returned_orders = 0;
    std::vector<std::string> returned_items;
    std::vector<std::pair<int64_t, Micros>> back_in_stock;
    int64_t product_a = 0, product_b = 0;
    int next = 0;
    bool pick_open_order(const std::string&, PickedOrder* out) override {
        *out = PickedOrder{"o" + std::to_string(next++), "u1", OrderStatus::Delivered, Place{"C", "S", "P"}};
        return true;
    }
    std::vector<ItemRef> update_order(const std::string& id, OrderStatus, OrderStatus to, const OrderTimes&) override {
        if (to != OrderStatus::Returned) return {};
        ++returned_orders;
        std::vector<ItemRef> items = {{id + "-1", product_a}, {id + "-2", product_b}};
        for (const ItemRef& i : items) returned_items.push_back(i.id);
        return items;
    }
    void return_to_stock(const Product& p, Micros at) override { back_in_stock.push_back({p.id, at}); }
};
}  // namespace

TEST_CASE("inventory: the live loop puts the scenario's share of returned items back in stock", "[inventory][returns][live]") {
    fixtures::World w;
    for (const char* doc : {R"({"inventory": {}})", R"({"inventory": {"returns_to_stock": 0.5}})"}) {
        EntityGenerator gen(w.names, w.products, w.sampler, 23);
        SimulationParams p = quiet();
        p.order_update_prob = 1;
        LiveLoop loop(gen, p);
        const Inventory inv(parse_scenario(doc).inventory, nullptr);
        loop.set_inventory(&inv);
        ReturningStore store;
        store.product_a = w.products[0].id;
        store.product_b = w.products[1].id;
        for (const Product& pr : w.products) store.stock[pr.id] = 1000000;
        for (int i = 0; i < 20000; ++i) loop.iteration(kNow + i, 0, store);
        INFO(doc << ": " << store.returned_orders << " returns, " << store.back_in_stock.size() << " items back");
        REQUIRE(store.returned_orders > 200);
        size_t expected = 0;
        for (const std::string& id : store.returned_items) expected += inv.returns_to_stock(id);
        CHECK(store.back_in_stock.size() == expected);  // exactly the items the rule picks
        for (const auto& b : store.back_in_stock) CHECK((b.first == store.product_a || b.first == store.product_b));
        const double n = static_cast<double>(store.returned_items.size()), share = inv.section().returns_to_stock;
        CHECK(std::abs(static_cast<double>(expected) - share * n) <= 4 * std::sqrt(n * share * (1 - share)));
    }
}

TEST_CASE("inventory: the back-fill's stock book takes, loses, restocks and delivers by the live rules", "[inventory][backfill]") {
    fixtures::World w;
    const Product& a = w.products[0];
    StockBook book;
    book.add_item(a.id, a.distribution_center_id, 11, kNow - 10);
    book.add_item(a.id, a.distribution_center_id, 12, kNow + 100);  // not in stock yet at kNow
    book.add_item(a.id, a.distribution_center_id, 13, kNow - 10);
    CHECK(book.take_item(a, kNow) == 2);   // the lowest id in stock by then; the level counts all unsold
    CHECK(book.take_item(a, kNow) == 1);   // 12 is skipped: 13
    CHECK(book.take_item(a, kNow) == -1);  // a stock-out
    CHECK(book.take_item(a, kNow + 100) == 0);
    book.order_restock(a, kNow, kNow + 50, 4);
    book.order_restock(a, kNow + 1, kNow + 60, 9);  // one pending per product: ignored
    CHECK(book.due_restocks(kNow + 49).empty());
    std::vector<DueRestock> due = book.due_restocks(kNow + 50);
    REQUIRE(due.size() == 1);
    book.hold_restock(due[0], kNow + 70);  // a supply problem
    CHECK(book.due_restocks(kNow + 69).empty());
    due = book.due_restocks(kNow + 75);
    REQUIRE(due.size() == 1);
    book.deliver_restock(due[0], a, kNow + 75);
    CHECK(book.due_restocks(kNow + 1000).empty());
    CHECK(book.take_item(a, kNow + 80) == 3);
    book.record_lost_sale(a, "u", "s", kNow);
    StockBook::Writes wr = book.take_writes();
    CHECK(wr.sold == std::vector<std::pair<int64_t, Micros>>{{11, kNow}, {13, kNow}, {12, kNow + 100}});
    REQUIRE(wr.items.size() == 1);  // a delivered item, sold: written once, final
    CHECK((wr.items[0].created_at == kNow + 75 && wr.items[0].sold_at == kNow + 80));
    REQUIRE(wr.restocks.size() == 1);
    const StockBook::Restock& r = wr.restocks[0];
    CHECK((r.ordered_at == kNow && r.arrives_at == kNow + 70 && r.arrived_at == kNow + 75));
    CHECK((r.quantity == 4 && r.old_level == 0 && r.new_level == 4));
    CHECK(wr.lost.size() == 1);
    book.return_to_stock(a, kNow + 90);
    book.order_restock(a, kNow + 90, kNow + 500, 4);
    wr = book.take_remaining();  // what is still in stock, or on order
    CHECK(wr.sold.empty());
    CHECK(wr.items.size() == 4);
    for (const auto& i : wr.items) CHECK(i.sold_at == kNoTime);
    REQUIRE(wr.restocks.size() == 1);
    CHECK(wr.restocks[0].arrived_at == kNoTime);
}

TEST_CASE("inventory: a back-fill with stock has stock-outs, lost sales and restocks after the lead time", "[inventory][backfill]") {
    fixtures::World w;
    HistoryParams p;
    p.window = TimeWindow{kNow, kNow + 2 * 86400 * kMicrosPerSecond};
    p.avg_qps = 0.02;
    p.seed = 9;
    p.scenario = parse_scenario(R"({"inventory": {"minimum": 2, "restock": 3, "lead_time": ["1 hour", "3 hours"]}})");
    auto run = [&](StockBook* book, std::vector<Order>* orders, std::vector<OrderItem>* items) {
        History h(w.names, w.products, w.sampler, p);
        if (book) {
            for (const Product& prod : w.products) book->add_item(prod.id, prod.distribution_center_id, prod.id, kNow - 1);
            h.set_stock(p.scenario.inventory, book);
        }
        HistoryChunk chunk;
        while (h.next_chunk(300, &chunk)) {
            orders->insert(orders->end(), chunk.orders.begin(), chunk.orders.end());
            items->insert(items->end(), chunk.items.begin(), chunk.items.end());
        }
    };
    StockBook book;
    std::vector<Order> orders, plain_orders;
    std::vector<OrderItem> items, plain_items;
    run(&book, &orders, &items);
    run(nullptr, &plain_orders, &plain_items);
    StockBook::Writes wr = book.take_remaining();
    REQUIRE(wr.lost.size() > 20);
    std::map<Micros, int> sold_at;  // every order item took one item, at its creation
    for (const OrderItem& i : items) ++sold_at[i.times.created_at];
    size_t sold = wr.sold.size();
    for (const auto& s : wr.sold) --sold_at[s.second];
    for (const auto& i : wr.items)
        if (i.sold_at != kNoTime) {
            --sold_at[i.sold_at];
            ++sold;
            CHECK(i.created_at <= i.sold_at);
        }
    CHECK(sold == items.size());
    for (const auto& kv : sold_at) CHECK(kv.second == 0);
    int delivered = 0;
    for (const auto& r : wr.restocks) {
        CHECK(r.arrives_at - r.ordered_at >= 3600 * kMicrosPerSecond);
        CHECK(r.arrives_at - r.ordered_at <= 3 * 3600 * kMicrosPerSecond);
        if (r.arrived_at == kNoTime) continue;
        ++delivered;
        CHECK(r.arrived_at >= r.arrives_at);
        CHECK(r.new_level == r.old_level + r.quantity);
    }
    CHECK(delivered > 20);
    for (const Order& o : orders) CHECK(o.num_of_items >= 1);
    CHECK(items.size() > 100);
    CHECK(plain_items.size() > items.size());  // without stock nothing is lost
}
