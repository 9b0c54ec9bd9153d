// Snapshots of everything that holds random state in a live simulation (Rng, PoissonSchedule,
// IncidentPlan, the entity generator's stream) and their JSON form: a restored object continues
// exactly as the original would have, which is what lets a simulation resume after a crash with
// no iteration lost and none written twice.
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/entity_generator.hpp"
#include "core/progress.hpp"
#include "core/rate_schedule.hpp"
#include "core/scenario.hpp"
#include "core/traffic.hpp"
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kNow;

namespace {
constexpr size_t kAll = std::numeric_limits<size_t>::max();
constexpr Micros kForever = std::numeric_limits<Micros>::max();
constexpr Micros kSecond = kMicrosPerSecond;

ZoneRules utc() {
    ZoneRules z;
    z.offsets_seconds = {0};
    return z;
}

// A scenario's traffic as the worker holds it: the plan, and an intensity reading it.
struct Traffic {
    IncidentPlan plan;
    Intensity intensity;
    Traffic(const Scenario& sc, Micros start, uint64_t seed) : plan(sc, start, seed) {
        intensity = Intensity(WeeklyProfile(sc.traffic, utc()), &plan);
    }
    Traffic(const Traffic&) = delete;
};

const char* kBusyScenario = R"({"traffic": {"profile": "retail"},
    "incidents": [{"kind": "outage", "after": "2 hours", "duration": "20 minutes"}],
    "random_incidents": [{"kind": "spike", "per_day": 12, "magnitude": [2, 4], "duration": ["5 minutes", "1 hour"]},
                         {"kind": "checkout_failure", "per_day": 6, "duration": ["10 minutes", "30 minutes"]}]})";

void check_same(const PoissonSchedule::Snapshot& a, const PoissonSchedule::Snapshot& b) {
    CHECK(a.rate == b.rate);
    CHECK(a.rng == b.rng);
    CHECK(a.next == b.next);
    CHECK(a.start == b.start);
    CHECK(a.next_exact == b.next_exact);
    CHECK(a.taken == b.taken);
    CHECK(a.pieces == b.pieces);
}
}  // namespace

TEST_CASE("Rng: restore(state()) continues the same sequence", "[progress]") {
    Rng a(123);
    for (int i = 0; i < 1000; ++i) a.next_u64();
    Rng b(999);
    b.restore(a.state());
    for (int i = 0; i < 10000; ++i) REQUIRE(a.next_u64() == b.next_u64());
    CHECK(a.state() == b.state());
}

TEST_CASE("PoissonSchedule: a restored schedule gives the same arrivals (constant rate)", "[progress]") {
    PoissonSchedule original(350.0, kNow, 17);
    original.take_due(kNow + 7 * kSecond, 200, 100000);  // part-way, as a worker would
    original.take_due(kNow + 9 * kSecond, 37, 100000);
    const PoissonSchedule::Snapshot snap = original.snapshot();

    PoissonSchedule restored(1.0, kNow - 1000 * kSecond, 4242);  // anything: restore overwrites it
    restored.restore(snap, nullptr);
    check_same(restored.snapshot(), snap);
    CHECK(restored.next_arrival() == original.next_arrival());
    CHECK(restored.taken() == original.taken());
    const auto a = original.take_due(kNow + 600 * kSecond, kAll, kForever);
    const auto b = restored.take_due(kNow + 600 * kSecond, kAll, kForever);
    REQUIRE(a.size() > 100000);
    CHECK(a == b);
}

