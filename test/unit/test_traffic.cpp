// Traffic over time: ZoneRules, WeeklyProfile (normalisation, bins, opening hours, next_change),
// IncidentPlan and Intensity, and PoissonSchedule driven by an intensity (counts per local hour,
// closed hours, the constant-rate path, retune).
#include <algorithm>
#include <limits>
#include <memory>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/incidents.hpp"
#include "core/rate_schedule.hpp"
#include "core/scenario.hpp"
#include "core/traffic.hpp"
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kNow;

namespace {

constexpr size_t kAll = std::numeric_limits<size_t>::max();
constexpr Micros kForever = std::numeric_limits<Micros>::max();
constexpr Micros kMinute = 60 * kMicrosPerSecond;
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;
constexpr Micros kWeek = 7 * kDay;
constexpr int kMinutesPerWeek = 7 * 1440;
// 2024-01-01 00:00:00 UTC, a Monday (`date -u -d 2024-01-01 +%s`).
constexpr Micros kMonday = 1704067200LL * kMicrosPerSecond;

int64_t floor_mod(int64_t a, int64_t b) {
    const int64_t m = a % b;
    return m < 0 ? m + b : m;
}

// The local minute of the week (0 = Monday 00:00) of the UTC instant t at a fixed offset, counted
// from a known Monday rather than from the epoch's Thursday as the code does.
int local_minute_of_week(Micros t, int32_t offset_seconds) {
    return static_cast<int>(floor_mod(t + offset_seconds * kMicrosPerSecond - kMonday, kWeek) / kMinute);
}

// The UTC instant of a local day (0 = Monday), hour and minute in the week of kMonday.
Micros local_time(int day, int hour, int minute, int32_t offset_seconds) {
    return kMonday + day * kDay + hour * kHour + minute * kMinute - offset_seconds * kMicrosPerSecond;
}

ZoneRules fixed_zone(int32_t offset_seconds) {
    ZoneRules z;
    z.offsets_seconds = {offset_seconds};
    return z;
}

TrafficSection traffic_of(const std::string& doc) { return parse_scenario(doc).traffic; }

// hourly * weekly * open of a traffic section at a local minute of the week, before normalising:
// written from the document's definition, independently of WeeklyProfile.
double reference_raw(const TrafficSection& t, int w) {
    const int day = w / 1440, minute = w % 1440;
    if (t.has_opening_hours) {
        bool open = false;
        for (const auto& in : t.opening_hours[day]) open = open || (in.open_minute <= minute && minute < in.close_minute);
        if (!open) return 0;
    }
    const auto& curve = day >= 5 && !t.hourly_weekend.empty() ? t.hourly_weekend : t.hourly;
    const double h = curve.empty() ? 1.0 : curve[minute / (1440 / static_cast<int>(curve.size()))];
    return h * (t.weekly.empty() ? 1.0 : t.weekly[day]);
}

std::vector<Micros> take_all(PoissonSchedule& s, Micros until) { return s.take_due(until, kAll, kForever); }

// Arrivals in [from, to) of a sorted list.
double count_in(const std::vector<Micros>& a, Micros from, Micros to) {
    return double(std::lower_bound(a.begin(), a.end(), to) - std::lower_bound(a.begin(), a.end(), from));
}

// A Poisson count within 4 sigma of its mean.
void check_poisson_count(double observed, double expected) {
    INFO("observed " << observed << ", expected " << expected);
    REQUIRE(expected > 0);
    CHECK(std::fabs(observed - expected) < 4 * std::sqrt(expected));
}

// A curve whose every bin differs from its neighbours (and the last from the first).
std::vector<double> distinct_hourly() {
    std::vector<double> h(24);
    for (int i = 0; i < 24; ++i) h[i] = i + 1;
    return h;
}
const std::vector<double> kDistinctWeekly = {1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6};

TrafficSection distinct_traffic() {
    TrafficSection t;
    t.hourly = distinct_hourly();
    t.weekly = kDistinctWeekly;
    return t;
}
// Mean of distinct_traffic()'s raw curve over the week: mean hourly (12.5) * mean weekly (1.3).
constexpr double kDistinctZ = 12.5 * 1.3;

}  // namespace

// ---- ZoneRules ---------------------------------------------------------------------------------

TEST_CASE("ZoneRules: the offset changes at each transition", "[traffic]") {
    ZoneRules z;
    CHECK(z.offset_at(kNow) == 0);
    CHECK(z.next_transition(kNow) == kNever);
    const Micros t1 = kMonday, t2 = kMonday + 30 * kDay;
    z.transitions = {t1, t2};
    z.offsets_seconds = {3600, 7200, 3600};
    CHECK(z.offset_at(t1 - 1) == 3600);
    CHECK(z.offset_at(t1) == 7200);
    CHECK(z.offset_at(t2 - 1) == 7200);
    CHECK(z.offset_at(t2) == 3600);
    CHECK(z.offset_at(std::numeric_limits<Micros>::min() + 1) == 3600);
    CHECK(z.next_transition(t1 - 10 * kDay) == t1);
    CHECK(z.next_transition(t1 - 1) == t1);
    CHECK(z.next_transition(t1) == t2);
    CHECK(z.next_transition(t2) == kNever);
}

// ---- WeeklyProfile -----------------------------------------------------------------------------

TEST_CASE("WeeklyProfile: m averages 1 over the open minutes of a week and keeps the curves' shape", "[traffic]") {
    std::vector<double> h96(96), hw96(96);
    for (int i = 0; i < 96; ++i) {
        h96[i] = 0.2 + (i * 37 % 96) / 50.0;
        hw96[i] = (i % 7 == 0) ? 0.0 : 1.0 + (i % 5);
    }
    nlohmann::json custom_doc = {
        {"traffic",
         {{"hourly", h96},
          {"hourly_weekend", hw96},
          {"weekly", {0.5, 1, 1, 1.5, 2, 3, 0.7}},
          {"opening_hours", {{"mon-thu", "07:10-19:35"}, {"fri", {"00:00-03:00", "09:00-24:00"}}, {"sat-sun", "10:01-16:59"}}}}}};
    // Open minutes counted from the document above by hand.
    const int custom_open = 4 * (19 * 60 + 35 - 7 * 60 - 10) + (180 + 15 * 60) + 2 * (16 * 60 + 59 - 10 * 60 - 1);

    struct Case {
        const char* name;
        TrafficSection traffic;
        int open_minutes;
    };
    const std::vector<Case> cases = {
        {"retail", traffic_of(R"({"traffic": {"profile": "retail"}})"), kMinutesPerWeek},
        {"business_hours", traffic_of(R"({"traffic": {"profile": "business_hours"}})"), (5 * 12 + 8) * 60},
        {"custom", traffic_of(custom_doc.dump()), custom_open},
        {"weekly only", traffic_of(R"({"traffic": {"weekly": [1, 2, 3, 4, 5, 6, 7]}})"), kMinutesPerWeek},
        {"opening hours only", traffic_of(R"({"traffic": {"opening_hours": {"tue": "12:00-13:00"}}})"), 60},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const WeeklyProfile p(c.traffic, fixed_zone(0));
        REQUIRE_FALSE(p.flat());
        double sum = 0, raw_sum = 0;
        int open = 0;
        for (int w = 0; w < kMinutesPerWeek; ++w) {
            const double raw = reference_raw(c.traffic, w);
            bool is_open = true;
            if (c.traffic.has_opening_hours) {
                is_open = false;
                for (const auto& in : c.traffic.opening_hours[w / 1440])
                    is_open = is_open || (in.open_minute <= w % 1440 && w % 1440 < in.close_minute);
            }
            if (!is_open) {
                INFO("closed minute " << w);
                CHECK(p.at_minute_of_week(w) == 0);
                continue;
            }
            ++open;
            sum += p.at_minute_of_week(w);
            raw_sum += raw;
        }
        CHECK(open == c.open_minutes);
        CHECK(p.open_share() == Approx(double(c.open_minutes) / kMinutesPerWeek).epsilon(1e-12));
        // Normalisation: the mean over open minutes is 1.
        CHECK(sum / open == Approx(1.0).epsilon(1e-12));
        // Shape: m is the raw curve divided by its mean over the open minutes.
        const double z = raw_sum / open;
        int mismatches = 0;
        for (int w = 0; w < kMinutesPerWeek; ++w)
            if (std::fabs(p.at_minute_of_week(w) - reference_raw(c.traffic, w) / z) > 1e-12) ++mismatches;
        CHECK(mismatches == 0);
    }
}

