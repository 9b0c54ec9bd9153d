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

// What a worker publishes while it runs, for thelook.simulations: one plain struct, written and
// read as a whole under SimulationSlot::mutex (a spinlock: nothing but this copy runs while it is
// held, so nothing that can throw, allocate or ereport).
struct LiveCounters {
    SimulationCounters counters;  // the worker's own (core/progress.hpp); scheduled counts to now
    int64 iterations;
    int64 simulated_now;  // Unix microseconds; 0: not yet
};
static_assert(std::is_trivially_copyable_v<LiveCounters>, "shared memory holds plain data only");

struct SimulationSlot {
    // Under SharedState::lock: written with it exclusive, read with it shared or exclusive.
    // Identity, parameters, lifecycle, and last_error.
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
    int32 shard, shards;        // SimulationParams::shard, shards
    uint32 generation;          // bumped by alter_simulation / inject_incident; the worker follows
    int32 injected_count;
    InjectedIncident injected[kInjectedMax];
    int64 clock_wall, clock_sim;  // the simulated clock's anchor, published by the worker (0: not yet)
    char scenario_json[kScenarioMax];
    char last_error[kErrorMax];  // why the simulation last failed or its worker died; "" for none

    // Under mutex only (not the LWLock): the worker's counters (publish_live, read_live).
    slock_t mutex;
    LiveCounters live;
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
// The live counters: a worker publishes its own, status queries read a copy. Each takes the
// slot's spinlock for one struct copy; neither may be called with it held.
void publish_live(SimulationSlot* slot, const LiveCounters& live);
LiveCounters read_live(SimulationSlot* slot);
// Sets last_error, taking the lock (exclusive): not for callers that hold it (they write the field).
void set_last_error(SharedState* st, SimulationSlot* slot, const char* message);
// A copy of the slot as status queries show it: the lock's fields under the lock (shared), the
// live counters under the spinlock. Takes both itself.
void copy_slot(SharedState* st, int index, SimulationSlot* out);
// Only what alter_simulation changes (SimulationParams::adopt_alterable). No error, no allocation.
void set_alterable_params(SimulationSlot* slot, const SimulationParams& p);
// Clears a slot for simulation (db, id) and marks it Starting (under the lock, exclusive).
void reset_slot(SimulationSlot* slot, Oid db, int32 id, Oid role);
// Registers the worker of the slot at `index` (bgw_notify_pid = the caller). False when no
// background worker slot is free.
bool register_simulation_worker(int index, int32 id, BackgroundWorkerHandle** handle);

}  // namespace thelook::pg
