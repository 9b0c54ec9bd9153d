// What the control functions ask for, held by the calling backend until its transaction ends, as
// pg_cron's cron.schedule only writes a row that its launcher acts on after commit:
//  - just before commit (XACT_EVENT_PRE_COMMIT), the desired state goes into the simulation's row
//    in thelook.simulation_runs. Writing it then, not during the call, means that a worker updating
//    that row never waits on a lock held by the caller's open transaction (only, at most, for the
//    instant of the commit itself);
//  - at commit, the change is handed to shared memory and the launcher's (or the worker's) latch
//    is set: the launcher starts reserved simulations, a worker stops or follows the change;
//  - at rollback, or at the rollback of the savepoint it was asked under, nothing happens (a slot
//    reserved for a start or a resume is freed).
#pragma once

#include <string>

#include "core/simulation_params.hpp"
#include "pg/bridge/postgres.hpp"
#include "pg/control/shared_state.hpp"

namespace thelook::pg {

struct ControlAction {
    enum class Kind {
        Launch,  // a start or a resume: slot reserved; resume also sets the row's desired state
        Kick,    // resume_simulation of a simulation waiting to be restarted: restart it now
        Stop,    // the row's desired state becomes stopped; the worker (if any) is asked to stop
        Alter,   // new parameters for the running worker (it records them in its row)
        Inject,  // an incident for the running worker (it records it with its progress)
        Forget,  // the row was deleted: the slot is free
    };
    Kind kind = Kind::Launch;
    int32 id = 0;
    int slot = -1;            // Launch: the reserved slot
    bool resume = false;      // Launch: a resume (the row's desired state becomes running)
    SimulationParams params;  // Alter: the parameters it may change (adopt_alterable)
    InjectedIncident incident{};
    int nest_level = 0;       // the (sub)transaction that asked for it
};

// Queues an action for the end of the current transaction (registers the callbacks once).
void defer(ControlAction action);
// The actions queued so far in this transaction that stop simulation id.
bool stop_pending(int32 id);
// The parameters of the last alter_simulation queued for simulation id in this transaction, or null.
const SimulationParams* pending_params(int32 id);
// Injected incidents queued so far for simulation id (counted against its capacity).
int injections_pending(int32 id);

}  // namespace thelook::pg
