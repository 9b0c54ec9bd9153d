// IdSpace: shard k of n as Citus's hash ranges; draws repeat, stay in range, cost about n draws.
// (WIP of session 6: the class is not used by the generators yet.)
#include <cmath>

#include "core/id_space.hpp"
#include "fixtures.hpp"

using namespace thelook;

namespace {
// A stand-in for hashtext with the same range (any well-mixed 32-bit hash will do here).
int32_t fnv(const std::string& s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    h ^= h >> 15; h *= 0x2c1b3c6du; h ^= h >> 12;
    return static_cast<int32_t>(h);
}
}  // namespace

TEST_CASE("IdSpace: the n ranges tile the 32-bit hash space as Citus lays out shard_count n", "[id_space]") {
    for (int n : {1, 2, 3, 7, 8, 32}) {
        int64_t next = INT32_MIN;
        for (int k = 0; k < n; ++k) {
            const IdSpace s = n == 1 ? IdSpace() : IdSpace(k, n, fnv);
            REQUIRE(s.min_hash() == next);
            REQUIRE(s.max_hash() >= s.min_hash());
            next = int64_t{s.max_hash()} + 1;
            if (k < n - 1) REQUIRE(int64_t{s.max_hash()} - s.min_hash() + 1 == (int64_t{1} << 32) / n);
        }
        REQUIRE(next == int64_t{INT32_MAX} + 1);
    }
    // Citus's shard 0 of 4 is [-2147483648, -1073741825].
    REQUIRE(IdSpace(0, 4, fnv).max_hash() == -1073741825);
    REQUIRE(IdSpace(3, 4, fnv).min_hash() == 1073741824);
}

TEST_CASE("IdSpace: draws repeat for a seed, land in their shard, and take about n draws", "[id_space]") {
    const int n = 4, ids = 20000;
    int64_t draws = 0;
    for (int k = 0; k < n; ++k) {
        const IdSpace s(k, n, fnv);
        Rng a(7), b(7);
        for (int i = 0; i < ids / n; ++i) {
            const std::string id = s.draw_id([&] { ++draws; return uuid_v4(a); });
            REQUIRE(s.contains(id));
            REQUIRE(id == s.draw_id([&] { return uuid_v4(b); }));
        }
    }
    // Draws per id are geometric with p = 1/n: mean n, variance n(n-1); 4 sigma of the mean.
    const double mean = static_cast<double>(draws) / ids, sigma = std::sqrt(n * (n - 1.0) / ids);
    CHECK(std::abs(mean - n) < 4 * sigma);
}

TEST_CASE("IdSpace: the whole space draws once and never hashes; bad shards are 22023", "[id_space]") {
    Rng a(3), b(3);
    int calls = 0;
    REQUIRE(IdSpace().draw_id([&] { ++calls; return uuid_v4(a); }) == uuid_v4(b));
    REQUIRE(calls == 1);
    auto state_of = [](auto&& f) {
        try { f(); } catch (const Error& e) { return e.sqlstate() + " " + e.what(); }
        return std::string("no error");
    };
    CHECK(state_of([] { IdSpace(4, 4, fnv); }).rfind("22023 parameter \"shard\"", 0) == 0);
    CHECK(state_of([] { IdSpace(0, 0, fnv); }).rfind("22023 parameter \"shards\"", 0) == 0);
}

TEST_CASE("IdRule::skip draws exactly what at() draws, in each format and in a shard's space", "[id_space]") {
    const IdSpace shard(1, 4, fnv);
    for (IdFormat f : {IdFormat::Uuid4, IdFormat::Uuid7})
        for (const IdSpace* space : {static_cast<const IdSpace*>(nullptr), &shard}) {
            const IdRule rule(f, space);
            for (uint64_t seed = 0; seed < 500; ++seed) {
                Rng a(seed), b(seed);
                (void)rule.at(a, 1700000000000000LL);
                rule.skip(b, 1700000000000000LL);
                REQUIRE(a.state() == b.state());
            }
        }
}
