#include "random.hpp"

#include <algorithm>

#include "error.hpp"

namespace thelook {

namespace {
uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void Rng::reseed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
}

uint64_t Rng::next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

int64_t Rng::uniform_int(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    if (range == 0) return static_cast<int64_t>(next_u64());  // the full 64-bit range
    __uint128_t m = static_cast<__uint128_t>(next_u64()) * range;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < range) {
        const uint64_t threshold = -range % range;
        while (low < threshold) {
            m = static_cast<__uint128_t>(next_u64()) * range;
            low = static_cast<uint64_t>(m);
        }
    }
    return lo + static_cast<int64_t>(m >> 64);
}

uint64_t Rng::derive_seed(uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    splitmix64(x);
    return splitmix64(x);
}

namespace {
// Two hex digits per byte from a table, written straight into the string: the digit-at-a-time
// loop was 6 % of generate_orders (bench/profile.sh srf).
struct HexPairs {
    char pair[256][2];
    constexpr HexPairs() : pair() {
        const char* hex = "0123456789abcdef";
        for (int b = 0; b < 256; ++b) {
            pair[b][0] = hex[b >> 4];
            pair[b][1] = hex[b & 0xF];
        }
    }
};
constexpr HexPairs kHexPairs;

std::string uuid_text(uint64_t hi, uint64_t lo) {
    std::string out(36, '-');
    char* p = &out[0];
    // Byte k of the 16 (most significant first) and where its two digits go, dashes skipped.
    static constexpr int kAt[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    for (int k = 0; k < 16; ++k) {
        const uint64_t word = k < 8 ? hi : lo;
        const unsigned byte = static_cast<unsigned>((word >> (56 - 8 * (k & 7))) & 0xFF);
        p[kAt[k]] = kHexPairs.pair[byte][0];
        p[kAt[k] + 1] = kHexPairs.pair[byte][1];
    }
    return out;
}
// The high word of a version-7 UUID: 48 bits of Unix milliseconds, the version, 12 bits rand_a.
uint64_t v7_high(int64_t unix_millis, uint64_t rand_a) {
    const uint64_t ms = static_cast<uint64_t>(unix_millis < 0 ? 0 : unix_millis) & 0xFFFFFFFFFFFFULL;
    return (ms << 16) | 0x7000ULL | (rand_a & 0xFFFULL);
}
constexpr uint64_t kRfcVariant = 0x8000000000000000ULL;
}  // namespace

std::string uuid_v4(Rng& rng) {
    const uint64_t hi = (rng.next_u64() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    const uint64_t lo = (rng.next_u64() & 0x3FFFFFFFFFFFFFFFULL) | kRfcVariant;
    return uuid_text(hi, lo);
}

std::string uuid_v7(Rng& rng, int64_t unix_millis) {
    const uint64_t hi = v7_high(unix_millis, rng.next_u64());
    const uint64_t lo = (rng.next_u64() & 0x3FFFFFFFFFFFFFFFULL) | kRfcVariant;
    return uuid_text(hi, lo);
}

std::string uuid_v7_floor(int64_t unix_millis) { return uuid_text(v7_high(unix_millis, 0), kRfcVariant); }

int64_t uuid_v7_millis(const std::string& s) {
    if (s.size() != 36 || s[14] != '7') return -1;
    int64_t ms = 0;
    for (int i = 0; i < 13; ++i) {
        if (i == 8) continue;  // the dash
        const char c = s[i];
        int digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else return -1;
        ms = ms * 16 + digit;
    }
    return ms;
}

WeightedIndex::WeightedIndex(const std::vector<double>& weights) {
    cumulative_.reserve(weights.size());
    double sum = 0.0;
    for (double w : weights) {
        sum += (w > 0.0 ? w : 0.0);
        cumulative_.push_back(sum);
    }
    const size_t n = cumulative_.size();
    if (n < 64 || !(sum > 0)) return;  // a few steps anyway
    const size_t buckets = std::min<size_t>(n, size_t{1} << 16);
    guide_.resize(buckets + 1);
    size_t i = 0;
    for (size_t j = 0; j < buckets; ++j) {
        const double b = bound(j);
        while (i < n - 1 && !(cumulative_[i] > b)) ++i;
        guide_[j] = i;
    }
    guide_[buckets] = n - 1;
}

size_t WeightedIndex::pick(Rng& rng) const {
    if (cumulative_.empty() || !(cumulative_.back() > 0))
        throw Error(sqlstate::kInternal, "weighted choice over nothing");
    const double target = rng.uniform() * cumulative_.back();
    size_t lo = 0, hi = cumulative_.size() - 1;
    if (!guide_.empty()) {
        const size_t buckets = guide_.size() - 1;
        size_t j = std::min(buckets - 1, static_cast<size_t>(target / cumulative_.back() * static_cast<double>(buckets)));
        while (j > 0 && bound(j) > target) --j;
        while (j + 1 < buckets && !(bound(j + 1) > target)) ++j;
        lo = guide_[j];
        hi = guide_[j + 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cumulative_[mid] > target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

const char* pick(const Categorical& dist, Rng& rng) {
    double u = rng.uniform();
    for (size_t i = 0; i < dist.labels.size(); ++i) {
        if (u < dist.probabilities[i]) return dist.labels[i];
        u -= dist.probabilities[i];
    }
    return dist.labels.back();
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
