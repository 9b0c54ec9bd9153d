// One batch of arrivals in one transaction, with the UPDATE of the row that saves the progress
// they leave; and the in-memory state captured at a commit and restored after a failed batch.
#include "pg/worker/simulation.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/writers/inventory_writer.hpp"

namespace thelook::pg::worker {

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
    if (writer_->inventory()) writer_->inventory()->forget_due();  // the iterations deliver restocks as they fall due
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

}  // namespace thelook::pg::worker