TEST_CASE("WeeklyProfile: retail's evening peak, weekend curve and weekly factors", "[traffic]") {
    using namespace thelook::dist;
    const WeeklyProfile p(traffic_of(R"({"traffic": {"profile": "retail"}})"), fixed_zone(0));
    auto at = [&](int day, int hour) { return p.at_minute_of_week(day * 1440 + hour * 60 + 30); };
    CHECK(at(0, 20) / at(0, 3) == Approx(kRetailHourly[20] / kRetailHourly[3]));
    CHECK(at(5, 20) / at(0, 20) == Approx(kRetailHourlyWeekend[20] * kRetailWeekly[5] / (kRetailHourly[20] * kRetailWeekly[0])));
    CHECK(at(6, 4) / at(4, 4) == Approx(kRetailHourlyWeekend[4] * kRetailWeekly[6] / (kRetailHourly[4] * kRetailWeekly[4])));
    // Always open.
    CHECK(p.open_share() == 1.0);
    for (int w = 0; w < kMinutesPerWeek; ++w) REQUIRE(p.at_minute_of_week(w) > 0);
}

TEST_CASE("WeeklyProfile: business_hours is zero while closed", "[traffic]") {
    const int32_t off = -5 * 3600;
    const WeeklyProfile p(traffic_of(R"({"traffic": {"profile": "business_hours"}})"), fixed_zone(off));
    CHECK(p.open_share() == Approx(68.0 / 168.0));
    struct Probe {
        int day, hour, minute;
        bool open;
    };
    for (const Probe& x : std::vector<Probe>{{0, 7, 59, false}, {0, 8, 0, true},   {0, 12, 0, true},  {0, 19, 59, true},
                                             {0, 20, 0, false}, {2, 3, 0, false},  {4, 19, 59, true}, {4, 23, 0, false},
                                             {5, 9, 59, false}, {5, 10, 0, true},  {5, 17, 59, true}, {5, 18, 0, false},
                                             {6, 0, 0, false},  {6, 12, 0, false}, {6, 23, 59, false}}) {
        const Micros t = local_time(x.day, x.hour, x.minute, off);
        INFO("day " << x.day << " " << x.hour << ":" << x.minute);
        CHECK((p.value(t) > 0) == x.open);
        CHECK((p.value(t + 59 * kMicrosPerSecond) > 0) == x.open);
        // The same a week later and a year earlier (52 weeks).
        CHECK(p.value(t + kWeek) == p.value(t));
        CHECK(p.value(t - 52 * kWeek) == p.value(t));
    }
}

TEST_CASE("WeeklyProfile rejects curves that are zero at every open hour", "[traffic]") {
    auto h = std::vector<double>(24, 1.0);
    for (int i = 8; i < 20; ++i) h[i] = 0;
    nlohmann::json doc = {{"traffic", {{"hourly", h}, {"opening_hours", {{"mon-fri", "08:00-20:00"}}}}}};
    const TrafficSection t = traffic_of(doc.dump());  // the parser alone cannot see it
    fixtures::check_error([&] { WeeklyProfile(t, ZoneRules{}); }, "22023", "scenario.traffic");
    // One open hour with traffic is enough.
    doc["traffic"]["opening_hours"]["sat"] = "07:00-08:00";
    CHECK_FALSE(WeeklyProfile(traffic_of(doc.dump()), ZoneRules{}).flat());
}

TEST_CASE("WeeklyProfile::value reads the bin of the local time", "[traffic]") {
    const TrafficSection t = distinct_traffic();
    const auto h = distinct_hourly();
    const auto& wk = kDistinctWeekly;
    SECTION("UTC+1") {
        const WeeklyProfile p(t, fixed_zone(3600));
        // 2024-01-01 10:30 UTC is Monday 11:30 local: bin 11 of Monday.
        const Micros t0 = kMonday + 10 * kHour + 30 * kMinute;
        CHECK(p.value(t0) == Approx(h[11] * wk[0] / kDistinctZ).epsilon(1e-12));
        CHECK(p.value(t0) == p.at_minute_of_week(11 * 60 + 30));
        // 2024-01-07 23:30 UTC is Monday 00:30 local.
        CHECK(p.value(kMonday + 6 * kDay + 23 * kHour + 30 * kMinute) == Approx(h[0] * wk[0] / kDistinctZ).epsilon(1e-12));
        // 2024-01-07 22:59:59 UTC is Sunday 23:59:59 local.
        CHECK(p.value(kMonday + 6 * kDay + 23 * kHour - kMicrosPerSecond) == Approx(h[23] * wk[6] / kDistinctZ).epsilon(1e-12));
        // The epoch, a Thursday, at 01:00 local.
        CHECK(p.value(0) == Approx(h[1] * wk[3] / kDistinctZ).epsilon(1e-12));
    }
    SECTION("UTC-5") {
        const WeeklyProfile p(t, fixed_zone(-5 * 3600));
        // Monday 03:00 UTC is Sunday 22:00 local.
        CHECK(p.value(kMonday + 3 * kHour) == Approx(h[22] * wk[6] / kDistinctZ).epsilon(1e-12));
        // The epoch is Wednesday 19:00 local; a second before it too.
        CHECK(p.value(0) == Approx(h[19] * wk[2] / kDistinctZ).epsilon(1e-12));
        CHECK(p.value(-1) == Approx(h[18] * wk[2] / kDistinctZ).epsilon(1e-12));
    }
    SECTION("UTC+5:30, and instants before 1970") {
        const WeeklyProfile p(t, fixed_zone(5 * 3600 + 1800));
        // Monday 00:00 UTC is Monday 05:30 local.
        CHECK(p.value(kMonday) == Approx(h[5] * wk[0] / kDistinctZ).epsilon(1e-12));
        CHECK(p.value(kMonday - 5 * kHour - 30 * kMinute) == Approx(h[0] * wk[0] / kDistinctZ).epsilon(1e-12));
        CHECK(p.value(kMonday - 5 * kHour - 30 * kMinute - 1) == Approx(h[23] * wk[6] / kDistinctZ).epsilon(1e-12));
        // 1900-03-01 00:00 UTC was a Thursday: 05:30 local.
        const Micros t1900 = -2203891200LL * kMicrosPerSecond;
        CHECK(p.value(t1900) == Approx(h[5] * wk[3] / kDistinctZ).epsilon(1e-12));
    }
    SECTION("48 bins of half an hour") {
        TrafficSection t48;
        t48.hourly.resize(48);
        for (int i = 0; i < 48; ++i) t48.hourly[i] = i + 1;
        const WeeklyProfile p(t48, fixed_zone(0));
        CHECK(p.value(kMonday + 10 * kHour + 29 * kMinute) / p.value(kMonday + 10 * kHour + 30 * kMinute) == Approx(21.0 / 22.0));
    }
}

