#include "core/id_space.hpp"

#include "core/error.hpp"

namespace thelook {

IdSpace::IdSpace(int shard, int shards, Hash hash) : shard_(shard), shards_(shards), hash_(std::move(hash)) {
    if (shards < 1 || shards > 1 << 16)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"shards\" must be between 1 and 65536", {},
                    "Use the distributed tables' shard count (citus.shard_count, 32 by default).");
    if (shard < 0 || shard >= shards)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"shard\" must be between 0 and shards - 1", {},
                    "Shards are numbered from 0.");
    if (shards > 1 && !hash_)
        throw Error(sqlstate::kInternal, "IdSpace: a sharded id space needs a hash function");
    const uint64_t step = (uint64_t{1} << 32) / static_cast<uint64_t>(shards);
    min_ = static_cast<int32_t>(static_cast<int64_t>(INT32_MIN) + static_cast<int64_t>(shard * step));
    max_ = shard == shards - 1 ? INT32_MAX : static_cast<int32_t>(static_cast<int64_t>(min_) + static_cast<int64_t>(step) - 1);
}

bool IdSpace::contains(const std::string& id) const {
    if (whole()) return true;
    const int32_t h = hash_(id);
    return h >= min_ && h <= max_;
}

}  // namespace thelook
