// The running simulations, in shared memory so that every backend can list and stop them and the
// workers can publish live counters. Simulations do not survive a server restart.
#pragma once

#include <cstdint>

#include "core/random.hpp"
#include "core/scenario.hpp"
#include "pg/postgres.hpp"

namespace thelook::pg {

enum class SimState : int { Free = 0, Starting, Running, Stopping, Stopped, Finished, Failed };
const char* state_name(SimState s);
inline bool is_active(SimState s) {
    return s == SimState::Starting || s == SimState::Running || s == SimState::Stopping;
}

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
    TimestampTz started_at, ended_at;
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
    uint32 generation;          // bumped by alter_simulation / inject_incident; the worker follows
    int32 injected_count;
    InjectedIncident injected[kInjectedMax];
    int64 clock_wall, clock_sim;  // the simulated clock's anchor, published by the worker (0: not yet)
    char scenario_json[kScenarioMax];

    // Live counters: written by the worker under mutex, read by status queries.
    slock_t mutex;
    int64 iterations, scheduled, transactions, max_rows_per_transaction;
    int64 inserted[kTableCount], updated[kTableCount];
    int32 consecutive_errors;
    int64 total_errors;
    int64 simulated_now;       // Unix microseconds
    int64 incidents_recorded;
    char last_error[kErrorMax];
};

struct SharedState {
    LWLock* lock;
    int32 next_id;
    int32 slot_count;
    SimulationSlot slots[FLEXIBLE_ARRAY_MEMBER];
};

// Set up by _PG_init when the library is in shared_preload_libraries; null otherwise.
SharedState* shared_state();
void install_shmem_hooks();
// Throws (55000) with a hint when the library was not preloaded.
SharedState* require_shared_state();

}  // namespace thelook::pg