TEST_CASE("WeeklyProfile: a transition of the zone shifts the local hour", "[traffic]") {
    const auto h = distinct_hourly();
    const TrafficSection t = distinct_traffic();
    // Monday 10:30 UTC the zone goes from UTC to UTC+1 ("spring forward"), and back on Wednesday.
    const Micros fwd = kMonday + 10 * kHour + 30 * kMinute, back = kMonday + 2 * kDay + 10 * kHour + 30 * kMinute;
    ZoneRules z;
    z.transitions = {fwd, back};
    z.offsets_seconds = {0, 3600, 0};
    const WeeklyProfile p(t, z);
    CHECK(p.value(fwd - 1) == Approx(h[10] / kDistinctZ));          // 10:29:59 local
    CHECK(p.value(fwd) == Approx(h[11] / kDistinctZ));              // 11:30 local
    CHECK(p.next_change(fwd - 10 * kMinute) == fwd);                  // the transition comes first
    CHECK(p.next_change(fwd) == kMonday + 11 * kHour);                // 12:00 local
    CHECK(p.value(kMonday + 11 * kHour) == Approx(h[12] / kDistinctZ));
    CHECK(p.value(back - 1) == Approx(h[11] * kDistinctWeekly[2] / kDistinctZ));  // Wednesday 11:29:59 local
    CHECK(p.value(back) == Approx(h[10] * kDistinctWeekly[2] / kDistinctZ));      // 10:30 again
    CHECK(p.next_change(back - 5 * kMinute) == back);
    CHECK(p.next_change(back) == kMonday + 2 * kDay + 11 * kHour);
    // A fixed +1 profile agrees with the zone between the transitions, a UTC one outside.
    const WeeklyProfile plus1(t, fixed_zone(3600)), utc(t, fixed_zone(0));
    for (Micros x = kMonday - kDay; x < kMonday + 4 * kDay; x += 7 * kMinute + 13 * kMicrosPerSecond) {
        INFO("t = " << x);
        CHECK(p.value(x) == ((x >= fwd && x < back) ? plus1.value(x) : utc.value(x)));
    }
}

namespace {
// At instants sampled over three weeks: next_change(t) is after t; the value is the same at
// sampled instants of [t, next_change(t)) and at its last microsecond, where next_change is the
// same too. Returns how many of the next_change instants really changed the value.
template <typename M>
int check_next_change(const M& m, uint64_t seed, int samples = 300) {
    Rng r(seed);
    int real_changes = 0;
    for (int i = 0; i < samples; ++i) {
        const Micros t = kMonday - kDay + r.uniform_int(0, 21 * kDay);
        const Micros c = m.next_change(t);
        INFO("t = " << t << ", next_change = " << c);
        REQUIRE(c > t);
        REQUIRE(c != kNever);
        const double v = m.value(t);
        for (int k = 0; k < 20; ++k) {
            const Micros u = t + r.uniform_int(0, c - t - 1);
            INFO("u = " << u);
            REQUIRE(m.value(u) == v);
            REQUIRE(m.next_change(u) == c);
        }
        REQUIRE(m.value(c - 1) == v);
        REQUIRE(m.next_change(c - 1) == c);
        if (m.value(c) != v) ++real_changes;
    }
    return real_changes;
}
}  // namespace

TEST_CASE("WeeklyProfile and Intensity: value is constant up to next_change, where it changes", "[traffic]") {
    SECTION("a curve whose every hour differs: each next_change is a real change at a local full hour") {
        const WeeklyProfile p(distinct_traffic(), fixed_zone(3600));
        CHECK(check_next_change(p, 41) == 300);
        Rng r(42);
        for (int i = 0; i < 1000; ++i) {
            const Micros t = kNow + r.uniform_int(0, 10 * kWeek);
            const Micros c = p.next_change(t);
            REQUIRE(floor_mod(c + 3600 * kMicrosPerSecond, kHour) == 0);
            REQUIRE(c - t <= kHour);
        }
    }
    SECTION("retail in a zone with transitions") {
        ZoneRules dst;
        for (int i = 0; i < 8; ++i) {
            dst.transitions.push_back(kMonday - kDay + i * 3 * kDay + 2 * kHour + 17 * kMinute);
            dst.offsets_seconds.push_back(i % 2 ? 3600 : 7200);
        }
        dst.offsets_seconds.push_back(3600);
        const WeeklyProfile p(traffic_of(R"({"traffic": {"profile": "retail"}})"), dst);
        CHECK(check_next_change(p, 43) > 250);
    }
    SECTION("business_hours") {
        const WeeklyProfile p(traffic_of(R"({"traffic": {"profile": "business_hours"}})"), fixed_zone(-5 * 3600));
        CHECK(check_next_change(p, 44) > 150);
    }
    SECTION("opening hours at odd minutes, 96 bins") {
        std::vector<double> h(96);
        for (int i = 0; i < 96; ++i) h[i] = 1 + i % 4;
        nlohmann::json doc = {{"traffic", {{"hourly", h}, {"opening_hours", {{"mon-sat", {"06:07-11:13", "12:01-23:59"}}}}}}};
        const WeeklyProfile p(traffic_of(doc.dump()), fixed_zone(-3 * 3600 - 1800));
        CHECK(check_next_change(p, 45) > 250);
    }
    SECTION("an intensity with scheduled and random incidents") {
        const Scenario sc = parse_scenario(R"({
            "traffic": {"profile": "retail"},
            "incidents": [{"kind": "spike", "magnitude": 2, "after": 25261, "duration": "90 minutes"},
                          {"kind": "outage", "after": "3 days", "duration": "17 minutes"},
                          {"kind": "checkout_failure", "magnitude": 0.3, "after": "5 days", "duration": "1 hour"}],
            "random_incidents": [{"kind": "slump", "per_day": 6, "duration": ["1 minute", "3 hours"], "magnitude": [0.2, 0.9]}]})");
        IncidentPlan plan(sc, kMonday - kDay, 46);
        const Intensity m(WeeklyProfile(sc.traffic, fixed_zone(3600)), &plan);
        CHECK_FALSE(m.flat());
        CHECK(check_next_change(m, 47) > 250);
    }
}

// ---- PoissonSchedule with an intensity ---------------------------------------------------------

TEST_CASE("PoissonSchedule with the retail profile: arrivals per local hour of the week follow it", "[traffic][schedule]") {
    const int32_t off = 3600;
    const TrafficSection t = traffic_of(R"({"traffic": {"profile": "retail"}})");
    const Intensity m(WeeklyProfile(t, fixed_zone(off)), nullptr);
    const double rate = 0.1;
    const Micros start = kNow, end = kNow + 4 * kWeek;  // four whole weeks from a Tuesday evening
    PoissonSchedule s(rate, start, 51, &m);
    const auto a = take_all(s, end - 1);
    REQUIRE(std::is_sorted(a.begin(), a.end()));
    REQUIRE(a.front() >= start);

    std::vector<double> observed(168, 0.0), expected(168, 0.0);
    for (Micros x : a) observed[local_minute_of_week(x, off) / 60] += 1;
    for (int w = 0; w < kMinutesPerWeek; ++w) expected[w / 60] += reference_raw(t, w);
    fixtures::check_fits(observed, expected);

    // m averages 1, so over whole weeks rate * duration arrivals are expected.
    const double total = rate * 4 * 7 * 86400;
    CHECK(s.expected_between(start, end) == Approx(total).epsilon(1e-9));
    check_poisson_count(double(a.size()), total);

    // expected_between of each local hour is rate * the integral of m over it.
    double z = 0;
    for (int w = 0; w < kMinutesPerWeek; ++w) z += reference_raw(t, w) / kMinutesPerWeek;
    for (int hour = 0; hour < 168; ++hour) {
        const Micros from = local_time(hour / 24, hour % 24, 0, off);
        INFO("local hour of the week " << hour);
        CHECK(s.expected_between(from, from + kHour) == Approx(rate * 60 * expected[hour] / z).epsilon(1e-9));
        // Halfway through the hour: half of it.
        CHECK(s.expected_between(from + 30 * kMinute, from + kHour) == Approx(rate * 30 * expected[hour] / z).epsilon(1e-9));
    }
}

