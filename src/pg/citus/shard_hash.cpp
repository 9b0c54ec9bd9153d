#include "pg/citus/shard_hash.hpp"

#include "pg/bridge/postgres.hpp"

extern "C" {
#include "common/hashfn.h"
}

namespace thelook::pg {

int32_t shard_hash_bytes(const char* bytes, size_t len) {
    return static_cast<int32_t>(hash_bytes(reinterpret_cast<const unsigned char*>(bytes), static_cast<int>(len)));
}

int32_t shard_hash(const std::string& id) { return shard_hash_bytes(id.data(), id.size()); }

}  // namespace thelook::pg
