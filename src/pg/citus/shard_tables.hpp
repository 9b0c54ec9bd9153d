// Where a sharded simulation writes (docs/citus.md#sharded-simulations). On a server without
// Citus, or a schema of plain tables, the schema's tables themselves. On a Citus node, for a
// schema whose tables distribute() laid out: the shard relations of this node that hold the
// simulation's hash range (users_102008, ...; the reference tables' local copies for products),
// written as plain tables, so that the node's simulation never goes through the coordinator.
#pragma once

#include <string>

#include "core/id_space.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// The relation each of a schema's tables is read and written as.
struct TableNames {
    std::string schema;
    std::string users = "users", orders = "orders", order_items = "order_items", events = "events",
                products = "products";
    bool shards = false;  // the names are Citus shard relations

    // The schema's own tables.
    static TableNames plain(const std::string& schema) {
        TableNames t;
        t.schema = schema;
        return t;
    }

    // The relation of one of setup()'s tables ("users", ...), as the writer names it.
    const std::string& relation(const std::string& table) const;
    // schema.relation, quoted.
    std::string qualified(const std::string& table) const;
};

// The tables a simulation with id space `space` writes in schema. For a sharded simulation on a
// Citus node whose schema is distributed: throws 22023 when the tables' shard count is not the
// simulation's shards, 55000 (with a hint naming the node) when this node holds no placement of
// the simulation's shard. Uses SPI (connects itself).
TableNames tables_for(const std::string& schema, const IdSpace& space);

// Lets this session change shard relations directly (citus.enable_manual_changes_to_shards, when
// Citus is loaded): the UPDATEs and upserts of a shard-local simulation.
void allow_shard_writes();

}  // namespace thelook::pg
