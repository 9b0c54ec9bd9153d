#include "pg/citus/shard_tables.hpp"

#include <optional>
#include <vector>

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/citus/citus_tables.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace thelook::pg {

namespace {

using Cells = std::vector<std::optional<std::string>>;

// The first row's columns (as text) of a query with text parameters; empty when there is none.
// SPI is connected and finished here (on an error, by the transaction's abort, which every caller
// meets); the C++ objects live outside every pg_guard.
Cells query_row(const char* sql, const Cells& args) {
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thelook: SPI_connect failed");
    });
    const TextArgs a = pg_guard([&] { return text_args(args); });
    int ncols = 0;
    pg_guard([&] {
        const int rc = SPI_execute_with_args(sql, a.n, a.types, a.values, a.nulls, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading Citus's shards failed: %s", SPI_result_code_string(rc));
        ncols = SPI_processed == 1 ? SPI_tuptable->tupdesc->natts : 0;
    });
    Cells out(ncols);
    for (int c = 0; c < ncols; ++c) {
        const char* v = pg_guard([&] { return static_cast<const char*>(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, c + 1)); });
        if (v) out[c] = std::string(v);
    }
    pg_guard([] { SPI_finish(); });
    return out;
}

std::string quoted(const std::string& schema, const std::string& rel) {
    return pg_guard([&] { return static_cast<const char*>(quote_qualified_identifier(schema.c_str(), rel.c_str())); });
}

// The relid of schema.table, or InvalidOid.
Oid relid_of(const std::string& schema, const char* table) {
    return pg_guard([&] {
        const Oid nsp = get_namespace_oid(schema.c_str(), true);
        return OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
    });
}

// Citus names a shard relation <table>_<shardid> (for names short enough, as setup()'s are).
constexpr const char* kShardOf =
    "SELECT s.shardid::text, (SELECT count(*) FROM pg_catalog.pg_dist_shard a WHERE a.logicalrelid = s.logicalrelid)::text, "
    "EXISTS (SELECT FROM pg_catalog.pg_dist_placement p WHERE p.shardid = s.shardid "
    "AND p.groupid = (SELECT groupid FROM pg_catalog.pg_dist_local_group))::text, "
    "(SELECT string_agg(n.nodename || ':' || n.nodeport, ', ') FROM pg_catalog.pg_dist_placement p "
    "JOIN pg_catalog.pg_dist_node n ON n.groupid = p.groupid WHERE p.shardid = s.shardid) "
    "FROM pg_catalog.pg_dist_shard s WHERE s.logicalrelid = $1::text::regclass "
    "AND (s.shardminvalue IS NULL OR s.shardminvalue = $2)";

}  // namespace

const std::string& TableNames::relation(const std::string& table) const {
    if (table == "users") return users;
    if (table == "orders") return orders;
    if (table == "order_items") return order_items;
    if (table == "events") return events;
    if (table == "products") return products;
    throw Error(sqlstate::kInternal, "TableNames: no table \"" + table + "\"");
}

std::string TableNames::qualified(const std::string& table) const { return quoted(schema, relation(table)); }

TableNames tables_for(const std::string& schema, const IdSpace& space) {
    TableNames names;
    names.schema = schema;
    if (space.whole()) return names;
    const Oid users = relid_of(schema, "users");
    if (!OidIsValid(users) || !is_citus_table(users)) return names;  // plain tables: n simulations share them
    const std::string min = std::to_string(space.min_hash());
    for (std::string* table : {&names.users, &names.orders, &names.order_items, &names.events, &names.products}) {
        const bool reference = table == &names.products;
        const std::string logical = *table;
        const std::string regclass = quoted(schema, logical);
        const auto row = query_row(kShardOf, {regclass, reference ? std::string("") : min});
        if (row.empty() || !row[0])
            throw Error(sqlstate::kInvalidParameterValue,
                        "table \"" + schema + "." + logical + "\" has no shard starting at hash " + min,
                        "A sharded simulation's shards must be the distributed tables' shard count.",
                        "Pass shards => the tables' shard count (SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = '" +
                            regclass + "'::regclass).");
        const long count = std::stol(row[1].value_or("0"));
        if (!reference && count != space.shards())
            throw Error(sqlstate::kInvalidParameterValue,
                        "table \"" + schema + "." + logical + "\" has " + std::to_string(count) + " shards, the simulation shards => " +
                            std::to_string(space.shards()),
                        "", "Pass shards => " + std::to_string(count) + ".");
        if (row[2].value_or("false") != "true")
            throw Error(sqlstate::kObjectNotInPrerequisiteState,
                        "shard " + std::to_string(space.shard()) + " of table \"" + schema + "." + logical + "\" is not on this node",
                        "A sharded simulation writes the shards of the node it runs on.",
                        "Start it on the node holding the shard: " + row[3].value_or("none") + ".");
        *table = logical + "_" + *row[0];
    }
    names.shards = true;
    return names;
}

void allow_shard_writes() {
    pg_guard([] {
        if (GetConfigOption("citus.enable_manual_changes_to_shards", true, false) != nullptr)
            SetConfigOption("citus.enable_manual_changes_to_shards", "on", PGC_USERSET, PGC_S_SESSION);
    });
}

}  // namespace thelook::pg
