// The live simulations, in shared memory so that every backend can list and stop them, the workers
// can publish live counters and the launcher can restart a worker that died. A slot belongs to a
// (database, simulation id); what survives a restart is in the table thelook.simulation_runs of that
// database (simulation_store.hpp), which the launcher reads to resume simulations after a start.
#pragma once

#include <cstdint>
#include <type_traits>

#include "core/progress.hpp"
#include "core/random.hpp"
#include "core/scenario.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// Restarting: no worker runs and the launcher starts one at restart_at (a start or resume that
// committed, or a worker that died). Reserved: held for a start_simulation / resume_simulation
// whose transaction is still open (reserved_by); its commit makes it Restarting, its rollback Free.
enum class SimState : int { Free = 0, Starting, Running, Stopping, Stopped, Finished, Failed, Restarting, Reserved };
const char* state_name(SimState s);
inline bool is_active(SimState s) {
    return s == SimState::Starting || s == SimState::Running || s == SimState::Stopping || s == SimState::Restarting;
}

// Why a worker was asked to stop.
enum class StopReason : int { Requested = 0, ExtensionDropped, SchemaDropped };

// Tables a simulation writes, in the order of the counters.
enum TableIndex { kUsers = 0, kOrders, kOrderItems, kEvents, kHeartbeat, kTableCount };

constexpr int kFilterMax = 1024;  // country / state / postal_code specs, bytes
constexpr int kErrorMax = 512;
constexpr int kScenarioMax = 32768;  // a resolved scenario document, bytes
constexpr int kInjectedMax = 32;     // incidents injected into one simulation

// An IncidentEffect in plain fields (shared memory holds trivial types only).
struct InjectedIncident {
    int kind;  // IncidentKind
    double magnitude, recovery_magnitude, recovery_seconds;
    int64 start;  // simulated time, Unix microseconds
    double duration_seconds;

    IncidentEffect effect() const {
        IncidentEffect e;
        e.kind = static_cast<IncidentKind>(kind);
        e.magnitude = magnitude;
        e.recovery_magnitude = recovery_magnitude;
        e.recovery_seconds = recovery_seconds;
        return e;
    }
};

struct SimulationSlot {
    // Written under SharedState::lock (exclusive): identity, parameters, lifecycle.
    SimState state;
    int32 id;
    Oid database_oid, role_oid;
    NameData database, schema, role, name;
    pid_t pid;
    Latch* latch;
    bool stop_requested;
    StopReason stop_reason;
    bool persisted;         // has a row in thelook.simulation_runs (false: started under the 1.0 SQL)
    bool fresh;             // the worker inserts the row; otherwise it resumes from the row
    bool resume_requested;  // resume_simulation(): run even if the row says stopped or failed
    int32 failures;         // worker ends without progress in a row, this server run
    TimestampTz restart_at; // Restarting: when the launcher starts the next worker
    bool launch_requested;  // Restarting after a committed start/resume: started whatever auto_resume says
    int reserved_by;        // Reserved: the pid of the backend whose open transaction holds the slot
    bool stop_recorded;     // the worker wrote the stop into the row
    TimestampTz started_at, ended_at;
    TimestampTz resumed_at;       // when the current worker took the simulation on (0: a fresh start)
    TimestampTz run_started_at;   // this worker's start; run time = run_base_seconds + since then
    double run_base_seconds;
    double avg_qps;
    int64 max_iter;
    double user_create_prob, user_update_prob, order_update_prob, ghost_create_prob;
    double duration_seconds, heartbeat_seconds;
    IdFormat ids;
    uint64 seed;
    char country[kFilterMax], state_filter[kFilterMax], postal_code[kFilterMax];
    NameData scenario_name;
    double time_scale;
    int64 simulated_start;      // Unix microseconds; INT64_MIN = when the worker starts
    OnResume on_resume;
    double keep_events_seconds, keep_orders_seconds;
    uint32 generation;          // bumped by alter_simulation / inject_incident; the worker follows
    int32 injected_count;
    InjectedIncident injected[kInjectedMax];
    int64 clock_wall, clock_sim;  // the simulated clock's anchor, published by the worker (0: not yet)
    char scenario_json[kScenarioMax];

    // Live counters: written by the worker under mutex, read by status queries.
    slock_t mutex;
    int64 iterations;
    // The worker's counters as one struct, copied whole (publish): what thelook.simulations shows
    // and what the row keeps. counters.scheduled alone is the pacing loop's (arrivals due by now).
    SimulationCounters counters;
    int64 simulated_now;       // Unix microseconds
    char last_error[kErrorMax];
};

static_assert(std::is_trivially_copyable_v<SimulationCounters>, "slot counters are copied with the spinlock held");

struct SharedState {
    LWLock* lock;
    int32 next_id;              // ids of simulations started under the 1.0 SQL (no table)
    int32 slot_count;
    pid_t launcher_pid;         // the launcher (launcher.hpp), 0 when none runs
    Latch* launcher_latch;      // set to wake it: a worker died, a resume was asked for
    SimulationSlot slots[FLEXIBLE_ARRAY_MEMBER];
};

// Set up by _PG_init when the library is in shared_preload_libraries; null otherwise.
SharedState* shared_state();
void install_shmem_hooks();
// Throws (55000) with a hint when the library was not preloaded.
SharedState* require_shared_state();

// The slot of simulation `id` of database `db` (any state but Free), or null. Under the lock.
SimulationSlot* find_slot_of(SharedState* st, Oid db, int32 id);
// A free slot, or else the one whose simulation ended longest ago; -1 when all are active or
// reserved. Under
// the lock (exclusive).
int free_slot(SharedState* st);
// Wakes the launcher (no lock needed).
void wake_launcher();

// A slot's parameters, and back (filters are truncated to kFilterMax - 1 bytes, the scenario to
// kScenarioMax - 1: callers check the sizes first). Under the lock.
SimulationParams params_of(const SimulationSlot* slot);
void set_params(SimulationSlot* slot, const SimulationParams& p);
// Only what alter_simulation changes (SimulationParams::adopt_alterable). No error, no allocation.
void set_alterable_params(SimulationSlot* slot, const SimulationParams& p);
// Clears a slot for simulation (db, id) and marks it Starting (under the lock, exclusive).
void reset_slot(SimulationSlot* slot, Oid db, int32 id, Oid role);
// Registers the worker of the slot at `index` (bgw_notify_pid = the caller). False when no
// background worker slot is free.
bool register_simulation_worker(int index, int32 id, BackgroundWorkerHandle** handle);

}  // namespace thelook::pg
