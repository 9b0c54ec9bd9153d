#include "progress.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "error.hpp"

namespace thelook {

namespace {
// What to do about a saved progress that cannot be read: the simulation cannot continue from it.
constexpr const char* kUnreadableHint =
    "Stop the simulation, forget it (thelook.forget_simulation) and start a new one: the rows it wrote stay.";

using json = nlohmann::json;

json real(double v) {
    if (std::isfinite(v)) return v;
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}
double real_of(const json& j) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) {
        const std::string s = j.get<std::string>();
        if (s == "inf") return INFINITY;
        if (s == "-inf") return -INFINITY;
        if (s == "nan") return NAN;
    }
    throw Error(sqlstate::kDataCorrupted, "a saved simulation progress holds a bad number: " + j.dump(), "", kUnreadableHint);
}
json words(const Rng::State& s) { return json::array({s[0], s[1], s[2], s[3]}); }
Rng::State words_of(const json& j) {
    Rng::State s{};
    if (!j.is_array() || j.size() != 4) throw Error(sqlstate::kDataCorrupted, "a saved random state is not 4 words", "", kUnreadableHint);
    for (size_t i = 0; i < 4; ++i) s[i] = j.at(i).get<uint64_t>();
    return s;
}

IncidentKind kind_of(int k) {
    if (k < 0 || k > static_cast<int>(IncidentKind::SupplyProblem))
        throw Error(sqlstate::kDataCorrupted, "a saved incident has an unknown kind " + std::to_string(k), "", kUnreadableHint);
    return static_cast<IncidentKind>(k);
}

template <typename F>
auto parsing(const char* what, F f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(sqlstate::kDataCorrupted, std::string("the saved ") + what + " of a simulation cannot be read",
                    std::string(e.what()) + ". The row of thelook.simulation_runs was changed by hand, or by another version.",
                    kUnreadableHint);
    }
}
}  // namespace

std::string progress_to_json(const SimulationProgress& p) {
    json j;
    j["version"] = 1;
    j["entity_rng"] = words(p.entity_rng);
    const PoissonSchedule::Snapshot& s = p.schedule;
    json pieces = json::array();
    for (const auto& piece : s.pieces) pieces.push_back(json::array({real(piece.first), real(piece.second)}));
    j["schedule"] = {{"rate", real(s.rate)}, {"rng", words(s.rng)},     {"next", s.next},
                     {"start", s.start},     {"next_exact", real(s.next_exact)}, {"taken", s.taken},
                     {"pieces", pieces}};
    json windows = json::array();
    for (const auto& w : p.incidents.windows)
        windows.push_back({{"kind", static_cast<int>(w.window.kind)}, {"magnitude", real(w.window.magnitude)},
                           {"start", w.window.start}, {"end", w.window.end}, {"origin", w.window.origin},
                           {"handed_out", w.handed_out}});
    for (size_t i = 0; i < p.incidents.windows.size(); ++i) {
        const SupplyTarget& t = p.incidents.windows[i].window.target;
        if (!t.empty())
            windows[i]["target"] = {{"category", t.category}, {"brand", t.brand}, {"distribution_center_id", t.distribution_center_id}};
    }
    json streams = json::array();
    for (const auto& st : p.incidents.streams) streams.push_back({{"rng", words(st.rng)}, {"next_start", st.next_start}});
    j["incidents"] = {{"windows", windows}, {"streams", streams}, {"generated_until", p.incidents.generated_until}};
    j["traffic_builds"] = p.traffic_builds;
    j["clock"] = {{"wall", p.clock_wall}, {"sim", p.clock_sim}};
    json injected = json::array();
    for (const auto& in : p.injected)
        injected.push_back({{"kind", static_cast<int>(in.effect.kind)}, {"magnitude", real(in.effect.magnitude)},
                            {"recovery_magnitude", real(in.effect.recovery_magnitude)},
                            {"recovery_seconds", real(in.effect.recovery_seconds)}, {"start", in.start},
                            {"duration_seconds", real(in.duration_seconds)}});
    j["injected"] = injected;
    if (p.has_faults) j["faults"] = {{"rng", words(p.faults.rng)}, {"next_seq", p.faults.next_seq}};
    j["cdc"] = {{"previous", p.cdc.previous}, {"last_purge", p.cdc.last_purge}, {"last_large", p.cdc.last_large}};
    return j.dump();
}