TEST_CASE("PoissonSchedule and IncidentPlan: restored from JSON, a profiled schedule with incidents continues exactly",
          "[progress]") {
    const Scenario sc = parse_scenario(kBusyScenario);
    Traffic t1(sc, kNow, 77);
    PoissonSchedule s1(5.0, kNow, 78, &t1.intensity);
    // Half a simulated day, in transactions, with the incidents handed out as the worker does.
    std::vector<IncidentWindow> recorded1;
    Micros now = kNow;
    for (; now < kNow + 12 * 3600 * kSecond; now += 30 * kSecond) {
        auto due = s1.take_due(now, 200, 60 * kSecond);
        if (!due.empty())
            for (auto& w : t1.plan.take_started(due.back())) recorded1.push_back(w);
    }
    // A retune part-way (alter_simulation), so that the pieces matter.
    s1.retune(now, 8.0, &t1.intensity);

    SimulationProgress p;
    p.schedule = s1.snapshot();
    p.incidents = t1.plan.snapshot();
    const SimulationProgress back = progress_from_json(progress_to_json(p));
    check_same(back.schedule, p.schedule);

    Traffic t2(sc, kNow - 99 * kSecond, 1);  // the same scenario, any start and seed
    t2.plan.restore(back.incidents);
    PoissonSchedule s2(1.0, 0, 2, &t2.intensity);
    s2.restore(back.schedule, &t2.intensity);

    std::vector<Micros> a, b;
    std::vector<std::string> wa, wb;
    for (Micros until = now; until < now + 3 * 86400 * kSecond; until += 45 * kSecond) {
        auto da = s1.take_due(until, 200, 60 * kSecond);
        auto db = s2.take_due(until, 200, 60 * kSecond);
        a.insert(a.end(), da.begin(), da.end());
        b.insert(b.end(), db.begin(), db.end());
        if (!da.empty())
            for (auto& w : t1.plan.take_started(da.back()))
                wa.push_back(std::string(incident_kind_name(w.kind)) + "@" + std::to_string(w.start) + "x" +
                             std::to_string(w.magnitude) + w.origin);
        if (!db.empty())
            for (auto& w : t2.plan.take_started(db.back()))
                wb.push_back(std::string(incident_kind_name(w.kind)) + "@" + std::to_string(w.start) + "x" +
                             std::to_string(w.magnitude) + w.origin);
        CHECK(t1.intensity.checkout_failure(until) == t2.intensity.checkout_failure(until));
    }
    REQUIRE(a.size() > 1000);
    CHECK(a == b);
    REQUIRE(wa.size() > 10);
    CHECK(wa == wb);
    CHECK(s1.scheduled_by(now + 4 * 86400 * kSecond) == s2.scheduled_by(now + 4 * 86400 * kSecond));
}

TEST_CASE("IncidentPlan: windows handed out before a snapshot are not handed out again", "[progress]") {
    const Scenario sc = parse_scenario(kBusyScenario);
    IncidentPlan plan(sc, kNow, 5);
    plan.add(IncidentEffect{IncidentKind::Spike, 3, 0, -1}, kNow + 60 * kSecond, 600, "injected");
    const auto first = plan.take_started(kNow + 3 * 3600 * kSecond);
    REQUIRE(first.size() >= 2);  // the injected spike and the outage (with its recovery) at least
    IncidentPlan restored(sc, kNow, 6);
    restored.restore(progress_from_json(progress_to_json(SimulationProgress{{}, {}, plan.snapshot()})).incidents);
    const auto later_a = plan.take_started(kNow + 40 * 3600 * kSecond);
    const auto later_b = restored.take_started(kNow + 40 * 3600 * kSecond);
    REQUIRE(later_a.size() == later_b.size());
    for (size_t i = 0; i < later_a.size(); ++i) {
        CHECK(later_a[i].start == later_b[i].start);
        CHECK(later_a[i].end == later_b[i].end);
        CHECK(later_a[i].magnitude == later_b[i].magnitude);
        CHECK(std::string(later_a[i].origin) == later_b[i].origin);
        for (const auto& f : first) CHECK_FALSE((f.start == later_b[i].start && f.kind == later_b[i].kind));
    }
}

TEST_CASE("IncidentPlan: restoring a snapshot of another scenario's plan is refused", "[progress]") {
    IncidentPlan busy(parse_scenario(kBusyScenario), kNow, 1);
    IncidentPlan plain(parse_scenario("{}"), kNow, 1);
    fixtures::check_error([&] { plain.restore(busy.snapshot()); }, "XX001", "does not match the scenario");
}

