// What must hold before a simulation is started or changed, checked in the caller's session so
// that the caller sees the error (the worker only starts after commit): the schema and its tables,
// the role's privileges, the sizes that fit a slot.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/scenario.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// The schema exists and holds the seven tables, and the role may write them.
void check_schema(const std::string& schema, Oid role);
// A ground-truth table of the schema (incidents, injected_faults), writable by the role.
void check_ground_truth_table(const std::string& schema, Oid role, const char* table, const char* what);
// The ground-truth tables a scenario writes to.
void check_ground_truth_tables(const Scenario& s, const std::string& schema, Oid role);
// A scenario with an "inventory" section needs the schema's inventory tables.
void check_inventory_tables(const Scenario& scenario, const std::string& schema);
void check_scenario_fits(const SimulationParams& p);
// A sharded simulation (shard, shards) writes only rows whose ids are in its shard: what would
// write other rows (ground truth with identity keys, the inventory, retention's deletes over the
// whole table) is refused, 0A000 naming the scenario path or parameter.
void check_sharded(const SimulationParams& p, const Scenario& s);
void check_can_login(Oid role);
void check_filter_fits(const std::string& value, const char* parameter);
// The caller may stop, change, resume or forget a simulation of this role.
bool may_control(Oid role);
Error no_such_simulation(int32 id);
// 42501 for a simulation whose role the caller is not (nor a member of, nor a superuser).
Error not_permitted(const char* action, int32 id);

}  // namespace thelook::pg
