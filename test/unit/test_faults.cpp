// The scenario's faults section: its parser (every error path), the injector's rates (4 sigma),
// what each defect does to its column, duplicates and late events, and that the rows it leaves
// alone are the reference's.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/faults.hpp"
#include "core/live_loop.hpp"
#include "core/scenario.hpp"
#include "fake_store.hpp"
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kNow;
using nlohmann::json;
using thelook::testing::FakeStore;

namespace {

FaultsSection faults_of(const json& j) { return parse_scenario(json{{"faults", j}}.dump()).faults; }

void check_error(const json& faults, const std::string& path_and_message) {
    try {
        faults_of(faults);
        FAIL("no error for " << faults.dump());
    } catch (const Error& e) {
        CHECK(e.sqlstate() == std::string("22023"));
        CHECK_THAT(std::string(e.what()), ContainsSubstring(path_and_message));
        CHECK(!e.hint().empty());
    }
}

// Within 4 sigma of a binomial(n, p).
void check_share(double count, double n, double p) {
    const double sigma = std::sqrt(n * p * (1 - p));
    INFO("count " << count << " of " << n << ", expected " << n * p << " +- 4 x " << sigma);
    CHECK(std::abs(count - n * p) <= 4 * sigma);
}

Event event(int i) {
    Event e;
    e.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(i).size(), '0') + std::to_string(i);
    e.user_id = i % 3 ? "11111111-1111-4111-8111-111111111111" : "";
    e.sequence_number = 1 + i % 5;
    e.session_id = "22222222-2222-4222-8222-222222222222";
    e.ip_address = "10.0.0.1";
    e.city = "Zürich";
    e.state = "ZH";
    e.postal_code = "8001";
    e.browser = "Chrome";
    e.traffic_source = "Email";
    e.uri = "/product/42";
    e.event_type = "product";
    e.created_at = kNow;
    return e;
}

}  // namespace

TEST_CASE("faults: an absent or empty section injects nothing", "[faults]") {
    CHECK_FALSE(parse_scenario("{}").faults.any());
    CHECK_FALSE(faults_of(json::object()).any());
    const FaultsSection f = faults_of({{"bad_records", {{"rate", 0.01}}}});
    CHECK(f.any());
    for (double r : f.bad_records.rate) CHECK(r == 0.01);
    const FaultsSection t = faults_of({{"bad_records", {{"rate", 0.01}, {"tables", {{"events", 0.2}}}}}});
    CHECK(t.bad_records.rate[static_cast<int>(FaultTable::Events)] == 0.2);
    CHECK(t.bad_records.rate[static_cast<int>(FaultTable::Users)] == 0.01);
    const FaultsSection l = faults_of({{"late_events", {{"share", 0.1}, {"median", "5 minutes"}, {"max", "2 hours"}}}});
    CHECK(l.late_events.median_seconds == 300);
    CHECK(l.late_events.max_seconds == 7200);
}

TEST_CASE("faults: every error names its JSON path and has a hint", "[faults]") {
    check_error(json::array(), "scenario.faults: must be an object");
    check_error({{"poison", 1}}, "scenario.faults");
    check_error({{"bad_records", 0.01}}, "scenario.faults.bad_records: must be an object");
    check_error({{"bad_records", {{"rate", 1.5}}}}, "scenario.faults.bad_records.rate: must be between 0 and 1");
    check_error({{"bad_records", {{"rate", "x"}}}}, "scenario.faults.bad_records.rate");
    check_error({{"bad_records", {{"tables", {{"products", 0.1}}}}}}, "scenario.faults.bad_records.tables");
    check_error({{"bad_records", {{"tables", 0.1}}}}, "scenario.faults.bad_records.tables: must be an object");
    check_error({{"bad_records", {{"kinds", json::array()}}}}, "scenario.faults.bad_records.kinds: must be a non-empty array");
    check_error({{"bad_records", {{"kinds", {"null_required", "typo"}}}}}, "scenario.faults.bad_records.kinds[1]: unknown defect kind");
    check_error({{"bad_records", {{"volume", 1}}}}, "scenario.faults.bad_records");
    check_error({{"late_events", {{"share", -0.1}}}}, "scenario.faults.late_events.share: must be between 0 and 1");
    check_error({{"late_events", {{"median", 0}}}}, "scenario.faults.late_events.median");
    check_error({{"late_events", {{"min", "2 hours"}, {"max", "1 hour"}}}}, "scenario.faults.late_events.min: must not be longer than max");
    check_error({{"late_events", {{"sigma", -1}}}}, "scenario.faults.late_events.sigma");
    check_error({{"late_events", "often"}}, "scenario.faults.late_events: must be an object");
    check_error({{"duplicate_events", {{"share", 2}}}}, "scenario.faults.duplicate_events.share: must be between 0 and 1");
    check_error({{"duplicate_events", {{"copies", 2}}}}, "scenario.faults.duplicate_events");
}