TEST_CASE("PoissonSchedule with business_hours: no arrivals while closed, the profile while open", "[traffic][schedule]") {
    const int32_t off = -5 * 3600;
    const TrafficSection t = traffic_of(R"({"traffic": {"profile": "business_hours"}})");
    const Intensity m(WeeklyProfile(t, fixed_zone(off)), nullptr);
    const double rate = 0.1;
    const Micros start = kNow, end = kNow + 4 * kWeek;
    PoissonSchedule s(rate, start, 52, &m);
    const auto a = take_all(s, end - 1);

    int closed = 0;
    std::vector<double> observed(168, 0.0), expected(168, 0.0);
    for (Micros x : a) {
        const int w = local_minute_of_week(x, off);
        if (reference_raw(t, w) == 0) ++closed;
        observed[w / 60] += 1;
    }
    CHECK(closed == 0);
    for (int w = 0; w < kMinutesPerWeek; ++w) expected[w / 60] += reference_raw(t, w);
    fixtures::check_fits(observed, expected);  // closed hours must have no arrival at all

    // While open, rate * m averages rate: 68 open hours a week.
    const double total = rate * 4 * 68 * 3600;
    CHECK(s.expected_between(start, end) == Approx(total).epsilon(1e-9));
    check_poisson_count(double(a.size()), total);
    // The normalisation, from distributions.hpp: Z = mean of hourly * weekly over open hours.
    double z = 0;
    for (int d = 0; d < 5; ++d)
        for (int h = 8; h < 20; ++h) z += dist::kBusinessHourly[h] * dist::kBusinessWeekly[d] / 68;
    for (int h = 10; h < 18; ++h) z += dist::kBusinessHourly[h] * dist::kBusinessWeekly[5] / 68;
    const Micros mon8 = local_time(0, 8, 0, off) + 4 * kWeek;
    CHECK(s.expected_between(mon8, mon8 + kHour) == Approx(rate * 3600 * dist::kBusinessHourly[8] / z).epsilon(1e-9));
    CHECK(s.expected_between(mon8 - 8 * kHour, mon8) == 0);

    // Saturday evening to Monday morning nothing is due: scheduled_by stays at what was taken.
    const Micros sat18 = local_time(5, 18, 0, off) + 4 * kWeek, sun12 = sat18 + 18 * kHour;
    PoissonSchedule s2(rate, sat18 - kDay, 53, &m);
    const auto until_close = take_all(s2, sat18);
    REQUIRE(!until_close.empty());
    CHECK(s2.next_arrival() >= mon8 + kWeek);
    CHECK(s2.scheduled_by(sun12) == s2.taken());
    CHECK(s2.expected_between(sat18, mon8 + kWeek) == 0);
    CHECK(take_all(s2, sun12).empty());
    // Before taking, scheduled_by counts the open hours only.
    PoissonSchedule s3(rate, sat18 - 8 * kHour, 54, &m);
    const double due = rate * 8 * 3600;  // Saturday 10:00-18:00
    check_poisson_count(double(s3.scheduled_by(sun12)), due);
}

TEST_CASE("PoissonSchedule: a flat intensity keeps the constant-rate arrival times bit for bit", "[traffic][schedule]") {
    IncidentPlan empty_plan;
    CHECK(empty_plan.empty());
    const Intensity none;
    const Intensity with_empty_plan(WeeklyProfile(), &empty_plan);
    const Intensity from_empty_doc(WeeklyProfile(parse_scenario("{}").traffic, fixed_zone(3600)), nullptr);
    CHECK(none.flat());
    CHECK(with_empty_plan.flat());
    CHECK(from_empty_doc.flat());
    for (const Intensity* m : {static_cast<const Intensity*>(nullptr), &none, &with_empty_plan, &from_empty_doc}) {
        for (double rate : {0.5, 20.0, 3000.0}) {
            for (uint64_t seed : {1u, 99u}) {
                // The formula of the constant-rate schedule before intensities existed.
                Rng rng(seed);
                double exact = 0;
                std::vector<Micros> expected;
                for (int i = 0; i < 5000; ++i) {
                    exact += rng.exponential(rate);
                    expected.push_back(kNow + static_cast<Micros>(std::floor(exact * 1e6)));
                }
                PoissonSchedule s(rate, kNow, seed, m);
                const auto a = take_all(s, expected.back());
                INFO("rate " << rate << " seed " << seed);
                REQUIRE(a.size() >= expected.size());
                CHECK(std::equal(expected.begin(), expected.end(), a.begin()));
            }
        }
    }
}

TEST_CASE("PoissonSchedule::retune from r to 3r: the counts follow, with no gap or burst at the switch", "[traffic][schedule]") {
    const double r = 10;
    const int seeds = 1000;
    const Micros T = kNow + 20 * kMicrosPerSecond, end = T + 20 * kMicrosPerSecond;
    const Micros window = 50 * 1000;  // 50 ms right after T
    double before = 0, after = 0, in_window = 0, gap_sum = 0, gap_below_median = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        PoissonSchedule s(r, kNow, 1000 + seed);
        const auto a = take_all(s, T);
        s.retune(T, 3 * r, nullptr);
        CHECK(s.rate() == 3 * r);
        const auto b = take_all(s, end);
        REQUIRE(!b.empty());
        REQUIRE(b.front() > T);
        before += double(a.size());
        after += double(b.size());
        in_window += count_in(b, T, T + window + 1);
        const double gap = double(b.front() - T) / 1e6;
        gap_sum += gap;
        if (gap < std::log(2.0) / (3 * r)) gap_below_median += 1;
        // The past is not changed: the arrivals up to T are those of a schedule never retuned.
        if (seed <= 20) {
            PoissonSchedule plain(r, kNow, 1000 + seed);
            CHECK(take_all(plain, T) == a);
        }
    }
    check_poisson_count(before, seeds * r * 20);
    check_poisson_count(after, seeds * 3 * r * 20);
    // Right after T the new rate holds at once: neither a gap (the old next arrival kept) nor a
    // burst (an arrival at T).
    check_poisson_count(in_window, seeds * 3 * r * 0.05);
    const double mean_gap = gap_sum / seeds, expected_gap = 1 / (3 * r);
    INFO("mean first gap after T " << mean_gap << ", expected " << expected_gap);
    CHECK(std::fabs(mean_gap - expected_gap) < 4 * expected_gap / std::sqrt(double(seeds)));
    fixtures::check_fits({gap_below_median, seeds - gap_below_median}, {0.5, 0.5});
}

TEST_CASE("PoissonSchedule::retune keeps the residual mass: retuning to the same rate changes nothing", "[traffic][schedule]") {
    for (uint64_t seed = 1; seed <= 10; ++seed) {
        PoissonSchedule plain(50, kNow, seed), retuned(50, kNow, seed);
        const auto reference = take_all(plain, kNow + 60 * kMicrosPerSecond);
        std::vector<Micros> got;
        for (int i = 1; i <= 60; ++i) {
            const Micros t = kNow + i * kMicrosPerSecond - 777;
            const auto due = take_all(retuned, t);
            got.insert(got.end(), due.begin(), due.end());
            retuned.retune(t, 50, nullptr);
        }
        const auto rest = take_all(retuned, kNow + 60 * kMicrosPerSecond);
        got.insert(got.end(), rest.begin(), rest.end());
        REQUIRE(got.size() == reference.size());
        Micros worst = 0;
        for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - reference[i]));
        CHECK(worst <= 1);  // rounding to the microsecond only
    }
}

TEST_CASE("PoissonSchedule::retune with an arrival already due keeps it", "[traffic][schedule]") {
    PoissonSchedule s(5, kNow, 61);
    const Micros first = s.next_arrival();
    s.retune(first + 10, 500, nullptr);
    CHECK(s.next_arrival() == first);
    const auto due = take_all(s, first + 10);
    REQUIRE(!due.empty());
    CHECK(due.front() == first);
    CHECK(s.rate() == 500);
}

