#include "core/id_space.hpp"

#include "core/error.hpp"

namespace thelook {

void check_shard(int shard, int shards) {
    if (shards < 1 || shards > kMaxShards)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"shards\" must be between 1 and 65536",
                    "The value was " + std::to_string(shards) + ".",
                    "Pass the distributed tables' shard count (citus.shard_count, 32 by default), or leave shard and shards out.");
    if (shard < 0 || shard >= shards)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"shard\" must be between 0 and shards - 1",
                    "The value was " + std::to_string(shard) + " of " + std::to_string(shards) + ".",
                    "Shards are numbered from 0: start one simulation for each of shard => 0 to shards - 1.");
}

IdSpace::IdSpace(int shard, int shards, Hash hash) : shard_(shard), shards_(shards), hash_(std::move(hash)) {
    check_shard(shard, shards);
    if (shards > 1 && !hash_)
        throw Error(sqlstate::kInternal, "IdSpace: a sharded id space needs a hash function");
    const uint64_t step = (uint64_t{1} << 32) / static_cast<uint64_t>(shards);
    min_ = static_cast<int32_t>(static_cast<int64_t>(INT32_MIN) + static_cast<int64_t>(shard * step));
    max_ = shard == shards - 1 ? INT32_MAX : static_cast<int32_t>(static_cast<int64_t>(min_) + static_cast<int64_t>(step) - 1);
}

bool IdSpace::contains(const std::string& id) const { return whole() || contains_hash(hash_(id)); }

}  // namespace thelook