TEST_CASE("faults: the defect catalogue names every kind, and parse_defect reads the names back", "[faults]") {
    std::set<std::string> kinds;
    for (const DefectColumn& c : defect_columns()) kinds.insert(defect_name(c.defect));
    CHECK(kinds.size() == static_cast<size_t>(kDefects));
    for (int d = 0; d < kDefects; ++d) {
        Defect back;
        REQUIRE(parse_defect(defect_name(static_cast<Defect>(d)), &back));
        CHECK(static_cast<int>(back) == d);
    }
}

TEST_CASE("faults: bad events come at the configured rate, one listed defect each, of the allowed kinds", "[faults]") {
    FaultsSection s = faults_of({{"bad_records", {{"rate", 0.03}}}});
    FaultInjector f(s, 7, IdFormat::Uuid4);
    const int n = fixtures::kDraws;
    std::vector<FaultRecord> truth;
    std::map<std::string, double> by_kind;
    int changed = 0;
    for (int i = 0; i < n; ++i) {
        const Event clean = event(i);
        Event e = clean;
        const size_t before = truth.size();
        f.corrupt(e, &truth);
        const bool listed = truth.size() > before;
        const bool differs = e.nulls != 0 || e.user_id != clean.user_id || e.sequence_number != clean.sequence_number ||
                             e.session_id != clean.session_id || e.city != clean.city || e.browser != clean.browser ||
                             e.traffic_source != clean.traffic_source || e.uri != clean.uri || e.created_at != clean.created_at;
        changed += differs;
        if (listed != differs) FAIL("row " << i << ": listed " << listed << ", changed " << differs);
        if (listed) {
            const FaultRecord& r = truth.back();
            CHECK(r.row_id == e.id);
            by_kind[r.kind]++;
            if (r.kind == "null_required") CHECK(e.nulls != 0);
            if (r.kind == "orphan_foreign_key") CHECK((!clean.user_id.empty() && e.user_id != clean.user_id));
            if (r.kind == "malformed_uri") CHECK(e.uri[0] != '/');
            if (r.kind == "timestamp_out_of_range") CHECK((e.created_at == 0 || e.created_at > kNow + 36000LL * 86400 * kMicrosPerSecond));
            if (r.kind == "non_positive_number") CHECK(e.sequence_number <= 0);
        }
    }
    check_share(changed, n, 0.03);
    // Events can have 8 kinds (not invalid_email); each comes up (uniform draw, about 1/8 each).
    CHECK(by_kind.size() == 8);
    CHECK_FALSE(by_kind.count("invalid_email"));

    FaultsSection only = faults_of({{"bad_records", {{"rate", 0.5}, {"kinds", {"malformed_uri"}}}}});
    FaultInjector g(only, 8, IdFormat::Uuid4);
    std::vector<FaultRecord> t2;
    for (int i = 0; i < 1000; ++i) {
        Event e = event(i);
        g.corrupt(e, &t2);
    }
    for (const FaultRecord& r : t2) CHECK(r.kind == "malformed_uri");
    // A kind that does not fit the table leaves its rows alone.
    FaultsSection email = faults_of({{"bad_records", {{"rate", 1}, {"kinds", {"invalid_email"}}}}});
    FaultInjector h(email, 9, IdFormat::Uuid4);
    std::vector<FaultRecord> t3;
    Event e = event(1);
    h.corrupt(e, &t3);
    CHECK(t3.empty());
}

TEST_CASE("faults: a control character never splits a UTF-8 character", "[faults]") {
    FaultsSection s = faults_of({{"bad_records", {{"rate", 1}, {"kinds", {"stray_whitespace"}}}}});
    FaultInjector f(s, 3, IdFormat::Uuid4);
    std::vector<FaultRecord> truth;
    for (int i = 0; i < 2000; ++i) {
        Event e = event(i);
        e.city = "Zürich-Öst";
        f.corrupt(e, &truth);
        for (size_t k = 0; k + 1 < e.city.size(); ++k)
            if (e.city[k + 1] == '\x01') CHECK((static_cast<unsigned char>(e.city[k]) & 0xC0) != 0xC0);
    }
}

