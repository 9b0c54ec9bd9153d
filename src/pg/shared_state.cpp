#include "pg/shared_state.hpp"

#include "core/error.hpp"
#include "pg/settings.hpp"

namespace thelook::pg {

namespace {
SharedState* g_state = nullptr;
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

Size shared_state_size() {
    return add_size(offsetof(SharedState, slots),
                    mul_size(sizeof(SimulationSlot), static_cast<Size>(settings::max_simulations)));
}

void request_shmem() {
    if (prev_shmem_request_hook) prev_shmem_request_hook();
    RequestAddinShmemSpace(shared_state_size());
    RequestNamedLWLockTranche("thelook_datagen", 1);
}

void startup_shmem() {
    if (prev_shmem_startup_hook) prev_shmem_startup_hook();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    g_state = static_cast<SharedState*>(ShmemInitStruct("thelook_datagen", shared_state_size(), &found));
    if (!found) {
        g_state->lock = &(GetNamedLWLockTranche("thelook_datagen"))->lock;
        g_state->next_id = 1;
        g_state->slot_count = settings::max_simulations;
        for (int i = 0; i < g_state->slot_count; ++i) {
            SimulationSlot* slot = &g_state->slots[i];
            memset(slot, 0, sizeof(*slot));
            slot->state = SimState::Free;
            SpinLockInit(&slot->mutex);
        }
    }
    LWLockRelease(AddinShmemInitLock);
}
}  // namespace

const char* state_name(SimState s) {
    switch (s) {
        case SimState::Free: return "free";
        case SimState::Starting: return "starting";
        case SimState::Running: return "running";
        case SimState::Stopping: return "stopping";
        case SimState::Stopped: return "stopped";
        case SimState::Finished: return "finished";
        case SimState::Failed: return "failed";
    }
    return "unknown";
}

SharedState* shared_state() { return g_state; }

void install_shmem_hooks() {
    prev_shmem_request_hook = shmem_request_hook;
    shmem_request_hook = request_shmem;
    prev_shmem_startup_hook = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;
}

SharedState* require_shared_state() {
    if (!g_state)
        throw thelook::Error("55000", "thelook_datagen is not loaded through shared_preload_libraries",
                             "Live simulations keep their state in shared memory, which is reserved at server start.",
                             "Add the line shared_preload_libraries = 'thelook_datagen' to postgresql.conf (keep "
                             "the libraries already listed, e.g. 'pg_cron,thelook_datagen') and restart the server; "
                             "the extension needs no DROP or CREATE afterwards.");
    return g_state;
}

}  // namespace thelook::pg
