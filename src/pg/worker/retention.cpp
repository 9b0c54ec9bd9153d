// Retention: the worker's own transactions that delete the rows past keep_events / keep_orders.
#include "pg/worker/simulation.hpp"

namespace thelook::pg::worker {

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

}  // namespace thelook::pg::worker
