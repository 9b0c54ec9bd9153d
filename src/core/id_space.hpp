#pragma once
// IdSpace: which ids a sharded simulation (shard k of n) may create and pick. Shard k is the k-th
// of n equal ranges of the ids' 32-bit hash, laid out as Citus lays out a table distributed with
// shard_count n (metadata_cache.c: min = INT32_MIN + k * (2^32 / n), max = min + 2^32 / n - 1, the
// last up to INT32_MAX). With the text type's hash (PostgreSQL's hashtext, which is Citus's
// worker_hash for a text column), shard k's rows are exactly those of the table's k-th shard, so
// a simulation of shard k can write that shard on the node that holds it, and n such simulations
// on one server write the same rows. The hash is injected: core stays free of PostgreSQL.
#include <cstdint>
#include <functional>
#include <string>

#include "random.hpp"

namespace thelook {

constexpr int kMaxShards = 1 << 16;
// shard k of shards n is valid (1 <= n <= kMaxShards, 0 <= k < n); throws 22023 naming the
// parameter otherwise.
void check_shard(int shard, int shards);

class IdSpace {
public:
    using Hash = std::function<int32_t(const std::string&)>;

    // The whole id space (n = 1): every id, no hash is called, draws are unchanged.
    IdSpace() = default;
    // Shard k of n (0 <= k < n); throws thelook::Error otherwise.
    IdSpace(int shard, int shards, Hash hash);

    bool whole() const { return shards_ == 1; }
    int shard() const { return shard_; }
    int shards() const { return shards_; }
    int32_t min_hash() const { return min_; }
    int32_t max_hash() const { return max_; }

    bool contains(const std::string& id) const;
    // Whether an id of this hash is in the space (for callers that hash the bytes themselves).
    bool contains_hash(int32_t h) const { return h >= min_ && h <= max_; }
    // draw() until the id is in this space: about n draws each, from the caller's stream, so a
    // seeded run repeats; one draw and no hash for the whole space.
    template <class Draw>
    std::string draw_id(Draw&& draw) const {
        std::string id = draw();
        while (!whole() && !contains(id)) id = draw();
        return id;
    }

private:
    int shard_ = 0, shards_ = 1;
    int32_t min_ = INT32_MIN, max_ = INT32_MAX;
    Hash hash_;
};

// How a generator names the rows it creates: the id format, and the id space they must fall in
// (null: all of it). Converts from an IdFormat, so that callers of the whole space stay as they were.
struct IdRule {
    IdFormat format = IdFormat::Uuid4;
    const IdSpace* space = nullptr;

    IdRule(IdFormat f = IdFormat::Uuid4, const IdSpace* s = nullptr) : format(f), space(s) {}  // NOLINT: implicit
    bool operator==(IdFormat f) const { return format == f; }
    bool operator!=(IdFormat f) const { return format != f; }

    std::string v4(Rng& rng) const {
        return space ? space->draw_id([&] { return uuid_v4(rng); }) : uuid_v4(rng);
    }
    std::string v7(Rng& rng, int64_t unix_millis) const {
        return space ? space->draw_id([&] { return uuid_v7(rng, unix_millis); }) : uuid_v7(rng, unix_millis);
    }
    // A new row's id at time t, in the format.
    std::string at(Rng& rng, int64_t t_micros) const {
        return format == IdFormat::Uuid7 ? v7(rng, t_micros / 1000) : v4(rng);
    }
    // The draws of at() without its text, for an id nobody will read: uuid_v4 and uuid_v7 both
    // draw two words; in a shard's space the text decides how many, so at() runs.
    void skip(Rng& rng, int64_t t_micros) const {
        if (space) {
            (void)at(rng, t_micros);
            return;
        }
        rng.next_u64();
        rng.next_u64();
    }
};

}  // namespace thelook
