// Scenarios from SQL: a scenario argument (a name in thelook.scenarios, or a JSON document) resolved
// and validated into the core's structs, and time zones from PostgreSQL's time zone data.
#pragma once

#include <string>

#include "core/scenario.hpp"
#include "core/traffic.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

struct ResolvedScenario {
    std::string name;  // the name given, or "custom" for a document (with its base: "retail+custom")
    std::string json;  // one document, bases merged in
    Scenario scenario;
    ZoneRules zone;
};

// Needs a transaction (reads thelook.scenarios). Throws 22023 naming the JSON path on bad input.
ResolvedScenario resolve_scenario_argument(const std::string& argument);
// The reference behaviour ({}), with no look-up: what 1.0 definitions of the functions (before
// ALTER EXTENSION UPDATE, when thelook.scenarios does not exist yet) get.
ResolvedScenario reference_scenario();
// Parses a resolved document again (in a worker) with its time zone.
ResolvedScenario parse_resolved(const std::string& name, const std::string& json);
// thelook.scenario(text) -> jsonb: the resolved, validated document.
Datum resolve_scenario_sql(FunctionCallInfo fcinfo);
Datum traffic_intensity(FunctionCallInfo fcinfo);
Datum product_popularity(FunctionCallInfo fcinfo);
// Throws 22023 naming scenario.traffic.timezone when PostgreSQL does not know the zone.
ZoneRules zone_rules(const std::string& timezone);

}  // namespace thelook::pg
