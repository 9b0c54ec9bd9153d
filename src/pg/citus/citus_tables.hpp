// Which tables belong to Citus (docs/citus.md). On a Citus coordinator a distributed or reference
// table is a shell: its own heap stays empty and the rows live in shards on the nodes, reached only
// through Citus's planner and executor. Code that writes a heap directly (the back-fill's
// table_multi_insert, a direct live insert path) must ask here first and write through SQL (SPI /
// the executor, which Citus routes) or refuse.
#pragma once

#include <string>

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// True when relid is a Citus table (a row in pg_catalog.pg_dist_partition: distributed, reference
// or Citus-managed local). False when Citus is not installed in this database. Reads the catalog
// directly (no SPI), so it may be called from any code holding a transaction.
bool is_citus_table(Oid relid);

// The back-fill's guard: throws 0A000 naming the first of schema's generated tables (users,
// orders, order_items, events, inventory_items) that is a Citus table, with a hint. Tables that do
// not exist are left to the caller's own checks.
void refuse_citus_tables_for_backfill(const std::string& schema);

// Where a simulation started on this node runs (thelook.simulation_status's runs_on): 'local'
// without Citus; on a Citus node its name and port in pg_dist_node ("host:port"), or
// "citus group N" for a node whose own entry is not in its metadata. Uses SPI (connects itself).
std::string this_node_label();

}  // namespace thelook::pg
