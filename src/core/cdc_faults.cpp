#include "cdc_faults.hpp"

#include <algorithm>
#include <cmath>

#include "json_fields.hpp"

namespace thelook {

using nlohmann::json;
using namespace json_fields;

CdcFaults parse_cdc_faults(const json& j, const std::string& path) {
    only_keys(j, path, {"account_deletions_per_hour", "purge_anonymous_sessions_after", "pk_update_rate", "large_transaction"});
    CdcFaults f;
    if (j.contains("account_deletions_per_hour")) {
        const std::string p = path + ".account_deletions_per_hour";
        f.account_deletions_per_hour = number_at_least(j["account_deletions_per_hour"], p, 0);
        if (f.account_deletions_per_hour > 1e6)
            fail(p, "must be at most 1000000", "Give the mean number of accounts deleted per simulated hour, such as 2.");
    }
    if (j.contains("purge_anonymous_sessions_after") && !j["purge_anonymous_sessions_after"].is_null())
        f.purge_anonymous_sessions_after_seconds =
            duration_value(j["purge_anonymous_sessions_after"], path + ".purge_anonymous_sessions_after");
    if (j.contains("pk_update_rate")) {
        const std::string p = path + ".pk_update_rate";
        f.pk_update_rate = number_at_least(j["pk_update_rate"], p, 0);
        if (f.pk_update_rate > 1)
            fail(p, "must be a share between 0 and 1, not " + show(j["pk_update_rate"]),
                 "Give the share of iterations that re-key one event, such as 0.01.");
    }
    if (j.contains("large_transaction") && !j["large_transaction"].is_null()) {
        const json& l = j["large_transaction"];
        const std::string p = path + ".large_transaction";
        only_keys(l, p, {"every", "orders"});
        if (!l.contains("every")) fail(p + ".every", "is missing", "Give how often, in simulated time, such as \"1 hour\".");
        f.large_transaction_every_seconds = duration_value(l["every"], p + ".every");
        if (l.contains("orders")) {
            const double n = number_at_least(l["orders"], p + ".orders", 1);
            if (n > kMaxLargeTransactionOrders || n != std::floor(n))
                fail(p + ".orders", "must be a whole number from 1 to 1000000, not " + show(l["orders"]),
                     "A transaction of 100000 orders and their items (about 245000 rows) takes a few seconds.");
            f.large_transaction_orders = static_cast<int64_t>(n);
        }
    }
    return f;
}

Micros CdcFaultPlanner::purge_every() const {
    return std::max<Micros>(kMicrosPerSecond,
                            static_cast<Micros>(f_.purge_anonymous_sessions_after_seconds / 60 * 1e6));
}

CdcDecision CdcFaultPlanner::decide(Micros t, Rng& rng, IdFormat ids) {
    CdcDecision d;
    if (f_.account_deletions_per_hour > 0) {
        // The Poisson process's count over the gap since the previous iteration, by inversion.
        const double gap = previous_ == kNoTime ? 0 : std::max<double>(0, static_cast<double>(t - previous_) / 1e6);
        const double mean = f_.account_deletions_per_hour / 3600.0 * gap;
        int k = 0;
        if (mean > 100) {
            // exp(-mean) underflows soon after: the normal approximation (Box-Muller), as good here.
            const double z = std::sqrt(-2 * std::log1p(-rng.uniform())) * std::cos(2 * M_PI * rng.uniform());
            k = static_cast<int>(std::min<double>(kMaxDeletionsPerIteration, std::max(0.0, std::round(mean + std::sqrt(mean) * z))));
        } else {
            double p = std::exp(-mean), cumulative = p;
            const double u = rng.uniform();
            while (u > cumulative && k < kMaxDeletionsPerIteration) {
                ++k;
                p *= mean / k;
                cumulative += p;
            }
        }
        for (int i = 0; i < k; ++i) d.user_probes.push_back(uuid_v4(rng));
    }
    previous_ = t;
    if (f_.purge_anonymous_sessions_after_seconds > 0) {
        if (last_purge_ == kNoTime || t - last_purge_ >= purge_every()) {
            last_purge_ = t;
            d.purge = true;
            d.purge_cutoff = t - static_cast<Micros>(f_.purge_anonymous_sessions_after_seconds * 1e6);
        }
    }
    if (f_.large_transaction_every_seconds > 0) {
        // The first one a period after the first iteration (a new section: after the change).
        const Micros every = static_cast<Micros>(f_.large_transaction_every_seconds * 1e6);
        if (last_large_ == kNoTime) {
            last_large_ = t;
        } else if (t - last_large_ >= every) {
            last_large_ = t;
            d.large_transaction_orders = f_.large_transaction_orders;
        }
    }
    if (f_.pk_update_rate > 0 && rng.bernoulli(f_.pk_update_rate)) {
        d.rekey_event = true;
        d.event_probe = uuid_v4(rng);
        d.new_event_id = ids == IdFormat::Uuid7 ? uuid_v7(rng, t / 1000) : uuid_v4(rng);
    }
    return d;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
