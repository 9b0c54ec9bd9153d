// The order state machine: transition probabilities, legality, timestamps, and long random walks.
#include <set>

#include "core/order_lifecycle.hpp"
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kDraws;
using fixtures::kNow;

namespace {
const OrderStatus kAll[] = {OrderStatus::Processing, OrderStatus::Shipped, OrderStatus::Delivered,
                            OrderStatus::Returned, OrderStatus::Cancelled};

std::map<OrderStatus, double> step_counts(OrderStatus from, uint64_t seed) {
    Rng r(seed);
    std::map<OrderStatus, double> counts;
    for (int i = 0; i < kDraws; ++i) counts[next_status(from, r)] += 1;
    return counts;
}
}  // namespace

TEST_CASE("next_status: Processing is Cancelled with the reference probability, else Shipped", "[lifecycle]") {
    auto counts = step_counts(OrderStatus::Processing, 11);
    CHECK(counts.size() == 2);
    fixtures::check_fits({counts[OrderStatus::Shipped], counts[OrderStatus::Cancelled]},
                         {1 - dist::kProcessingToCancelled, dist::kProcessingToCancelled});
}

TEST_CASE("next_status: Shipped always becomes Delivered", "[lifecycle]") {
    auto counts = step_counts(OrderStatus::Shipped, 12);
    CHECK(counts.size() == 1);
    CHECK(counts[OrderStatus::Delivered] == kDraws);
}

TEST_CASE("next_status: Delivered is Returned with the reference probability, else stays", "[lifecycle]") {
    auto counts = step_counts(OrderStatus::Delivered, 13);
    CHECK(counts.size() == 2);
    fixtures::check_fits({counts[OrderStatus::Delivered], counts[OrderStatus::Returned]},
                         {1 - dist::kDeliveredToReturned, dist::kDeliveredToReturned});
}

TEST_CASE("next_status: Cancelled and Returned are final", "[lifecycle]") {
    for (OrderStatus s : {OrderStatus::Cancelled, OrderStatus::Returned}) {
        CHECK(is_final(s));
        auto counts = step_counts(s, 14);
        CHECK(counts.size() == 1);
        CHECK(counts[s] == kDraws);
    }
    CHECK_FALSE(is_final(OrderStatus::Processing));
    CHECK_FALSE(is_final(OrderStatus::Shipped));
    CHECK_FALSE(is_final(OrderStatus::Delivered));
}

TEST_CASE("is_legal_transition allows exactly the state machine's edges", "[lifecycle]") {
    const std::set<std::pair<OrderStatus, OrderStatus>> legal = {
        {OrderStatus::Processing, OrderStatus::Shipped},
        {OrderStatus::Processing, OrderStatus::Cancelled},
        {OrderStatus::Shipped, OrderStatus::Delivered},
        {OrderStatus::Delivered, OrderStatus::Returned},
    };
    for (OrderStatus from : kAll)
        for (OrderStatus to : kAll) {
            INFO(status_name(from) << " -> " << status_name(to));
            CHECK(is_legal_transition(from, to) == (legal.count({from, to}) == 1));
        }
}

TEST_CASE("status names round-trip", "[lifecycle]") {
    for (OrderStatus s : kAll) {
        OrderStatus parsed = OrderStatus::Processing;
        REQUIRE(parse_status(status_name(s), &parsed));
        CHECK(parsed == s);
    }
    CHECK(std::string(status_name(OrderStatus::Cancelled)) == "Cancelled");
    OrderStatus untouched = OrderStatus::Shipped;
    CHECK_FALSE(parse_status("shipped", &untouched));
    CHECK_FALSE(parse_status("", &untouched));
    CHECK(untouched == OrderStatus::Shipped);
}

