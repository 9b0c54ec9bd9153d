// The simulation worker. It takes its simulation on (inserts its row in thelook.simulation_runs,
// or bumps the row's incarnation and restores the progress saved there), then runs the arrival
// schedule: every transaction holds the rows of a batch of arrivals and one UPDATE of the row with
// the progress they leave (counters, schedule position, random states). A batch that fails is rolled
// back and the in-memory state goes back to what the last commit left, so a retry, like a resume
// after a crash, writes exactly what an uninterrupted run would have.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/distributions.hpp"
#include "core/entity_generator.hpp"
#include "core/error.hpp"
#include "core/live_loop.hpp"
#include "core/order_lifecycle.hpp"
#include "core/progress.hpp"
#include "core/rate_schedule.hpp"
#include "core/run/pacing.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation.hpp"
#include "pg/control/simulation_store.hpp"

namespace thelook::pg {

namespace {

// The worker must end without writing anything more: its row was deleted, another worker took the
// simulation over, or the extension is gone.
class Superseded : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr Micros kRetentionEvery = 1000000;

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

// What a scenario turns into while running: the weekly profile and the incidents.
struct Traffic {
    std::string name, json;
    IncidentPlan incidents;
    Intensity intensity;
    std::unique_ptr<ShopperModel> shoppers;
    std::unique_ptr<FaultInjector> faults;  // null while the scenario injects none and none is held
    std::unique_ptr<Inventory> inventory;
};

Micros wall_now() { return from_timestamptz(GetCurrentTimestamp()); }

class Simulation {
public:
    Simulation(SimulationSlot* slot, int32 id) : slot_(slot), id_(id) {}
    // Runs until the simulation stops, finishes or fails; returns normally in each case (the
    // slot and, when it has one, the row say how it ended). Throws Superseded, or any error of a
    // resumed simulation's set-up (the worker then counts as died, and is restarted).
    void run();

private:
    void run_inner();
    bool take_on();
    void start_fresh(Micros now);
    void restore(const SimulationProgress& progress, Micros now);
    void loop();

    void begin_transaction(const char* activity);
    void commit_transaction();
    void abort_transaction();
    void run_batch(const std::vector<Micros>& arrivals);
    void save_held_events();
    void run_retention(Micros now);
    void heartbeat(Micros now);
    void publish();
    bool publish_failure(const char* message);  // true when the simulation must stop
    bool stop_requested();
    void wait_until(Micros deadline);
    void build_traffic(Micros sim_now);
    void follow_changes(Micros wall_now);
    void publish_clock();
    SimulationProgress capture() const;
    void restore_safe();
    double run_seconds(Micros now) const { return run_base_ + static_cast<double>(now - run_start_) / 1e6; }
    // The last transaction: how the simulation ended, in its row (best effort) and its slot.
    void end(SimState state, const char* desired, const std::string& error);

    SimulationSlot* slot_;
    int32 id_;
    SimulationParams p_;
    std::string schema_;
    bool fresh_ = true, persisted_ = false;
    ExtensionInfo ext_;
    std::unique_ptr<RunStore> store_;
    RunRow row_;
    std::vector<Product> products_;
    std::unique_ptr<LocationSampler> sampler_;
    std::unique_ptr<EntityGenerator> gen_;
    std::unique_ptr<LiveLoop> loop_;
    std::unique_ptr<SchemaWriter> writer_;
    std::unique_ptr<Traffic> traffic_;
    std::unique_ptr<PoissonSchedule> schedule_;
    SimClock clock_;
    uint32 generation_ = 0;
    uint32 traffic_builds_ = 0;
    int32 injected_seen_ = 0;
    std::vector<InjectedIncidentSpec> injected_;
    bool params_dirty_ = false;

    SimulationProgress safe_;      // what the last commit left (or the start): a failed batch goes back to it
    SimulationCounters counters_;  // cumulative, as committed
    int64 done_ = 0;               // iterations, cumulative
    double run_base_ = 0;          // run time of earlier workers, seconds
    Micros run_start_ = 0, end_ = INT64_MAX;
    int32 consecutive_errors_ = 0;
    bool progressed_ = false;

    CatchUp catch_up_;             // on_resume 'catch_up'

