// The scenario's "lifecycle" section (lifecycle_section.hpp) and the live lifecycle of a back-fill
// under it (open_order_book.hpp, History): parse errors, the argument check, the book's picks and
// steps, and a back-fill whose orders move as the live loop moves them.
#include <map>
#include <set>

#include "core/bulk_generator.hpp"
#include "core/distributions.hpp"
#include "core/lifecycle_section.hpp"
#include "core/open_order_book.hpp"
#include "core/order_lifecycle.hpp"
#include "core/scenario.hpp"
#include "fixtures.hpp"
#include "scenario_checks.hpp"

using namespace thelook;
using fixtures::kNow;

namespace {

constexpr Micros kDay = 86400 * kMicrosPerSecond;

Order order_at(const std::string& id, Micros t) {
    Order o;
    o.id = id;
    o.user_id = "u";
    o.num_of_items = 1;
    o.times.created_at = o.times.updated_at = t;
    return o;
}

std::vector<OrderItem> items_of(const Order& o, int n) {
    std::vector<OrderItem> items(n);
    for (int i = 0; i < n; ++i) {
        items[i].id = o.id + "-" + std::to_string(i);
        items[i].order_id = o.id;
        items[i].times = o.times;
    }
    return items;
}

// Timestamps as the state machine sets them: each in order, and updated_at the latest.
void check_times(OrderStatus s, const OrderTimes& t, Micros window_end) {
    INFO("status " << static_cast<int>(s));
    REQUIRE(t.created_at != kNoTime);
    REQUIRE(t.updated_at <= window_end);
    REQUIRE(t.updated_at >= t.created_at);
    const bool shipped = s == OrderStatus::Shipped || s == OrderStatus::Delivered || s == OrderStatus::Returned;
    const bool delivered = s == OrderStatus::Delivered || s == OrderStatus::Returned;
    REQUIRE((t.shipped_at != kNoTime) == shipped);
    REQUIRE((t.delivered_at != kNoTime) == delivered);
    REQUIRE((t.returned_at != kNoTime) == (s == OrderStatus::Returned));
    REQUIRE((t.cancelled_at != kNoTime) == (s == OrderStatus::Cancelled));
    if (shipped) REQUIRE(t.shipped_at >= t.created_at);
    if (delivered) REQUIRE(t.delivered_at >= t.shipped_at);
    if (s == OrderStatus::Returned) REQUIRE(t.returned_at >= t.delivered_at);
    if (s == OrderStatus::Cancelled) REQUIRE(t.updated_at == t.cancelled_at);
    if (s == OrderStatus::Returned) REQUIRE(t.updated_at == t.returned_at);
}

}  // namespace

TEST_CASE("scenario.lifecycle: parsed when given, absent by default", "[lifecycle][scenario]") {
    CHECK_FALSE(parse_scenario("{}").lifecycle.given);
    const Scenario s = parse_scenario(R"({"lifecycle": {"order_update_prob": 0.25}})");
    CHECK(s.lifecycle.given);
    CHECK(s.lifecycle.order_update_prob == 0.25);
    CHECK(parse_scenario(R"({"lifecycle": {"order_update_prob": 0}})").lifecycle.given);
}

TEST_CASE("scenario.lifecycle: errors name the JSON path", "[lifecycle][scenario]") {
    testing::check_scenario_rejects(R"({"lifecycle": 0.4})", "scenario.lifecycle", "must be an object");
    testing::check_scenario_rejects(R"({"lifecycle": {}})", "scenario.lifecycle.order_update_prob", "is missing");
    testing::check_scenario_rejects(R"({"lifecycle": {"order_update_prob": 0.4, "speed": 2}})", "scenario.lifecycle.speed",
                                    "unknown key");
    testing::check_scenario_rejects(R"({"lifecycle": {"order_update_prob": 1.5}})", "scenario.lifecycle.order_update_prob");
    testing::check_scenario_rejects(R"({"lifecycle": {"order_update_prob": -0.1}})", "scenario.lifecycle.order_update_prob");
    testing::check_scenario_rejects(R"({"lifecycle": {"order_update_prob": "0.4"}})", "scenario.lifecycle.order_update_prob");
}