TEST_CASE("apply_status sets the new status's timestamp and updated_at", "[lifecycle]") {
    const Micros t0 = kNow, t1 = kNow + 10, t2 = kNow + 20, t3 = kNow + 30;
    OrderTimes times;
    times.created_at = times.updated_at = t0;
    OrderStatus status = OrderStatus::Processing;

    SECTION("shipped, delivered, returned") {
        REQUIRE(apply_status(status, times, OrderStatus::Shipped, t1));
        CHECK(status == OrderStatus::Shipped);
        CHECK(times.shipped_at == t1);
        CHECK(times.updated_at == t1);
        CHECK(times.created_at == t0);
        CHECK(times.delivered_at == kNoTime);

        REQUIRE(apply_status(status, times, OrderStatus::Delivered, t2));
        CHECK(times.delivered_at == t2);
        CHECK(times.updated_at == t2);
        CHECK(times.shipped_at == t1);

        REQUIRE(apply_status(status, times, OrderStatus::Returned, t3));
        CHECK(status == OrderStatus::Returned);
        CHECK(times.returned_at == t3);
        CHECK(times.updated_at == t3);
        CHECK(times.cancelled_at == kNoTime);
    }
    SECTION("cancelled") {
        REQUIRE(apply_status(status, times, OrderStatus::Cancelled, t1));
        CHECK(status == OrderStatus::Cancelled);
        CHECK(times.cancelled_at == t1);
        CHECK(times.updated_at == t1);
        CHECK(times.shipped_at == kNoTime);
    }
    SECTION("no move changes nothing") {
        CHECK_FALSE(apply_status(status, times, OrderStatus::Processing, t1));
        CHECK(status == OrderStatus::Processing);
        CHECK(times.updated_at == t0);
        CHECK(times.shipped_at == kNoTime);
    }
}

TEST_CASE("random orders keep ordered timestamps and legal transitions", "[lifecycle]") {
    Rng r(15);
    std::map<OrderStatus, int> finals;
    for (int order = 0; order < 20000; ++order) {
        OrderStatus status = OrderStatus::Processing;
        OrderTimes times;
        times.created_at = times.updated_at = kNow;
        Micros now = kNow;
        for (int step = 0; step < 60; ++step) {
            now += r.uniform_int(1, 3600) * kMicrosPerSecond;
            const OrderStatus before = status;
            const OrderTimes before_times = times;
            const bool moved = advance(status, times, now, r);
            INFO("order " << order << " step " << step << ": " << status_name(before) << " -> " << status_name(status));
            REQUIRE(moved == (status != before));
            if (moved) {
                REQUIRE(is_legal_transition(before, status));
                REQUIRE(times.updated_at == now);
            } else {
                REQUIRE(times.updated_at == before_times.updated_at);
            }
            REQUIRE(times.created_at == kNow);
            REQUIRE(times.created_at <= times.updated_at);
            if (times.shipped_at != kNoTime) REQUIRE(times.created_at <= times.shipped_at);
            if (times.delivered_at != kNoTime) {
                REQUIRE(times.shipped_at != kNoTime);
                REQUIRE(times.shipped_at <= times.delivered_at);
            }
            if (times.returned_at != kNoTime) {
                REQUIRE(times.delivered_at != kNoTime);
                REQUIRE(times.delivered_at <= times.returned_at);
            }
            if (times.cancelled_at != kNoTime) {
                REQUIRE(times.shipped_at == kNoTime);
                REQUIRE(times.created_at <= times.cancelled_at);
            }
            // The status and the set timestamps agree.
            REQUIRE((times.cancelled_at != kNoTime) == (status == OrderStatus::Cancelled));
            REQUIRE((times.returned_at != kNoTime) == (status == OrderStatus::Returned));
            REQUIRE((times.shipped_at != kNoTime) ==
                    (status == OrderStatus::Shipped || status == OrderStatus::Delivered ||
                     status == OrderStatus::Returned));
        }
        finals[status] += 1;
    }
    // After 60 steps nothing is left Processing or Shipped, and both final states occur.
    CHECK(finals[OrderStatus::Processing] == 0);
    CHECK(finals[OrderStatus::Shipped] == 0);
    CHECK(finals[OrderStatus::Cancelled] > 0);
    CHECK(finals[OrderStatus::Returned] > 0);
    CHECK(finals[OrderStatus::Delivered] > 0);
}
