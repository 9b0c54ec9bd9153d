#include "simulation_params.hpp"

#include "id_space.hpp"

#include <cmath>
#include <cstdio>

#include "error.hpp"
#include "id_space.hpp"

namespace thelook {

namespace {
// Shortest readable form of a parameter value: 0.1, -1, nan, inf (std::to_string gives 0.100000).
std::string show(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}
}  // namespace

void check_probability(double p, const char* name) {
    if (!(p >= 0.0 && p <= 1.0))
        throw Error(sqlstate::kInvalidParameterValue,
                    std::string("parameter \"") + name + "\" must be between 0 and 1",
                    "The value was " + show(p) + ".",
                    std::string("Pass a probability such as ") + name + " => 0.1.");
}

void check_positive_finite(double v, const char* name) {
    if (!(v > 0.0) || !std::isfinite(v))
        throw Error(sqlstate::kInvalidParameterValue,
                    std::string("parameter \"") + name + "\" must be a positive finite number",
                    "The value was " + show(v) + ".",
                    std::string("Pass a rate such as ") + name + " => 20.");
}

IdFormat parse_id_format(const std::string& text) {
    if (text == "uuid4") return IdFormat::Uuid4;
    if (text == "uuid7") return IdFormat::Uuid7;
    throw Error(sqlstate::kInvalidParameterValue, "parameter \"id_format\" must be 'uuid4' or 'uuid7'",
                "The value was '" + text + "'.",
                "Pass id_format => 'uuid7' for time-ordered ids, or leave it out for random ones.");
}

const char* id_format_name(IdFormat ids) { return ids == IdFormat::Uuid7 ? "uuid7" : "uuid4"; }

OnResume parse_on_resume(const std::string& text) {
    if (text == "skip") return OnResume::Skip;
    if (text == "catch_up") return OnResume::CatchUp;
    throw Error(sqlstate::kInvalidParameterValue, "parameter \"on_resume\" must be 'skip' or 'catch_up'",
                "The value was '" + text + "'.",
                "Pass 'skip' to drop the arrivals that fell due while the simulation was down, or 'catch_up' "
                "to write them at a bounded rate.");
}

const char* on_resume_name(OnResume r) { return r == OnResume::CatchUp ? "catch_up" : "skip"; }

void SimulationParams::validate() const {
    check_positive_finite(avg_qps, "avg_qps");
    check_shard(shard, shards);
    if (max_iter != -1 && max_iter <= 0)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"max_iter\" must be -1 or positive",
                    "The value was " + std::to_string(max_iter) + ".",
                    "Pass -1 to run until stopped, or the number of iterations to run.");
    if (!(time_scale > 0) || !std::isfinite(time_scale) || time_scale > 1e6)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"time_scale\" must be a positive number up to 1000000",
                    "The value was " + show(time_scale) + ".",
                    "Pass 1 for real time, or 60 to play one simulated hour per wall-clock minute.");
    check_probability(user_create_prob, "user_create_prob");
    check_probability(user_update_prob, "user_update_prob");
    check_probability(order_update_prob, "order_update_prob");
    check_probability(ghost_create_prob, "ghost_create_prob");
    if (!(duration_seconds >= 0) || !std::isfinite(duration_seconds))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"duration\" must not be negative", "",
                    "Pass NULL to run until stopped, or an interval such as '10 minutes'.");
    if (!(heartbeat_interval_seconds >= 0) || !std::isfinite(heartbeat_interval_seconds))
        throw Error(sqlstate::kInvalidParameterValue,
                    "parameter \"heartbeat_interval\" must not be negative", "",
                    "Pass '0' to turn the heartbeat off, or an interval such as '10 seconds'.");
    for (auto [v, name] : {std::pair<double, const char*>{keep_events_seconds, "keep_events"},
                           std::pair<double, const char*>{keep_orders_seconds, "keep_orders"}})
        if (!(v >= 0) || !std::isfinite(v))
            throw Error(sqlstate::kInvalidParameterValue, std::string("parameter \"") + name + "\" must be positive",
                        "The value was " + show(v) + " seconds.",
                        std::string("Pass NULL to keep every row, or an interval such as ") + name + " => '7 days'.");
}

void SimulationParams::adopt_alterable(const SimulationParams& from) {
    avg_qps = from.avg_qps;
    user_create_prob = from.user_create_prob;
    user_update_prob = from.user_update_prob;
    order_update_prob = from.order_update_prob;
    ghost_create_prob = from.ghost_create_prob;
    time_scale = from.time_scale;
    scenario_name = from.scenario_name;
    scenario_json = from.scenario_json;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
