#include "pg/control/simulation_indexes.hpp"

#include <vector>

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

namespace {

struct NeededIndex {
    std::string name, table, columns;
    bool any_created_at = false;  // retention: any btree index led by created_at will do
};

std::vector<NeededIndex> needed_indexes(const SimulationParams& p, const CdcFaults& faults) {
    std::vector<NeededIndex> out;
    // Retention deletes by created_at: an index makes each small batch a range scan.
    if (p.keep_events_seconds > 0) out.push_back({"events_created_at_idx", "events", "(created_at)", true});
    if (p.keep_orders_seconds > 0) out.push_back({"orders_created_at_idx", "orders", "(created_at)", true});
    for (const FaultIndex& ix : fault_indexes(faults)) out.push_back({ix.name, ix.table, ix.columns, false});
    return out;
}

// SPI must be connected.
bool index_exists(const std::string& schema, const NeededIndex& ix) {
    if (!ix.any_created_at)
        return pg_guard([&] {
            const Oid nsp = get_namespace_oid(schema.c_str(), true);
            return OidIsValid(nsp) && OidIsValid(get_relname_relid(ix.name.c_str(), nsp));
        });
    const char* probe = "SELECT FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_catalog.pg_am a ON a.oid = c.relam JOIN pg_catalog.pg_attribute t "
                        "ON t.attrelid = i.indrelid AND t.attnum = i.indkey[0] WHERE i.indrelid = $1::regclass "
                        "AND a.amname = 'btree' AND t.attname = 'created_at' AND i.indpred IS NULL";
    const std::string relation = qualified(schema, ix.table.c_str());
    return pg_guard([&] {
        Oid type = TEXTOID;
        Datum arg = text_datum(relation);
        int rc = SPI_execute_with_args(probe, 1, &type, &arg, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: looking for an index failed: %s", SPI_result_code_string(rc));
        return SPI_processed > 0;
    });
}

template <typename F>
auto with_spi(F f) -> decltype(f()) {
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    auto result = f();
    pg_guard([] { SPI_finish(); });
    return result;
}

}  // namespace

void check_simulation_indexes(const std::string& schema, const SimulationParams& p, const CdcFaults& faults) {
    const std::vector<NeededIndex> needed = needed_indexes(p, faults);
    if (needed.empty()) return;
    const NeededIndex* missing = with_spi([&]() -> const NeededIndex* {
        for (const NeededIndex& ix : needed)
            if (!index_exists(schema, ix)) return &ix;
        return nullptr;
    });
    if (!missing) return;
    const std::string on = qualified(schema, missing->table.c_str()) + " " + missing->columns;
    const char* why = missing->any_created_at ? "retention (keep_events, keep_orders)" : "faults.cdc";
    throw Error(sqlstate::kObjectNotInPrerequisiteState, std::string(why) + " needs an index on " + on + ", and there is none",
                "Indexes are made by an explicit call, never by starting or changing a simulation.",
                "Run SELECT thelook.create_simulation_indexes('" + schema +
                    "', ...) with the scenario and keep_* arguments of this call first (as the table's owner).");
}

Datum create_simulation_indexes(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) throw Error(sqlstate::kNullValueNotAllowed, "parameter \"schema\" must not be NULL", "", "Pass a schema name.");
    const std::string schema = arg_name(fcinfo, 0);
    SimulationParams p;
    const ResolvedScenario scenario = resolve_scenario_argument(arg_text(fcinfo, 1, "reference"));
    p.keep_events_seconds = PG_ARGISNULL(2) ? 0 : arg_interval_seconds(fcinfo, 2, 0);
    p.keep_orders_seconds = PG_ARGISNULL(3) ? 0 : arg_interval_seconds(fcinfo, 3, 0);
    const bool schema_exists = pg_guard([&] { return OidIsValid(get_namespace_oid(schema.c_str(), true)); });
    if (!schema_exists)
        throw Error(sqlstate::kInvalidSchemaName, "schema \"" + schema + "\" does not exist", "",
                    "Create and fill it with SELECT thelook.setup('" + schema + "').");
    const std::vector<NeededIndex> needed = needed_indexes(p, scenario.scenario.faults.cdc);
    std::vector<std::string> sql;
    for (const NeededIndex& ix : needed)
        sql.push_back("CREATE INDEX IF NOT EXISTS " + ix.name + " ON " + qualified(schema, ix.table.c_str()) + " " +
                      ix.columns);
    with_spi([&] {
        for (size_t i = 0; i < needed.size(); ++i) {
            if (index_exists(schema, needed[i])) continue;
            const char* statement = sql[i].c_str();
            pg_guard([&] {
                int rc = SPI_execute(statement, false, 0);
                if (rc != SPI_OK_UTILITY) elog(ERROR, "thelook: %s failed: %s", statement, SPI_result_code_string(rc));
            });
        }
        return 0;
    });
    SrfOutput srf = begin_materialized_srf(fcinfo, true);
    pg_guard([&] {
        MemoryContext caller = MemoryContextSwitchTo(srf.row_context);
        for (const NeededIndex& ix : needed) {
            Datum v = text_datum(ix.name);
            bool n = false;
            tuplestore_putvalues(srf.store, srf.desc, &v, &n);
            MemoryContextReset(srf.row_context);
        }
        MemoryContextSwitchTo(caller);
    });
    return 0;
}

}  // namespace thelook::pg
