// Rng, uuid_v4, WeightedIndex and pick(Categorical).
#include <cstdio>
#include <algorithm>
#include <set>
#include <unordered_set>

#include "fixtures.hpp"

using namespace thelook;
using fixtures::kDraws;

TEST_CASE("Rng: the same seed gives the same sequence, different seeds differ", "[random]") {
    Rng a(42), b(42), c(43);
    int same_as_c = 0;
    for (int i = 0; i < 1000; ++i) {
        const uint64_t x = a.next_u64();
        REQUIRE(x == b.next_u64());
        if (x == c.next_u64()) ++same_as_c;
    }
    CHECK(same_as_c == 0);

    Rng zero_a(0), zero_b(0);
    CHECK(zero_a.next_u64() == zero_b.next_u64());
    CHECK(zero_a.next_u64() != 0);  // seed 0 is not a degenerate all-zero state

    Rng r(7);
    std::vector<uint64_t> first;
    for (int i = 0; i < 10; ++i) first.push_back(r.next_u64());
    r.reseed(7);
    for (int i = 0; i < 10; ++i) CHECK(r.next_u64() == first[i]);
}

TEST_CASE("Rng::uniform is in [0, 1) with mean 1/2 and a flat histogram", "[random]") {
    Rng r(1);
    std::vector<double> bins(20, 0.0);
    double sum = 0;
    for (int i = 0; i < kDraws; ++i) {
        const double u = r.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        sum += u;
        bins[static_cast<size_t>(u * 20)] += 1;
    }
    const double sigma_of_mean = std::sqrt(1.0 / 12.0 / kDraws);
    CHECK(std::fabs(sum / kDraws - 0.5) < 5 * sigma_of_mean);
    fixtures::check_fits(bins, std::vector<double>(20, 1.0));
}

TEST_CASE("Rng::uniform_int is inclusive at both ends and uniform", "[random]") {
    Rng r(2);
    const int64_t lo = -3, hi = 6;
    std::vector<double> counts(hi - lo + 1, 0.0);
    for (int i = 0; i < kDraws; ++i) {
        const int64_t v = r.uniform_int(lo, hi);
        REQUIRE(v >= lo);
        REQUIRE(v <= hi);
        counts[static_cast<size_t>(v - lo)] += 1;
    }
    CHECK(counts.front() > 0);
    CHECK(counts.back() > 0);
    fixtures::check_fits(counts, std::vector<double>(counts.size(), 1.0));

    SECTION("a single value") {
        for (int i = 0; i < 100; ++i) CHECK(r.uniform_int(5, 5) == 5);
    }
    SECTION("ranges that do not divide 2^64 stay in bounds") {
        const int64_t big = (int64_t(1) << 62) + 12345;
        for (int i = 0; i < 1000; ++i) {
            const int64_t v = r.uniform_int(-big, big);
            REQUIRE(v >= -big);
            REQUIRE(v <= big);
        }
    }
    SECTION("the full 64-bit range") {
        std::set<int64_t> seen;
        for (int i = 0; i < 100; ++i) seen.insert(r.uniform_int(INT64_MIN, INT64_MAX));
        CHECK(seen.size() == 100);
    }
}

TEST_CASE("Rng::exponential has mean 1/rate and is never negative", "[random]") {
    Rng r(3);
    for (double rate : {0.5, 2.5, 200.0}) {
        double sum = 0;
        for (int i = 0; i < kDraws; ++i) {
            const double x = r.exponential(rate);
            REQUIRE(x >= 0.0);
            REQUIRE(std::isfinite(x));
            sum += x;
        }
        const double mean = 1.0 / rate;
        INFO("rate " << rate);
        CHECK(std::fabs(sum / kDraws - mean) < 5 * mean / std::sqrt(double(kDraws)));
    }
}

