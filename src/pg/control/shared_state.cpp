#include "pg/control/shared_state.hpp"

#include "core/error.hpp"
#include "pg/bridge/background_worker.hpp"
#include "pg/bridge/settings.hpp"

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
        g_state->launcher_pid = 0;
        g_state->launcher_latch = nullptr;
        for (int i = 0; i < g_state->slot_count; ++i) {
            SimulationSlot* slot = &g_state->slots[i];
            memset(static_cast<void*>(slot), 0, sizeof(*slot));  // all plain data
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
        case SimState::Restarting: return "restarting";
        case SimState::Reserved: return "starting";  // seen only by the transaction that holds it
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

SimulationSlot* find_slot_of(SharedState* st, Oid db, int32 id) {
    for (int i = 0; i < st->slot_count; ++i) {
        SimulationSlot* s = &st->slots[i];
        if (s->state != SimState::Free && s->id == id && s->database_oid == db) return s;
    }
    return nullptr;
}

int free_slot(SharedState* st) {
    int best = -1;
    for (int i = 0; i < st->slot_count; ++i) {
        const SimulationSlot& s = st->slots[i];
        if (s.state == SimState::Free) return i;
        if (!is_active(s.state) && s.state != SimState::Reserved && (best < 0 || s.ended_at < st->slots[best].ended_at)) best = i;
    }
    return best;
}

void wake_launcher() {
    SharedState* st = g_state;
    if (!st) return;
    LWLockAcquire(st->lock, LW_SHARED);
    if (st->launcher_latch) SetLatch(st->launcher_latch);
    LWLockRelease(st->lock);
}

SimulationParams params_of(const SimulationSlot* slot) {
    SimulationParams p;
    p.avg_qps = slot->avg_qps;
    p.max_iter = slot->max_iter;
    p.user_create_prob = slot->user_create_prob;
    p.user_update_prob = slot->user_update_prob;
    p.order_update_prob = slot->order_update_prob;
    p.ghost_create_prob = slot->ghost_create_prob;
    p.country = slot->country;
    p.state = slot->state_filter;
    p.postal_code = slot->postal_code;
    p.seed = slot->seed;
    p.duration_seconds = slot->duration_seconds;
    p.heartbeat_interval_seconds = slot->heartbeat_seconds;
    p.ids = slot->ids;
    p.scenario_name = NameStr(slot->scenario_name);
    p.scenario_json = slot->scenario_json;
    p.time_scale = slot->time_scale;
    p.simulated_start = slot->simulated_start;
    p.on_resume = slot->on_resume;
    p.keep_events_seconds = slot->keep_events_seconds;
    p.keep_orders_seconds = slot->keep_orders_seconds;
    p.shard = slot->shard;
    p.shards = slot->shards;
    return p;
}

void set_params(SimulationSlot* slot, const SimulationParams& p) {
    set_alterable_params(slot, p);
    slot->max_iter = p.max_iter;
    strlcpy(slot->country, p.country.c_str(), kFilterMax);
    strlcpy(slot->state_filter, p.state.c_str(), kFilterMax);
    strlcpy(slot->postal_code, p.postal_code.c_str(), kFilterMax);
    slot->seed = p.seed;
    slot->duration_seconds = p.duration_seconds;
    slot->heartbeat_seconds = p.heartbeat_interval_seconds;
    slot->ids = p.ids;
    slot->simulated_start = p.simulated_start;
    slot->on_resume = p.on_resume;
    slot->keep_events_seconds = p.keep_events_seconds;
    slot->keep_orders_seconds = p.keep_orders_seconds;
    slot->shard = p.shard;
    slot->shards = p.shards;
}

void set_alterable_params(SimulationSlot* slot, const SimulationParams& p) {
    slot->avg_qps = p.avg_qps;
    slot->user_create_prob = p.user_create_prob;
    slot->user_update_prob = p.user_update_prob;
    slot->order_update_prob = p.order_update_prob;
    slot->ghost_create_prob = p.ghost_create_prob;
    slot->time_scale = p.time_scale;
    strlcpy(NameStr(slot->scenario_name), p.scenario_name.c_str(), NAMEDATALEN);
    strlcpy(slot->scenario_json, p.scenario_json.c_str(), kScenarioMax);
}

void reset_slot(SimulationSlot* slot, Oid db, int32 id, Oid role) {
    memset(reinterpret_cast<char*>(slot) + offsetof(SimulationSlot, state), 0, offsetof(SimulationSlot, mutex));
    slot->state = SimState::Starting;
    slot->id = id;
    slot->database_oid = db;
    slot->role_oid = role;
    slot->started_at = GetCurrentTimestamp();
    publish_live(slot, LiveCounters{});
}

void publish_live(SimulationSlot* slot, const LiveCounters& live) {
    SpinLockAcquire(&slot->mutex);
    slot->live = live;
    SpinLockRelease(&slot->mutex);
}

LiveCounters read_live(SimulationSlot* slot) {
    SpinLockAcquire(&slot->mutex);
    const LiveCounters live = slot->live;
    SpinLockRelease(&slot->mutex);
    return live;
}

void set_last_error(SharedState* st, SimulationSlot* slot, const char* message) {
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    strlcpy(slot->last_error, message ? message : "", sizeof slot->last_error);
    LWLockRelease(st->lock);
}

void copy_slot(SharedState* st, int index, SimulationSlot* out) {
    SimulationSlot* slot = &st->slots[index];
    LWLockAcquire(st->lock, LW_SHARED);
    memcpy(static_cast<void*>(out), slot, offsetof(SimulationSlot, mutex));
    LWLockRelease(st->lock);
    out->live = read_live(slot);
}

bool register_simulation_worker(int index, int32 id, BackgroundWorkerHandle** handle) {
    // BGW_NEVER_RESTART: the launcher restarts it, with back-off.
    BackgroundWorker worker = thelook_worker("thelook_worker_main", "thelook simulation", BGW_NEVER_RESTART);
    snprintf(worker.bgw_name, BGW_MAXLEN, "thelook simulation %d", id);
    worker.bgw_notify_pid = MyProcPid;
    worker.bgw_main_arg = Int32GetDatum(index);
    memcpy(worker.bgw_extra, &id, sizeof id);
    return RegisterDynamicBackgroundWorker(&worker, handle);
}

SharedState* require_shared_state() {
    if (!g_state)
        throw thelook::Error(sqlstate::kObjectNotInPrerequisiteState, "thelook_datagen is not loaded through shared_preload_libraries",
                             "Live simulations keep their state in shared memory, which is reserved at server start.",
                             "Add the line shared_preload_libraries = 'thelook_datagen' to postgresql.conf (keep "
                             "the libraries already listed, e.g. 'pg_cron,thelook_datagen') and restart the server; "
                             "the extension needs no DROP or CREATE afterwards.");
    return g_state;
}

}  // namespace thelook::pg
