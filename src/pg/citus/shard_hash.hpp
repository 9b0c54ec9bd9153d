// The hash by which Citus places a text key in a shard: worker_hash() of a text column is the text
// type's hash, PostgreSQL's hashtext(), which for a deterministic collation (the id columns' default
// one) is hash_bytes() of the string's bytes. A sharded simulation's IdSpace (core/id_space.hpp)
// uses it, so that the ids of its shard k are exactly the rows of the tables' k-th shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace thelook::pg {

// hashtext(id): pure, no error, no allocation.
int32_t shard_hash(const std::string& id);
int32_t shard_hash_bytes(const char* bytes, size_t len);

}  // namespace thelook::pg
