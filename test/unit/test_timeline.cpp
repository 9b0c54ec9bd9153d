// Order timelines (delays, probabilities, state as of a time) and the bulk generators built on them.
#include "core/bulk_generator.hpp"
#include "core/order_timeline.hpp"
#include "fixtures.hpp"

using namespace thelook;

namespace {
constexpr Micros kHour = 3600LL * kMicrosPerSecond;
constexpr Micros kDay = 24 * kHour;
constexpr Micros kT0 = 1704067200LL * kMicrosPerSecond;  // 2024-01-01 UTC
}  // namespace

TEST_CASE("timelines respect the delays and probabilities of distributions.hpp", "[timeline]") {
    Rng rng(1);
    int cancelled = 0, returned = 0, delivered = 0;
    for (int i = 0; i < fixtures::kDraws; ++i) {
        OrderTimeline t = draw_timeline(kT0, rng);
        if (t.cancelled_at != kNoTime) {
            ++cancelled;
            REQUIRE(t.shipped_at == kNoTime);
            REQUIRE(t.delivered_at == kNoTime);
            REQUIRE(t.returned_at == kNoTime);
            REQUIRE(t.cancelled_at >= kT0 + static_cast<Micros>(dist::kCancelDelayMinHours * kHour));
            REQUIRE(t.cancelled_at <= kT0 + static_cast<Micros>(dist::kCancelDelayMaxHours * kHour));
            continue;
        }
        ++delivered;
        REQUIRE(t.shipped_at >= kT0 + static_cast<Micros>(dist::kShipDelayMinHours * kHour));
        REQUIRE(t.shipped_at <= kT0 + static_cast<Micros>(dist::kShipDelayMaxHours * kHour));
        REQUIRE(t.delivered_at - t.shipped_at >= static_cast<Micros>(dist::kDeliveryDelayMinDays * kDay));
        REQUIRE(t.delivered_at - t.shipped_at <= static_cast<Micros>(dist::kDeliveryDelayMaxDays * kDay));
        if (t.returned_at != kNoTime) {
            ++returned;
            REQUIRE(t.returned_at - t.delivered_at >= static_cast<Micros>(dist::kReturnDelayMinDays * kDay));
            REQUIRE(t.returned_at - t.delivered_at <= static_cast<Micros>(dist::kReturnDelayMaxDays * kDay));
        }
    }
    fixtures::check_fits(std::vector<double>{double(cancelled), double(fixtures::kDraws - cancelled)},
                         {dist::kProcessingToCancelled, 1 - dist::kProcessingToCancelled});
    fixtures::check_fits(std::vector<double>{double(returned), double(delivered - returned)},
                         {dist::kReturnProbability, 1 - dist::kReturnProbability});
}

TEST_CASE("state as of a time shows only what has happened", "[timeline]") {
    OrderTimeline t;
    t.created_at = kT0;
    t.shipped_at = kT0 + 10 * kHour;
    t.delivered_at = kT0 + 3 * kDay;
    t.returned_at = kT0 + 10 * kDay;
    OrderTimes times;
    CHECK(state_as_of(t, kT0, &times) == OrderStatus::Processing);
    CHECK(times.updated_at == kT0);
    CHECK(times.shipped_at == kNoTime);
    CHECK(state_as_of(t, kT0 + kDay, &times) == OrderStatus::Shipped);
    CHECK(times.updated_at == t.shipped_at);
    CHECK(times.delivered_at == kNoTime);
    CHECK(state_as_of(t, kT0 + 5 * kDay, &times) == OrderStatus::Delivered);
    CHECK(times.returned_at == kNoTime);
    CHECK(state_as_of(t, kT0 + 30 * kDay, &times) == OrderStatus::Returned);
    CHECK(times.updated_at == t.returned_at);
    CHECK(times.shipped_at == t.shipped_at);
}

