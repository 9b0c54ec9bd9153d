#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace thelook {

// xoshiro256** seeded through splitmix64: fast, small state, good statistical quality, and the
// same sequence on every platform (std:: distributions are not portable, so we write our own).
class Rng {
public:
    explicit Rng(uint64_t seed = 0) { reseed(seed); }

    void reseed(uint64_t seed);
    uint64_t next_u64();

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
    // Uniform integer in [lo, hi], both inclusive; unbiased (Lemire's method).
    int64_t uniform_int(int64_t lo, int64_t hi);
    bool bernoulli(double p) { return uniform() < p; }
    // Exponential with the given rate (mean 1/rate).
    double exponential(double rate) { return -std::log1p(-uniform()) / rate; }

    // An independent stream derived from this seed and a label, e.g. one per shard.
    static uint64_t derive_seed(uint64_t seed, uint64_t stream);

    // The generator's whole state, to persist it: restore(state()) continues the same sequence.
    using State = std::array<uint64_t, 4>;
    State state() const { return State{s_[0], s_[1], s_[2], s_[3]}; }
    void restore(const State& state) {
        for (int i = 0; i < 4; ++i) s_[i] = state[i];
    }

private:
    uint64_t s_[4];
};

// A random version-4 UUID in canonical text form, drawn from rng (so seeded runs repeat).
std::string uuid_v4(Rng& rng);

// How the simulation names the rows it inserts. Uuid4 is the reference: random keys, so every
// index insert lands on a random B-tree leaf. Uuid7 (RFC 9562) puts the Unix time in
// milliseconds first, so new keys go to the right edge of the index and the cost of an insert
// does not grow with the table.
enum class IdFormat { Uuid4, Uuid7 };

// A version-7 UUID for time unix_millis; draws from rng exactly as uuid_v4 does, so the rest of a
// seeded stream is the same whichever format is chosen.
std::string uuid_v7(Rng& rng, int64_t unix_millis);
// The smallest version-7 UUID of a millisecond: a probe for "the first key at or after then".
std::string uuid_v7_floor(int64_t unix_millis);
// The millisecond of a version-7 UUID, or -1 when s is not one (e.g. a version-4 id).
int64_t uuid_v7_millis(const std::string& s);

// Picks index i with probability weights[i] / sum(weights) in O(log n) (cumulative table).
class WeightedIndex {
public:
    WeightedIndex() = default;
    explicit WeightedIndex(const std::vector<double>& weights);
    size_t pick(Rng& rng) const;
    size_t size() const { return cumulative_.size(); }
    bool empty() const { return cumulative_.empty(); }
    double total() const { return cumulative_.empty() ? 0.0 : cumulative_.back(); }

private:
    // The bound of guide bucket j: a target in [bound(j), bound(j + 1)) is looked up in
    // [guide_[j], guide_[j + 1]], where guide_[j] is the first index whose cumulative weight
    // exceeds bound(j) (the last index if none). The binary search over the whole table missed the
    // cache at every step (7 % of generate_orders, whose buyers' places are drawn from ~10^4
    // locations); within a bucket it takes a step or two, and finds the same index: the first
    // whose cumulative weight exceeds the target (bucket bounds computed by one expression).
    double bound(size_t j) const { return cumulative_.back() * static_cast<double>(j) / static_cast<double>(guide_.size() - 1); }

    std::vector<double> cumulative_;
    std::vector<size_t> guide_;  // buckets + 1 entries; empty: search the whole table
};

// A small categorical distribution over labels, e.g. browsers or traffic sources.
struct Categorical {
    std::vector<const char*> labels;
    std::vector<double> probabilities;
};

const char* pick(const Categorical& dist, Rng& rng);

}  // namespace thelook
