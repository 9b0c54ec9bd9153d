// The pacing arithmetic of a live simulation (src/core/run/pacing.hpp): the simulated clock, the
// restart back-off, the catch-up token bucket and the wake-up time.
#include "catch.hpp"

#include "core/run/pacing.hpp"
#include "core/traffic.hpp"

using namespace thelook;

TEST_CASE("SimClock maps wall time to simulated time and back", "[pacing]") {
    const SimClock c{1000000, 5000000000, 60};
    CHECK(c.sim(1000000) == 5000000000);
    CHECK(c.sim(2000000) == 5000000000 + 60000000);  // one wall second is a simulated minute
    CHECK(c.wall(5000000000 + 60000000) == 2000000);
    // wall() rounds up: at that wall instant the simulated time has reached sim_t.
    for (Micros t : {Micros{5000000001}, Micros{5000000059}, Micros{5000000061}, Micros{5123456789}})
        CHECK(c.sim(c.wall(t)) >= t);
    CHECK(c.sim(c.wall(5000000061) - 1) < 5000000061);
    CHECK(c.wall(kNever) == kNever);
}

TEST_CASE("SimClock::rescaled keeps the simulated instant continuous", "[pacing]") {
    const SimClock c{0, 1000, 10};
    const SimClock d = c.rescaled(500, 2);
    CHECK(d.sim(500) == c.sim(500));
    CHECK(d.sim(1500) == c.sim(500) + 2000);
    CHECK(d.scale == 2);
}

TEST_CASE("restart_delay: 0.25 s, doubling per failure, at most 30 s", "[pacing]") {
    CHECK(restart_delay(-3) == 250000);
    CHECK(restart_delay(0) == 250000);
    CHECK(restart_delay(1) == 500000);
    CHECK(restart_delay(4) == 4000000);
    CHECK(restart_delay(6) == 16000000);
    CHECK(restart_delay(7) == 30000000);
    CHECK(restart_delay(1000) == 30000000);
    // The 5 attempts before a simulation fails (kMaxWorkerFailures) take about 8 s.
    Micros total = 0;
    for (int f = 0; f < 5; ++f) total += restart_delay(f);
    CHECK(total == 7750000);
}

TEST_CASE("CatchUp paces arrivals at the rate, and ends at the resume instant", "[pacing]") {
    CatchUp c;
    CHECK_FALSE(c.active());
    c.begin(/*until_sim=*/10000000, /*now=*/0);
    REQUIRE(c.active());
    // One token to start with.
    CHECK(c.allowance(0, 100, 1000) == 1);
    c.spend(1);
    CHECK(c.allowance(0, 100, 1000) == 0);
    // No token: the next comes after 1/rate s.
    CHECK(c.wait_until() == 10001);
    // 100 per second: 50 after half a second, capped at cap.
    CHECK(c.allowance(500000, 100, 1000) == 50);
    c.spend(50);
    CHECK(c.allowance(1000000, 100, 20) == 20);
    CHECK(c.wait_until() == kNever);
    c.spend(20);
    // The bucket holds at most cap tokens: a long pause does not allow a burst beyond it.
    CHECK(c.allowance(100000000, 100, 30) == 30);
    c.note_next_arrival(10000000);
    CHECK(c.active());
    c.note_next_arrival(10000001);
    CHECK_FALSE(c.active());
}

TEST_CASE("CatchUp over many steps writes rate x time, within one token", "[pacing]") {
    CatchUp c;
    c.begin(kNever - 1, 0);
    c.spend(1);
    size_t taken = 0;
    Micros last = 0;
    for (Micros now = 0; now <= 10000000; now += 7919) {
        const size_t n = c.allowance(now, 250, 100);
        c.spend(n);
        taken += n;
        last = now;
    }
    const double expected = 250.0 * static_cast<double>(last) / 1e6;  // 2498.4
    CHECK(static_cast<double>(taken) > expected - 1);
    CHECK(static_cast<double>(taken) <= expected);
}

TEST_CASE("next_wake: the earliest deadline; while catching up, not before the next token", "[pacing]") {
    CHECK(next_wake(100, 200, 300, 400, kNever) == 100);
    CHECK(next_wake(500, 200, 300, 400, kNever) == 200);
    CHECK(next_wake(500, 900, 300, 400, kNever) == 300);
    CHECK(next_wake(kNever, kNever, kNever, 400, kNever) == 400);
    // An arrival is due but no token: wait for the token, unless a heartbeat comes first.
    CHECK(next_wake(100, 900, kNever, kNever, 250) == 250);
    CHECK(next_wake(100, 200, kNever, kNever, 250) == 200);
}
