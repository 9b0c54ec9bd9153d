// The slot in shared memory as the worker changes it: its state, its stop request, and what a
// worker leaves there when it exits.
#include "pg/worker/simulation.hpp"

namespace thelook::pg::worker {

void set_state(SimulationSlot* slot, SimState state, const char* error) {
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    slot->state = state;
    if (!is_active(state)) {
        slot->ended_at = GetCurrentTimestamp();
        slot->pid = 0;
        slot->latch = nullptr;
    }
    if (error) strlcpy(slot->last_error, error, sizeof slot->last_error);
    LWLockRelease(shared_state()->lock);
}

StopRequest read_stop(SimulationSlot* slot) {
    LWLockAcquire(shared_state()->lock, LW_SHARED);
    const StopRequest r{slot->stop_requested, slot->stop_reason};
    LWLockRelease(shared_state()->lock);
    return r;
}

// Runs at worker exit however it ends (stop, SIGTERM, shutdown, FATAL error). A simulation still
// marked active was not ended by its worker: unless a stop was asked for, the worker died, and
// the launcher starts another after a back-off that grows while workers end without progress.
void on_worker_exit(int code, Datum arg) {
    LWLockReleaseAll();
    SharedState* st = shared_state();
    SimulationSlot* slot = &st->slots[DatumGetInt32(arg)];
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (slot->pid == MyProcPid && is_active(slot->state)) {
        const TimestampTz now = GetCurrentTimestamp();
        slot->pid = 0;
        slot->latch = nullptr;
        if (!slot->persisted || slot->stop_requested) {
            slot->state = SimState::Stopped;
            slot->ended_at = now;
        } else {
            slot->state = SimState::Restarting;
            slot->restart_at = now + restart_delay(slot->failures);
            slot->failures += 1;
            if (slot->last_error[0] == '\0')
                snprintf(slot->last_error, sizeof slot->last_error, "the worker exited (code %d)", code);
            if (st->launcher_latch) SetLatch(st->launcher_latch);
        }
    }
    LWLockRelease(st->lock);
}

}  // namespace thelook::pg::worker
