// PoissonSchedule: arrival counts, take_due's limits, ordering, scheduled_by and gaps.
#include <algorithm>
#include <limits>

#include "core/rate_schedule.hpp"
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kNow;

namespace {
constexpr size_t kAll = std::numeric_limits<size_t>::max();
constexpr Micros kForever = std::numeric_limits<Micros>::max();

// Every arrival up to `until`, taken in one go.
std::vector<Micros> arrivals_until(double rate, Micros start, uint64_t seed, Micros until) {
    PoissonSchedule s(rate, start, seed);
    return s.take_due(until, kAll, kForever);
}
}  // namespace

TEST_CASE("PoissonSchedule: arrivals in T seconds are within 4 sigma of rate * T", "[schedule]") {
    const double T = 60;
    for (double rate : {20.0, 200.0, 2000.0}) {
        for (uint64_t seed = 1; seed <= 8; ++seed) {
            const auto a = arrivals_until(rate, kNow, seed, kNow + static_cast<Micros>(T * kMicrosPerSecond));
            const double expected = rate * T;
            INFO("rate " << rate << " seed " << seed << ": " << a.size() << " arrivals, expected " << expected);
            CHECK(std::fabs(double(a.size()) - expected) < 4 * std::sqrt(expected));
            REQUIRE_FALSE(a.empty());
            CHECK(a.front() >= kNow);
            CHECK(a.back() <= kNow + static_cast<Micros>(T * kMicrosPerSecond));
        }
    }
}

TEST_CASE("PoissonSchedule: inter-arrival gaps average 1/rate", "[schedule]") {
    const double rate = 50;
    PoissonSchedule s(rate, kNow, 9);
    const auto a = s.take_due(kNow + 2100 * kMicrosPerSecond, kAll, kForever);  // about 105,000
    REQUIRE(a.size() > 100000);
    const double mean_gap_s = double(a.back() - a.front()) / double(a.size() - 1) / kMicrosPerSecond;
    const double sigma = (1 / rate) / std::sqrt(double(a.size() - 1));
    CHECK(std::fabs(mean_gap_s - 1 / rate) < 5 * sigma);
    CHECK(s.rate() == rate);
    CHECK(s.taken() == a.size());

    // The gaps are exponential: the share of gaps below the median ln(2)/rate is one half, and
    // the share below the mean is 1 - 1/e.
    double below_median = 0, below_mean = 0;
    for (size_t i = 1; i < a.size(); ++i) {
        const double gap = double(a[i] - a[i - 1]) / kMicrosPerSecond;
        if (gap < std::log(2.0) / rate) below_median += 1;
        if (gap < 1 / rate) below_mean += 1;
    }
    const double n = double(a.size() - 1);
    fixtures::check_fits({below_median, n - below_median}, {0.5, 0.5});
    fixtures::check_fits({below_mean, n - below_mean}, {1 - std::exp(-1.0), std::exp(-1.0)});
}

TEST_CASE("PoissonSchedule::take_due respects max_count and max_span, never returns the future", "[schedule]") {
    const double rate = 2000;
    const uint64_t seed = 10;
    const Micros end = kNow + 10 * kMicrosPerSecond;
    const auto reference = arrivals_until(rate, kNow, seed, end);

    PoissonSchedule s(rate, kNow, seed);
    Rng r(11);
    std::vector<Micros> collected;
    Micros now = kNow;
    while (now < end) {
        now = std::min(end, now + r.uniform_int(0, 50000));  // up to 50 ms per tick
        const size_t max_count = static_cast<size_t>(r.uniform_int(1, 64));
        const Micros max_span = r.uniform_int(0, 20000);
        while (true) {
            REQUIRE(s.scheduled_by(now) >= s.taken());
            const auto due = s.take_due(now, max_count, max_span);
            if (due.empty()) {
                REQUIRE(s.next_arrival() > now);
                break;
            }
            REQUIRE(due.size() <= max_count);
            REQUIRE(due.back() - due.front() <= max_span);
            for (size_t i = 0; i < due.size(); ++i) {
                REQUIRE(due[i] <= now);
                if (i > 0) REQUIRE(due[i - 1] <= due[i]);
            }
            if (!collected.empty()) REQUIRE(collected.back() <= due.front());
            // It stopped for a reason: a limit, or nothing more is due.
            const bool stopped_by_limit =
                due.size() == max_count || s.next_arrival() - due.front() > max_span;
            REQUIRE((stopped_by_limit || s.next_arrival() > now));
            collected.insert(collected.end(), due.begin(), due.end());
            REQUIRE(s.taken() == collected.size());
        }
    }
    // Taking in small batches yields exactly the same arrivals as taking them all at once.
    CHECK(collected == reference);
}

TEST_CASE("PoissonSchedule: nothing is due before the first arrival", "[schedule]") {
    PoissonSchedule s(1.0, kNow, 12);
    CHECK(s.next_arrival() >= kNow);
    CHECK(s.take_due(kNow - 1, kAll, kForever).empty());
    CHECK(s.take_due(s.next_arrival() - 1, kAll, kForever).empty());
    CHECK(s.taken() == 0);
    CHECK(s.scheduled_by(s.next_arrival() - 1) == 0);
    const Micros first = s.next_arrival();
    const auto due = s.take_due(first, kAll, kForever);
    REQUIRE(due.size() >= 1);
    CHECK(due.front() == first);
    CHECK(s.next_arrival() >= first);
}

TEST_CASE("PoissonSchedule::scheduled_by counts what is due", "[schedule]") {
    const double rate = 200;
    PoissonSchedule s(rate, kNow, 13);
    // Nothing taken yet: after T seconds about rate * T arrivals are due.
    const Micros t = kNow + 60 * kMicrosPerSecond;
    const double expected = rate * 60;
    CHECK(std::fabs(double(s.scheduled_by(t)) - expected) < 4 * std::sqrt(expected));
    CHECK(s.taken() == 0);
    // After taking everything due, scheduled_by is exactly what was taken.
    const auto due = s.take_due(t, kAll, kForever);
    CHECK(s.scheduled_by(t) == due.size());
    CHECK(s.scheduled_by(t + 30 * kMicrosPerSecond) >= s.taken());
}

TEST_CASE("PoissonSchedule is deterministic per seed", "[schedule]") {
    const Micros until = kNow + 5 * kMicrosPerSecond;
    CHECK(arrivals_until(100, kNow, 14, until) == arrivals_until(100, kNow, 14, until));
    CHECK(arrivals_until(100, kNow, 14, until) != arrivals_until(100, kNow, 15, until));
}