TEST_CASE("lifecycle_order_update_prob: the section's value; a differing argument is refused", "[lifecycle]") {
    LifecycleSection none;
    CHECK(lifecycle_order_update_prob(none, 0.7, true) == 0.7);
    CHECK(lifecycle_order_update_prob(none, 0.4, false) == 0.4);
    LifecycleSection s;
    s.given = true;
    s.order_update_prob = 0.1;
    CHECK(lifecycle_order_update_prob(s, 0.4, false) == 0.1);  // the default argument yields
    CHECK(lifecycle_order_update_prob(s, 0.1, true) == 0.1);   // the same value, given, is fine
    fixtures::check_error([&] { lifecycle_order_update_prob(s, 0.7, true); }, "22023",
                          "parameter \"order_update_prob\" differs from scenario.lifecycle.order_update_prob");
}

TEST_CASE("the data sets refuse scenario.lifecycle (0A000); the back-fill takes it", "[lifecycle]") {
    const Scenario s = parse_scenario(R"({"lifecycle": {"order_update_prob": 0.4}})");
    fixtures::check_error([&] { check_data_set_scenario(s, DataSet::Orders, "thelook.generate_orders"); }, "0A000",
                          "scenario.lifecycle");
    fixtures::check_error([&] { check_data_set_scenario(s, DataSet::Sessions, "thelook.generate_sessions"); }, "0A000",
                          "scenario.lifecycle");
    CHECK_NOTHROW(check_backfill_scenario(s));
}

TEST_CASE("OpenOrderBook: a step moves one open order and its items; final ones leave the book", "[lifecycle]") {
    OpenOrderBook book(IdFormat::Uuid4);
    Rng ids(5);
    for (int i = 0; i < 50; ++i) {
        Order o = order_at(uuid_v4(ids), kNow);
        std::vector<OrderItem> items = items_of(o, 1 + i % 3);
        book.add(o, items, Place{"c", "s", "p"});
    }
    Rng rng(6);
    std::vector<OpenOrderBook::Held> done;
    Micros t = kNow;
    for (int i = 0; i < 2000 && book.size() > 0; ++i) {
        t += kMicrosPerSecond;
        const size_t before = book.size();
        auto d = book.step(t, rng);
        if (d) {
            CHECK(is_final(d->order.status));
            CHECK(book.size() == before - 1);
            check_times(d->order.status, d->order.times, t);
            CHECK(d->order.times.updated_at == t);  // the step that made it final
            for (const OrderItem& item : d->items) {
                CHECK(item.status == d->order.status);
                CHECK(item.order_id == d->order.id);
                check_times(item.status, item.times, t);
            }
            done.push_back(std::move(*d));
        } else {
            CHECK(book.size() == before);
        }
    }
    std::vector<Order> orders;
    std::vector<OrderItem> items;
    book.take_all(&orders, &items);
    CHECK(book.size() == 0);
    CHECK(done.size() + orders.size() == 50);
    std::set<std::string> seen;
    for (const auto& d : done) seen.insert(d.order.id);
    for (const Order& o : orders) {
        CHECK_FALSE(is_final(o.status));
        check_times(o.status, o.times, t);
        seen.insert(o.id);
    }
    CHECK(seen.size() == 50);
    CHECK_FALSE(book.step(t, rng));  // an empty book: nothing to move
}

TEST_CASE("OpenOrderBook: a version-7 probe falls between the oldest open order and now", "[lifecycle]") {
    Rng rng(8);
    for (int i = 0; i < 1000; ++i) {
        const std::string probe = open_order_probe(rng, IdFormat::Uuid7, kNow / 1000 - 5000, kNow);
        const int64_t ms = uuid_v7_millis(probe);
        REQUIRE(ms >= kNow / 1000 - 5000);
        REQUIRE(ms <= kNow / 1000);
    }
    CHECK(fixtures::is_uuid_v4(open_order_probe(rng, IdFormat::Uuid7, -1, kNow)));  // unknown: anywhere
    CHECK(fixtures::is_uuid_v4(open_order_probe(rng, IdFormat::Uuid4, kNow / 1000, kNow)));
}