TEST_CASE("an order set is a pure function of seed and index", "[timeline]") {
    fixtures::World w;
    TimeWindow win{kT0, kT0 + 30 * kDay};
    OrderSet a(w.names, w.products, w.sampler, 7, 50, win, win.end);
    OrderSet b(w.names, w.products, w.sampler, 7, 50, win, win.end);
    const std::string id5 = a.order(5).order.id;
    b.order(9);
    CHECK(b.order(5).order.id == id5);
    // Buyers are users of generate_users(50, 7): user u's id is the first uuid of its stream.
    const Purchase& p = a.order(5);
    bool found = false;
    for (int64_t u = 0; u < 50 && !found; ++u) {
        Rng r(Rng::derive_seed(7, static_cast<uint64_t>(u)));
        found = uuid_v4(r) == p.order.user_id;
    }
    CHECK(found);
    for (int64_t i = 0; i < 200; ++i) {
        const Purchase& q = a.order(i);
        CHECK(q.order.times.created_at >= win.start);
        CHECK(q.order.times.created_at <= win.end);
        CHECK(q.order.times.updated_at <= win.end);
        CHECK(static_cast<int>(q.items.size()) == q.order.num_of_items);
    }
}

TEST_CASE("an order set's orders are the same whether its items are written or only drawn", "[timeline]") {
    // generate_orders asks for the orders alone (with_items false); they must be generate_order_items'
    // orders, bad records included.
    fixtures::World w;
    TimeWindow win{kT0, kT0 + 30 * kDay};
    Scenario s;
    s.faults.bad_records.rate.fill(0.2);
    for (IdFormat ids : {IdFormat::Uuid4, IdFormat::Uuid7}) {
        OrderSet full(w.names, w.products, w.sampler, 11, 40, win, win.end), bare(w.names, w.products, w.sampler, 11, 40, win, win.end);
        full.set_id_format(ids);
        bare.set_id_format(ids);
        full.set_scenario(s, ZoneRules());
        bare.set_scenario(s, ZoneRules());
        for (int64_t i = 0; i < 500; ++i) {
            const Purchase& a = full.order(i, false, true);
            const Order o = a.order;
            const size_t n = a.items.size();
            const Purchase& b = bare.order(i, false, false);
            REQUIRE(b.order.id == o.id);
            REQUIRE(b.order.user_id == o.user_id);
            REQUIRE(b.order.status == o.status);
            REQUIRE(b.order.bad_status == o.bad_status);
            REQUIRE(b.order.nulls == o.nulls);
            REQUIRE(b.order.num_of_items == o.num_of_items);
            REQUIRE(b.order.times.updated_at == o.times.updated_at);
            REQUIRE(b.order.times.returned_at == o.times.returned_at);
            REQUIRE(b.items.size() == n);
        }
    }
}

TEST_CASE("a history stays in its window and uses existing buyers", "[timeline]") {
    fixtures::World w;
    HistoryParams p;
    p.window = TimeWindow{kT0, kT0 + 7 * kDay};
    p.avg_qps = 0.01;  // about 6,000 purchases
    p.seed = 3;
    History h(w.names, w.products, w.sampler, p);
    h.add_existing_user(Buyer{"existing-user", Place{"c", "s", "p"}, kT0 - kDay});
    HistoryChunk chunk;
    int64_t iterations = 0, by_existing = 0;
    while (h.next_chunk(500, &chunk)) {
        iterations += chunk.iterations;
        for (const auto& o : chunk.orders) {
            by_existing += o.user_id == "existing-user";
            REQUIRE(o.times.created_at >= p.window.start);
            REQUIRE(o.times.updated_at <= p.window.end);
        }
        for (const auto& e : chunk.events) REQUIRE(e.created_at <= p.window.end);
    }
    CHECK(h.progress() == Approx(1.0));
    const double expected = p.avg_qps * 7 * 86400;
    CHECK(std::abs(iterations - expected) < 5 * std::sqrt(expected));
    CHECK(by_existing > 0);
}
