#include "pg/citus/citus_tables.hpp"

#include "core/error.hpp"
#include "pg/bridge/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

namespace thelook::pg {

namespace {
// pg_dist_partition's first column, logicalrelid (regclass): Citus's catalog of its tables.
constexpr AttrNumber kLogicalRelid = 1;
}  // namespace

bool is_citus_table(Oid relid) {
    return pg_guard([&] {
        const Oid catalog = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
        if (!OidIsValid(catalog)) return false;  // Citus is not installed in this database
        Relation rel = table_open(catalog, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, kLogicalRelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
        // No index named: a heap scan of a catalog with one row per Citus table.
        SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, nullptr, 1, &key);
        const bool found = HeapTupleIsValid(systable_getnext(scan));
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
        return found;
    });
}

void refuse_citus_tables_for_backfill(const std::string& schema) {
    const Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    if (!OidIsValid(nsp)) return;
    for (const char* table : {"users", "orders", "order_items", "events", "inventory_items"}) {
        const Oid relid = pg_guard([&] { return get_relname_relid(table, nsp); });
        if (!OidIsValid(relid) || !is_citus_table(relid)) continue;
        throw Error(sqlstate::kFeatureNotSupported,
                    "table \"" + schema + "." + table + "\" is a Citus table: the back-fill cannot write it",
                    "On a Citus coordinator the table is a shell; the back-fill writes a table's heap directly, so "
                    "its rows would reach no shard.",
                    "Back-fill a schema of plain tables and call thelook.distribute() on it afterwards (Citus moves "
                    "the rows into the shards), or run a simulation, which writes through Citus.");
    }
}

std::string this_node_label() {
    const bool citus = pg_guard([] { return OidIsValid(get_relname_relid("pg_dist_local_group", PG_CATALOG_NAMESPACE)); });
    if (!citus) return "local";
    const char* sql =
        "SELECT coalesce((SELECT n.nodename || ':' || n.nodeport FROM pg_catalog.pg_dist_node n "
        "WHERE n.groupid = g.groupid AND n.noderole = 'primary' ORDER BY n.nodeid LIMIT 1), "
        "'citus group ' || g.groupid) FROM pg_catalog.pg_dist_local_group g";
    const char* label = pg_guard([&] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thelook: SPI_connect failed");
        const char* v = nullptr;
        if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1) {
            char* got = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
            if (got) v = MemoryContextStrdup(CurTransactionContext, got);  // outlives SPI_finish
        }
        SPI_finish();
        return v;
    });
    return label ? label : "local";
}

}  // namespace thelook::pg