TEST_CASE("Rng::bernoulli matches its probability", "[random]") {
    Rng r(4);
    const double p = 0.3;
    std::vector<double> counts(2, 0.0);
    for (int i = 0; i < kDraws; ++i) counts[r.bernoulli(p) ? 1 : 0] += 1;
    fixtures::check_fits(counts, {1 - p, p});
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(r.bernoulli(0.0));
        REQUIRE(r.bernoulli(1.0));
    }
}

TEST_CASE("Rng::derive_seed gives distinct, repeatable, independent streams", "[random]") {
    const uint64_t seed = 12345;
    std::set<uint64_t> seeds;
    for (uint64_t stream = 0; stream < 1000; ++stream) seeds.insert(Rng::derive_seed(seed, stream));
    CHECK(seeds.size() == 1000);
    CHECK(seeds.count(seed) == 0);
    CHECK(Rng::derive_seed(seed, 1) == Rng::derive_seed(seed, 1));
    CHECK(Rng::derive_seed(seed, 1) != Rng::derive_seed(seed + 1, 1));

    Rng parent(seed), one(Rng::derive_seed(seed, 1)), two(Rng::derive_seed(seed, 2));
    int equal = 0;
    for (int i = 0; i < 1000; ++i) {
        const uint64_t p = parent.next_u64(), a = one.next_u64(), b = two.next_u64();
        if (a == b || a == p || b == p) ++equal;
    }
    CHECK(equal == 0);

    // Two derived streams are uncorrelated: the 2x2 table of (u1 < 1/2, u2 < 1/2) is flat.
    std::vector<double> cells(4, 0.0);
    for (int i = 0; i < kDraws; ++i)
        cells[(one.uniform() < 0.5 ? 1 : 0) + (two.uniform() < 0.5 ? 2 : 0)] += 1;
    fixtures::check_fits(cells, std::vector<double>(4, 1.0));
}

TEST_CASE("uuid_v4: canonical lower-case version 4, unique, repeatable", "[random][uuid]") {
    Rng r(5);
    std::unordered_set<std::string> seen;
    seen.reserve(2 * kDraws);
    std::vector<double> variant(4, 0.0);  // 8, 9, a, b
    for (int i = 0; i < kDraws; ++i) {
        const std::string u = uuid_v4(r);
        INFO(u);
        REQUIRE(u.size() == 36);
        REQUIRE(fixtures::is_uuid_v4(u));
        REQUIRE(seen.insert(u).second);
        const char v = u[19];
        variant[v >= 'a' ? size_t(v - 'a' + 2) : size_t(v - '8')] += 1;
    }
    fixtures::check_fits(variant, std::vector<double>(4, 1.0));  // the two free variant bits are random

    Rng a(99), b(99), c(100);
    for (int i = 0; i < 100; ++i) {
        const std::string x = uuid_v4(a);
        CHECK(x == uuid_v4(b));
        CHECK(x != uuid_v4(c));
    }
}

