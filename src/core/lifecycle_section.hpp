// The scenario's "lifecycle" section: {"order_update_prob": 0.4}. Given, it is the order
// lifecycle of every run of the scenario: a live simulation's order_update_prob, and a back-fill
// that moves its orders on as the live loop does (one step of a random open order per iteration
// with that probability: open_order_book.hpp) instead of drawing each order's timeline at
// creation. Without it, a back-fill draws timelines (docs/bulk.md) and a live run takes its
// order_update_prob argument, as before.
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
