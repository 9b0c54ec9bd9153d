#include "pg/control/preconditions.hpp"

#include "core/error.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/control/shared_state.hpp"

namespace thelook::pg {

namespace {
const char* const kTables[] = {"users", "orders", "order_items", "events", "products", "dist_centers", "heartbeat"};
}  // namespace

// The schema must exist and hold the seven tables, and the role must be able to write them.
void check_schema(const std::string& schema, Oid role) {
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    if (!OidIsValid(nsp))
        throw Error(sqlstate::kInvalidSchemaName, "schema \"" + schema + "\" does not exist", "",
                    "Create and fill it with SELECT thelook.setup('" + schema + "').");
    for (const char* table : kTables) {
        Oid rel = pg_guard([&] { return get_relname_relid(table, nsp); });
        if (!OidIsValid(rel))
            throw Error(sqlstate::kUndefinedTable, "relation \"" + schema + "." + table + "\" does not exist",
                        "A simulation needs the seven theLook tables.",
                        "Run SELECT thelook.setup('" + schema + "') first.");
        const bool writes = std::string(table) != "products" && std::string(table) != "dist_centers";
        AclMode needed = ACL_SELECT | (writes ? (ACL_INSERT | ACL_UPDATE) : 0);
        // pg_class_aclcheck() accepts any one of several bits; every one is needed here.
        bool allowed = pg_guard([&] { return pg_class_aclmask(rel, role, needed, ACLMASK_ALL) == needed; });
        if (!allowed)
            throw Error(sqlstate::kInsufficientPrivilege, "permission denied to simulate into \"" + schema + "." + table + "\"",
                        std::string("The simulation's worker runs as your role and needs SELECT") +
                            (writes ? ", INSERT and UPDATE" : "") + " on this table.",
                        "GRANT the privileges to your role, or start the simulation as a role that has them.");
    }
    bool usage = pg_guard([&] { return namespace_aclcheck(nsp, role, ACL_USAGE) == ACLCHECK_OK; });
    if (!usage)
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied for schema \"" + schema + "\"", "",
                    "GRANT USAGE ON SCHEMA " + schema + " to your role.");
}

// A ground-truth table of the schema (setup() makes incidents and injected_faults since 1.1),
// writable by the role.
void check_ground_truth_table(const std::string& schema, Oid role, const char* table, const char* what) {
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    Oid rel = pg_guard([&] { return OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid; });
    const std::string name = schema + "." + table;
    if (!OidIsValid(rel))
        throw Error(sqlstate::kUndefinedTable, "relation \"" + name + "\" does not exist",
                    std::string(what) + " are recorded there as ground truth.",
                    "Run SELECT thelook.setup('" + schema + "') again: it adds the table to an existing schema.");
    bool allowed = pg_guard([&] { return pg_class_aclmask(rel, role, ACL_INSERT, ACLMASK_ALL) == ACL_INSERT; });
    if (!allowed)
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied to record " + std::string(table) + " in \"" + name + "\"", "",
                    "GRANT INSERT on it to your role.");
}

// The ground-truth tables a scenario writes to.
void check_ground_truth_tables(const Scenario& s, const std::string& schema, Oid role) {
    if (!s.incidents.empty() || !s.random_incidents.empty()) check_ground_truth_table(schema, role, "incidents", "Incidents");
    if (s.faults.any()) check_ground_truth_table(schema, role, "injected_faults", "The scenario's faults");
}

// A scenario with an "inventory" section needs the schema's inventory tables.
void check_inventory_tables(const Scenario& scenario, const std::string& schema) {
    if (!scenario.inventory.given) return;
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    Oid rel = pg_guard([&] { return OidIsValid(nsp) ? get_relname_relid("inventory_restocks", nsp) : InvalidOid; });
    if (!OidIsValid(rel))
        throw Error(sqlstate::kUndefinedTable, "relation \"" + schema + ".inventory_restocks\" does not exist",
                    "The scenario has an \"inventory\" section, and the schema has no inventory.",
                    "Run SELECT thelook.setup('" + schema + "', inventory => true) first.");
}

void check_sharded(const SimulationParams& p, const Scenario& s) {
    if (!p.sharded()) return;
    const char* what = !s.incidents.empty()        ? "scenario.incidents"
                       : !s.random_incidents.empty() ? "scenario.random_incidents"
                       : s.faults.any()              ? "scenario.faults"
                       : s.inventory.given           ? "scenario.inventory"
                       : p.keep_events_seconds > 0   ? "keep_events"
                       : p.keep_orders_seconds > 0   ? "keep_orders"
                                                     : nullptr;
    if (!what) return;
    throw Error(sqlstate::kFeatureNotSupported, std::string("a sharded simulation cannot have ") + what,
                "A simulation with shard and shards writes only the rows of its shard; this would write or delete others.",
                "Run it as an unsharded simulation (leave shard and shards out), or drop it from the scenario.");
}

void check_scenario_fits(const SimulationParams& p) {
    if (p.scenario_json.size() >= static_cast<size_t>(kScenarioMax))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"scenario\" is too large for a running simulation",
                    "It has " + std::to_string(p.scenario_json.size()) + " bytes once resolved; at most " +
                        std::to_string(kScenarioMax - 1) + " are kept.",
                    "Shorten the document.");
}

void check_can_login(Oid role) {
    bool can_login = pg_guard([&] {
        HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for role %u", role);
        bool login = ((Form_pg_authid) GETSTRUCT(tuple))->rolcanlogin;
        ReleaseSysCache(tuple);
        return login;
    });
    if (!can_login)
        throw Error(sqlstate::kInsufficientPrivilege, "role \"" + std::string(pg_guard([&] { return GetUserNameFromId(role, false); })) +
                                 "\" cannot log in, so a simulation worker cannot connect as it",
                    "", "Start the simulation as a role with LOGIN, or ALTER ROLE ... LOGIN.");
}

void check_filter_fits(const std::string& value, const char* parameter) {
    if (value.size() >= static_cast<size_t>(kFilterMax))
        throw Error(sqlstate::kInvalidParameterValue, std::string("parameter \"") + parameter + "\" is too long",
                    "At most " + std::to_string(kFilterMax - 1) + " bytes are kept.", "Pass fewer values.");
}


bool may_control(Oid role) {
    return pg_guard([&] { return superuser() || has_privs_of_role(GetUserId(), role); });
}

Error no_such_simulation(int32 id) {
    return Error(sqlstate::kUndefinedObject, "simulation " + std::to_string(id) + " does not exist", "",
                 "SELECT id, state FROM thelook.simulations lists the simulations.");
}

Error not_permitted(const char* action, int32 id) {
    return Error(sqlstate::kInsufficientPrivilege, "permission denied to " + std::string(action) + " simulation " + std::to_string(id),
                 "Only the role that started a simulation, its members, or a superuser may " + std::string(action) + " it.",
                 "Call it as that role (the role column of thelook.simulations), or as a member of it: GRANT <that role> TO <yours>.");
}

}  // namespace thelook::pg
