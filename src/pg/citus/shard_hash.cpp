#include "pg/citus/shard_hash.hpp"

#include "pg/bridge/postgres.hpp"

extern "C" {
#include "common/hashfn.h"
}

namespace thelook::pg {

int32_t shard_hash(const std::string& id) {
    return static_cast<int32_t>(hash_bytes(reinterpret_cast<const unsigned char*>(id.data()), static_cast<int>(id.size())));
}

}  // namespace thelook::pg
