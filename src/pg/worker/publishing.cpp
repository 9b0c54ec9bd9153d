// What the worker publishes: the heartbeat row (Debezium's clock), and the counters, clock and
// last error in its slot for thelook.simulations.
#include "pg/worker/simulation.hpp"

namespace thelook::pg::worker {

void Simulation::publish_clock() {
    LWLockAcquire(shared_state()->lock, LW_EXCLUSIVE);
    slot_->clock_wall = clock_.wall0;
    slot_->clock_sim = clock_.sim0;
    LWLockRelease(shared_state()->lock);
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

// The counters into the slot, for thelook.simulations: one struct copy under its spinlock.
void Simulation::publish() {
    counters_.consecutive_errors = consecutive_errors_;
    LiveCounters live{counters_, done_, live_simulated_now_};
    live.counters.scheduled = live_scheduled_;  // arrivals due by now, not those taken
    publish_live(slot_, live);
}

bool Simulation::publish_failure(const char* message) {
    const int consecutive = ++consecutive_errors_;
    counters_.total_errors += 1;
    publish();
    set_last_error(shared_state(), slot_, message);
    return consecutive >= dist::kMaxConsecutiveFailures;
}

}  // namespace thelook::pg::worker