    Micros next_retention_ = 0;
    int64 inserted_since_retention_[kTableCount] = {};
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

void Simulation::abort_transaction() {
    if (writer_) writer_->discard();
    pg_guard([] {
        AbortCurrentTransaction();
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

// The first transactions: the simulation's row (inserted, or taken over with its progress), then
// the catalogue. False when the simulation must not run (stopped meanwhile, failed too often);
// the slot then says so.
bool Simulation::take_on() {
    LWLockAcquire(shared_state()->lock, LW_SHARED);
    fresh_ = slot_->fresh;
    persisted_ = slot_->persisted;
    const bool resume_requested = slot_->resume_requested;
    p_ = params_of(slot_);
    schema_ = NameStr(slot_->schema);
    LWLockRelease(shared_state()->lock);

    begin_transaction("thelook simulation: starting");
    ext_ = extension_info();
    if (ext_.ext == InvalidOid) throw Superseded("the extension thelook_datagen is not installed in this database");
    if (persisted_) {
        if (!ext_.has_runs_table)
            throw Error(sqlstate::kObjectNotInPrerequisiteState, "thelook.simulation_runs does not exist", "",
                        "Run ALTER EXTENSION thelook_datagen UPDATE.");
        store_ = std::make_unique<RunStore>(ext_);
        // The row was committed by start_simulation (fresh: it has never run) or by an earlier
        // worker; the worker only ever takes it over.
        std::optional<RunRow> r = store_->load(id_, true);
        if (!r) throw Superseded("its row in thelook.simulation_runs was deleted");
        row_ = *r;
        if (row_.desired_state != "running" && !resume_requested) {
            commit_transaction();
            set_state(slot_, row_.state == "failed" ? SimState::Failed : SimState::Stopped);
            return false;
        }
        if (!fresh_ && row_.failures >= kMaxWorkerFailures && !resume_requested) {
            const std::string why = "its worker ended " + std::to_string(row_.failures) +
                                    " times in a row without progress; last error: " +
                                    row_.last_error.value_or("none");
            store_->set_state(id_, -1, "failed", "stopped", why.c_str());
            commit_transaction();
            set_state(slot_, SimState::Failed, why.c_str());
            return false;
        }
        store_->take_over(row_, resume_requested || fresh_, fresh_ && row_.incarnation == 0);
        // A fresh start keeps the slot's parameters: an alter_simulation committed since the
        // start is in them (and applied by the first follow_changes()).
        if (!fresh_) {
            p_ = row_.params;
            schema_ = row_.schema;
        }
        LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
        if (!fresh_) set_params(slot_, p_);
        strlcpy(NameStr(slot_->schema), schema_.c_str(), NAMEDATALEN);
        strlcpy(NameStr(slot_->name), row_.name.c_str(), NAMEDATALEN);
        if (row_.started_at != kNoTime) slot_->started_at = to_timestamptz(row_.started_at);
        if (!fresh_) slot_->resumed_at = to_timestamptz(row_.resumed_at);
        LWLockRelease(shared_state()->lock);
    }
    // Committed on its own: a set-up that then fails still counts as an attempt (failures).
    commit_transaction();

    begin_transaction("thelook simulation: loading the catalogue");
    const bool schema_exists = pg_guard([&] { return OidIsValid(get_namespace_oid(schema_.c_str(), true)); });
    if (!schema_exists) {
        abort_transaction();
        end(SimState::Failed, "stopped", "schema \"" + schema_ + "\" does not exist any more");
        return false;
    }
    writer_ = std::make_unique<SchemaWriter>(schema_);
    writer_->set_simulation_id(id_);
    products_ = writer_->load_products();
    commit_transaction();
    if (products_.empty())
        throw Error(sqlstate::kInvalidParameterValue, "the products table of schema \"" + schema_ + "\" is empty",
                    "", "Run thelook.setup() for this schema.");
    return true;
}

// (Re)builds profile and incidents from the scenario in p_, from simulated time sim_now on; the
// incidents injected so far carry over (already recorded: they were handed out by an earlier plan).
void Simulation::build_traffic(Micros sim_now) {
    ResolvedScenario r = parse_resolved(p_.scenario_name, p_.scenario_json);
    auto t = std::make_unique<Traffic>();
    t->name = r.name;
    t->json = r.json;
    t->incidents = IncidentPlan(r.scenario, sim_now, Rng::derive_seed(p_.seed, 0x1C1D0ULL + traffic_builds_));
    ++traffic_builds_;
    for (const InjectedIncidentSpec& in : injected_)
        t->incidents.add(in.effect, in.start, in.duration_seconds, "injected", true);
    t->intensity = Intensity(WeeklyProfile(r.scenario.traffic, r.zone), &t->incidents);
    t->shoppers = std::make_unique<ShopperModel>(r.scenario.shoppers, products_, sim_now);
    if (r.scenario.inventory.given && !writer_->has_inventory())
        throw Error(sqlstate::kUndefinedTable, "schema \"" + schema_ + "\" has no inventory tables",
                    "The scenario has an \"inventory\" section.", "Run SELECT thelook.setup('" + schema_ + "', inventory => true).");
    t->inventory = std::make_unique<Inventory>(r.scenario.inventory, &t->incidents);
    loop_->set_model(t->shoppers.get());  // before the old model goes
    // The injector outlives a change of scenario: late events it holds still arrive.
    if (traffic_ && traffic_->faults) t->faults = std::move(traffic_->faults);
    if (!t->faults && r.scenario.faults.injects_rows())
        t->faults = std::make_unique<FaultInjector>(r.scenario.faults, Rng::derive_seed(p_.seed, kFaultStream), p_.ids);
    if (t->faults) t->faults->set_section(r.scenario.faults);
    loop_->set_faults(t->faults.get());
    loop_->set_cdc_faults(r.scenario.faults.cdc);
    loop_->set_inventory(t->inventory.get());
    traffic_ = std::move(t);
}

void Simulation::publish_clock() {
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    slot_->clock_wall = clock_.wall0;
    slot_->clock_sim = clock_.sim0;
    LWLockRelease(shared_state()->lock);
}

SimulationProgress Simulation::capture() const {
    SimulationProgress p;
    p.entity_rng = gen_->rng().state();
    p.schedule = schedule_->snapshot();
    p.incidents = traffic_->incidents.snapshot();
    p.traffic_builds = traffic_builds_;
    p.clock_wall = clock_.wall0;
    p.clock_sim = clock_.sim0;
    p.injected = injected_;
    if (traffic_->faults) {
        p.has_faults = true;
        p.faults = traffic_->faults->state();
    }
    p.cdc = loop_->cdc_planner().clocks();
    return p;
}

void Simulation::restore_safe() {
    gen_->rng().restore(safe_.entity_rng);
    if (traffic_->faults && safe_.has_faults) traffic_->faults->roll_back(safe_.faults);
    loop_->cdc_planner().set_clocks(safe_.cdc);
    traffic_->incidents.restore(safe_.incidents);
    schedule_->restore(safe_.schedule, &traffic_->intensity);
}

void Simulation::start_fresh(Micros now) {
    clock_ = SimClock{now, p_.simulated_start == kNoTime ? now : p_.simulated_start, p_.time_scale};
    // Changes made while the worker was starting (alter_simulation, inject_incident) are applied by
    // the first follow_changes(): no generation matches this one.
    generation_ = UINT32_MAX;
    injected_seen_ = 0;
    build_traffic(clock_.sim0);
    schedule_ = std::make_unique<PoissonSchedule>(p_.avg_qps / p_.time_scale, clock_.sim0,
                                                  Rng::derive_seed(p_.seed, 0x5C4EDULL), &traffic_->intensity);
}

// Continues from the progress of the last committed transaction; the arrivals that fell due while
// no worker ran are skipped or caught up with (on_resume).
void Simulation::restore(const SimulationProgress& progress, Micros now) {
    clock_ = SimClock{progress.clock_wall, progress.clock_sim, p_.time_scale};
    injected_ = progress.injected;
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    generation_ = slot_->generation;
    slot_->injected_count = 0;
    for (const InjectedIncidentSpec& in : injected_)
        if (slot_->injected_count < kInjectedMax)
            slot_->injected[slot_->injected_count++] =
                InjectedIncident{static_cast<int>(in.effect.kind), in.effect.magnitude, in.effect.recovery_magnitude,
                                 in.effect.recovery_seconds, in.start, in.duration_seconds};
    injected_seen_ = slot_->injected_count;
    LWLockRelease(shared_state()->lock);
    traffic_builds_ = progress.traffic_builds > 0 ? progress.traffic_builds - 1 : 0;
    build_traffic(progress.clock_sim);
    traffic_builds_ = progress.traffic_builds;
    traffic_->incidents.restore(progress.incidents);
    gen_->rng().restore(progress.entity_rng);
    loop_->cdc_planner().set_clocks(progress.cdc);
    if (progress.has_faults) {
        // The injector goes on with its stream and the late events it held at the last commit.
        if (!traffic_->faults) {
            traffic_->faults = std::make_unique<FaultInjector>(FaultsSection{}, Rng::derive_seed(p_.seed, kFaultStream), p_.ids);
            loop_->set_faults(traffic_->faults.get());
        }
        std::vector<FaultInjector::HeldEvent> held;
        if (store_ && store_->has_held_table()) {
            begin_transaction("thelook simulation: loading held events");
            for (const std::string& text : store_->load_held(id_)) held.push_back(held_event_from_json(text));
            commit_transaction();
        }
        traffic_->faults->restore(progress.faults, std::move(held));
    }
    schedule_ = std::make_unique<PoissonSchedule>(1.0, 0, 0, &traffic_->intensity);
    schedule_->restore(progress.schedule, &traffic_->intensity);
    const Micros sim_now = clock_.sim(now);
    if (p_.on_resume == OnResume::Skip) {
        counters_.skipped += static_cast<int64>(schedule_->skip_to(sim_now));
    } else if (schedule_->next_arrival() <= sim_now) {
        catch_up_.begin(sim_now, now);
    }
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
    const SimulationParams in_slot = params_of(slot_);
    for (int32 i = injected_seen_; i < slot_->injected_count; ++i) injected.push_back(slot_->injected[i]);
    LWLockRelease(shared_state()->lock);
    next.adopt_alterable(in_slot);

    const Micros sim_now = clock_.sim(wall_now);
    if (next.time_scale != clock_.scale) {
        clock_ = clock_.rescaled(wall_now, next.time_scale);
        publish_clock();
    }
    const bool new_scenario = next.scenario_json != p_.scenario_json;
    p_ = next;
    params_dirty_ = true;
    loop_->set_params(p_);
    if (new_scenario) build_traffic(sim_now);
    for (const auto& in : injected) {
        traffic_->incidents.add(in.effect(), in.start, in.duration_seconds, "injected");
        injected_.push_back(InjectedIncidentSpec{in.effect(), in.start, in.duration_seconds});
        ++injected_seen_;
    }
    schedule_->retune(sim_now, p_.avg_qps / p_.time_scale, &traffic_->intensity);
    // The decisions are made; a failed batch must not undo them.
    safe_ = capture();
}

// The late events held and released since the last commit, in this transaction.
void Simulation::save_held_events() {
    std::string added = "[", released = "{";
    for (const FaultInjector::HeldEvent* h : traffic_->faults->held_since_commit())
        added += (added.size() > 1 ? "," : "") + held_event_to_json(*h);
    for (uint64_t seq : traffic_->faults->released_since_commit())
        released += (released.size() > 1 ? "," : "") + std::to_string(seq);
    store_->save_held(id_, added + "]", released + "}");
}

void Simulation::run_batch(const std::vector<Micros>& arrivals) {
    begin_transaction("thelook simulation: generating");
    if (p_.ids == IdFormat::Uuid7 && p_.order_update_prob > 0)
        loop_->set_oldest_open_millis(uuid_v7_millis(writer_->oldest_open_order_id()));
    // Ground truth in the same transaction as the first rows an incident affects.
    std::vector<IncidentWindow> started = traffic_->incidents.take_started(arrivals.back());
    writer_->record_incidents(started, id_);
    loop_->deliver_restocks(arrivals.front(), *writer_);
    for (Micros t : arrivals) loop_->iteration(t, traffic_->intensity.checkout_failure(t), *writer_);
    writer_->flush();

    const WriteCounts& w = writer_->counts();
    SimulationCounters next = counters_;
    next.transactions += 1;
    next.max_rows_per_transaction = std::max<int64>(next.max_rows_per_transaction, w.rows());
    next.incidents += static_cast<int64>(started.size());
    next.lost_sales += w.lost_sales;
    next.users_inserted += w.inserted[kUsers];
    next.users_updated += w.updated[kUsers];
    next.orders_inserted += w.inserted[kOrders];
    next.orders_updated += w.updated[kOrders];
    next.order_items_inserted += w.inserted[kOrderItems];
    next.order_items_updated += w.updated[kOrderItems];
    next.events_inserted += w.inserted[kEvents];
    next.heartbeats += w.updated[kHeartbeat];
    const int64 done = done_ + static_cast<int64>(arrivals.size());
    next.scheduled = static_cast<int64>(schedule_->taken()) + next.skipped;
    SimulationProgress snapshot = capture();
    if (persisted_ && settings::persist_progress) {
        if (traffic_->faults && store_->has_held_table()) save_held_events();
        const Micros now = wall_now();
        if (!store_->save_progress(id_, row_.incarnation, done, run_seconds(now), clock_.sim(now),
                                   counters_to_json(next), progress_to_json(snapshot)))
            throw Superseded("another worker took simulation " + std::to_string(id_) +
                             " over, or its row in thelook.simulation_runs was deleted");
        if (params_dirty_ && !store_->save_params(id_, row_.incarnation, p_))
            throw Superseded("simulation " + std::to_string(id_) + " was taken over");
    }
    commit_transaction();
    if (traffic_->faults) traffic_->faults->committed();
    params_dirty_ = false;
    for (int t = 0; t < kTableCount; ++t) inserted_since_retention_[t] += w.inserted[t];
    writer_->reset_counts();
    counters_ = next;
    done_ = done;
    safe_ = std::move(snapshot);
    consecutive_errors_ = 0;
    if (!progressed_) {
        progressed_ = true;
        LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
        slot_->failures = 0;
        LWLockRelease(shared_state()->lock);
    }
    publish();
}

// Retention: deletes, in a transaction of its own, the oldest rows past keep_events / keep_orders
// (in simulated time), at most a little more than was inserted since the last pass (so that it
// keeps up) and at most 10,000 per table: small transactions whatever the backlog.
void Simulation::run_retention(Micros now) {
    const Micros sim_now = clock_.sim(now);
    auto limit = [&](int table, int64 base) {
        return std::min<int64>(10000, base + 2 * inserted_since_retention_[table]);
    };
    RetentionCounts deleted;
    bool more = false;
    try {
        begin_transaction("thelook simulation: retention");
        if (p_.keep_orders_seconds > 0) {
            const int64 n = limit(kOrders, 200);
            deleted = writer_->delete_old_orders(sim_now - static_cast<Micros>(p_.keep_orders_seconds * 1e6), n);
            more = more || deleted.orders == n;
        }
        if (p_.keep_events_seconds > 0) {
            const int64 n = limit(kEvents, 1000);
            deleted.events = writer_->delete_old_events(sim_now - static_cast<Micros>(p_.keep_events_seconds * 1e6), n);
            more = more || deleted.events == n;
        }
        commit_transaction();
    } catch (const PgError& e) {
        abort_transaction();
        writer_->reset_counts();
        pg_guard([&] { ereport(LOG, (errmsg("thelook simulation %d: retention failed: %s", id_, e.what()))); });
        counters_.total_errors += 1;
        next_retention_ = now + 5 * kRetentionEvery;
        publish();
        return;
    }
    for (int64& n : inserted_since_retention_) n = 0;
    writer_->reset_counts();  // its deletes are not the next batch's rows
    counters_.transactions += 1;
    counters_.orders_deleted += deleted.orders;
    counters_.order_items_deleted += deleted.order_items;
    counters_.events_deleted += deleted.events;
    next_retention_ = more ? now : now + kRetentionEvery;
    publish();
}

void Simulation::heartbeat(Micros now) {
    try {
        begin_transaction("thelook simulation: heartbeat");
        writer_->heartbeat(now);  // Debezium's clock, not the simulated one
        commit_transaction();
        counters_.heartbeats += 1;
        counters_.transactions += 1;
        writer_->reset_counts();
        publish();
    } catch (const PgError& e) {
        abort_transaction();
    }
}

// The counters into the slot, for thelook.simulations.
void Simulation::publish() {
    counters_.consecutive_errors = consecutive_errors_;
    SimulationCounters c = counters_;
    SpinLockAcquire(&slot_->mutex);
    c.scheduled = slot_->counters.scheduled;  // the pacing loop's
    slot_->counters = c;
    slot_->iterations = done_;
    SpinLockRelease(&slot_->mutex);
}

bool Simulation::publish_failure(const char* message) {
    const int consecutive = ++consecutive_errors_;
    counters_.total_errors += 1;
    publish();
    SpinLockAcquire(&slot_->mutex);
    strlcpy(slot_->last_error, message, sizeof slot_->last_error);
    SpinLockRelease(&slot_->mutex);
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
    const Micros now = wall_now();
    if (deadline <= now) return;
    const long ms = static_cast<long>(std::min<Micros>((deadline - now + 999) / 1000, 1000));
    pg_guard([&] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    });
}

void Simulation::end(SimState state, const char* desired, const std::string& error) {
    const char* state_text = state == SimState::Finished ? "finished" : state == SimState::Failed ? "failed" : "stopped";
    bool recorded = false;
    if (persisted_ && store_) {
        try {
            begin_transaction("thelook simulation: ending");
            const Micros now = wall_now();
            if (safe_.schedule.start != 0 || !safe_.schedule.pieces.empty())
                store_->save_progress(id_, row_.incarnation, done_, run_seconds(now), clock_.sim(now),
                                      counters_to_json(counters_), progress_to_json(safe_));
            recorded = store_->set_state(id_, row_.incarnation, state_text, desired,
                                         error.empty() ? nullptr : error.c_str());
            commit_transaction();
        } catch (const std::exception& e) {
            abort_transaction();
            pg_guard([&] { ereport(LOG, (errmsg("thelook simulation %d: could not record its end: %s", id_, e.what()))); });
        }
    }
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    slot_->stop_recorded = recorded;
    LWLockRelease(shared_state()->lock);
    publish();
    set_state(slot_, state, error.empty() ? nullptr : error.c_str());
}

void Simulation::run() {
    try {
        run_inner();
    } catch (const Superseded&) {
        throw;
    } catch (const std::exception& e) {
        // A resumed simulation's worker counts as died: restarted with back-off, until it has
        // taken the simulation on kMaxWorkerFailures times in a row without progress. One just
        // started fails at once, as the caller is there to see it.
        std::string message = e.what();
        if (persisted_ && !fresh_ && row_.failures < kMaxWorkerFailures) throw;
        if (persisted_ && !fresh_)
            message = "its worker ended " + std::to_string(row_.failures) + " times in a row without progress; last error: " + message;
        abort_transaction();
        end(SimState::Failed, "stopped", message);
    }
}

void Simulation::run_inner() {
    if (!take_on()) return;
    const Catalog& catalog = installed_catalog();
    sampler_ = std::make_unique<LocationSampler>(catalog.locations, p_.country, p_.state, p_.postal_code);
    gen_ = std::make_unique<EntityGenerator>(catalog.names, products_, *sampler_, p_.seed);
    gen_->set_id_format(p_.ids);
    loop_ = std::make_unique<LiveLoop>(*gen_, p_);

    const Micros start = wall_now();
    run_start_ = start;
    if (!row_.progress.empty()) {
        done_ = row_.iterations;
        run_base_ = row_.run_seconds;
        counters_ = counters_from_json(row_.counters);
        restore(progress_from_json(row_.progress), start);
    } else {
        start_fresh(start);
    }
    safe_ = capture();
    if (p_.duration_seconds > 0)
        end_ = start + static_cast<Micros>(std::max(0.0, p_.duration_seconds - run_base_) * 1e6);
    // started_at becomes the origin of the arrival schedule, so that scheduled, achieved_qps and
    // any rate check over the view measure from the same instant (not from the call, which
    // precedes the worker's start and its catalogue load).
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    if (row_.progress.empty() && fresh_) slot_->started_at = to_timestamptz(start);
    slot_->run_started_at = to_timestamptz(start);
    slot_->run_base_seconds = run_base_;
    LWLockRelease(shared_state()->lock);
    publish_clock();
    publish();
    set_state(slot_, SimState::Running);
    loop();
}

void Simulation::loop() {
    const Micros heartbeat_every = static_cast<Micros>(p_.heartbeat_interval_seconds * 1e6);
    Micros next_heartbeat = heartbeat_every > 0 ? run_start_ : INT64_MAX;
    const bool retention = p_.keep_events_seconds > 0 || p_.keep_orders_seconds > 0;
    next_retention_ = retention ? run_start_ + kRetentionEvery : INT64_MAX;
    std::vector<Micros> pending;
    while (!stop_requested()) {
        Micros now = wall_now();
        if (now >= end_ || (p_.max_iter > 0 && done_ >= p_.max_iter)) {
            end(SimState::Finished, "stopped", "");
            return;
        }
        follow_changes(now);
        if (now >= next_heartbeat) {
            heartbeat(now);
            next_heartbeat = now + heartbeat_every;
        }
        if (now >= next_retention_) run_retention(now);
        Micros catch_up_wait = kNever;
        if (pending.empty()) {
            size_t cap = static_cast<size_t>(settings::max_iterations_per_transaction);
            if (p_.max_iter > 0) cap = std::min<size_t>(cap, static_cast<size_t>(p_.max_iter - done_));
            catch_up_.note_next_arrival(schedule_->next_arrival());
            if (catch_up_.active()) {
                // The arrivals missed while down, at most catch_up_speed times avg_qps.
                cap = catch_up_.allowance(now, settings::catch_up_speed * p_.avg_qps, cap);
                catch_up_wait = catch_up_.wait_until();
            }
            const Micros span = static_cast<Micros>(static_cast<double>(settings::max_transaction_span_ms) * 1000 * clock_.scale);
            if (cap > 0) pending = schedule_->take_due(clock_.sim(now), cap, span);
            if (catch_up_.active()) catch_up_.spend(pending.size());
        }
        if (!pending.empty()) {
            std::string failure;
            try {
                run_batch(pending);
                pending.clear();
            } catch (const PgError& e) {
                failure = e.what();
            } catch (const Error& e) {
                failure = e.what();
            }
            if (!failure.empty()) {
                abort_transaction();
                // Back to what the last commit left: the retry writes what an uninterrupted run would.
                restore_safe();
                pending.clear();
                if (slot_->stop_requested) break;  // e.g. its schema or the extension was dropped
                pg_guard([&] { ereport(LOG, (errmsg("thelook simulation %d: iteration failed: %s", id_, failure.c_str()))); });
                if (publish_failure(failure.c_str())) {
                    end(SimState::Failed, "stopped", failure);
                    return;
                }
                // Back off, then retry the same arrivals.
                const Micros resume = wall_now() + static_cast<Micros>(consecutive_errors_) * 500000;
                while (!stop_requested() && wall_now() < resume) wait_until(resume);
                continue;
            }
        }
        now = wall_now();
        SpinLockAcquire(&slot_->mutex);
        slot_->counters.scheduled = static_cast<int64>(schedule_->scheduled_by(clock_.sim(now))) + counters_.skipped;
        slot_->simulated_now = clock_.sim(now);
        SpinLockRelease(&slot_->mutex);
        wait_until(next_wake(clock_.wall(schedule_->next_arrival()), next_heartbeat, end_, next_retention_, catch_up_wait));
    }
    switch (slot_->stop_reason) {
        case StopReason::ExtensionDropped:
            persisted_ = false;  // its table is gone
            end(SimState::Stopped, "stopped", "the extension thelook_datagen was dropped");
            break;
        case StopReason::SchemaDropped:
            end(SimState::Stopped, "stopped", "schema \"" + schema_ + "\" was dropped");
            break;
        case StopReason::Requested:
            end(SimState::Stopped, "stopped", "");
            break;
    }
}

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
    if (failure[0]) *died = slot->persisted && !slot->fresh;
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
    bool died = false;
    simulate(slot, simulation_id, failure, &died);
    if (failure[0]) {
        AbortCurrentTransaction();
        if (died) {
            // The launcher starts another worker (on_worker_exit, as for any worker that dies).
            SpinLockAcquire(&slot->mutex);
            strlcpy(slot->last_error, failure, sizeof slot->last_error);
            SpinLockRelease(&slot->mutex);
            ereport(LOG, (errmsg("thelook simulation %d: its worker ends and will be restarted: %s", simulation_id, failure)));
            return;
        }
        set_state(slot, SimState::Failed, failure);
        ereport(LOG, (errmsg("thelook simulation %d failed: %s", simulation_id, failure)));
    }
}

}  // namespace thelook::pg
