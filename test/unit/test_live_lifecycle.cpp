// The scenario's "lifecycle" section (lifecycle_section.hpp) and the live lifecycle of a back-fill
// (live_timeline.hpp, History): parse errors, the argument check, the oracle book's picks and
// steps, the drawn lifecycle against the book's status mix, and a back-fill whose orders move as
// the live loop moves them.
#include <array>
#include <map>
#include <set>

#include "core/bulk_generator.hpp"
#include "core/distributions.hpp"
#include "core/lifecycle_section.hpp"
#include "core/live_timeline.hpp"
#include "core/rate_schedule.hpp"
#include "core/order_lifecycle.hpp"
#include "core/scenario.hpp"
#include "fixtures.hpp"
#include "open_order_book.hpp"
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

namespace {

// The statuses at the window's end of the orders created in its first and second halves
// (Delivered and Returned together: Returned alone is too rare for a chi-square cell), for
// iterations at Poisson times by the intensity, each creating an order with chance
// orders_per_iteration, moved either by the live loop's picks over the book (the oracle) or by
// LiveTimelines' draws.
using Mix = std::array<double, 8>;
size_t cell(OrderStatus s, bool second_half) {
    const size_t k = s == OrderStatus::Processing ? 0 : s == OrderStatus::Shipped ? 1 : s == OrderStatus::Cancelled ? 2 : 3;
    return k + (second_half ? 4 : 0);
}

Mix status_mix(bool oracle, IdFormat ids, const Intensity& m, Micros start, Micros end, double avg_qps,
               double orders_per_iteration, double p, uint64_t seed) {
    Rng rng(seed), id_rng(seed + 1);
    PoissonSchedule schedule(avg_qps, start, seed + 2, &m);
    OpenOrderBook book(ids);
    LiveTimelines lifecycle(p, ids, m, avg_qps, start, end);
    Mix mix{};
    std::vector<Order> final_orders;
    int64_t iterations = 0, orders = 0;
    const Micros middle = start + (end - start) / 2;
    for (;;) {
        std::vector<Micros> due = schedule.take_due(end, 1000, INT64_MAX);
        if (due.empty()) break;
        for (Micros t : due) {
            if (rng.bernoulli(orders_per_iteration)) {
                Order o = order_at(ids == IdFormat::Uuid7 ? uuid_v7(id_rng, t / 1000) : uuid_v4(id_rng), t);
                ++orders;
                if (oracle) {
                    book.add(o, {}, Place{});
                } else {
                    const OrderTimeline tl = lifecycle.draw(o.id, t, static_cast<double>(orders) / static_cast<double>(iterations + 1), rng);
                    OrderTimes times;
                    o.status = state_as_of(tl, end, &times);
                    o.times = times;
                    final_orders.push_back(o);
                }
            }
            if (oracle && rng.bernoulli(p))
                if (auto done = book.step(t, rng)) final_orders.push_back(done->order);
            ++iterations;
        }
    }
    std::vector<OrderItem> none;
    book.take_all(&final_orders, &none);
    for (const Order& o : final_orders) {
        check_times(o.status, o.times, end);
        mix[cell(o.status, o.times.created_at >= middle)] += 1;
    }
    return mix;
}

// Two independent samples of one distribution: the chi-square of the 2 x k table (cells empty in
// both left out) below the critical value at p = 0.001.
void check_same_mix(const Mix& a, const Mix& b) {
    double na = 0, nb = 0;
    for (size_t i = 0; i < a.size(); ++i) na += a[i], nb += b[i];
    double chi2 = 0;
    int cells = 0;
    std::string table;
    for (size_t i = 0; i < a.size(); ++i) {
        table += std::to_string(static_cast<int64_t>(a[i])) + "/" + std::to_string(static_cast<int64_t>(b[i])) + " ";
        const double total = a[i] + b[i];
        if (total == 0) continue;
        ++cells;
        const double ea = total * na / (na + nb), eb = total * nb / (na + nb);
        chi2 += (a[i] - ea) * (a[i] - ea) / ea + (b[i] - eb) * (b[i] - eb) / eb;
    }
    INFO("oracle/drawn by cell (Processing, Shipped, Cancelled, Delivered or Returned; first half, second half): " << table
         << " chi-square " << chi2 << " for " << cells - 1 << " df");
    REQUIRE(cells >= 6);  // the statuses must occur, else the check shows nothing
    CHECK(chi2 < fixtures::chi2_critical_001(cells - 1));
}

}  // namespace