SimulationProgress progress_from_json(const std::string& text) {
    return parsing("progress", [&] {
        const json j = json::parse(text);
        if (j.value("version", 0) != 1)
            throw Error(sqlstate::kDataCorrupted, "a saved simulation progress has an unknown version",
                        "It was written by another version of thelook_datagen.",
                        "Install the version that wrote it, or forget the simulation (thelook.forget_simulation) and start a new one.");
        SimulationProgress p;
        p.entity_rng = words_of(j.at("entity_rng"));
        const json& s = j.at("schedule");
        p.schedule.rate = real_of(s.at("rate"));
        p.schedule.rng = words_of(s.at("rng"));
        p.schedule.next = s.at("next").get<Micros>();
        p.schedule.start = s.at("start").get<Micros>();
        p.schedule.next_exact = real_of(s.at("next_exact"));
        p.schedule.taken = s.at("taken").get<uint64_t>();
        for (const json& piece : s.at("pieces")) p.schedule.pieces.emplace_back(real_of(piece.at(0)), real_of(piece.at(1)));
        const json& inc = j.at("incidents");
        for (const json& w : inc.at("windows")) {
            IncidentPlan::Snapshot::Window win;
            win.window.kind = kind_of(w.at("kind").get<int>());
            win.window.magnitude = real_of(w.at("magnitude"));
            win.window.start = w.at("start").get<Micros>();
            win.window.end = w.at("end").get<Micros>();
            win.window.origin = IncidentPlan::origin_label(w.at("origin").get<std::string>());
            win.handed_out = w.at("handed_out").get<bool>();
            if (w.contains("target")) {
                const json& t = w.at("target");
                win.window.target = SupplyTarget{t.at("category").get<std::string>(), t.at("brand").get<std::string>(),
                                                 t.at("distribution_center_id").get<int64_t>()};
            }
            p.incidents.windows.push_back(win);
        }
        for (const json& st : inc.at("streams"))
            p.incidents.streams.push_back(IncidentPlan::Snapshot::Stream{words_of(st.at("rng")), st.at("next_start").get<Micros>()});
        p.incidents.generated_until = inc.at("generated_until").get<Micros>();
        p.traffic_builds = j.at("traffic_builds").get<uint32_t>();
        p.clock_wall = j.at("clock").at("wall").get<Micros>();
        p.clock_sim = j.at("clock").at("sim").get<Micros>();
        for (const json& in : j.at("injected")) {
            InjectedIncidentSpec spec;
            spec.effect.kind = kind_of(in.at("kind").get<int>());
            spec.effect.magnitude = real_of(in.at("magnitude"));
            spec.effect.recovery_magnitude = real_of(in.at("recovery_magnitude"));
            spec.effect.recovery_seconds = real_of(in.at("recovery_seconds"));
            spec.start = in.at("start").get<Micros>();
            spec.duration_seconds = real_of(in.at("duration_seconds"));
            p.injected.push_back(spec);
        }
        // Absent from the progress of earlier versions: no injector, fresh clocks.
        if (j.contains("faults")) {
            p.has_faults = true;
            p.faults.rng = words_of(j.at("faults").at("rng"));
            p.faults.next_seq = j.at("faults").at("next_seq").get<uint64_t>();
        }
        if (j.contains("cdc")) {
            const json& c = j.at("cdc");
            p.cdc = CdcFaultPlanner::Clocks{c.at("previous").get<Micros>(), c.at("last_purge").get<Micros>(),
                                            c.at("last_large").get<Micros>()};
        }
        return p;
    });
}

namespace {
// One list of the counters and their JSON keys, for both directions.
template <typename C, typename F>
void each_counter(C& c, F f) {
    f("scheduled", c.scheduled);
    f("skipped", c.skipped);
    f("transactions", c.transactions);
    f("max_rows_per_transaction", c.max_rows_per_transaction);
    f("total_errors", c.total_errors);
    f("incidents", c.incidents);
    f("lost_sales", c.lost_sales);
    f("users_inserted", c.users_inserted);
    f("users_updated", c.users_updated);
    f("orders_inserted", c.orders_inserted);
    f("orders_updated", c.orders_updated);
    f("order_items_inserted", c.order_items_inserted);
    f("order_items_updated", c.order_items_updated);
    f("events_inserted", c.events_inserted);
    f("heartbeats", c.heartbeats);
    f("orders_deleted", c.orders_deleted);
    f("order_items_deleted", c.order_items_deleted);
    f("events_deleted", c.events_deleted);
    f("consecutive_errors", c.consecutive_errors);
}
}  // namespace

std::string counters_to_json(const SimulationCounters& c) {
    json j = json::object();
    each_counter(c, [&](const char* key, int64_t v) { j[key] = v; });
    return j.dump();
}

SimulationCounters counters_from_json(const std::string& text) {
    return parsing("counters", [&] {
        const json j = json::parse(text);
        SimulationCounters c;
        each_counter(c, [&](const char* key, int64_t& v) { v = j.value(key, int64_t{0}); });
        return c;
    });
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