TEST_CASE("PoissonSchedule::retune with the retail profile: counts before and after follow rate * integral of m", "[traffic][schedule]") {
    const TrafficSection t = traffic_of(R"({"traffic": {"profile": "retail"}})");
    const Intensity m(WeeklyProfile(t, fixed_zone(3600)), nullptr);
    const Micros start = kNow, T = kNow + 2 * kDay + 5 * kHour + 123456, end = T + 2 * kDay;
    double before = 0, after = 0, exp_before = 0, exp_after = 0, first_gap_mass = 0;
    const int seeds = 40;
    for (int seed = 1; seed <= seeds; ++seed) {
        PoissonSchedule s(0.2, start, 70 + seed, &m);
        exp_before += s.expected_between(start, T + 1);
        before += double(take_all(s, T).size());
        s.retune(T, 0.6, &m);
        exp_after += s.expected_between(T + 1, end + 1);
        const auto b = take_all(s, end);
        after += double(b.size());
        first_gap_mass += s.expected_between(T, b.front());  // Exp(1) when nothing is lost at T
    }
    check_poisson_count(before, exp_before);
    check_poisson_count(after, exp_after);
    CHECK(exp_after == Approx(3 * exp_before).epsilon(0.2));  // the same two days' shape, roughly
    CHECK(std::fabs(first_gap_mass / seeds - 1) < 4 / std::sqrt(double(seeds)));
}

TEST_CASE("PoissonSchedule::retune after an incident is injected into the same intensity", "[traffic][schedule]") {
    const double r = 10;
    const int seeds = 1000;
    const Micros T = kNow + 5 * kMicrosPerSecond;
    SECTION("a spike: the first gap after T is that of 3r") {
        double gap_sum = 0;
        for (int seed = 1; seed <= seeds; ++seed) {
            IncidentPlan plan;
            const Intensity m(WeeklyProfile(), &plan);
            PoissonSchedule s(r, kNow, 2000 + seed, &m);
            take_all(s, T);
            IncidentEffect spike;
            spike.kind = IncidentKind::Spike;
            spike.magnitude = 3;
            plan.add(spike, T, 60, "injected");
            s.retune(T, r, &m);
            gap_sum += double(s.next_arrival() - T) / 1e6;
        }
        const double expected_gap = 1 / (3 * r);
        INFO("mean first gap " << gap_sum / seeds << ", expected " << expected_gap);
        CHECK(std::fabs(gap_sum / seeds - expected_gap) < 4 * expected_gap / std::sqrt(double(seeds)));
    }
    SECTION("an outage: nothing during it, then the recovery rate from its end, with no arrival piled at the end") {
        const Micros D = 2 * kMicrosPerSecond;
        double gap_sum = 0;
        int at_end = 0;
        for (int seed = 1; seed <= seeds; ++seed) {
            IncidentPlan plan;
            const Intensity m(WeeklyProfile(), &plan);
            PoissonSchedule s(r, kNow, 3000 + seed, &m);
            take_all(s, T);
            IncidentEffect outage;
            outage.kind = IncidentKind::Outage;
            outage.recovery_magnitude = 1.5;
            plan.add(outage, T, 2.0, "injected");
            s.retune(T, r, &m);
            const auto a = take_all(s, T + D + 10 * kMicrosPerSecond);
            REQUIRE(!a.empty());
            REQUIRE(a.front() >= T + D);
            if (a.front() == T + D) ++at_end;
            gap_sum += double(a.front() - (T + D)) / 1e6;
        }
        const double expected_gap = 1 / (1.5 * r);
        INFO("mean first gap after the outage " << gap_sum / seeds << ", expected " << expected_gap << "; " << at_end
                                                << " arrivals exactly at its end");
        CHECK(std::fabs(gap_sum / seeds - expected_gap) < 4 * expected_gap / std::sqrt(double(seeds)));
        CHECK(at_end <= 2);
    }
}

TEST_CASE("PoissonSchedule::retune to a new intensity after the old one is gone (a new scenario)", "[traffic][schedule]") {
    // The worker destroys the old scenario's intensity before it retunes to the new one: retune must
    // not read the old one (run under ASan to see it).
    const double r = 10;
    const int seeds = 1000;
    const Micros T = kNow + 5 * kMicrosPerSecond;
    double gap_sum = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        auto old_plan = std::make_unique<IncidentPlan>();
        auto old_m = std::make_unique<Intensity>(WeeklyProfile(distinct_traffic(), fixed_zone(0)), old_plan.get());
        PoissonSchedule s(r, kNow, 4000 + seed, old_m.get());
        take_all(s, T);
        old_m.reset();
        old_plan.reset();
        IncidentPlan plan;
        IncidentEffect spike;
        spike.magnitude = 3;
        plan.add(spike, T, 60, "scheduled");
        const Intensity m(WeeklyProfile(), &plan);
        s.retune(T, r, &m);
        gap_sum += double(s.next_arrival() - T) / 1e6;
    }
    const double expected_gap = 1 / (3 * r);
    INFO("mean first gap " << gap_sum / seeds << ", expected " << expected_gap);
    CHECK(std::fabs(gap_sum / seeds - expected_gap) < 4 * expected_gap / std::sqrt(double(seeds)));
}

TEST_CASE("PoissonSchedule::scheduled_by and expected_between with an intensity", "[traffic][schedule]") {
    const Scenario sc = parse_scenario(R"({"incidents": [{"kind": "spike", "magnitude": 4, "after": "10 minutes", "duration": "10 minutes"}]})");
    IncidentPlan plan(sc, kNow, 1);
    const Intensity m(WeeklyProfile(), &plan);
    PoissonSchedule s(5, kNow, 81, &m);
    CHECK(s.expected_between(kNow, kNow + 30 * kMinute) == Approx(5 * 1800 + 3 * 5 * 600));
    CHECK(s.expected_between(kNow + 15 * kMinute, kNow + 25 * kMinute) == Approx(4 * 5 * 300 + 5 * 300));
    CHECK(s.expected_between(kNow + kHour, kNow) == 0);
    // Nothing taken: about the expected number is due.
    check_poisson_count(double(s.scheduled_by(kNow + 30 * kMinute)), s.expected_between(kNow, kNow + 30 * kMinute));
    // After taking all that is due, exactly that.
    const auto a = take_all(s, kNow + 15 * kMinute);
    CHECK(s.scheduled_by(kNow + 15 * kMinute) == a.size());
    CHECK(s.taken() == a.size());
    // The arrivals still due by a later time: about the expected number.
    check_poisson_count(double(s.scheduled_by(kNow + 30 * kMinute) - s.taken()),
                        s.expected_between(kNow + 15 * kMinute, kNow + 30 * kMinute));
}

// ---- IncidentPlan and Intensity ----------------------------------------------------------------

