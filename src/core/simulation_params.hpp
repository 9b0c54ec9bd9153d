// The parameters of one simulation and their validation, shared by start_simulation and the
// worker. Validation happens before anything starts.
#pragma once

#include <cstdint>
#include <string>

#include "distributions.hpp"
#include "entities.hpp"
#include "random.hpp"

namespace thelook {

// What a resumed simulation does with the arrivals that fell due while no worker ran (the server
// was down, or its worker was being restarted): drop them, or write them (with their own
// timestamps) at a bounded rate until it has caught up.
enum class OnResume { Skip, CatchUp };

struct SimulationParams {
    double avg_qps = dist::kDefaultAvgQps;
    int64_t max_iter = -1;
    double user_create_prob = dist::kDefaultUserCreateProb;
    double user_update_prob = dist::kDefaultUserUpdateProb;
    double order_update_prob = dist::kDefaultOrderUpdateProb;
    double ghost_create_prob = dist::kDefaultGhostCreateProb;
    std::string country = "*", state = "*", postal_code = "*";
    uint64_t seed = 0;
    double duration_seconds = 0;            // 0 = until stopped
    double heartbeat_interval_seconds = 10; // 0 = no heartbeat
    IdFormat ids = IdFormat::Uuid4;         // of new orders, order items and events
    // The scenario (scenario.hpp) as one resolved JSON document, and the name it was given by.
    std::string scenario_name = "reference", scenario_json = "{}";
    // The simulated clock runs time_scale times as fast as the wall clock, from simulated_start
    // (kNoTime = the start); rows carry simulated time. avg_qps stays per wall-clock second.
    double time_scale = 1;
    Micros simulated_start = kNoTime;
    OnResume on_resume = OnResume::Skip;
    // Retention: the worker deletes events, and orders with their items, created (in simulated
    // time) longer ago than this; 0 keeps everything.
    double keep_events_seconds = 0, keep_orders_seconds = 0;
    // A sharded simulation (id_space.hpp): shard k of n creates and picks only ids in the k-th
    // hash range, with random streams split from seed by k. n = 1: every id, the seed as given.
    int shard = 0, shards = 1;

    bool sharded() const { return shards > 1; }
    // The seed the generators start from: the seed itself, or shard k's split of it.
    uint64_t run_seed() const { return sharded() ? Rng::derive_seed(seed, kShardStream + static_cast<uint64_t>(shard)) : seed; }
    static constexpr uint64_t kShardStream = 0x5A4D0000ULL;

    // Throws thelook::Error (22023) naming the first invalid parameter.
    void validate() const;
    // What alter_simulation may change of a running simulation (rate, probabilities, time scale,
    // scenario), taken from `from`; the rest stays.
    void adopt_alterable(const SimulationParams& from);
};

// The id_format parameter: 'uuid4' or 'uuid7'; throws 22023 otherwise. id_format_name is the inverse.
IdFormat parse_id_format(const std::string& text);
const char* id_format_name(IdFormat ids);
// The on_resume parameter: 'skip' or 'catch_up'; throws 22023 otherwise.
OnResume parse_on_resume(const std::string& text);
const char* on_resume_name(OnResume r);

void check_probability(double p, const char* name);
void check_positive_finite(double v, const char* name);

}  // namespace thelook