TEST_CASE("uuid_v4: the text is the two drawn words in hex, version and variant set", "[random][uuid]") {
    // An oracle independent of uuid_text's table: printf of the same words.
    for (uint64_t seed = 0; seed < 2000; ++seed) {
        Rng a(seed), b(seed);
        const uint64_t hi = (b.next_u64() & 0xFFFFFFFFFFFF0FFFULL) | 0x4000ULL;
        const uint64_t lo = (b.next_u64() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
        char expected[37];
        std::snprintf(expected, sizeof expected, "%08llx-%04llx-%04llx-%04llx-%012llx",
                      static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                      static_cast<unsigned long long>(hi & 0xFFFF), static_cast<unsigned long long>(lo >> 48),
                      static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
        REQUIRE(uuid_v4(a) == expected);
    }
}

TEST_CASE("WeightedIndex picks in proportion to its weights", "[random]") {
    const std::vector<double> weights = {1.0, 0.0, 3.0, 6.0, 0.5, 0.0};
    WeightedIndex index(weights);
    CHECK(index.size() == weights.size());
    CHECK_FALSE(index.empty());
    CHECK(index.total() == Approx(10.5));
    CHECK(WeightedIndex().empty());

    Rng r(6);
    std::vector<double> counts(weights.size(), 0.0);
    for (int i = 0; i < kDraws; ++i) {
        const size_t k = index.pick(r);
        REQUIRE(k < weights.size());
        counts[k] += 1;
    }
    CHECK(counts[1] == 0);  // zero weights are never picked
    CHECK(counts[5] == 0);  // not even at the end
    fixtures::check_fits(counts, weights);

    SECTION("a single entry") {
        WeightedIndex one({2.0});
        for (int i = 0; i < 100; ++i) CHECK(one.pick(r) == 0);
    }
}

TEST_CASE("pick(Categorical) follows the probabilities", "[random]") {
    Rng r(7);
    SECTION("a custom distribution") {
        const Categorical d{{"a", "b", "c", "d"}, {0.1, 0.2, 0.3, 0.4}};
        std::map<std::string, double> counts;
        for (int i = 0; i < kDraws; ++i) counts[pick(d, r)] += 1;
        fixtures::check_fits(counts, d);
    }
    SECTION("every table of distributions.hpp sums to 1 and is sampled as stated") {
        for (const Categorical* d : {&dist::kGender, &dist::kUserTrafficSource, &dist::kItemsPerOrder,
                                     &dist::kBrowser, &dist::kSessionTrafficSource, &dist::kGhostPages}) {
            REQUIRE(d->labels.size() == d->probabilities.size());
            double total = 0;
            for (double p : d->probabilities) {
                CHECK(p > 0);
                total += p;
            }
            CHECK(total == Approx(1.0).epsilon(1e-12));
            std::map<std::string, double> counts;
            for (int i = 0; i < kDraws; ++i) counts[pick(*d, r)] += 1;
            INFO("distribution starting with " << d->labels.front());
            fixtures::check_fits(counts, *d);
        }
    }
}

TEST_CASE("uuid_v7: version 7, variant, the millisecond first, so ids sort by time", "[random][uuid]") {
    Rng r(5), same(5);
    const int64_t ms0 = 1700000000000LL;  // 2023-11-14 22:13:20 UTC
    std::unordered_set<std::string> seen;
    std::string previous_floor;
    for (int i = 0; i < 10000; ++i) {
        const int64_t ms = ms0 + i * 7;
        const std::string u = uuid_v7(r, ms);
        INFO(u);
        REQUIRE(u.size() == 36);
        REQUIRE(u[8] == '-');
        REQUIRE(u[13] == '-');
        REQUIRE(u[14] == '7');
        REQUIRE(u[18] == '-');
        REQUIRE(std::string("89ab").find(u[19]) != std::string::npos);
        REQUIRE(u[23] == '-');
        REQUIRE(uuid_v7_millis(u) == ms);
        REQUIRE(seen.insert(u).second);
        // Same draws as uuid_v4: the stream after an id does not depend on the format.
        uuid_v4(same);
        REQUIRE(r.next_u64() == same.next_u64());
        // The floor of a millisecond sorts at or before every id of it, after every earlier one.
        const std::string floor = uuid_v7_floor(ms);
        REQUIRE(uuid_v7_millis(floor) == ms);
        REQUIRE(floor <= u);
        REQUIRE(previous_floor < floor);
        previous_floor = floor;
    }
    // Later milliseconds give larger ids (byte order, as in a B-tree under the C collation).
    Rng t(1);
    CHECK(uuid_v7(t, ms0) < uuid_v7(t, ms0 + 1));
    CHECK(uuid_v7(t, ms0 + 1000) < uuid_v7(t, ms0 + 1000 + 16 * 16 * 16 * 16));
    // Not version 7: no millisecond.
    Rng v(3);
    CHECK(uuid_v7_millis(uuid_v4(v)) == -1);
    CHECK(uuid_v7_millis("") == -1);
    CHECK(uuid_v7_millis("0189ab12-34zz-7000-8000-000000000000") == -1);
}