TEST_CASE("LiveTimelines: the live loop's status mix, drawn per order (version-4 ids)", "[lifecycle][stats]") {
    const Micros start = kNow, end = kNow + 2 * kDay;
    const Intensity flat;
    // 0.1 iterations per second: about 17,000 iterations, 12,000 orders; the oracle and the draws
    // are independent samples.
    const Mix oracle = status_mix(true, IdFormat::Uuid4, flat, start, end, 0.1, 0.7, 0.4, 31);
    const Mix drawn = status_mix(false, IdFormat::Uuid4, flat, start, end, 0.1, 0.7, 0.4, 32);
    check_same_mix(oracle, drawn);
    // Another share of orders per iteration and p.
    check_same_mix(status_mix(true, IdFormat::Uuid4, flat, start, end, 0.1, 0.3, 0.8, 33),
                   status_mix(false, IdFormat::Uuid4, flat, start, end, 0.1, 0.3, 0.8, 34));
}

TEST_CASE("LiveTimelines: the live loop's status mix, drawn per order (version-7 ids, a daily shape)", "[lifecycle][stats]") {
    const Micros start = kNow - kNow % kDay, end = start + 2 * kDay;
    const Scenario s = parse_scenario(R"({"traffic": {"hourly": [1, 1, 1, 1, 2, 3, 4, 5, 5, 4, 3, 2, 2, 3, 4, 5, 5, 4, 3, 2, 2, 1, 1, 1]}})");
    const Intensity shaped(WeeklyProfile(s.traffic, ZoneRules{}), nullptr);
    check_same_mix(status_mix(true, IdFormat::Uuid7, shaped, start, end, 0.1, 0.7, 0.4, 41),
                   status_mix(false, IdFormat::Uuid7, shaped, start, end, 0.1, 0.7, 0.4, 42));
    check_same_mix(status_mix(true, IdFormat::Uuid4, shaped, start, end, 0.1, 0.7, 0.4, 43),
                   status_mix(false, IdFormat::Uuid4, shaped, start, end, 0.1, 0.7, 0.4, 44));
}

TEST_CASE("LiveTimelines: no steps with p = 0; every step within the window", "[lifecycle]") {
    const Intensity flat;
    LiveTimelines none(0, IdFormat::Uuid4, flat, 1, kNow, kNow + kDay);
    Rng rng(3);
    for (int i = 0; i < 100; ++i) {
        const OrderTimeline tl = none.draw(uuid_v4(rng), kNow + i * kMicrosPerSecond, 1, rng);
        CHECK(tl.shipped_at == kNoTime);
        CHECK(tl.cancelled_at == kNoTime);
    }
    LiveTimelines busy(1, IdFormat::Uuid4, flat, 1, kNow, kNow + kDay);
    for (int i = 0; i < 1000; ++i) {
        const Micros t = kNow + i * 60 * kMicrosPerSecond;
        const OrderTimeline tl = busy.draw(uuid_v4(rng), t, 1, rng);
        for (Micros at : {tl.shipped_at, tl.delivered_at, tl.returned_at, tl.cancelled_at})
            if (at != kNoTime) {
                REQUIRE(at >= t);
                REQUIRE(at <= kNow + kDay);
            }
    }
    CHECK(busy.open() > 0);
}

