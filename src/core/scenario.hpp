// A scenario: how the shop behaves beyond the reference, as one validated document (JSON) with
// one optional section per behaviour, parsed here into plain structs. Nothing below the parser
// sees JSON. An empty document ({}) is the reference behaviour exactly.
//
//   {"base": "retail",                                       a stored scenario to start from
//    "traffic": {"profile": "retail", "hourly": [24|48|96 numbers], "hourly_weekend": [...],
//                "weekly": [7 numbers, Monday first], "timezone": "Europe/Berlin",
//                "opening_hours": {"mon-fri": "08:00-20:00", "sat": ["10:00-13:00", "14:00-18:00"]}},
//    "incidents": [{"kind": "spike", "magnitude": 3, "at": "2026-11-24T12:00:00Z" | "after": "2 hours",
//                   "duration": "10 minutes"}],
//    "random_incidents": [{"kind": "outage", "per_day": 0.5, "duration": ["5 minutes", "30 minutes"],
//                          "recovery": {"magnitude": 1.5, "duration": "15 minutes"}}],
//    "shoppers": {...} (shoppers.hpp), "faults": {...} (faults.hpp),
//    "inventory": {...} (inventory.hpp), "lifecycle": {"order_update_prob": 0.4} (lifecycle_section.hpp)}
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "entities.hpp"
#include "faults.hpp"
#include "inventory.hpp"
#include "lifecycle_section.hpp"
#include "shoppers.hpp"

namespace thelook {

// [open, close) in minutes after local midnight; close may be 1440.
struct OpeningInterval {
    int open_minute = 0, close_minute = 1440;
};

struct TrafficSection {
    std::string profile = "flat";       // the built-in curves the fields below start from
    std::vector<double> hourly;         // 24, 48 or 96 bins of the local day, every day
    std::vector<double> hourly_weekend; // the same for Saturday and Sunday (empty: hourly)
    std::vector<double> weekly;         // 7 values, Monday first
    bool has_opening_hours = false;     // false: always open
    std::array<std::vector<OpeningInterval>, 7> opening_hours;  // Monday first; empty day = closed
    std::string timezone = "UTC";       // IANA name; checked by the bridge, which knows the zones
};

enum class IncidentKind { Spike, Slump, Outage, CheckoutFailure, Recovery, SupplyProblem };
const char* incident_kind_name(IncidentKind k);
// Throws 22023 naming `path` for an unknown kind (Recovery is not one users ask for).
IncidentKind parse_incident_kind(const std::string& text, const std::string& path);

// What an incident does while it lasts. Spike / slump / recovery multiply the arrival rate by
// magnitude; an outage sets it to 0; checkout_failure leaves the rate alone and makes that share
// (magnitude, default 1) of purchases end at the cart with no order; supply_problem leaves the rate
// alone and holds back the restocks of the products its target covers (inventory.hpp).
// What a supply problem covers: products of a category, of a brand, of a distribution centre (each
// given narrows it down; none: every product).
struct SupplyTarget {
    std::string category, brand;
    int64_t distribution_center_id = 0;
    bool covers(const Product& p) const;
    bool empty() const { return category.empty() && brand.empty() && distribution_center_id == 0; }
    // "category=Jeans brand=Levi's distribution_center_id=3" ("" for every product)
    std::string describe() const;
};

struct IncidentEffect {
    IncidentKind kind = IncidentKind::Spike;
    double magnitude = 1;
    double recovery_magnitude = 0;   // outages: rate multiplier after the outage (1 = none)
    double recovery_seconds = -1;    // outages: how long; -1 = as long as the outage
    SupplyTarget target;             // supply_problem only (last: positional initialisers stay valid)
};

// An incident at a fixed time: `at` (absolute) or `after_seconds` (after the simulation's or the
// back-fill's start).
struct ScheduledIncident {
    IncidentEffect effect;
    Micros at = kNoTime;
    double after_seconds = -1;
    double duration_seconds = 0;
};

// Incidents at random: a Poisson process of per_day incidents per simulated day, each lasting a
// duration uniform in [min, max] and of a magnitude uniform in [min, max].
struct RandomIncidents {
    IncidentEffect effect;
    double per_day = 0;
    double duration_min_seconds = 0, duration_max_seconds = 0;
    double magnitude_min = 1, magnitude_max = 1;
};

struct Scenario {
    TrafficSection traffic;
    ShopperSection shoppers;
    std::vector<ScheduledIncident> incidents;
    std::vector<RandomIncidents> random_incidents;
    FaultsSection faults;
    InventorySection inventory;
    LifecycleSection lifecycle;  // lifecycle_section.hpp
};

// An incident's effect from its kind and magnitude (NaN = the kind's default), checked as in a
// document; path names it in errors (e.g. "parameter \"magnitude\"").
IncidentEffect incident_effect(const std::string& kind, double magnitude, const std::string& kind_path,
                               const std::string& magnitude_path);

// Parses a resolved document (no "base" left). Throws thelook::Error 22023 whose message names the
// JSON path, e.g. `scenario.traffic.hourly[3]: must be a number >= 0`, with a hint.
Scenario parse_scenario(const std::string& json_text);

// Resolves a scenario argument into one document: a JSON object (text starting with "{") or the
// name of a stored scenario. A document's "base" names a stored scenario that it overrides (JSON
// merge patch: objects merge key by key, arrays and values replace). lookup returns a stored
// definition by name, or nullopt. Throws 22023 for an unknown name, a loop of bases or bad JSON.
std::string resolve_scenario(const std::string& argument,
                             const std::function<std::optional<std::string>(const std::string&)>& lookup);

// How thelook.simulations shows an argument: the name itself, "custom" for a document, or
// "<base>+custom" for a document with a base.
std::string scenario_display_name(const std::string& argument);

// A duration such as 600, "10 minutes", "2 h", "1.5 days" in seconds; throws 22023 naming path.
double parse_duration(const std::string& text, const std::string& path);
// An ISO 8601 time with an offset, "2026-11-24T12:00:00Z" or "2026-11-24 13:00+01:00".
Micros parse_timestamp(const std::string& text, const std::string& path);

}  // namespace thelook
