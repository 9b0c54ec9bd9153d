#pragma once

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

private:
    uint64_t s_[4];
};

// A random version-4 UUID in canonical text form, drawn from rng (so seeded runs repeat).
std::string uuid_v4(Rng& rng);

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
    std::vector<double> cumulative_;
};

// A small categorical distribution over labels, e.g. browsers or traffic sources.
struct Categorical {
    std::vector<const char*> labels;
    std::vector<double> probabilities;
};

const char* pick(const Categorical& dist, Rng& rng);

}  // namespace thelook
