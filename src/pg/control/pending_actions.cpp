#include "pg/control/pending_actions.hpp"

#include <new>
#include <vector>

#include "pg/bridge/guard.hpp"
#include "pg/control/simulation_store.hpp"
#include "pg/control/slot_protocol.hpp"

namespace thelook::pg {

namespace {

// This backend's queue. Appended to only from a control function's C++ body (which may throw
// bad_alloc there); the callbacks only read it and clear it.
std::vector<ControlAction> g_actions;
bool g_registered = false;

bool writes_row(const ControlAction& a) {
    return a.kind == ControlAction::Kind::Stop || (a.kind == ControlAction::Kind::Launch && a.resume);
}

// XACT_EVENT_PRE_COMMIT: the desired states into the rows, in the committing transaction.
void write_rows() {
    bool any = false;
    for (const ControlAction& a : g_actions) any = any || writes_row(a);
    if (!any) return;
    SharedState* st = shared_state();
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        PushActiveSnapshot(GetTransactionSnapshot());
    });
    const ExtensionInfo ext = extension_info();
    if (ext.has_runs_table) {
        RunStore store(ext);
        for (const ControlAction& a : g_actions) {
            if (a.kind == ControlAction::Kind::Stop) {
                // Without a worker the row's state is the caller's to write as well.
                const Found live = find_live(st, a.id);
                const bool worker = live.slot && is_active(live.state) && live.state != SimState::Restarting;
                store.request_stop(a.id, !worker);
            } else if (writes_row(a)) {
                store.request_resume(a.id);
            }
        }
    }
    pg_guard([] {
        PopActiveSnapshot();
        SPI_finish();
    });
}

// XACT_EVENT_COMMIT: hand every action to shared memory. Nothing here may fail or allocate.
void apply(const ControlAction& a) {
    SharedState* st = shared_state();
    if (!st) return;
    if (a.kind == ControlAction::Kind::Launch) {
        launch_reserved(st, a.slot, a.id);
        return;
    }
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    SimulationSlot* slot = find_slot_of(st, MyDatabaseId, a.id);
    const bool active = slot && is_active(slot->state);
    LWLockRelease(st->lock);
    switch (a.kind) {
        case ControlAction::Kind::Stop:
            if (active) signal_stop(st, slot, a.id, StopReason::Requested);
            break;
        case ControlAction::Kind::Kick:
            LWLockAcquire(st->lock, LW_EXCLUSIVE);
            if (same_simulation(slot, a.id) && slot->state == SimState::Restarting) {
                slot->restart_at = 0;
                slot->failures = 0;
                slot->launch_requested = true;
                slot->resume_requested = true;
            }
            if (st->launcher_latch) SetLatch(st->launcher_latch);
            LWLockRelease(st->lock);
            break;
        case ControlAction::Kind::Alter:
        case ControlAction::Kind::Inject:
            if (!active) break;
            LWLockAcquire(st->lock, LW_EXCLUSIVE);
            if (same_simulation(slot, a.id) && is_active(slot->state)) {
                if (a.kind == ControlAction::Kind::Alter) {
                    set_alterable_params(slot, a.params);
                } else if (slot->injected_count < kInjectedMax) {
                    slot->injected[slot->injected_count++] = a.incident;
                }
                slot->generation += 1;
                if (slot->latch) SetLatch(slot->latch);
            }
            LWLockRelease(st->lock);
            break;
        case ControlAction::Kind::Forget:
            LWLockAcquire(st->lock, LW_EXCLUSIVE);
            if (slot && same_simulation(slot, a.id) && !is_active(slot->state) && slot->state != SimState::Reserved)
                slot->state = SimState::Free;
            LWLockRelease(st->lock);
            break;
        case ControlAction::Kind::Launch:
            break;
    }
}

void release(const ControlAction& a) {
    if (a.kind == ControlAction::Kind::Launch && shared_state()) release_reserved(shared_state(), a.slot, a.id);
}

void before_commit() {
    PendingError pending;
    try {
        write_rows();
    } catch (const thelook::Error& e) {  // PgError too
        pending.capture(e);
    } catch (const std::bad_alloc&) {
        pending.capture(sqlstate::kOutOfMemory, "out of memory in thelook_datagen");
    } catch (const std::exception& e) {
        pending.capture(sqlstate::kInternal, e.what());
    }
    if (pending.set) pending.raise();  // the abort that follows releases the slots
}

void on_xact(XactEvent event, void*) {
    if (g_actions.empty()) return;
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
            before_commit();
            break;
        case XACT_EVENT_PRE_PREPARE:
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("cannot PREPARE a transaction that started, stopped or changed a simulation"),
                            errhint("Commit it instead: simulations act on what was committed.")));
            break;
        case XACT_EVENT_COMMIT:
            for (const ControlAction& a : g_actions) apply(a);
            g_actions.clear();
            break;
        case XACT_EVENT_ABORT:
            for (const ControlAction& a : g_actions) release(a);
            g_actions.clear();
            break;
        default:
            break;
    }
}

void on_subxact(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (g_actions.empty()) return;
    const int level = GetCurrentTransactionNestLevel();
    if (event == SUBXACT_EVENT_ABORT_SUB) {
        std::vector<ControlAction>::size_type kept = 0;
        for (auto& a : g_actions) {
            if (a.nest_level >= level)
                release(a);
            else if (&g_actions[kept] != &a)
                g_actions[kept++] = std::move(a);
            else
                ++kept;
        }
        g_actions.resize(kept, ControlAction{});  // shrinking: no allocation
    } else if (event == SUBXACT_EVENT_COMMIT_SUB) {
        for (auto& a : g_actions)
            if (a.nest_level >= level) a.nest_level = level - 1;
    }
}

}  // namespace

void defer(ControlAction action) {
    if (!g_registered) {
        RegisterXactCallback(on_xact, nullptr);
        RegisterSubXactCallback(on_subxact, nullptr);
        g_registered = true;
    }
    action.nest_level = GetCurrentTransactionNestLevel();
    g_actions.push_back(std::move(action));
}

bool stop_pending(int32 id) {
    for (const ControlAction& a : g_actions)
        if (a.kind == ControlAction::Kind::Stop && a.id == id) return true;
    return false;
}

const SimulationParams* pending_params(int32 id) {
    const SimulationParams* last = nullptr;
    for (const ControlAction& a : g_actions)
        if (a.kind == ControlAction::Kind::Alter && a.id == id) last = &a.params;
    return last;
}

int injections_pending(int32 id) {
    int n = 0;
    for (const ControlAction& a : g_actions)
        if (a.kind == ControlAction::Kind::Inject && a.id == id) ++n;
    return n;
}

}  // namespace thelook::pg
