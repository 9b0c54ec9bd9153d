// Incidents over time: the scenario's scheduled ones, its random ones (a seeded Poisson stream per
// kind, made lazily as time goes on) and those injected while a simulation runs. Each is a window
// with an effect (incident kinds: scenario.hpp). The plan also hands out the windows that have
// started, once each, so that the writer records them as ground truth with the rows they affect.
#pragma once

#include <string>
#include <vector>

#include "random.hpp"
#include "scenario.hpp"

namespace thelook {

struct IncidentWindow {
    IncidentKind kind = IncidentKind::Spike;
    double magnitude = 1;
    Micros start = 0, end = 0;
    const char* origin = "scheduled";  // "scheduled", "random" or "injected"
    SupplyTarget target;               // supply_problem only
};

class IncidentPlan {
public:
    IncidentPlan() = default;
    // Scheduled incidents given "after" a duration count from `start`; random ones begin there.
    IncidentPlan(const Scenario& scenario, Micros start, uint64_t seed);

    // Adds an incident (and an outage's recovery window) from `start` for duration_seconds.
    // recorded: already handed out by take_started (when a plan is rebuilt).
    void add(const IncidentEffect& effect, Micros start, double duration_seconds, const char* origin,
             bool recorded = false);

    // Product of the rate multipliers of the windows in force at t.
    double rate_multiplier(Micros t);
    // Largest checkout-failure share in force at t (0 when none).
    double checkout_failure(Micros t);
    // The latest end of the supply problems in force at t that cover p (kNoTime when none).
    Micros supply_blocked_until(const Product& p, Micros t);
    // The first start or end of a window after t (INT64_MAX when none).
    Micros next_change(Micros t);
    bool empty() const { return windows_.empty() && streams_.empty(); }

    // The windows that started at or before t and were not handed out yet, in start order.
    std::vector<IncidentWindow> take_started(Micros t);

    // The plan's state in plain values: its windows (and whether each was handed out), and where
    // each random stream is. restore() needs a plan made from the same scenario (the streams'
    // specifications come from it) and continues exactly as the original would.
    struct Snapshot {
        struct Window {
            IncidentWindow window;
            bool handed_out = false;
        };
        struct Stream {
            Rng::State rng{};
            Micros next_start = 0;
        };
        std::vector<Window> windows;
        std::vector<Stream> streams;
        Micros generated_until = 0;
    };
    Snapshot snapshot() const;
    // Throws thelook::Error (XX001) when the snapshot's streams do not match the scenario's.
    void restore(const Snapshot& s);
    // The origin label as the plan keeps it ("scheduled", "random" or "injected").
    static const char* origin_label(const std::string& origin);

private:
    struct Stream {
        RandomIncidents spec;
        Rng rng;
        Micros next_start;
    };
    struct Entry {
        IncidentWindow window;
        bool handed_out = false;
    };
    void generate_until(Micros t);
    void prune(Micros t);

    std::vector<Entry> windows_;
    std::vector<Stream> streams_;
    Micros generated_until_ = 0;
};

}  // namespace thelook
