// The simulation worker. It takes its simulation on (inserts its row in thelook.simulation_runs,
// or bumps the row's incarnation and restores the progress saved there), then runs the arrival
// schedule: every transaction holds the rows of a batch of arrivals and one UPDATE of the row with
// the progress they leave (counters, schedule position, random states). A batch that fails is rolled
// back and the in-memory state goes back to what the last commit left, so a retry, like a resume
// after a crash, writes exactly what an uninterrupted run would have.
//
// The simulation worker's one object, Simulation, shared by the files of src/pg/worker/ (each
// defines the members of one responsibility; none of this is used outside the worker):
//   simulation_worker.cpp  run_worker(): the background worker's entry, its slot claim and exit
//   slot_state.cpp         the slot's state and stop request, and the exit callback
//   take_over.cpp          taking the simulation on: its row, the catalogue, fresh start or restore
//   main_loop.cpp          the loop: schedule, batches, retries, waits, and how the run ends
//   batch.cpp              one batch of arrivals in one transaction, with its progress
//   traffic_changes.cpp    the scenario's traffic, rebuilt and retuned by alter / inject_incident
//   retention.cpp          deleting the rows past keep_events / keep_orders
//   publishing.cpp         the heartbeat, and the counters and clock published in the slot
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/distributions.hpp"
#include "core/entity_generator.hpp"
#include "core/error.hpp"
#include "core/id_space.hpp"
#include "core/live_loop.hpp"
#include "core/order_lifecycle.hpp"
#include "core/progress.hpp"
#include "core/rate_schedule.hpp"
#include "core/run/pacing.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/transaction.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation.hpp"
#include "pg/control/simulation_store.hpp"

namespace thelook::pg::worker {

// The worker must end without writing anything more: its row was deleted, another worker took the
// simulation over, or the extension is gone.
class Superseded : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr Micros kRetentionEvery = 1000000;

void set_state(SimulationSlot* slot, SimState state, const char* error = nullptr);

// The slot's stop request, read under the lock as its fields' comment requires.
struct StopRequest {
    bool requested;
    StopReason reason;
};
StopRequest read_stop(SimulationSlot* slot);

// Runs at worker exit however it ends (registered by run_worker with the slot's index).
void on_worker_exit(int code, Datum arg);

// What a scenario turns into while running: the weekly profile and the incidents.
struct Traffic {
    std::string name, json;
    IncidentPlan incidents;
    Intensity intensity;
    std::unique_ptr<ShopperModel> shoppers;
    std::unique_ptr<FaultInjector> faults;  // null while the scenario injects none and none is held
    std::unique_ptr<Inventory> inventory;
};

inline Micros wall_now() { return from_timestamptz(GetCurrentTimestamp()); }
class Simulation {
public:
    Simulation(SimulationSlot* slot, int32 id) : slot_(slot), id_(id) {}
    // Runs until the simulation stops, finishes or fails; returns normally in each case (the
    // slot and, when it has one, the row say how it ended). Throws Superseded, or any error of a
    // resumed simulation's set-up (the worker then counts as died, and is restarted).
    void run();

private:
    void run_inner();
    bool take_on();
    void start_fresh(Micros now);
    void restore(const SimulationProgress& progress, Micros now);
    void loop();

    void begin_transaction(const char* activity);
    void commit_transaction();
    void abort_transaction();
    void run_batch(const std::vector<Micros>& arrivals);
    void save_held_events();
    void run_retention(Micros now);
    void heartbeat(Micros now);
    void publish();
    bool publish_failure(const char* message);  // true when the simulation must stop
    bool stop_requested();
    void wait_until(Micros deadline);
    void build_traffic(Micros sim_now);
    void follow_changes(Micros wall_now);
    void publish_clock();
    SimulationProgress capture() const;
    void restore_safe();
    double run_seconds(Micros now) const { return run_base_ + static_cast<double>(now - run_start_) / 1e6; }
    // The last transaction: how the simulation ended, in its row (best effort) and its slot.
    void end(SimState state, const char* desired, const std::string& error);

    SimulationSlot* slot_;
    int32 id_;
    std::optional<Transaction> tx_;  // the unit of work in progress, if any
    SimulationParams p_;
    IdSpace space_;                  // p_'s shard of the ids (all of them unless sharded)
    std::string schema_;
    bool fresh_ = true, persisted_ = false;
    ExtensionInfo ext_;
    std::unique_ptr<RunStore> store_;
    RunRow row_;
    std::vector<Product> products_;
    std::unique_ptr<LocationSampler> sampler_;
    std::unique_ptr<EntityGenerator> gen_;
    std::unique_ptr<LiveLoop> loop_;
    std::unique_ptr<SchemaWriter> writer_;
    std::unique_ptr<Traffic> traffic_;
    std::unique_ptr<PoissonSchedule> schedule_;
    SimClock clock_;
    uint32 generation_ = 0;
    uint32 traffic_builds_ = 0;
    int32 injected_seen_ = 0;
    std::vector<InjectedIncidentSpec> injected_;
    bool params_dirty_ = false;

    SimulationProgress safe_;      // what the last commit left (or the start): a failed batch goes back to it
    SimulationCounters counters_;  // cumulative, as committed
    int64 done_ = 0;               // iterations, cumulative
    double run_base_ = 0;          // run time of earlier workers, seconds
    Micros run_start_ = 0, end_ = INT64_MAX;
    int32 consecutive_errors_ = 0;
    bool progressed_ = false;

    CatchUp catch_up_;             // on_resume 'catch_up'

    Micros next_retention_ = 0;
    int64 inserted_since_retention_[kTableCount] = {};
    int64 live_scheduled_ = 0;       // published: arrivals due by the last wake-up
    Micros live_simulated_now_ = 0;  // published: the simulated time then
};

inline void Simulation::begin_transaction(const char* activity) { tx_.emplace(activity); }

inline void Simulation::commit_transaction() {
    tx_->commit();
    tx_.reset();
}

inline void Simulation::abort_transaction() {
    if (writer_) writer_->discard();
    if (tx_) tx_->abort();
    tx_.reset();
}

}  // namespace thelook::pg::worker
