// The simulation worker's entry point, run_worker(): it claims its slot, connects as the role that
// started the simulation and runs it (Simulation, in src/pg/worker/simulation.hpp and the files
// listed there). What happens when it ends is in slot_state.cpp (on_worker_exit).
#include <cstring>

#include "pg/bridge/settings.hpp"
#include "pg/control/simulation.hpp"
#include "pg/worker/simulation.hpp"

namespace thelook::pg {

namespace {

using worker::Simulation;
using worker::Superseded;
using worker::on_worker_exit;
using worker::set_state;

// Runs the simulation of a slot. Every C++ object of the worker lives inside this call. On an
// error leaves the reason in failure[], and sets *died when the worker should count as died (a
// resumed simulation: the launcher starts another with back-off) rather than as failed.
void simulate(SimulationSlot* slot, int32 simulation_id, char (&failure)[kErrorMax], bool* died) {
    try {
        Simulation(slot, simulation_id).run();
    } catch (const Superseded& e) {
        pg_guard([&] { ereport(LOG, (errmsg("thelook simulation %d: ends: %s", simulation_id, e.what()))); });
        strlcpy(failure, e.what(), sizeof failure);
        *died = false;
        set_state(slot, SimState::Stopped);
        failure[0] = '\0';
        pg_guard([] { AbortCurrentTransaction(); });
    } catch (const PgError& e) {
        strlcpy(failure, e.what(), sizeof failure);
    } catch (const std::exception& e) {
        strlcpy(failure, e.what(), sizeof failure);
    }
    if (failure[0]) {
        LWLockAcquire(shared_state()->lock, LW_SHARED);
        *died = slot->persisted && !slot->fresh;
        LWLockRelease(shared_state()->lock);
    }
}

}  // namespace

void run_worker(int slot_index, int32 simulation_id) {
    SharedState* state = shared_state();
    if (!state || slot_index < 0 || slot_index >= state->slot_count) return;
    SimulationSlot* slot = &state->slots[slot_index];

    // Claim the slot, or leave if it was given to another simulation meanwhile.
    LWLockAcquire(state->lock, LW_EXCLUSIVE);
    bool ours = slot->id == simulation_id && slot->state == SimState::Starting;
    const Oid database = slot->database_oid, role = slot->role_oid;
    if (ours) {
        slot->pid = MyProcPid;
        slot->latch = MyLatch;
    }
    LWLockRelease(state->lock);
    if (!ours) return;
    before_shmem_exit(on_worker_exit, Int32GetDatum(slot_index));

    // Connect as the role that started the simulation: its privileges are the worker's. No C++
    // object is alive here, so these calls may raise errors freely.
    BackgroundWorkerInitializeConnectionByOid(database, role, 0);
    char appname[64];
    snprintf(appname, sizeof appname, "thelook simulation %d", simulation_id);
    SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("synchronous_commit", settings::synchronous_commit ? "on" : "off", PGC_USERSET,
                    PGC_S_SESSION);

    char failure[kErrorMax] = "";
    bool died = false;
    simulate(slot, simulation_id, failure, &died);
    if (failure[0]) {
        AbortCurrentTransaction();
        if (died) {
            // The launcher starts another worker (on_worker_exit, as for any worker that dies).
            set_last_error(state, slot, failure);
            ereport(LOG, (errmsg("thelook simulation %d: its worker ends and will be restarted: %s", simulation_id, failure)));
            return;
        }
        set_state(slot, SimState::Failed, failure);
        ereport(LOG, (errmsg("thelook simulation %d failed: %s", simulation_id, failure)));
    }
}

}  // namespace thelook::pg
