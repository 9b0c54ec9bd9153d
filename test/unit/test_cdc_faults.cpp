// faults.cdc: the parser (every error path names its JSON path, 22023, with a hint), the planner's
// rates (4 sigma) and cadence, and the live loop: no draw and no call without faults, the store's
// fault methods called with the planner's decisions otherwise.
#include <set>

#include <nlohmann/json.hpp>

#include "core/cdc_faults.hpp"
#include "core/live_loop.hpp"
#include "core/scenario.hpp"
#include "fixtures.hpp"

using namespace thelook;
using nlohmann::json;

namespace {

constexpr Micros kT0 = 1790000000LL * kMicrosPerSecond;

// 22023 naming the path, saying what is wrong (fixtures::check_error, once for each).
void rejects(const std::string& doc, const std::string& path, const std::string& what) {
    INFO("document: " << doc);
    fixtures::check_error([&] { parse_scenario(doc); }, "22023", path + ": ");
    fixtures::check_error([&] { parse_scenario(doc); }, "22023", what);
}

bool within_4_sigma(double observed, double expected, double sigma) {
    INFO(observed << " vs " << expected << " +- " << sigma);
    return std::abs(observed - expected) <= 4 * sigma;
}

}  // namespace

TEST_CASE("faults.cdc: off by default, parsed when given", "[cdc_faults]") {
    CHECK_FALSE(parse_scenario("{}").faults.cdc.any());
    CHECK_FALSE(parse_scenario(R"({"faults": {}})").faults.cdc.any());
    CHECK_FALSE(parse_scenario(R"({"faults": {"cdc": null}})").faults.cdc.any());
    CHECK_FALSE(parse_scenario(R"({"faults": {"cdc": {"account_deletions_per_hour": 0, "pk_update_rate": 0}}})").faults.cdc.any());
    const CdcFaults f = parse_scenario(R"({"faults": {"cdc": {"account_deletions_per_hour": 2.5,
        "purge_anonymous_sessions_after": "30 minutes", "pk_update_rate": 0.01}}})").faults.cdc;
    CHECK(f.any());
    CHECK(f.account_deletions_per_hour == 2.5);
    CHECK(f.purge_anonymous_sessions_after_seconds == 1800);
    CHECK(f.pk_update_rate == 0.01);
    CHECK(parse_cdc_faults(json{{"purge_anonymous_sessions_after", 90}}, "x").purge_anonymous_sessions_after_seconds == 90);
    const CdcFaults l = parse_cdc_faults(json::parse(R"({"large_transaction": {"every": "1 hour"}})"), "x");
    CHECK(l.any());
    CHECK(l.large_transaction_every_seconds == 3600);
    CHECK(l.large_transaction_orders == 100000);
    CHECK(parse_cdc_faults(json::parse(R"({"large_transaction": {"every": 60, "orders": 7}})"), "x").large_transaction_orders == 7);
    CHECK(parse_cdc_faults(json{{"purge_anonymous_sessions_after", nullptr}}, "x").purge_anonymous_sessions_after_seconds == 0);
}

