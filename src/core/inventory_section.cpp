#include "inventory_section.hpp"

#include <cmath>

#include "json_fields.hpp"

namespace thelook {

using nlohmann::json;
using namespace json_fields;

namespace {
int count(const json& v, const std::string& path, int lo) {
    const double x = number(v, path);
    if (x != std::floor(x) || x < lo || x > 1e6)
        fail(path, "must be a whole number from " + std::to_string(lo) + " to 1000000, not " + show(v));
    return static_cast<int>(x);
}
}  // namespace

InventorySection parse_inventory(const json& v, const std::string& path) {
    if (!v.is_object()) fail(path, "must be an object such as {\"minimum\": 3, \"restock\": 20}");
    only_keys(v, path, {"minimum", "restock", "lead_time", "returns_to_stock"});
    InventorySection s;
    s.given = true;
    if (v.contains("minimum")) s.minimum = count(v["minimum"], path + ".minimum", 0);
    if (v.contains("restock")) s.restock = count(v["restock"], path + ".restock", 1);
    if (v.contains("returns_to_stock")) s.returns_to_stock = share(v["returns_to_stock"], path + ".returns_to_stock");
    if (v.contains("lead_time")) {
        const json& l = v["lead_time"];
        const std::string lp = path + ".lead_time";
        if (l.is_array()) {
            if (l.size() != 2) fail(lp, "must be a duration or [min, max]", "Such as [\"1 day\", \"7 days\"].");
            s.lead_time_min_seconds = duration_value(l[0], lp + "[0]");
            s.lead_time_max_seconds = duration_value(l[1], lp + "[1]");
            if (s.lead_time_max_seconds < s.lead_time_min_seconds) fail(lp, "max is below min");
        } else {
            s.lead_time_min_seconds = s.lead_time_max_seconds = duration_value(l, lp);
        }
    }
    return s;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
