#include "lifecycle_section.hpp"

#include "error.hpp"
#include "json_fields.hpp"

namespace thelook {

using nlohmann::json;
using namespace json_fields;

LifecycleSection parse_lifecycle(const json& v, const std::string& path) {
    if (!v.is_object()) fail(path, "must be an object such as {\"order_update_prob\": 0.4}");
    only_keys(v, path, {"order_update_prob"});
    if (!v.contains("order_update_prob"))
        fail(path + ".order_update_prob", "is missing",
             "Give the chance per iteration that a random open order moves on, such as 0.4 (start_simulation's default).");
    LifecycleSection s;
    s.given = true;
    s.order_update_prob = share(v["order_update_prob"], path + ".order_update_prob");
    return s;
}

double lifecycle_order_update_prob(const LifecycleSection& section, double argument, bool argument_given) {
    if (!section.given) return argument;
    if (argument_given && argument != section.order_update_prob)
        throw Error(sqlstate::kInvalidParameterValue,
                    "parameter \"order_update_prob\" differs from scenario.lifecycle.order_update_prob",
                    "The argument is " + show_number(argument) + ", the scenario's " + show_number(section.order_update_prob) + ".",
                    "Leave order_update_prob out (the scenario's lifecycle section sets it), or change the section.");
    return section.order_update_prob;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
