// The main loop: arrivals taken from the schedule in batches, a failed batch retried from the last
// commit, the waits between; and how the run ends (end(), run()).
#include "pg/worker/simulation.hpp"
#include "pg/bridge/settings.hpp"

namespace thelook::pg::worker {

bool Simulation::stop_requested() {
    pg_guard([] { CHECK_FOR_INTERRUPTS(); });
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        pg_guard([] { ProcessConfigFile(PGC_SIGHUP); });
    }
    return read_stop(slot_).requested;
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

void Simulation::loop() {
    // A sharded simulation writes no heartbeat: the heartbeat row (id 1) is no shard's.
    const Micros heartbeat_every = p_.sharded() ? 0 : static_cast<Micros>(p_.heartbeat_interval_seconds * 1e6);
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
                if (read_stop(slot_).requested) break;  // e.g. its schema or the extension was dropped
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
        live_simulated_now_ = clock_.sim(now);
        live_scheduled_ = static_cast<int64>(schedule_->scheduled_by(live_simulated_now_)) + counters_.skipped;
        publish();
        wait_until(next_wake(clock_.wall(schedule_->next_arrival()), next_heartbeat, end_, next_retention_, catch_up_wait));
    }
    switch (read_stop(slot_).reason) {
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

}  // namespace thelook::pg::worker
