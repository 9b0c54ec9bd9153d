// The scenario's "faults.cdc" section: the change-data-capture edge cases a live simulation
// produces on purpose (each off by default), and what one iteration decides about them.
//
//   {"faults": {"cdc": {"account_deletions_per_hour": 2,          users who delete their account
//                       "purge_anonymous_sessions_after": "30 minutes",  anonymous events purged
//                       "pk_update_rate": 0.01,                   share of iterations re-keying an event
//                       "large_transaction": {"every": "1 hour", "orders": 100000}}}  a batch shipment
//
// Rates and ages are in simulated time. The live loop draws from its random stream only for a
// fault that is on, so a scenario without faults writes exactly the reference rows. The rows each
// fault touches are listed, in the same transaction, in the schema's injected_faults table.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "entities.hpp"
#include "random.hpp"

namespace thelook {

struct CdcFaults {
    // Users deleting their account (with their events, orders and items): a Poisson process in
    // simulated time (the deletions that fell due since the previous iteration happen in this one).
    double account_deletions_per_hour = 0;
    // Anonymous events (user_id NULL) older than this (simulated) are deleted; 0 = never.
    double purge_anonymous_sessions_after_seconds = 0;
    // Share of iterations that give one existing event a new primary key.
    double pk_update_rate = 0;
    // Every this long (simulated; 0 = never), one iteration's transaction also ships up to
    // large_transaction_orders of the oldest Processing orders with their items.
    double large_transaction_every_seconds = 0;
    int64_t large_transaction_orders = 100000;

    bool any() const {
        return account_deletions_per_hour > 0 || purge_anonymous_sessions_after_seconds > 0 || pk_update_rate > 0 ||
               large_transaction_every_seconds > 0;
    }
};

// Parses the "cdc" object at path (e.g. "scenario.faults.cdc"). Throws 22023 naming the JSON path.
CdcFaults parse_cdc_faults(const nlohmann::json& j, const std::string& path);

// Kinds written to injected_faults.kind.
inline constexpr const char* kFaultAccountDeleted = "account_deleted";
inline constexpr const char* kFaultSessionPurged = "session_purged";
inline constexpr const char* kFaultPkUpdate = "pk_update";
inline constexpr const char* kFaultLargeTransaction = "large_transaction";
inline constexpr int64_t kMaxLargeTransactionOrders = 1000000;

// At most this many accounts are deleted in one iteration (a long gap at a high rate).
inline constexpr int kMaxDeletionsPerIteration = 1000;
// At most this many anonymous events are purged per pass (a pass every purge_every() simulated).
inline constexpr long kPurgeLimit = 1000;

// What the CDC faults ask of the store in one iteration.
struct CdcDecision {
    std::vector<std::string> user_probes;  // one per account to delete: the first user id at or after it
    bool purge = false;
    Micros purge_cutoff = kNoTime;  // anonymous events created before this go
    bool rekey_event = false;
    std::string event_probe, new_event_id;
    int64_t large_transaction_orders = 0;  // > 0: ship that many orders now
};

// Decides, iteration by iteration (at simulated times t, in order), what the CDC faults do. It
// keeps three clocks: the previous iteration (the deletions' Poisson gap), the last purge pass
// and the last large transaction. Draws from rng only for the random faults that are on.
class CdcFaultPlanner {
public:
    explicit CdcFaultPlanner(const CdcFaults& f = {}) : f_(f) {}
    const CdcFaults& faults() const { return f_; }
    // A new section (alter_simulation): the Poisson clock and the purge clock carry on.
    void set_faults(const CdcFaults& f) { f_ = f; }
    CdcDecision decide(Micros t, Rng& rng, IdFormat ids);
    // How often (simulated) the purge runs: a sixtieth of the age, at least one second.
    Micros purge_every() const;
    // The three clocks, for the saved progress (a resumed simulation continues them).
    struct Clocks {
        Micros previous = kNoTime, last_purge = kNoTime, last_large = kNoTime;
    };
    Clocks clocks() const { return Clocks{previous_, last_purge_, last_large_}; }
    void set_clocks(const Clocks& c) {
        previous_ = c.previous;
        last_purge_ = c.last_purge;
        last_large_ = c.last_large;
    }

private:
    CdcFaults f_;
    Micros previous_ = kNoTime, last_purge_ = kNoTime, last_large_ = kNoTime;
};

}  // namespace thelook
