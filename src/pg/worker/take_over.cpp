// Taking the simulation on: its row in thelook.simulation_runs (taken over, with the progress saved
// there), the catalogue, then a fresh start or a restore of the saved progress.
#include "pg/worker/simulation.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/citus/shard_hash.hpp"
#include "pg/citus/shard_tables.hpp"

namespace thelook::pg::worker {

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
            // A stop committed while this worker was starting: the stop's transaction left the
            // row's state to the worker it counted on, and this worker is it.
            if (row_.state == "running") store_->set_state(id_, -1, "stopped", "stopped", nullptr);
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
    if (p_.sharded()) space_ = IdSpace(p_.shard, p_.shards, shard_hash);
    // On a Citus node, a sharded simulation writes its shard's relations there (checked at the
    // start too, but the shards may have moved since).
    const TableNames tables = tables_for(schema_, space_);
    if (tables.shards) allow_shard_writes();
    writer_ = std::make_unique<SchemaWriter>(tables);
    writer_->set_simulation_id(id_);
    if (p_.sharded()) writer_->set_id_space(&space_);
    products_ = writer_->load_products();
    commit_transaction();
    if (products_.empty())
        throw Error(sqlstate::kInvalidParameterValue, "the products table of schema \"" + schema_ + "\" is empty",
                    "", "Run thelook.setup() for this schema.");
    return true;
}

void Simulation::start_fresh(Micros now) {
    clock_ = SimClock{now, p_.simulated_start == kNoTime ? now : p_.simulated_start, p_.time_scale};
    // Changes made while the worker was starting (alter_simulation, inject_incident) are applied by
    // the first follow_changes(): no generation matches this one.
    generation_ = UINT32_MAX;
    injected_seen_ = 0;
    build_traffic(clock_.sim0);
    schedule_ = std::make_unique<PoissonSchedule>(p_.avg_qps / p_.time_scale, clock_.sim0,
                                                  Rng::derive_seed(p_.run_seed(), 0x5C4EDULL), &traffic_->intensity);
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
            traffic_->faults = std::make_unique<FaultInjector>(FaultsSection{}, Rng::derive_seed(p_.run_seed(), kFaultStream), p_.ids);
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

void Simulation::run_inner() {
    if (!take_on()) return;
    const Catalog& catalog = installed_catalog();
    sampler_ = std::make_unique<LocationSampler>(catalog.locations, p_.country, p_.state, p_.postal_code);
    gen_ = std::make_unique<EntityGenerator>(catalog.names, products_, *sampler_, p_.run_seed());
    gen_->set_id_format(p_.ids);
    if (p_.sharded()) gen_->set_id_space(&space_);
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

}  // namespace thelook::pg::worker