TEST_CASE("IncidentPlan: a spike multiplies the arrivals by its magnitude", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"incidents": [{"kind": "spike", "magnitude": 3, "after": "1 hour", "duration": "1 hour"}]})");
    IncidentPlan plan(sc, kNow, 1);
    const Intensity m(WeeklyProfile(), &plan);
    CHECK_FALSE(m.flat());
    CHECK(m.value(kNow + kHour - 1) == 1);
    CHECK(m.value(kNow + kHour) == 3);
    CHECK(m.value(kNow + 2 * kHour - 1) == 3);
    CHECK(m.value(kNow + 2 * kHour) == 1);
    CHECK(m.next_change(kNow) == kNow + kHour);
    CHECK(m.next_change(kNow + kHour) == kNow + 2 * kHour);
    CHECK(m.next_change(kNow + 2 * kHour) == kNever);
    const double rate = 2;
    PoissonSchedule s(rate, kNow, 91, &m);
    const auto a = take_all(s, kNow + 3 * kHour - 1);
    check_poisson_count(count_in(a, kNow, kNow + kHour), rate * 3600);
    check_poisson_count(count_in(a, kNow + kHour, kNow + 2 * kHour), 3 * rate * 3600);
    check_poisson_count(count_in(a, kNow + 2 * kHour, kNow + 3 * kHour), rate * 3600);
    // A slump the same way.
    const Scenario sl = parse_scenario(R"({"incidents": [{"kind": "slump", "magnitude": 0.2, "after": "1 hour", "duration": "1 hour"}]})");
    IncidentPlan plan2(sl, kNow, 1);
    const Intensity m2(WeeklyProfile(), &plan2);
    PoissonSchedule s2(rate, kNow, 92, &m2);
    const auto b = take_all(s2, kNow + 3 * kHour - 1);
    check_poisson_count(count_in(b, kNow + kHour, kNow + 2 * kHour), 0.2 * rate * 3600);
    check_poisson_count(count_in(b, kNow + 2 * kHour, kNow + 3 * kHour), rate * 3600);
}

TEST_CASE("IncidentPlan: an outage has no arrivals, then a recovery at 1.5x for as long", "[traffic][incidents]") {
    const double rate = 2;
    SECTION("the default recovery") {
        const Scenario sc = parse_scenario(R"({"incidents": [{"kind": "outage", "after": "1 hour", "duration": "30 minutes"}]})");
        IncidentPlan plan(sc, kNow, 1);
        const Intensity m(WeeklyProfile(), &plan);
        CHECK(plan.rate_multiplier(kNow + kHour) == 0);
        CHECK(plan.rate_multiplier(kNow + 90 * kMinute - 1) == 0);
        CHECK(plan.rate_multiplier(kNow + 90 * kMinute) == dist::kRecoveryMagnitude);
        CHECK(plan.rate_multiplier(kNow + 2 * kHour - 1) == dist::kRecoveryMagnitude);
        CHECK(plan.rate_multiplier(kNow + 2 * kHour) == 1);
        PoissonSchedule s(rate, kNow, 101, &m);
        const auto a = take_all(s, kNow + 3 * kHour - 1);
        check_poisson_count(count_in(a, kNow, kNow + kHour), rate * 3600);
        CHECK(count_in(a, kNow + kHour, kNow + 90 * kMinute) == 0);
        check_poisson_count(count_in(a, kNow + 90 * kMinute, kNow + 2 * kHour), 1.5 * rate * 1800);
        check_poisson_count(count_in(a, kNow + 2 * kHour, kNow + 3 * kHour), rate * 3600);
        // Half of the lost arrivals come back.
        CHECK(s.expected_between(kNow, kNow + 3 * kHour) == Approx(rate * (3 * 3600 - 1800 + 900)));
    }
    SECTION("a recovery of its own, and none") {
        const Scenario sc = parse_scenario(R"({"incidents": [
            {"kind": "outage", "after": "1 hour", "duration": "30 minutes", "recovery": {"magnitude": 2, "duration": "10 minutes"}},
            {"kind": "outage", "after": "3 hours", "duration": "30 minutes", "recovery": null},
            {"kind": "outage", "after": "5 hours", "duration": "30 minutes", "recovery": {"magnitude": 1}}]})");
        IncidentPlan plan(sc, kNow, 1);
        const Intensity m(WeeklyProfile(), &plan);
        CHECK(plan.rate_multiplier(kNow + 90 * kMinute) == 2);
        CHECK(plan.rate_multiplier(kNow + 100 * kMinute - 1) == 2);
        CHECK(plan.rate_multiplier(kNow + 100 * kMinute) == 1);
        CHECK(plan.rate_multiplier(kNow + 210 * kMinute) == 1);
        CHECK(plan.rate_multiplier(kNow + 330 * kMinute) == 1);
        PoissonSchedule s(rate, kNow, 102, &m);
        const auto a = take_all(s, kNow + 6 * kHour);
        CHECK(count_in(a, kNow + kHour, kNow + 90 * kMinute) == 0);
        CHECK(count_in(a, kNow + 3 * kHour, kNow + 210 * kMinute) == 0);
        CHECK(count_in(a, kNow + 5 * kHour, kNow + 330 * kMinute) == 0);
        check_poisson_count(count_in(a, kNow + 90 * kMinute, kNow + 100 * kMinute), 2 * rate * 600);
        check_poisson_count(count_in(a, kNow + 210 * kMinute, kNow + 5 * kHour), rate * 90 * 60);
        const auto w = plan.take_started(kNow + 6 * kHour);
        REQUIRE(w.size() == 4);  // three outages and one recovery
        CHECK(w[1].kind == IncidentKind::Recovery);
        CHECK(w[1].start == w[0].end);
        CHECK(w[1].end == w[0].end + 10 * kMinute);
    }
    SECTION("closed hours stay closed during a spike") {
        const Scenario sc = parse_scenario(R"({"traffic": {"profile": "business_hours"},
            "incidents": [{"kind": "spike", "magnitude": 5, "at": "2024-01-06T00:00:00Z", "duration": "3 days"}]})");
        IncidentPlan plan(sc, kMonday, 1);
        const Intensity m(WeeklyProfile(sc.traffic, fixed_zone(0)), &plan);
        const WeeklyProfile p(sc.traffic, fixed_zone(0));
        CHECK(m.value(local_time(6, 12, 0, 0)) == 0);                                       // Sunday
        CHECK(m.value(local_time(5, 12, 0, 0)) == Approx(5 * p.value(local_time(5, 12, 0, 0))));  // Saturday
        CHECK(m.value(local_time(4, 12, 0, 0)) == p.value(local_time(4, 12, 0, 0)));      // Friday, before it
    }
}

TEST_CASE("IncidentPlan: checkout_failure leaves the rate alone and gives its share inside the window only", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"incidents": [
        {"kind": "checkout_failure", "magnitude": 0.25, "after": "1 hour", "duration": "30 minutes"},
        {"kind": "checkout_failure", "magnitude": 0.5, "after": "80 minutes", "duration": "5 minutes"}]})");
    IncidentPlan plan(sc, kNow, 1);
    const Intensity m(WeeklyProfile(), &plan);
    const Micros a = kNow + kHour;
    CHECK(m.checkout_failure(kNow) == 0);
    CHECK(m.checkout_failure(a - 1) == 0);
    CHECK(m.checkout_failure(a) == 0.25);
    CHECK(m.checkout_failure(a + 20 * kMinute - 1) == 0.25);
    CHECK(m.checkout_failure(a + 20 * kMinute) == 0.5);  // the larger share of two
    CHECK(m.checkout_failure(a + 25 * kMinute) == 0.25);
    CHECK(m.checkout_failure(a + 30 * kMinute - 1) == 0.25);
    CHECK(m.checkout_failure(a + 30 * kMinute) == 0);
    for (Micros t = kNow; t < kNow + 2 * kHour; t += 7 * kMinute) {
        CHECK(m.value(t) == 1);
        CHECK(plan.rate_multiplier(t) == 1);
    }
    const double rate = 3;
    PoissonSchedule s(rate, kNow, 111, &m);
    const auto arr = take_all(s, kNow + 2 * kHour);
    CHECK(s.expected_between(a, a + 30 * kMinute) == Approx(rate * 1800));
    check_poisson_count(count_in(arr, a, a + 30 * kMinute), rate * 1800);
    check_poisson_count(count_in(arr, kNow, a), rate * 3600);
    CHECK(Intensity().checkout_failure(a) == 0);
    CHECK(Intensity(WeeklyProfile(), nullptr).checkout_failure(a) == 0);
}