TEST_CASE("EntityGenerator: a generator restored from the stream state makes the same entities", "[progress]") {
    fixtures::World w;
    EntityGenerator a(w.names, w.products, w.sampler, 31);
    for (int i = 0; i < 500; ++i) a.new_purchase("u", Place{}, kNow);
    SimulationProgress p;
    p.entity_rng = a.rng().state();
    EntityGenerator b(w.names, w.products, w.sampler, 1);
    b.rng().restore(progress_from_json(progress_to_json(p)).entity_rng);
    for (int i = 0; i < 200; ++i) {
        const Purchase pa = a.new_purchase("u", Place{"c", "s", "p"}, kNow + i);
        const Purchase pb = b.new_purchase("u", Place{"c", "s", "p"}, kNow + i);
        REQUIRE(pa.order.id == pb.order.id);
        REQUIRE(pa.items.size() == pb.items.size());
        for (size_t k = 0; k < pa.items.size(); ++k) {
            CHECK(pa.items[k].id == pb.items[k].id);
            CHECK(pa.items[k].product_id == pb.items[k].product_id);
            CHECK(pa.items[k].quantity == pb.items[k].quantity);
        }
        REQUIRE(pa.events.size() == pb.events.size());
        for (size_t k = 0; k < pa.events.size(); ++k) CHECK(pa.events[k].id == pb.events[k].id);
        const User ua = a.new_user(kNow), ub = b.new_user(kNow);
        CHECK(ua.id == ub.id);
        CHECK(ua.email == ub.email);
    }
}

TEST_CASE("PoissonSchedule::skip_to drops the arrivals due during a downtime and continues after it", "[progress]") {
    PoissonSchedule s(100.0, kNow, 3);
    s.take_due(kNow + 5 * kSecond, kAll, kForever);
    const uint64_t taken = s.taken();
    const Micros back = kNow + 3600 * kSecond;  // an hour down
    const uint64_t skipped = s.skip_to(back);
    CHECK(std::fabs(static_cast<double>(skipped) - 100.0 * 3595) < 4 * std::sqrt(100.0 * 3595));
    CHECK(s.next_arrival() > back);
    CHECK(s.taken() == taken);  // skipped arrivals are not iterations
    CHECK(s.skip_to(back) == 0);  // nothing more is due
    // Deterministic: the same state skipped to the same time gives the same future.
    PoissonSchedule t(1.0, 0, 0);
    PoissonSchedule u(100.0, kNow, 3);
    u.take_due(kNow + 5 * kSecond, kAll, kForever);
    t.restore(u.snapshot(), nullptr);
    t.skip_to(back);
    CHECK(t.next_arrival() == s.next_arrival());
    // And the rate after it is the schedule's rate.
    const auto after = s.take_due(back + 60 * kSecond, kAll, kForever);
    CHECK(std::fabs(static_cast<double>(after.size()) - 6000) < 4 * std::sqrt(6000.0));
}

TEST_CASE("progress JSON: extreme values survive, and a damaged document is refused with XX001", "[progress]") {
    SimulationProgress p;
    p.entity_rng = {0, 1, std::numeric_limits<uint64_t>::max(), 0x8000000000000000ULL};
    p.schedule.rate = 1.0 / 3.0;
    p.schedule.next = kNever;
    p.schedule.next_exact = INFINITY;
    p.schedule.start = kNoTime;
    p.schedule.taken = std::numeric_limits<uint64_t>::max();
    p.schedule.pieces = {{0.1, 1e-300}, {1e300, 0}};
    p.clock_wall = -5;
    p.clock_sim = std::numeric_limits<int64_t>::max();
    p.traffic_builds = 7;
    p.injected.push_back(InjectedIncidentSpec{IncidentEffect{IncidentKind::Outage, 0, 1.5, -1}, kNow, 0.000001});
    const SimulationProgress q = progress_from_json(progress_to_json(p));
    CHECK(q.entity_rng == p.entity_rng);
    check_same(q.schedule, p.schedule);
    CHECK(q.clock_wall == p.clock_wall);
    CHECK(q.clock_sim == p.clock_sim);
    CHECK(q.traffic_builds == 7);
    REQUIRE(q.injected.size() == 1);
    CHECK(q.injected[0].effect.kind == IncidentKind::Outage);
    CHECK(q.injected[0].effect.recovery_magnitude == 1.5);
    CHECK(q.injected[0].duration_seconds == 0.000001);
    // Many doubles: the text form gives each one back bit for bit.
    Rng r(8);
    for (int i = 0; i < 2000; ++i) {
        SimulationProgress x;
        x.schedule.next_exact = r.uniform() * std::pow(10.0, r.uniform_int(-30, 30));
        CHECK(progress_from_json(progress_to_json(x)).schedule.next_exact == x.schedule.next_exact);
    }
    fixtures::check_error([] { progress_from_json("{\"version\": 1}"); }, "XX001", "progress");
    fixtures::check_error([] { progress_from_json("not json"); }, "XX001", "progress");
    fixtures::check_error([] { progress_from_json("{\"version\": 2}"); }, "XX001", "unknown version");
}

