// The scenario's "lifecycle" section: {"order_update_prob": 0.4}: the chance per iteration that
// the live loop moves a random open order on. Given, it is that of every run of the scenario: a
// live simulation's order_update_prob and a back-fill's (whose orders move as the live loop's do:
// live_timeline.hpp). Without it, a live run takes its order_update_prob argument and a back-fill
// the argument's default, so that a scenario document alone decides what both do.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace thelook {

struct LifecycleSection {
    bool given = false;
    double order_update_prob = 0;
};

LifecycleSection parse_lifecycle(const nlohmann::json& section, const std::string& path);

// The order_update_prob of a live run: the section's when given. `argument` is the function's
// (`argument_given`: passed, not defaulted); an argument that differs from a given section is
// refused (22023, naming both), so that a run never silently does other than its scenario says.
double lifecycle_order_update_prob(const LifecycleSection& section, double argument, bool argument_given);

}  // namespace thelook