TEST_CASE("IncidentPlan: overlapping windows multiply; scheduled at and after; injected ones", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"incidents": [
        {"kind": "spike", "magnitude": 3, "after": "1 hour", "duration": "1 hour"},
        {"kind": "slump", "magnitude": 0.5, "after": "90 minutes", "duration": "1 hour"},
        {"kind": "spike", "magnitude": 2, "at": "2023-11-15T00:00:00+01:00", "duration": 60}]})");
    IncidentPlan plan(sc, kNow, 1);
    CHECK(plan.rate_multiplier(kNow + 75 * kMinute) == 3);
    CHECK(plan.rate_multiplier(kNow + 105 * kMinute) == 1.5);
    CHECK(plan.rate_multiplier(kNow + 135 * kMinute) == 0.5);
    // 2023-11-14 23:00 UTC: 46 min 40 s after kNow.
    const Micros at = kNow + 46 * kMinute + 40 * kMicrosPerSecond;
    CHECK(plan.rate_multiplier(at - 1) == 1);
    CHECK(plan.rate_multiplier(at) == 2);
    CHECK(plan.rate_multiplier(at + 60 * kMicrosPerSecond) == 1);
    CHECK(plan.next_change(kNow) == at);
    CHECK(plan.next_change(at) == at + 60 * kMicrosPerSecond);
    CHECK(plan.next_change(at + 60 * kMicrosPerSecond) == kNow + kHour);
    CHECK(plan.next_change(kNow + 150 * kMinute) == kNever);

    IncidentEffect outage;
    outage.kind = IncidentKind::Outage;
    outage.recovery_magnitude = 1.5;
    plan.add(outage, kNow + 3 * kHour, 600, "injected");
    CHECK(plan.rate_multiplier(kNow + 3 * kHour) == 0);
    CHECK(plan.rate_multiplier(kNow + 3 * kHour + 10 * kMinute) == 1.5);
    CHECK(plan.rate_multiplier(kNow + 3 * kHour + 20 * kMinute) == 1);
    const auto w = plan.take_started(kNow + 4 * kHour);
    REQUIRE(w.size() == 5);
    CHECK(std::string(w[0].origin) == "scheduled");
    CHECK(w[0].start == at);
    CHECK(w[1].start == kNow + kHour);
    CHECK(w[2].start == kNow + 90 * kMinute);
    CHECK(w[3].kind == IncidentKind::Outage);
    CHECK(w[3].magnitude == 0);
    CHECK(std::string(w[3].origin) == "injected");
    CHECK(w[4].kind == IncidentKind::Recovery);
    CHECK(std::string(w[4].origin) == "injected");
    CHECK(w[4].start == kNow + 3 * kHour + 10 * kMinute);
    CHECK(w[4].end == kNow + 3 * kHour + 20 * kMinute);
}

TEST_CASE("IncidentPlan: random incidents are Poisson per day, with durations and magnitudes in range", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"random_incidents": [
        {"kind": "spike", "per_day": 4, "duration": ["5 minutes", "30 minutes"], "magnitude": [2, 4]}]})");
    const int days = 2000;
    const double lambda = 4;
    IncidentPlan plan(sc, kNow, 7);
    CHECK_FALSE(plan.empty());
    const auto w = plan.take_started(kNow + days * kDay - 1);
    std::vector<double> per_day(days, 0.0);
    std::vector<double> durations(10, 0.0), magnitudes(10, 0.0);
    for (const auto& x : w) {
        REQUIRE(x.kind == IncidentKind::Spike);
        REQUIRE(std::string(x.origin) == "random");
        REQUIRE(x.start >= kNow);
        per_day[static_cast<size_t>((x.start - kNow) / kDay)] += 1;
        const double d = double(x.end - x.start) / 1e6;
        REQUIRE(d >= 300);
        REQUIRE(d <= 1800);
        durations[std::min<size_t>(9, static_cast<size_t>((d - 300) / 150))] += 1;
        REQUIRE(x.magnitude >= 2);
        REQUIRE(x.magnitude <= 4);
        magnitudes[std::min<size_t>(9, static_cast<size_t>((x.magnitude - 2) / 0.2))] += 1;
    }
    check_poisson_count(double(w.size()), lambda * days);
    // The number per day is Poisson(per_day): 0..9 and 10 or more.
    std::vector<double> histogram(11, 0.0), pmf(11, 0.0);
    for (double n : per_day) histogram[std::min<size_t>(10, static_cast<size_t>(n))] += 1;
    double p = std::exp(-lambda), cumulative = 0;
    for (int k = 0; k < 10; ++k) {
        pmf[k] = p;
        cumulative += p;
        p *= lambda / (k + 1);
    }
    pmf[10] = 1 - cumulative;
    fixtures::check_fits(histogram, pmf);
    fixtures::check_fits(durations, std::vector<double>(10, 0.1));
    fixtures::check_fits(magnitudes, std::vector<double>(10, 0.1));
}

TEST_CASE("IncidentPlan: random outages each come with a recovery window", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"random_incidents": [
        {"kind": "outage", "per_day": 6, "duration": ["1 minute", "10 minutes"]},
        {"kind": "outage", "per_day": 3, "duration": "2 minutes", "recovery": {"magnitude": 2, "duration": "15 minutes"}}]})");
    IncidentPlan plan(sc, kNow, 8);
    const auto w = plan.take_started(kNow + 30 * kDay);
    std::map<Micros, IncidentWindow> recoveries;  // by start
    int outages = 0;
    for (const auto& x : w)
        if (x.kind == IncidentKind::Recovery) recoveries[x.start] = x;
    for (const auto& x : w) {
        if (x.kind != IncidentKind::Outage) continue;
        ++outages;
        CHECK(x.magnitude == 0);
        auto it = recoveries.find(x.end);
        if (it == recoveries.end()) {
            // Only a recovery that starts after the last instant asked for may be missing.
            CHECK(x.end > kNow + 30 * kDay);
            continue;
        }
        const IncidentWindow& r = it->second;
        const double d = double(x.end - x.start) / 1e6;
        if (d == 120) {  // the second kind (or, rarely, the first at exactly 2 minutes)
            CHECK(r.magnitude == 2);
            CHECK(r.end - r.start == 15 * kMinute);
        } else {
            CHECK(r.magnitude == dist::kRecoveryMagnitude);
            CHECK(r.end - r.start == x.end - x.start);
        }
    }
    check_poisson_count(outages, 9 * 30);
    CHECK(recoveries.size() >= size_t(outages) - 1);
}

TEST_CASE("IncidentPlan: random incidents are deterministic for a seed, however they are asked for", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"random_incidents": [
        {"kind": "slump", "per_day": 5, "duration": ["1 minute", "2 hours"], "magnitude": [0.1, 0.9]},
        {"kind": "spike", "per_day": 2, "duration": "10 minutes"}]})");
    auto key = [](const std::vector<IncidentWindow>& w) {
        std::vector<std::tuple<int, double, Micros, Micros>> out;
        for (const auto& x : w) out.emplace_back(int(x.kind), x.magnitude, x.start, x.end);
        return out;
    };
    const Micros end = kNow + 30 * kDay;
    IncidentPlan once(sc, kNow, 42);
    const auto all = key(once.take_started(end));
    REQUIRE(all.size() > 100);
    // In small steps, asking for multipliers in between: the same windows.
    IncidentPlan stepwise(sc, kNow, 42);
    std::vector<IncidentWindow> collected;
    for (Micros t = kNow; t <= end; t += 37 * kMinute) {
        stepwise.rate_multiplier(t + 5 * kHour);
        const auto w = stepwise.take_started(t);
        collected.insert(collected.end(), w.begin(), w.end());
    }
    const auto last = stepwise.take_started(end);
    collected.insert(collected.end(), last.begin(), last.end());
    CHECK(key(collected) == all);
    // Another seed, other windows; another start, the same windows shifted.
    IncidentPlan other(sc, kNow, 43);
    CHECK(key(other.take_started(end)) != all);
    IncidentPlan shifted(sc, kNow + kWeek, 42);
    auto moved = key(shifted.take_started(end + kWeek));
    for (auto& x : moved) {
        std::get<2>(x) -= kWeek;
        std::get<3>(x) -= kWeek;
    }
    CHECK(moved == all);
}

