#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "core/distributions.hpp"
#include "core/entity_generator.hpp"
#include "core/live_loop.hpp"
#include "core/error.hpp"
#include "core/order_lifecycle.hpp"
#include "core/rate_schedule.hpp"
#include "core/simulation_params.hpp"
#include "pg/catalog_files.hpp"
#include "pg/datum.hpp"
#include "pg/scenario_bridge.hpp"
#include "pg/schema_writer.hpp"
#include "pg/settings.hpp"
#include "pg/shared_state.hpp"
#include "pg/simulation.hpp"

namespace thelook::pg {

namespace {

struct SlotCopy {
    SimulationParams params;
    std::string schema;
    int32 id = 0;
};

// Parameters a running simulation takes from its slot (start_simulation, alter_simulation). Under
// the slot lock.
void read_params(const SimulationSlot* slot, SimulationParams* p) {
    p->avg_qps = slot->avg_qps;
    p->user_create_prob = slot->user_create_prob;
    p->user_update_prob = slot->user_update_prob;
    p->order_update_prob = slot->order_update_prob;
    p->ghost_create_prob = slot->ghost_create_prob;
    p->time_scale = slot->time_scale;
    p->scenario_name = NameStr(slot->scenario_name);
    p->scenario_json = slot->scenario_json;
}

void set_state(SimulationSlot* slot, SimState state, const char* error = nullptr) {
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

// Runs at worker exit however it ends (stop, SIGTERM, shutdown, error): a simulation still
// marked active was stopped from outside.
void on_worker_exit(int code, Datum arg) {
    LWLockReleaseAll();
    SimulationSlot* slot = &shared_state()->slots[DatumGetInt32(arg)];
    if (slot->pid == MyProcPid && is_active(slot->state)) set_state(slot, SimState::Stopped);
}

// The simulated clock: sim = sim0 + (wall - wall0) * scale.
struct SimClock {
    Micros wall0 = 0, sim0 = 0;
    double scale = 1;
    Micros sim(Micros wall) const { return sim0 + static_cast<Micros>(static_cast<double>(wall - wall0) * scale); }
    Micros wall(Micros sim_t) const {
        if (sim_t == kNever) return kNever;
        return wall0 + static_cast<Micros>(std::ceil(static_cast<double>(sim_t - sim0) / scale));
    }
};

// What a scenario turns into while running: the weekly profile and the incidents.
struct Traffic {
    std::string name, json;
    IncidentPlan incidents;
    Intensity intensity;
    std::unique_ptr<ShopperModel> shoppers;
};

class Simulation {
public:
    Simulation(SimulationSlot* slot, SlotCopy copy)
        : slot_(slot), p_(std::move(copy.params)), schema_(std::move(copy.schema)), id_(copy.id) {}

    void run();

private:
    void begin_transaction(const char* activity);
    void commit_transaction();
    void run_batch(const std::vector<Micros>& arrivals);
    void publish_success(size_t iterations);
    bool publish_failure(const char* message);  // true when the simulation must stop
    bool stop_requested();
    void wait_until(Micros deadline);
    void build_traffic(Micros sim_now);
    void follow_changes(Micros wall_now);
    void publish_clock();

    SimulationSlot* slot_;
    SimulationParams p_;
    std::string schema_;
    int32 id_;
    std::vector<Product> products_;
    std::unique_ptr<LocationSampler> sampler_;
    std::unique_ptr<EntityGenerator> gen_;
    std::unique_ptr<LiveLoop> loop_;
    std::unique_ptr<SchemaWriter> writer_;
    std::unique_ptr<Traffic> traffic_;
    std::unique_ptr<PoissonSchedule> schedule_;
    SimClock clock_;
    uint32 generation_ = 0;
    int32 injected_seen_ = 0;
    int64 done_ = 0;
};

void Simulation::begin_transaction(const char* activity) {
    pg_guard([&] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, activity);
    });
}

void Simulation::commit_transaction() {
    pg_guard([&] {
        SPI_finish();
        PopActiveSnapshot();
        CommitTransactionCommand();
        pgstat_report_stat(false);
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

// (Re)builds profile and incidents from the scenario in p_, from simulated time sim_now on; the
// incidents injected so far and already recorded carry over.
void Simulation::build_traffic(Micros sim_now) {
    ResolvedScenario r = parse_resolved(p_.scenario_name, p_.scenario_json);
    auto t = std::make_unique<Traffic>();
    t->name = r.name;
    t->json = r.json;
    t->incidents = IncidentPlan(r.scenario, sim_now, Rng::derive_seed(p_.seed, 0x1C1D0ULL + generation_));
    for (int32 i = 0; i < injected_seen_; ++i)
        t->incidents.add(slot_->injected[i].effect(), slot_->injected[i].start, slot_->injected[i].duration_seconds,
                         "injected", true);
    t->intensity = Intensity(WeeklyProfile(r.scenario.traffic, r.zone), &t->incidents);
    t->shoppers = std::make_unique<ShopperModel>(r.scenario.shoppers, products_, sim_now);
    loop_->set_model(t->shoppers.get());  // before the old model goes
    traffic_ = std::move(t);
}

void Simulation::publish_clock() {
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    slot_->clock_wall = clock_.wall0;
    slot_->clock_sim = clock_.sim0;
    LWLockRelease(shared_state()->lock);
}

// alter_simulation and inject_incident write the slot and bump its generation; apply what changed
// from now on, keeping the arrival process continuous (PoissonSchedule::retune).
void Simulation::follow_changes(Micros wall_now) {
    LWLockAcquire(shared_state()->lock, LW_SHARED);
    const bool changed = slot_->generation != generation_;  // UINT32_MAX: never yet
    LWLockRelease(shared_state()->lock);
    if (!changed) return;
    SimulationParams next = p_;
    std::vector<InjectedIncident> injected;
    LWLockAcquire(shared_state()->lock, LW_SHARED);
    generation_ = slot_->generation;
    read_params(slot_, &next);
    for (int32 i = injected_seen_; i < slot_->injected_count; ++i) injected.push_back(slot_->injected[i]);
    LWLockRelease(shared_state()->lock);

    const Micros sim_now = clock_.sim(wall_now);
    if (next.time_scale != clock_.scale) {
        clock_ = SimClock{wall_now, sim_now, next.time_scale};
        publish_clock();
    }
    const bool new_scenario = next.scenario_json != p_.scenario_json;
    p_ = next;
    loop_->set_params(p_);
    if (new_scenario) build_traffic(sim_now);
    for (const auto& in : injected) {
        traffic_->incidents.add(in.effect(), in.start, in.duration_seconds, "injected");
        ++injected_seen_;
    }
    schedule_->retune(sim_now, p_.avg_qps / p_.time_scale, &traffic_->intensity);
}

void Simulation::run_batch(const std::vector<Micros>& arrivals) {
    begin_transaction("thelook simulation: generating");
    if (p_.ids == IdFormat::Uuid7 && p_.order_update_prob > 0)
        loop_->set_oldest_open_millis(uuid_v7_millis(writer_->oldest_open_order_id()));
    // Ground truth in the same transaction as the first rows an incident affects.
    std::vector<IncidentWindow> started = traffic_->incidents.take_started(arrivals.back());
    writer_->record_incidents(started, id_);
    for (Micros t : arrivals) loop_->iteration(t, traffic_->intensity.checkout_failure(t), *writer_);
    writer_->flush();
    commit_transaction();
    if (!started.empty()) {
        SpinLockAcquire(&slot_->mutex);
        slot_->incidents_recorded += static_cast<int64>(started.size());
        SpinLockRelease(&slot_->mutex);
    }
}

void Simulation::publish_success(size_t iterations) {
    const WriteCounts& c = writer_->counts();
    SpinLockAcquire(&slot_->mutex);
    slot_->iterations += static_cast<int64>(iterations);
    slot_->transactions += 1;
    slot_->max_rows_per_transaction = std::max(slot_->max_rows_per_transaction, c.rows());
    for (int i = 0; i < kTableCount; ++i) {
        slot_->inserted[i] += c.inserted[i];
        slot_->updated[i] += c.updated[i];
    }
    // Only an iteration resets the count: a heartbeat that gets through between failed
    // iterations must not keep a broken simulation alive forever.
    if (iterations > 0) slot_->consecutive_errors = 0;
    SpinLockRelease(&slot_->mutex);
    writer_->reset_counts();
}

bool Simulation::publish_failure(const char* message) {
    SpinLockAcquire(&slot_->mutex);
    int consecutive = ++slot_->consecutive_errors;
    slot_->total_errors += 1;
    strlcpy(slot_->last_error, message, sizeof slot_->last_error);
    SpinLockRelease(&slot_->mutex);
    writer_->reset_counts();
    return consecutive >= dist::kMaxConsecutiveFailures;
}

bool Simulation::stop_requested() {
    pg_guard([] { CHECK_FOR_INTERRUPTS(); });
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        pg_guard([] { ProcessConfigFile(PGC_SIGHUP); });
    }
    return slot_->stop_requested;
}

void Simulation::wait_until(Micros deadline) {
    const Micros now = from_timestamptz(GetCurrentTimestamp());
    if (deadline <= now) return;
    const long ms = static_cast<long>(std::min<Micros>((deadline - now + 999) / 1000, 1000));
    pg_guard([&] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    });
}

void Simulation::run() {
    // Set-up failing is fatal: the caller sees state "failed" and last_error.
    begin_transaction("thelook simulation: starting");
    writer_ = std::make_unique<SchemaWriter>(schema_);
    products_ = writer_->load_products();
    commit_transaction();
    if (products_.empty())
        throw Error(sqlstate::kInvalidParameterValue, "the products table of schema \"" + schema_ + "\" is empty",
                    "", "Run thelook.setup() for this schema.");
    const Catalog& catalog = installed_catalog();
    sampler_ = std::make_unique<LocationSampler>(catalog.locations, p_.country, p_.state, p_.postal_code);
    gen_ = std::make_unique<EntityGenerator>(catalog.names, products_, *sampler_, p_.seed);
    gen_->set_id_format(p_.ids);
    loop_ = std::make_unique<LiveLoop>(*gen_, p_);

    const Micros start = from_timestamptz(GetCurrentTimestamp());
    clock_ = SimClock{start, p_.simulated_start == kNoTime ? start : p_.simulated_start, p_.time_scale};
    // Changes made while the worker was starting (alter_simulation, inject_incident) are applied by
    // the first follow_changes(): no generation matches this one.
    generation_ = UINT32_MAX;
    injected_seen_ = 0;
    build_traffic(clock_.sim0);
    schedule_ = std::make_unique<PoissonSchedule>(p_.avg_qps / p_.time_scale, clock_.sim0,
                                                  Rng::derive_seed(p_.seed, 0x5C4EDULL), &traffic_->intensity);
    const Micros end = p_.duration_seconds > 0 ? start + static_cast<Micros>(p_.duration_seconds * 1e6) : INT64_MAX;
    const Micros heartbeat_every = static_cast<Micros>(p_.heartbeat_interval_seconds * 1e6);
    Micros next_heartbeat = heartbeat_every > 0 ? start : INT64_MAX;
    // started_at becomes the origin of the arrival schedule, so that scheduled, achieved_qps and
    // any rate check over the view measure from the same instant (not from the call, which
    // precedes the worker's start and its catalogue load).
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    slot_->started_at = to_timestamptz(start);
    LWLockRelease(shared_state()->lock);
    publish_clock();
    set_state(slot_, SimState::Running);

    std::vector<Micros> pending;
    while (!stop_requested()) {
        Micros now = from_timestamptz(GetCurrentTimestamp());
        if (now >= end || (p_.max_iter > 0 && done_ >= p_.max_iter)) {
            set_state(slot_, SimState::Finished);
            return;
        }
        follow_changes(now);
        if (now >= next_heartbeat) {
            try {
                begin_transaction("thelook simulation: heartbeat");
                writer_->heartbeat(now);  // Debezium's clock, not the simulated one
                commit_transaction();
                publish_success(0);
            } catch (const PgError& e) {
                pg_guard([] { AbortCurrentTransaction(); });
            }
            next_heartbeat = now + heartbeat_every;
        }
        if (pending.empty()) {
            size_t cap = static_cast<size_t>(settings::max_iterations_per_transaction);
            if (p_.max_iter > 0) cap = std::min<size_t>(cap, static_cast<size_t>(p_.max_iter - done_));
            const Micros span = static_cast<Micros>(static_cast<double>(settings::max_transaction_span_ms) * 1000 * clock_.scale);
            pending = schedule_->take_due(clock_.sim(now), cap, span);
        }
        if (!pending.empty()) {
            std::string failure;
            try {
                run_batch(pending);
                done_ += static_cast<int64>(pending.size());
                publish_success(pending.size());
                pending.clear();
            } catch (const PgError& e) {
                failure = e.what();
            } catch (const Error& e) {
                failure = e.what();
            }
            if (!failure.empty()) {
                writer_->discard();
                pg_guard([&] {
                    AbortCurrentTransaction();
                    ereport(LOG, (errmsg("thelook simulation %d: iteration failed: %s", id_, failure.c_str())));
                });
                if (publish_failure(failure.c_str())) {
                    set_state(slot_, SimState::Failed);
                    return;
                }
                // Back off, then retry the same arrivals.
                const Micros resume = from_timestamptz(GetCurrentTimestamp()) +
                                      static_cast<Micros>(slot_->consecutive_errors) * 500000;
                while (!stop_requested() && from_timestamptz(GetCurrentTimestamp()) < resume) wait_until(resume);
                continue;
            }
        }
        now = from_timestamptz(GetCurrentTimestamp());
        SpinLockAcquire(&slot_->mutex);
        slot_->scheduled = static_cast<int64>(schedule_->scheduled_by(clock_.sim(now)));
        slot_->simulated_now = clock_.sim(now);
        SpinLockRelease(&slot_->mutex);
        wait_until(std::min<Micros>({clock_.wall(schedule_->next_arrival()), next_heartbeat, end}));
    }
    set_state(slot_, SimState::Stopped);
}

// Runs the simulation of a slot; on failure leaves the reason in failure[]. Every C++ object of
// the worker lives inside this call.
void simulate(SimulationSlot* slot, int32 simulation_id, char (&failure)[kErrorMax]) {
    try {
        SlotCopy copy;
        copy.id = simulation_id;
        copy.schema = NameStr(slot->schema);
        copy.params.avg_qps = slot->avg_qps;
        copy.params.max_iter = slot->max_iter;
        copy.params.user_create_prob = slot->user_create_prob;
        copy.params.user_update_prob = slot->user_update_prob;
        copy.params.order_update_prob = slot->order_update_prob;
        copy.params.ghost_create_prob = slot->ghost_create_prob;
        copy.params.country = slot->country;
        copy.params.state = slot->state_filter;
        copy.params.postal_code = slot->postal_code;
        copy.params.seed = slot->seed;
        copy.params.duration_seconds = slot->duration_seconds;
        copy.params.heartbeat_interval_seconds = slot->heartbeat_seconds;
        copy.params.ids = slot->ids;
        copy.params.simulated_start = slot->simulated_start;
        LWLockAcquire(shared_state()->lock, LW_SHARED);
        read_params(slot, &copy.params);
        LWLockRelease(shared_state()->lock);
        Simulation(slot, std::move(copy)).run();
    } catch (const PgError& e) {
        strlcpy(failure, e.what(), sizeof failure);
    } catch (const std::exception& e) {
        strlcpy(failure, e.what(), sizeof failure);
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
    if (ours) {
        slot->pid = MyProcPid;
        slot->latch = MyLatch;
    }
    LWLockRelease(state->lock);
    if (!ours) return;
    before_shmem_exit(on_worker_exit, Int32GetDatum(slot_index));

    // Connect as the role that started the simulation: its privileges are the worker's. No C++
    // object is alive here, so these calls may raise errors freely.
    BackgroundWorkerInitializeConnectionByOid(slot->database_oid, slot->role_oid, 0);
    char appname[64];
    snprintf(appname, sizeof appname, "thelook simulation %d", simulation_id);
    SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("synchronous_commit", settings::synchronous_commit ? "on" : "off", PGC_USERSET,
                    PGC_S_SESSION);

    char failure[kErrorMax] = "";
    simulate(slot, simulation_id, failure);
    if (failure[0]) {
        AbortCurrentTransaction();
        set_state(slot, SimState::Failed, failure);
        ereport(LOG, (errmsg("thelook simulation %d failed: %s", simulation_id, failure)));
    }
}

}  // namespace thelook::pg