TEST_CASE("faults.cdc: every error names its JSON path", "[cdc_faults]") {
    rejects(R"({"faults": 1})", "scenario.faults", "must be an object");
    rejects(R"({"faults": {"poison_pills": 1}})", "scenario.faults.poison_pills", "unknown key");
    rejects(R"({"faults": {"cdc": []}})", "scenario.faults.cdc", "must be a JSON object");
    rejects(R"({"faults": {"cdc": {"deletes": 1}}})", "scenario.faults.cdc.deletes", "unknown key");
    rejects(R"({"faults": {"cdc": {"account_deletions_per_hour": "2"}}})", "scenario.faults.cdc.account_deletions_per_hour", "must be a number");
    rejects(R"({"faults": {"cdc": {"account_deletions_per_hour": -1}}})", "scenario.faults.cdc.account_deletions_per_hour", ">= 0");
    rejects(R"({"faults": {"cdc": {"account_deletions_per_hour": 1e7}}})", "scenario.faults.cdc.account_deletions_per_hour", "at most");
    rejects(R"({"faults": {"cdc": {"purge_anonymous_sessions_after": "soon"}}})", "scenario.faults.cdc.purge_anonymous_sessions_after", "not a duration");
    rejects(R"({"faults": {"cdc": {"purge_anonymous_sessions_after": 0}}})", "scenario.faults.cdc.purge_anonymous_sessions_after", "positive");
    rejects(R"({"faults": {"cdc": {"purge_anonymous_sessions_after": true}}})", "scenario.faults.cdc.purge_anonymous_sessions_after", "duration");
    rejects(R"({"faults": {"cdc": {"pk_update_rate": 1.5}}})", "scenario.faults.cdc.pk_update_rate", "between 0 and 1");
    rejects(R"({"faults": {"cdc": {"pk_update_rate": -0.1}}})", "scenario.faults.cdc.pk_update_rate", ">= 0");
    rejects(R"({"faults": {"cdc": {"pk_update_rate": null}}})", "scenario.faults.cdc.pk_update_rate", "must be a number");
    rejects(R"({"faults": {"cdc": {"large_transaction": 5}}})", "scenario.faults.cdc.large_transaction", "must be a JSON object");
    rejects(R"({"faults": {"cdc": {"large_transaction": {"orders": 5}}}})", "scenario.faults.cdc.large_transaction.every", "is missing");
    rejects(R"({"faults": {"cdc": {"large_transaction": {"every": "1 hour", "rows": 5}}}})", "scenario.faults.cdc.large_transaction.rows", "unknown key");
    rejects(R"({"faults": {"cdc": {"large_transaction": {"every": "1 hour", "orders": 0}}}})", "scenario.faults.cdc.large_transaction.orders", ">= 1");
    rejects(R"({"faults": {"cdc": {"large_transaction": {"every": "1 hour", "orders": 2.5}}}})", "scenario.faults.cdc.large_transaction.orders", "whole number");
    rejects(R"({"faults": {"cdc": {"large_transaction": {"every": "1 hour", "orders": 1000001}}}})", "scenario.faults.cdc.large_transaction.orders", "whole number");
}

TEST_CASE("faults.cdc: the planner draws nothing when the faults are off", "[cdc_faults]") {
    Rng a(7), b(7);
    CdcFaultPlanner off;
    for (int i = 0; i < 1000; ++i) {
        const CdcDecision d = off.decide(kT0 + i * kMicrosPerSecond, a, IdFormat::Uuid4);
        CHECK_FALSE((!d.user_probes.empty() || d.purge || d.rekey_event));
    }
    CHECK(a.state() == b.state());
}

TEST_CASE("faults.cdc: account deletions follow their rate per simulated hour, whatever the gaps (4 sigma)", "[cdc_faults]") {
    CdcFaults f;
    f.account_deletions_per_hour = 30;
    for (double mean_gap : {0.5, 20.0}) {  // seconds between iterations: busy and quiet shops
        CdcFaultPlanner planner(f);
        Rng rng(3), gaps(4);
        Micros t = kT0;
        const Micros end = kT0 + 200 * 3600 * kMicrosPerSecond;  // 200 simulated hours
        int deletions = 0;
        std::set<std::string> probes;
        while (t < end) {
            const CdcDecision d = planner.decide(t, rng, IdFormat::Uuid4);
            deletions += static_cast<int>(d.user_probes.size());
            probes.insert(d.user_probes.begin(), d.user_probes.end());
            CHECK_FALSE(d.rekey_event);
            t += static_cast<Micros>(gaps.exponential(1 / mean_gap) * 1e6) + 1;
        }
        CHECK(within_4_sigma(deletions, 30 * 200, std::sqrt(30.0 * 200)));
        CHECK(probes.size() == static_cast<size_t>(deletions));
    }
}

TEST_CASE("faults.cdc: the first iteration deletes nothing, a gap back in time none, a long gap at most the cap", "[cdc_faults]") {
    CdcFaults f;
    f.account_deletions_per_hour = 1e6;
    CdcFaultPlanner planner(f);
    Rng rng(1);
    CHECK(planner.decide(kT0, rng, IdFormat::Uuid4).user_probes.empty());
    const size_t in_a_second = planner.decide(kT0 + kMicrosPerSecond, rng, IdFormat::Uuid4).user_probes.size();
    CHECK(within_4_sigma(static_cast<double>(in_a_second), 1e6 / 3600, std::sqrt(1e6 / 3600)));
    CHECK(planner.decide(kT0, rng, IdFormat::Uuid4).user_probes.empty());
    CHECK(planner.decide(kT0 + 3600 * kMicrosPerSecond, rng, IdFormat::Uuid4).user_probes.size() == kMaxDeletionsPerIteration);
}

