// A live simulation's progress as plain values: everything its future depends on (the random
// generators' states, the position in the arrival schedule, the incident plan, the simulated
// clock, the incidents injected so far) and its running totals. The worker commits it with the
// rows of every transaction, as JSON in thelook.simulation_runs, so that after any interruption
// the simulation continues from its last committed transaction: no iteration lost, none twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdc_faults.hpp"
#include "entities.hpp"
#include "faults.hpp"
#include "incidents.hpp"
#include "random.hpp"
#include "rate_schedule.hpp"

namespace thelook {

// An incident injected into a running simulation (inject_incident), kept so that a rebuilt plan
// (a new scenario, a restart) still holds it.
struct InjectedIncidentSpec {
    IncidentEffect effect;
    Micros start = 0;  // simulated time
    double duration_seconds = 0;
};

struct SimulationProgress {
    Rng::State entity_rng{};           // EntityGenerator::rng(): every entity's draws
    PoissonSchedule::Snapshot schedule;
    IncidentPlan::Snapshot incidents;
    uint32_t traffic_builds = 0;       // plans built so far (each new plan's random stream is its own)
    // The simulated clock: sim = clock_sim + (wall - clock_wall) * time_scale.
    Micros clock_wall = 0, clock_sim = 0;
    std::vector<InjectedIncidentSpec> injected;
    // The fault injector's stream and numbering (has_faults: it exists; its held late events are
    // rows of thelook.held_events, committed in the same transactions) and the CDC faults' clocks.
    bool has_faults = false;
    FaultInjector::State faults;
    CdcFaultPlanner::Clocks cdc;
};

// Running totals, shown by thelook.simulations; they count across restarts.
struct SimulationCounters {
    int64_t scheduled = 0;             // arrivals taken from the schedule (iterations and pending)
    int64_t skipped = 0;               // arrivals dropped on resume (on_resume 'skip')
    int64_t transactions = 0, max_rows_per_transaction = 0, total_errors = 0, incidents = 0;
    int64_t lost_sales = 0;  // items out of stock when wanted (inventory)
    int64_t users_inserted = 0, users_updated = 0, orders_inserted = 0, orders_updated = 0;
    int64_t order_items_inserted = 0, order_items_updated = 0, events_inserted = 0, heartbeats = 0;
    int64_t orders_deleted = 0, order_items_deleted = 0, events_deleted = 0;  // retention
    int64_t consecutive_errors = 0;    // failed transactions in a row (not a total: reset by a success)
};

// JSON text, and back. Numbers keep their exact values through PostgreSQL's jsonb (64-bit words
// as integers, doubles with round-trip precision, non-finite ones as strings). from_json throws
// thelook::Error (XX001) naming what is wrong.
std::string progress_to_json(const SimulationProgress& p);
SimulationProgress progress_from_json(const std::string& json);
std::string counters_to_json(const SimulationCounters& c);
SimulationCounters counters_from_json(const std::string& json);  // missing keys count 0

}  // namespace thelook
