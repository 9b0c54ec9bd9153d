// The scenario as traffic (profile, incidents, shoppers, faults, inventory), rebuilt on a change
// of scenario; and the changes alter_simulation and inject_incident leave in the slot, followed.
#include <algorithm>

#include "pg/worker/simulation.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/writers/inventory_writer.hpp"

namespace thelook::pg::worker {

// (Re)builds profile and incidents from the scenario in p_, from simulated time sim_now on; the
// incidents injected so far carry over (already recorded: they were handed out by an earlier plan).
void Simulation::build_traffic(Micros sim_now) {
    ResolvedScenario r = parse_resolved(p_.scenario_name, p_.scenario_json);
    auto t = std::make_unique<Traffic>();
    t->name = r.name;
    t->json = r.json;
    t->incidents = IncidentPlan(r.scenario, sim_now, Rng::derive_seed(p_.run_seed(), 0x1C1D0ULL + traffic_builds_));
    ++traffic_builds_;
    for (const InjectedIncidentSpec& in : injected_)
        t->incidents.add(in.effect, in.start, in.duration_seconds, "injected", true);
    t->intensity = Intensity(WeeklyProfile(r.scenario.traffic, r.zone), &t->incidents);
    t->shoppers = std::make_unique<ShopperModel>(r.scenario.shoppers, products_, sim_now);
    if (r.scenario.inventory.given && !writer_->has_inventory())
        throw Error(sqlstate::kUndefinedTable, "schema \"" + schema_ + "\" has no inventory tables",
                    "The scenario has an \"inventory\" section.", "Run SELECT thelook.setup('" + schema_ + "', inventory => true).");
    t->inventory = std::make_unique<Inventory>(r.scenario.inventory, &t->incidents);
    // Only restock_due reads a level: counting past the minimum would visit items for nothing.
    if (writer_->inventory()) writer_->inventory()->count_levels_up_to(r.scenario.inventory.minimum);
    loop_->set_model(t->shoppers.get());  // before the old model goes
    // The injector outlives a change of scenario: late events it holds still arrive.
    if (traffic_ && traffic_->faults) t->faults = std::move(traffic_->faults);
    if (!t->faults && r.scenario.faults.injects_rows())
        t->faults = std::make_unique<FaultInjector>(r.scenario.faults, Rng::derive_seed(p_.run_seed(), kFaultStream), p_.ids);
    if (t->faults) t->faults->set_section(r.scenario.faults);
    loop_->set_faults(t->faults.get());
    loop_->set_cdc_faults(r.scenario.faults.cdc);
    loop_->set_inventory(t->inventory.get());
    traffic_ = std::move(t);
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
        // The worker sees an incident only after inject_incident's transaction committed: the
        // arrivals up to sim_now were drawn (and their rows written) without it, and the one
        // already due keeps the old rate. An incident whose start has passed therefore begins
        // just after sim_now and lasts its duration; the incidents table records that start, so
        // the ground truth stays exact.
        const Micros start = std::max(in.start, sim_now + 1);
        traffic_->incidents.add(in.effect(), start, in.duration_seconds, "injected");
        injected_.push_back(InjectedIncidentSpec{in.effect(), start, in.duration_seconds});
        ++injected_seen_;
    }
    schedule_->retune(sim_now, p_.avg_qps / p_.time_scale, &traffic_->intensity);
    // The decisions are made; a failed batch must not undo them.
    safe_ = capture();
}

}  // namespace thelook::pg::worker