TEST_CASE("a back-fill moves its orders as the live loop does, with or without scenario.lifecycle", "[lifecycle][backfill]") {
    fixtures::World w;
    for (const char* scenario : {"{}", R"({"lifecycle": {"order_update_prob": 0.4}})"}) {
        INFO("scenario " << scenario);
        HistoryParams p;
        p.window = TimeWindow{kNow, kNow + 2 * kDay};
        p.avg_qps = 0.2;  // about 35,000 iterations
        p.seed = 21;
        p.scenario = parse_scenario(scenario);
        History h(w.names, w.products, w.sampler, p);
        HistoryChunk chunk;
        std::map<std::string, Order> orders;
        std::map<std::string, std::vector<OrderItem>> items;
        int64_t iterations = 0, exits = 0;
        while (h.next_chunk(500, &chunk)) {
            iterations += chunk.iterations;
            for (const Order& o : chunk.orders) REQUIRE(orders.emplace(o.id, o).second);  // each order written once
            for (const OrderItem& i : chunk.items) items[i.order_id].push_back(i);
            for (const Event& e : chunk.events) exits += e.event_type == "cancel" || e.event_type == "return";
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
        for (OrderStatus s : {OrderStatus::Processing, OrderStatus::Shipped, OrderStatus::Delivered, OrderStatus::Cancelled,
                              OrderStatus::Returned})
            CHECK(by_status[s] > 0);
        // Each step out of Processing is a cancellation with the reference probability.
        const double left_processing = orders.size() - by_status[OrderStatus::Processing];
        fixtures::check_fits({left_processing - by_status[OrderStatus::Cancelled], by_status[OrderStatus::Cancelled]},
                             {1 - dist::kProcessingToCancelled, dist::kProcessingToCancelled});
        // The steps are 0.4 per iteration: the transitions the rows show are at most that many.
        double transitions = 0;
        for (const auto& [id, o] : orders)
            for (Micros at : {o.times.shipped_at, o.times.delivered_at, o.times.returned_at, o.times.cancelled_at})
                transitions += at != kNoTime;
        const double steps = 0.4 * iterations;
        CHECK(transitions <= steps + 4 * std::sqrt(steps));
        CHECK(transitions >= 0.5 * steps);  // and most steps move an order (a Delivered one may stay)
        CHECK(exits > 0);                   // the cancel and return visits are written
    }
}

TEST_CASE("a back-fill's lifecycle is deterministic and follows the section's order_update_prob", "[lifecycle][backfill]") {
    fixtures::World w;
    auto run = [&](const char* scenario, std::vector<std::string>* rows, std::vector<std::string>* created = nullptr) {
        HistoryParams p;
        p.window = TimeWindow{kNow, kNow + kDay / 2};
        p.avg_qps = 0.1;
        p.seed = 4;
        p.scenario = parse_scenario(scenario);
        History h(w.names, w.products, w.sampler, p);
        HistoryChunk chunk;
        double moved = 0, orders = 0;
        while (h.next_chunk(200, &chunk))
            for (const Order& o : chunk.orders) {
                if (rows) rows->push_back(o.id + " " + std::to_string(static_cast<int>(o.status)) + " " + std::to_string(o.times.updated_at));
                if (created) created->push_back(o.id + " " + o.user_id + " " + std::to_string(o.times.created_at));
                moved += o.status != OrderStatus::Processing;
                orders += 1;
            }
        return moved / orders;
    };
    std::vector<std::string> a, b, c;
    run("{}", &a);
    run("{}", &b);
    CHECK(a == b);
    run(R"({"lifecycle": {"order_update_prob": 0.4}})", &c);
    CHECK(a == c);  // the section's default value is the default
    std::vector<std::string> created_slow, created_fast;
    const double slow = run(R"({"lifecycle": {"order_update_prob": 0.05}})", nullptr, &created_slow);
    const double fast = run(R"({"lifecycle": {"order_update_prob": 0.9}})", nullptr, &created_fast);
    CHECK(slow < fast);
    CHECK(created_slow == created_fast);  // the lifecycle's own stream: the same orders, whatever the chance
    CHECK(run(R"({"lifecycle": {"order_update_prob": 0}})", nullptr) == 0);
}

TEST_CASE("a back-fill holds no order in memory: any window is taken", "[lifecycle][backfill]") {
    fixtures::World w;
    HistoryParams p;
    p.window = TimeWindow{kNow, kNow + 365 * kDay};
    p.avg_qps = 1000;  // 3e10 arrivals
    CHECK_NOTHROW(History(w.names, w.products, w.sampler, p));
    p.scenario = parse_scenario(R"({"lifecycle": {"order_update_prob": 0.4}})");
    CHECK_NOTHROW(History(w.names, w.products, w.sampler, p));
}