TEST_CASE("faults.cdc: primary-key updates are a share of iterations (4 sigma), new ids in the simulation's format", "[cdc_faults]") {
    CdcFaults f;
    f.pk_update_rate = 0.02;
    for (IdFormat ids : {IdFormat::Uuid4, IdFormat::Uuid7}) {
        CdcFaultPlanner planner(f);
        Rng rng(5);
        int n = 0;
        for (int i = 0; i < fixtures::kDraws; ++i) {
            const Micros t = kT0 + i * kMicrosPerSecond;
            const CdcDecision d = planner.decide(t, rng, ids);
            if (!d.rekey_event) continue;
            ++n;
            REQUIRE(d.new_event_id.size() == 36);
            CHECK(d.new_event_id[14] == (ids == IdFormat::Uuid7 ? '7' : '4'));
            CHECK(d.event_probe != d.new_event_id);
        }
        CHECK(within_4_sigma(n, 0.02 * fixtures::kDraws, std::sqrt(0.02 * 0.98 * fixtures::kDraws)));
    }
}

TEST_CASE("faults.cdc: anonymous events are purged every sixtieth of their age, older than the age", "[cdc_faults]") {
    CdcFaults f;
    f.purge_anonymous_sessions_after_seconds = 1800;
    CdcFaultPlanner planner(f);
    CHECK(planner.purge_every() == 30 * kMicrosPerSecond);
    Rng rng(2), untouched(2);
    std::vector<Micros> passes;
    for (int i = 0; i < 300; ++i) {
        const Micros t = kT0 + i * kMicrosPerSecond;
        const CdcDecision d = planner.decide(t, rng, IdFormat::Uuid4);
        if (!d.purge) continue;
        passes.push_back(t);
        CHECK(d.purge_cutoff == t - 1800 * kMicrosPerSecond);
    }
    CHECK(passes.size() == 10);
    CHECK(passes.front() == kT0);
    CHECK(rng.state() == untouched.state());  // the purge draws nothing
    f.purge_anonymous_sessions_after_seconds = 10;
    CHECK(CdcFaultPlanner(f).purge_every() == kMicrosPerSecond);  // at least a second
}

TEST_CASE("faults.cdc: a large transaction every period of simulated time, the first a period after the start", "[cdc_faults]") {
    CdcFaults f;
    f.large_transaction_every_seconds = 3600;
    f.large_transaction_orders = 500;
    CdcFaultPlanner planner(f);
    Rng rng(9), untouched(9);
    std::vector<Micros> at;
    for (int i = 0; i <= 5 * 3600 + 100; i += 7) {
        const Micros t = kT0 + i * kMicrosPerSecond;
        const CdcDecision d = planner.decide(t, rng, IdFormat::Uuid4);
        if (d.large_transaction_orders == 0) continue;
        CHECK(d.large_transaction_orders == 500);
        at.push_back(t);
    }
    REQUIRE(at.size() == 5);
    for (size_t k = 1; k < at.size(); ++k) CHECK(at[k] - at[k - 1] >= 3600 * kMicrosPerSecond);
    CHECK(at[0] - kT0 < 3607 * kMicrosPerSecond);
    CHECK(rng.state() == untouched.state());  // a clock, no draw
}