TEST_CASE("counters JSON: round trip, and missing keys count 0", "[progress]") {
    SimulationCounters c;
    c.scheduled = 5;
    c.events_deleted = 1LL << 40;
    c.heartbeats = 3;
    const SimulationCounters d = counters_from_json(counters_to_json(c));
    CHECK(d.scheduled == 5);
    CHECK(d.events_deleted == (1LL << 40));
    CHECK(d.heartbeats == 3);
    const SimulationCounters e = counters_from_json("{\"iterations_unknown\": 4, \"orders_inserted\": 9}");
    CHECK(e.orders_inserted == 9);
    CHECK(e.users_inserted == 0);
}

TEST_CASE("progress JSON: the fault injector's state and the CDC clocks round-trip; older progress has neither", "[progress]") {
    SimulationProgress p;
    p.has_faults = true;
    p.faults.rng = {1, 2, 3, ~0ULL};
    p.faults.next_seq = 99;
    p.cdc = CdcFaultPlanner::Clocks{5, kNoTime, 7};
    const SimulationProgress back = progress_from_json(progress_to_json(p));
    CHECK(back.has_faults);
    CHECK(back.faults.rng == p.faults.rng);
    CHECK(back.faults.next_seq == 99);
    CHECK(back.cdc.previous == 5);
    CHECK(back.cdc.last_purge == kNoTime);
    CHECK(back.cdc.last_large == 7);
    nlohmann::json old = nlohmann::json::parse(progress_to_json(SimulationProgress{}));
    old.erase("faults");
    old.erase("cdc");
    const SimulationProgress before = progress_from_json(old.dump());
    CHECK_FALSE(before.has_faults);
    CHECK(before.cdc.previous == kNoTime);
}

TEST_CASE("CdcFaultPlanner: restored clocks decide as the uninterrupted planner", "[progress][cdc]") {
    CdcFaults f;
    f.account_deletions_per_hour = 3600;
    f.purge_anonymous_sessions_after_seconds = 10;
    f.large_transaction_every_seconds = 5;
    f.pk_update_rate = 0.1;
    CdcFaultPlanner a(f), b(f);
    Rng ra(3), rb(3);
    auto same = [](const CdcDecision& x, const CdcDecision& y) {
        return x.user_probes == y.user_probes && x.purge == y.purge && x.purge_cutoff == y.purge_cutoff &&
               x.rekey_event == y.rekey_event && x.event_probe == y.event_probe && x.large_transaction_orders == y.large_transaction_orders;
    };
    int differ = 0;
    for (int i = 0; i < 5000; ++i) {
        const Micros t = kNow + i * 300000;
        if (i % 500 == 0) {  // b is a new planner restored from a's saved clocks (via JSON)
            SimulationProgress p;
            p.cdc = b.clocks();
            CdcFaultPlanner fresh(f);
            fresh.set_clocks(progress_from_json(progress_to_json(p)).cdc);
            b = fresh;
        }
        differ += !same(a.decide(t, ra, IdFormat::Uuid4), b.decide(t, rb, IdFormat::Uuid4));
    }
    CHECK(differ == 0);
}