TEST_CASE("faults: duplicates and late events come at their shares; late ones arrive after their lag", "[faults]") {
    FaultsSection s = faults_of({{"duplicate_events", {{"share", 0.02}}},
                                 {"late_events", {{"share", 0.05}, {"median", "10 minutes"}, {"min", "1 minute"}, {"max", "6 hours"}}}});
    FaultInjector f(s, 11, IdFormat::Uuid4);
    const int n = fixtures::kDraws;
    std::vector<Event> batch;
    for (int i = 0; i < n; ++i) batch.push_back(event(i));
    std::vector<FaultRecord> truth;
    const std::vector<Event> now = f.deliver(batch, kNow, &truth);
    std::map<std::string, int> kinds;
    for (const FaultRecord& r : truth) kinds[r.kind]++;
    CHECK(kinds["late_event"] == 0);  // the late ones' truth comes with them
    const double duplicates = kinds["duplicate_event"] + 0.0;
    const double written = static_cast<double>(now.size() + f.held());
    std::vector<FaultRecord> late_truth;
    std::vector<Event> early = f.release(kNow + 59 * kMicrosPerSecond, &late_truth);
    CHECK(early.empty());  // min 1 minute
    std::vector<Event> late = f.release(kNow + 6 * 3600 * kMicrosPerSecond, &late_truth);
    CHECK(f.held() == 0);
    std::vector<double> lags;
    int late_duplicates = 0;
    for (const FaultRecord& r : late_truth) {
        if (r.kind == "late_event") lags.push_back(std::stod(r.detail));
        if (r.kind == "duplicate_event") ++late_duplicates;
    }
    CHECK(written == n + duplicates + late_duplicates);
    check_share(duplicates + late_duplicates, n, 0.02);
    check_share(static_cast<double>(late.size()), written, 0.05);
    CHECK(lags.size() == late.size());
    std::sort(lags.begin(), lags.end());
    CHECK(lags.front() >= 60);
    CHECK(lags.back() <= 6 * 3600);
    // Lognormal, median 600 s: the sample median of ~5000 within 10 %.
    const double median = lags[lags.size() / 2];
    CHECK(median > 540);
    CHECK(median < 660);
    // A duplicate is its original with a new id.
    std::map<std::string, const Event*> by_id;
    for (const Event& e : now) by_id[e.id] = &e;
    for (const Event& e : late) by_id[e.id] = &e;
    int checked = 0;
    for (const auto& list : {truth, late_truth})
        for (const FaultRecord& r : list) {
            if (r.kind != "duplicate_event") continue;
            const Event* copy = by_id[r.row_id];
            const Event* original = by_id[r.detail];
            REQUIRE(copy);
            REQUIRE(original);
            CHECK(copy->id != original->id);
            CHECK(copy->session_id == original->session_id);
            CHECK(copy->sequence_number == original->sequence_number);
            CHECK(copy->created_at == original->created_at);
            CHECK(copy->uri == original->uri);
            ++checked;
        }
    CHECK(checked == duplicates + late_duplicates);
}

TEST_CASE("faults: the live loop writes the reference's rows apart from the listed ones", "[faults]") {
    fixtures::World w;
    SimulationParams p;
    auto run = [&](FaultInjector* f, FakeStore& store) {
        EntityGenerator gen(w.names, w.products, w.sampler, 5);
        LiveLoop loop(gen, p);
        loop.set_faults(f);
        for (int i = 0; i < 2000; ++i) loop.iteration(kNow + i * kMicrosPerSecond, 0, store);
    };
    FakeStore reference, off, bad;
    run(nullptr, reference);
    FaultInjector none(FaultsSection{}, 1, IdFormat::Uuid4);
    run(&none, off);
    FaultInjector some(faults_of({{"bad_records", {{"rate", 0.05}}}}), 1, IdFormat::Uuid4);
    run(&some, bad);
    REQUIRE(reference.purchases.size() == off.purchases.size());
    REQUIRE(reference.purchases.size() == bad.purchases.size());
    CHECK(off.truth.empty());
    std::set<std::string> listed;
    for (const FaultRecord& r : bad.truth) listed.insert(r.row_id);
    CHECK(listed.size() == bad.truth.size());
    CHECK(!listed.empty());
    int same = 0, differ = 0;
    for (size_t i = 0; i < reference.purchases.size(); ++i) {
        const Order& a = reference.purchases[i].order;
        const Order& b = bad.purchases[i].order;
        CHECK(a.id == b.id);
        const bool equal = a.user_id == b.user_id && a.num_of_items == b.num_of_items && a.nulls == b.nulls &&
                           b.bad_status.empty() && a.times.created_at == b.times.created_at;
        if (equal) ++same; else ++differ;
        CHECK(equal == !listed.count(b.id));
        CHECK(off.purchases[i].order.id == a.id);
    }
    check_share(differ, same + differ, 0.05);
}