TEST_CASE("IncidentPlan::take_started hands out each window once, in start order", "[traffic][incidents]") {
    // Scheduled incidents listed out of order, an outage's recovery, and random ones.
    const Scenario sc = parse_scenario(R"({
        "incidents": [{"kind": "spike", "after": "3 hours", "duration": "1 hour"},
                      {"kind": "outage", "after": "1 hour", "duration": "30 minutes"},
                      {"kind": "checkout_failure", "at": "2023-11-15T00:00:00Z", "duration": "10 minutes"},
                      {"kind": "slump", "after": "1 hour", "duration": "5 minutes"}],
        "random_incidents": [{"kind": "slump", "per_day": 24, "duration": ["1 minute", "10 minutes"]}]})");
    IncidentPlan plan(sc, kNow, 5);
    std::vector<IncidentWindow> all;
    Micros previous = kNow - 1;
    for (Micros t = kNow; t <= kNow + 2 * kDay; t += 7 * kMinute) {
        const auto w = plan.take_started(t);
        for (const auto& x : w) {
            INFO("window starting " << x.start << " handed out at " << t << " (previous call " << previous << ")");
            CHECK(x.start <= t);
            CHECK(x.start > previous);  // handed out at the first call after it started, not later
            if (!all.empty()) CHECK(all.back().start <= x.start);
            all.push_back(x);
        }
        CHECK(plan.take_started(t).empty());  // once only
        previous = t;
    }
    // Everything that started is there, exactly once: the same as asking once.
    IncidentPlan once(sc, kNow, 5);
    const auto reference = once.take_started(previous);
    REQUIRE(all.size() == reference.size());
    std::multiset<std::tuple<Micros, Micros, int>> a, b;
    for (const auto& x : all) a.emplace(x.start, x.end, int(x.kind));
    for (const auto& x : reference) b.emplace(x.start, x.end, int(x.kind));
    CHECK(a == b);
    std::set<std::tuple<Micros, Micros, int>> unique(a.begin(), a.end());
    CHECK(unique.size() == a.size());
    int scheduled = 0;
    for (const auto& x : all) scheduled += std::string(x.origin) == "scheduled";
    CHECK(scheduled == 5);  // four incidents and the outage's recovery
    check_poisson_count(double(all.size() - 5), 24 * 2);
}

TEST_CASE("IncidentPlan: windows handed out act until they end; recorded ones are not handed out again", "[traffic][incidents]") {
    const Scenario sc = parse_scenario(R"({"incidents": [
        {"kind": "spike", "magnitude": 3, "after": "1 hour", "duration": "1 hour"},
        {"kind": "checkout_failure", "magnitude": 0.4, "after": "1 hour", "duration": "1 hour"}]})");
    IncidentPlan plan(sc, kNow, 1);
    IncidentEffect slump;
    slump.kind = IncidentKind::Slump;
    slump.magnitude = 0.5;
    plan.add(slump, kNow + 80 * kMinute, 1200, "injected", true);  // recorded before (a rebuilt plan)
    const auto w = plan.take_started(kNow + 90 * kMinute);
    REQUIRE(w.size() == 2);
    for (const auto& x : w) CHECK(std::string(x.origin) == "scheduled");
    CHECK(plan.rate_multiplier(kNow + 95 * kMinute) == 1.5);
    CHECK(plan.rate_multiplier(kNow + 100 * kMinute) == 3);
    CHECK(plan.checkout_failure(kNow + 100 * kMinute) == 0.4);
    CHECK(plan.take_started(kNow + 3 * kHour).empty());
    CHECK(plan.rate_multiplier(kNow + 3 * kHour) == 1);
    CHECK(plan.checkout_failure(kNow + 3 * kHour) == 0);
}

TEST_CASE("IncidentPlan and PoissonSchedule used as the worker does: batches, then take_started", "[traffic][incidents][schedule]") {
    const Scenario sc = parse_scenario(R"({"incidents": [
        {"kind": "spike", "magnitude": 3, "after": "1 hour", "duration": "1 hour"},
        {"kind": "outage", "after": "3 hours", "duration": "20 minutes"}]})");
    IncidentPlan plan(sc, kNow, 1);
    const Intensity m(WeeklyProfile(), &plan);
    const double rate = 2;
    PoissonSchedule s(rate, kNow, 121, &m);
    std::vector<Micros> all;
    size_t windows = 0;
    Rng r(122);
    for (Micros now = kNow; now < kNow + 5 * kHour;) {
        now += r.uniform_int(0, 2 * kMicrosPerSecond);
        for (;;) {
            const auto due = s.take_due(now, static_cast<size_t>(r.uniform_int(1, 20)), kForever);
            if (due.empty()) break;
            windows += plan.take_started(due.back()).size();
            all.insert(all.end(), due.begin(), due.end());
        }
    }
    CHECK(windows == 3);  // spike, outage, recovery
    check_poisson_count(count_in(all, kNow, kNow + kHour), rate * 3600);
    check_poisson_count(count_in(all, kNow + kHour, kNow + 2 * kHour), 3 * rate * 3600);
    check_poisson_count(count_in(all, kNow + 2 * kHour, kNow + 3 * kHour), rate * 3600);
    CHECK(count_in(all, kNow + 3 * kHour, kNow + 200 * kMinute) == 0);
    check_poisson_count(count_in(all, kNow + 200 * kMinute, kNow + 220 * kMinute), 1.5 * rate * 1200);
    check_poisson_count(count_in(all, kNow + 220 * kMinute, kNow + 5 * kHour), rate * 80 * 60);
}

TEST_CASE("CumulativeIntensity: times drawn by quantile follow the profile; nothing while closed", "[traffic]") {
    const TrafficSection t = traffic_of(R"({"traffic": {"profile": "business_hours"}})");
    const Intensity intensity(WeeklyProfile(t, fixed_zone(0)), nullptr);
    const Micros start = kMonday, end = kMonday + 2 * kWeek;
    const CumulativeIntensity shape(intensity, start, end);
    // Expected share per hour of the two weeks: the integral of m over the hour.
    std::vector<double> expected(14 * 24), observed(14 * 24, 0);
    for (size_t h = 0; h < expected.size(); ++h)
        expected[h] = intensity.integral(start + static_cast<Micros>(h) * kHour, start + static_cast<Micros>(h + 1) * kHour);
    Rng rng(31);
    Micros previous = start;
    for (int i = 0; i < fixtures::kDraws; ++i) {
        const Micros at = shape.quantile(rng.uniform());
        REQUIRE(at >= start);
        REQUIRE(at <= end);
        observed[static_cast<size_t>((at - start) / kHour)] += 1;
    }
    const auto r = fixtures::chi_square(observed, expected);  // closed hours must have zero count
    INFO(r.table);
    CHECK(r.statistic < r.critical);
    // Monotone in u, and quantile_after stays after its start and in the window.
    for (int k = 0; k <= 1000; ++k) {
        const Micros at = shape.quantile(k / 1000.0);
        CHECK(at >= previous);
        previous = at;
        const Micros from = start + rng.uniform_int(0, end - start);
        const Micros after = shape.quantile_after(from, rng.uniform());
        CHECK(after >= from);
        CHECK(after <= end);
    }
    // After the last opening of the window (Saturday 18:00 of week two) no traffic can come: uniform then.
    const Micros closed_from = local_time(12, 18, 0, 0);
    CHECK(shape.quantile_after(closed_from, 0.5) == closed_from + (end - closed_from) / 2);
}
