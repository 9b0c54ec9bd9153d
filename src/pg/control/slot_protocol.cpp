#include "pg/control/slot_protocol.hpp"

#include <cerrno>
#include <csignal>

#include "core/error.hpp"
#include "pg/bridge/guard.hpp"

namespace thelook::pg {

bool same_simulation(const SimulationSlot* slot, int32 id) {
    return slot->id == id && slot->database_oid == MyDatabaseId && slot->state != SimState::Free;
}

Found find_live(SharedState* st, int32 id) {
    Found f;
    if (!st) return f;
    LWLockAcquire(st->lock, LW_SHARED);
    f.slot = find_slot_of(st, MyDatabaseId, id);
    if (f.slot) {
        f.state = f.slot->state;
        f.role = f.slot->role_oid;
        f.persisted = f.slot->persisted;
        f.fresh = f.slot->fresh;
        f.launch_requested = f.slot->launch_requested;
        f.reserved_by = f.slot->reserved_by;
    }
    LWLockRelease(st->lock);
    return f;
}

void fill_slot(SimulationSlot* slot, const SlotFill& fill) {
    reset_slot(slot, fill.database, slot->id, fill.role);
    set_params(slot, fill.params);
    strlcpy(NameStr(slot->database), fill.database_name.c_str(), NAMEDATALEN);
    strlcpy(NameStr(slot->role), fill.role_name.c_str(), NAMEDATALEN);
    strlcpy(NameStr(slot->schema), fill.schema.c_str(), NAMEDATALEN);
    strlcpy(NameStr(slot->name), fill.name.c_str(), NAMEDATALEN);
    if (fill.started_at) slot->started_at = fill.started_at;
    slot->persisted = fill.persisted;
    slot->fresh = fill.fresh;
    slot->resume_requested = fill.resume_requested;
}

int reserve_slot(SharedState* st, int32 id, const SlotFill& fill) {
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    int index = -1;
    bool held = false;
    if (SimulationSlot* old = find_slot_of(st, fill.database, id)) {
        if (old->state == SimState::Reserved || is_active(old->state))
            held = true;
        else
            index = static_cast<int>(old - st->slots);
    }
    if (!held && index < 0) index = free_slot(st);
    if (!held && index >= 0) {
        SimulationSlot* slot = &st->slots[index];
        slot->id = id;
        fill_slot(slot, fill);
        slot->state = SimState::Reserved;
        slot->reserved_by = MyProcPid;
    }
    LWLockRelease(st->lock);
    if (held)
        throw Error(sqlstate::kObjectInUse, "simulation " + std::to_string(id) + " is being started by another transaction", "",
                    "Wait for that transaction to end, then look at thelook.simulations.");
    if (index < 0)
        throw Error(sqlstate::kConfigurationLimitExceeded, "too many simulations are running",
                    "thelook.max_simulations allows " + std::to_string(st->slot_count) +
                        " (counting those that open transactions are starting).",
                    "Stop one with thelook.stop_simulation(id), or raise thelook.max_simulations and restart.");
    return index;
}

void launch_reserved(SharedState* st, int index, int32 id) {
    SimulationSlot* slot = &st->slots[index];
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (same_simulation(slot, id) && slot->state == SimState::Reserved && slot->reserved_by == MyProcPid) {
        slot->state = SimState::Restarting;
        slot->launch_requested = true;
        slot->restart_at = 0;
        slot->reserved_by = 0;
        slot->failures = 0;
        if (st->launcher_latch) SetLatch(st->launcher_latch);
    }
    LWLockRelease(st->lock);
}

void release_reserved(SharedState* st, int index, int32 id) {
    SimulationSlot* slot = &st->slots[index];
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (same_simulation(slot, id) && slot->state == SimState::Reserved && slot->reserved_by == MyProcPid) {
        slot->state = SimState::Free;
        slot->reserved_by = 0;
    }
    LWLockRelease(st->lock);
}

namespace {

void sleep_10ms() {
    pg_guard([] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    });
}

}  // namespace

void signal_stop_locked(SimulationSlot* slot, StopReason reason) {
    slot->stop_reason = reason;
    if (slot->state == SimState::Restarting) {  // no worker: the launcher must not start one
        slot->state = SimState::Stopped;
        slot->launch_requested = false;
        slot->ended_at = GetCurrentTimestamp();
        return;
    }
    slot->stop_requested = true;
    if (slot->state == SimState::Running) slot->state = SimState::Stopping;
    if (slot->latch) SetLatch(slot->latch);
}

void signal_stop(SharedState* st, SimulationSlot* slot, int32 id, StopReason reason) {
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (same_simulation(slot, id) && is_active(slot->state)) signal_stop_locked(slot, reason);
    LWLockRelease(st->lock);
}

// The worker marks its slot ended while it is still exiting, so the wait goes on (up to 2 s more)
// until the postmaster has reaped the process: a caller that checks the pid afterwards finds none.
bool stop_and_wait(SharedState* st, SimulationSlot* slot, int32 id) {
    pid_t pid = 0;
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (same_simulation(slot, id) && is_active(slot->state)) {
        signal_stop_locked(slot, StopReason::Requested);
        pid = slot->pid;
    }
    LWLockRelease(st->lock);
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 10) {
        LWLockAcquire(st->lock, LW_SHARED);
        const bool done = !same_simulation(slot, id) || !is_active(slot->state);
        if (slot->pid > 0) pid = slot->pid;
        LWLockRelease(st->lock);
        if (done) break;
        if (waited_ms == 5000 && pid > 0) kill(pid, SIGTERM);
        sleep_10ms();
    }
    for (int waited_ms = 0; pid > 0 && waited_ms < 2000; waited_ms += 10) {
        if (kill(pid, 0) != 0 && errno == ESRCH) break;
        sleep_10ms();
    }
    LWLockAcquire(st->lock, LW_SHARED);
    const bool recorded = same_simulation(slot, id) && slot->stop_recorded;
    LWLockRelease(st->lock);
    return recorded;
}

}  // namespace thelook::pg