namespace {
struct FaultStore : ShopStore {
    std::vector<PickedUser> users{PickedUser{"u1", Place{"A", "B", "C"}, "F"}};
    std::vector<std::string> deleted, rekeyed;
    std::vector<Micros> purges;
    std::vector<Purchase> purchases;
    std::vector<Micros> shipments;
    bool pick_user(const std::string&, PickedUser* out) override {
        *out = users[0];
        return true;
    }
    bool pick_open_order(const std::string&, PickedOrder*) override { return false; }
    void update_user_address(const std::string&, const Address&, Micros) override {}
    std::vector<ItemRef> update_order(const std::string&, OrderStatus, OrderStatus, const OrderTimes&) override { return {}; }
    void add(const User&) override {}
    void add(const Purchase& p) override { purchases.push_back(p); }
    void add(const std::vector<Event>&) override {}
    void add(const std::vector<FaultRecord>&) override {}
    int64_t delete_account(const std::string& probe) override {
        deleted.push_back(probe);
        return 1;
    }
    int64_t purge_anonymous_events(Micros cutoff, int64_t limit) override {
        CHECK(limit == kPurgeLimit);
        purges.push_back(cutoff);
        return 0;
    }
    bool rekey_event(const std::string& probe, const std::string& new_id) override {
        rekeyed.push_back(new_id);
        return true;
    }
    int64_t large_transaction(int64_t, Micros t) override {
        shipments.push_back(t);
        return 0;
    }
};
}  // namespace

TEST_CASE("faults.cdc in the live loop: the reference rows without faults, the store's fault methods with them", "[cdc_faults]") {
    fixtures::World w;
    SimulationParams p;
    EntityGenerator plain_gen(w.names, w.products, w.sampler, 17), off_gen(w.names, w.products, w.sampler, 17),
        on_gen(w.names, w.products, w.sampler, 17);
    LiveLoop plain(plain_gen, p), off(off_gen, p), on(on_gen, p);
    off.set_cdc_faults(parse_scenario("{}").faults.cdc);
    on.set_cdc_faults(parse_scenario(R"({"faults": {"cdc": {"account_deletions_per_hour": 360,
        "purge_anonymous_sessions_after": "1 hour", "pk_update_rate": 0.1}}})").faults.cdc);
    FaultStore a, b, c;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
        const Micros t = kT0 + i * kMicrosPerSecond;
        plain.iteration(t, 0, a);
        off.iteration(t, 0, b);
        on.iteration(t, 0, c);
    }
    REQUIRE(a.purchases.size() == b.purchases.size());
    for (size_t i = 0; i < a.purchases.size(); ++i) CHECK(a.purchases[i].order.id == b.purchases[i].order.id);
    CHECK(b.deleted.empty());
    CHECK(b.rekeyed.empty());
    CHECK(b.purges.empty());
    CHECK(within_4_sigma(static_cast<double>(c.deleted.size()), 360.0 * (n - 1) / 3600, std::sqrt(360.0 * (n - 1) / 3600)));
    CHECK(within_4_sigma(static_cast<double>(c.rekeyed.size()), 0.1 * n, std::sqrt(0.1 * 0.9 * n)));
    CHECK(c.purges.size() == static_cast<size_t>((n + 59) / 60));
}

TEST_CASE("faults.cdc with the row faults on: the store's fault methods still reach the store", "[cdc_faults][faults]") {
    // The row faults draw from a stream of their own, so the CDC decisions are those of a run
    // without them, and every CDC operation reaches the store.
    fixtures::World w;
    SimulationParams p;
    const Scenario s = parse_scenario(R"({"faults": {"cdc": {"account_deletions_per_hour": 360,
        "purge_anonymous_sessions_after": "1 hour", "pk_update_rate": 0.1, "large_transaction": {"every": "10 minutes"}},
        "bad_records": {"rate": 0.05}, "duplicate_events": {"share": 0.05}}})");
    EntityGenerator g1(w.names, w.products, w.sampler, 17), g2(w.names, w.products, w.sampler, 17);
    LiveLoop cdc_only(g1, p), both(g2, p);
    cdc_only.set_cdc_faults(s.faults.cdc);
    both.set_cdc_faults(s.faults.cdc);
    FaultInjector injector(s.faults, 5, IdFormat::Uuid4);
    both.set_faults(&injector);
    FaultStore a, b;
    for (int i = 0; i < 2000; ++i) {
        const Micros t = kT0 + i * kMicrosPerSecond;
        cdc_only.iteration(t, 0, a);
        both.iteration(t, 0, b);
    }
    CHECK(!a.deleted.empty());
    CHECK(b.deleted == a.deleted);
    CHECK(b.rekeyed == a.rekeyed);
    CHECK(b.purges == a.purges);
    CHECK(!a.shipments.empty());
    CHECK(b.shipments == a.shipments);
}