TEST_CASE("a back-fill under scenario.lifecycle moves its orders as the live loop does", "[lifecycle][backfill]") {
    fixtures::World w;
    HistoryParams p;
    p.window = TimeWindow{kNow, kNow + 2 * kDay};
    p.avg_qps = 0.2;  // about 35,000 iterations, 3,000 or so orders
    p.seed = 21;
    p.scenario = parse_scenario(R"({"lifecycle": {"order_update_prob": 0.4}})");
    History h(w.names, w.products, w.sampler, p);
    HistoryChunk chunk;
    std::map<std::string, Order> orders;
    std::map<std::string, std::vector<OrderItem>> items;
    int64_t iterations = 0;
    while (h.next_chunk(500, &chunk)) {
        iterations += chunk.iterations;
        for (const Order& o : chunk.orders) REQUIRE(orders.emplace(o.id, o).second);  // each order written once
        for (const OrderItem& i : chunk.items) items[i.order_id].push_back(i);
    }
    REQUIRE(orders.size() > 1000);
    std::map<OrderStatus, double> by_status;
    for (const auto& [id, o] : orders) {
        check_times(o.status, o.times, p.window.end);
        REQUIRE(static_cast<int>(items[id].size()) == o.num_of_items);
        for (const OrderItem& i : items[id]) {
            REQUIRE(i.status == o.status);
            REQUIRE(i.times.updated_at == o.times.updated_at);
        }
        by_status[o.status] += 1;
    }
    // Every status of the live state machine occurs, and each step out of Processing is a
    // cancellation with the reference probability (independent of when it happened).
    for (OrderStatus s : {OrderStatus::Processing, OrderStatus::Shipped, OrderStatus::Delivered, OrderStatus::Cancelled,
                          OrderStatus::Returned})
        CHECK(by_status[s] > 0);
    const double left_processing = orders.size() - by_status[OrderStatus::Processing];
    fixtures::check_fits({left_processing - by_status[OrderStatus::Cancelled], by_status[OrderStatus::Cancelled]},
                         {1 - dist::kProcessingToCancelled, dist::kProcessingToCancelled});
    // The steps are 0.4 per iteration, spread over the open orders: about 0.4 × iterations of them
    // moved an order. Count the transitions the rows show (a Delivered order that stayed is not
    // seen) and bound them by the steps taken.
    double transitions = 0;
    for (const auto& [id, o] : orders) {
        transitions += o.times.shipped_at != kNoTime;
        transitions += o.times.delivered_at != kNoTime;
        transitions += o.times.returned_at != kNoTime;
        transitions += o.times.cancelled_at != kNoTime;
    }
    const double steps = 0.4 * iterations;
    CHECK(transitions <= steps + 4 * std::sqrt(steps));
}

TEST_CASE("a back-fill under scenario.lifecycle is deterministic, and without it unchanged", "[lifecycle][backfill]") {
    fixtures::World w;
    auto run = [&](const char* scenario) {
        HistoryParams p;
        p.window = TimeWindow{kNow, kNow + kDay / 2};
        p.avg_qps = 0.1;
        p.seed = 4;
        p.scenario = parse_scenario(scenario);
        History h(w.names, w.products, w.sampler, p);
        HistoryChunk chunk;
        std::vector<std::string> rows;
        while (h.next_chunk(200, &chunk))
            for (const Order& o : chunk.orders)
                rows.push_back(o.id + " " + std::to_string(static_cast<int>(o.status)) + " " + std::to_string(o.times.updated_at));
        return rows;
    };
    const char* live = R"({"lifecycle": {"order_update_prob": 0.4}})";
    CHECK(run(live) == run(live));
    CHECK(run("{}") == run("{}"));
    CHECK(run(live) != run("{}"));
}

TEST_CASE("a back-fill under scenario.lifecycle refuses a window it cannot hold (54000)", "[lifecycle][backfill]") {
    fixtures::World w;
    HistoryParams p;
    p.window = TimeWindow{kNow, kNow + 30 * kDay};
    p.avg_qps = 1000;  // 2.6e9 arrivals
    p.scenario = parse_scenario(R"({"lifecycle": {"order_update_prob": 0.4}})");
    fixtures::check_error([&] { History h(w.names, w.products, w.sampler, p); }, "54000", "scenario.lifecycle");
    p.scenario = parse_scenario("{}");
    CHECK_NOTHROW(History(w.names, w.products, w.sampler, p));  // the timelines hold nothing
}
