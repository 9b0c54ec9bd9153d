// How the SQL functions, the commit callback and the launcher share a simulation's slot
// (shared_state.hpp): finding it, reserving one for a start or a resume, filling it (one path for
// start, resume and the resumer), and asking its worker to stop.
#pragma once

#include <string>

#include "core/simulation_params.hpp"
#include "pg/bridge/postgres.hpp"
#include "pg/control/shared_state.hpp"

namespace thelook::pg {

bool same_simulation(const SimulationSlot* slot, int32 id);

// What the SQL functions see of a simulation's live slot (if any), copied under the lock.
struct Found {
    SimulationSlot* slot = nullptr;  // any state but Free
    SimState state = SimState::Free;
    Oid role = InvalidOid;
    bool persisted = false, fresh = false, launch_requested = false;
    int reserved_by = 0;
};
Found find_live(SharedState* st, int32 id);

// Everything a slot is filled with before its worker starts.
struct SlotFill {
    Oid database = InvalidOid, role = InvalidOid;
    std::string database_name, role_name, schema, name;
    SimulationParams params;
    bool persisted = true;         // has a row in thelook.simulation_runs
    bool fresh = false;            // a start: the row has never run
    bool resume_requested = false; // resume_simulation(): run even if the row says stopped or failed
    TimestampTz started_at = 0;    // 0: now
};
// Clears the slot and fills it (under the lock, exclusive); the caller sets its state.
void fill_slot(SimulationSlot* slot, const SlotFill& fill);

// Reserves a slot for simulation (this database, id) for the caller's open transaction (state
// Reserved) and fills it. Throws 53400 when every slot is taken, 55006 when another transaction
// holds this simulation's slot.
int reserve_slot(SharedState* st, int32 id, const SlotFill& fill);
// The commit of a reservation: the launcher starts the worker. No error, no allocation.
void launch_reserved(SharedState* st, int index, int32 id);
// The rollback of one: the slot is free again. No error, no allocation.
void release_reserved(SharedState* st, int index, int32 id);

// Asks an active slot's worker to stop; a slot without a worker (Restarting) is marked stopped at
// once. Under the lock (exclusive).
void signal_stop_locked(SimulationSlot* slot, StopReason reason);
// Asks the simulation's worker to stop (a slot without a worker is marked stopped at once).
// Under no lock; takes it. No error, no allocation.
void signal_stop(SharedState* st, SimulationSlot* slot, int32 id, StopReason reason);
// signal_stop, then waits (up to 5 s, then SIGTERM) until the worker is gone and the postmaster
// has reaped it. Returns whether the worker recorded the stop in the simulation's row itself.
bool stop_and_wait(SharedState* st, SimulationSlot* slot, int32 id);

}  // namespace thelook::pg