// Exactly once: a simulation that commits (state, held changes), fails a transaction (roll_back) or
// resumes from what it committed (restore from the JSON rows) delivers what an uninterrupted run does.
TEST_CASE("faults: the injector's state and held events, committed, rolled back and restored, give the uninterrupted stream", "[faults][progress]") {
    const FaultsSection s = faults_of({{"bad_records", {{"rate", 0.05}}}, {"duplicate_events", {{"share", 0.05}}},
                                       {"late_events", {{"share", 0.2}, {"median", "30 seconds"}, {"min", "1 second"}, {"max", "2 minutes"}}}});
    auto delivery = [](int k) {
        std::vector<Event> b;
        for (int i = 0; i < 5; ++i) b.push_back(event(k * 5 + i));
        return b;
    };
    // What reaches the table, transaction by transaction (10 deliveries a second, 20 per transaction).
    auto log_of = [](std::vector<Event> events, std::vector<FaultRecord> truth) {
        std::string out;
        for (const Event& e : events) out += e.id + "/" + e.session_id + "/" + std::to_string(e.nulls) + ";";
        for (const FaultRecord& r : truth) out += r.table + r.row_id + r.kind + r.detail + ";";
        return out;
    };
    auto step = [&](FaultInjector& f, int k) {
        const Micros t = kNow + k * kMicrosPerSecond / 10;
        std::vector<FaultRecord> truth;
        std::vector<Event> out = f.release(t, &truth);
        for (Event& e : f.deliver(delivery(k), t, &truth)) out.push_back(std::move(e));
        return log_of(out, truth);
    };
    const int n = 2000;
    std::string uninterrupted;
    {
        FaultInjector f(s, 77, IdFormat::Uuid4);
        for (int k = 0; k < n; ++k) uninterrupted += step(f, k);
    }
    // The same with a commit every 20 deliveries, a failed transaction (rolled back, then retried)
    // every 7th, and a restart from the committed rows every 30th: the table the commits keep.
    std::map<uint64_t, std::string> table;  // seq -> held_event_to_json
    FaultInjector::State committed_state;
    auto f = std::make_unique<FaultInjector>(s, 77, IdFormat::Uuid4);
    committed_state = f->state();
    std::string resumed;
    int k = 0, transactions = 0, rollbacks = 0, restarts = 0;
    while (k < n) {
        std::string written;
        const int end = std::min(n, k + 20);
        for (int i = k; i < end; ++i) written += step(*f, i);
        ++transactions;
        if (transactions % 7 == 0) {
            f->roll_back(committed_state);
            ++rollbacks;
            continue;  // nothing written: retried
        }
        for (uint64_t seq : f->released_since_commit()) CHECK(table.erase(seq) == 1);
        for (const FaultInjector::HeldEvent* h : f->held_since_commit()) table[h->seq] = held_event_to_json(*h);
        f->committed();
        committed_state = f->state();
        CHECK(table.size() == f->held());
        resumed += written;
        k = end;
        if (transactions % 30 == 0) {
            std::vector<FaultInjector::HeldEvent> held;
            for (const auto& row : table) held.push_back(held_event_from_json(row.second));
            f = std::make_unique<FaultInjector>(s, 12345, IdFormat::Uuid4);  // another seed: restore must win
            f->restore(committed_state, std::move(held));
            ++restarts;
        }
    }
    CHECK(rollbacks > 5);
    CHECK(restarts > 0);
    CHECK(resumed == uninterrupted);
}

TEST_CASE("faults: a held event's JSON keeps every field, its defects and its ground truth", "[faults][progress]") {
    FaultInjector::HeldEvent h;
    h.due = kNow + 5;
    h.seq = 42;
    h.event = event(3);
    h.event.user_id = "";
    h.event.city = "S\xc3\xa3o Paulo \"x\"\t";
    h.event.nulls = 1u << 10;
    h.truth = {{"events", h.event.id, "late_event", "12.5"}, {"events", h.event.id, "null_required", "uri"}};
    const FaultInjector::HeldEvent back = held_event_from_json(held_event_to_json(h));
    CHECK(held_event_to_json(back) == held_event_to_json(h));
    CHECK(back.event.city == h.event.city);
    CHECK(back.event.nulls == h.event.nulls);
    CHECK(back.truth.size() == 2);
    try {
        held_event_from_json("{\"due\": 1}");
        FAIL("accepted a damaged row");
    } catch (const Error& e) {
        CHECK(e.sqlstate() == "XX001");
    }
}
