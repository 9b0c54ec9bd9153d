// Location restrictions: LocationSpec, the JSON weights parser and LocationSampler.
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kDraws;

namespace {
constexpr SqlState kBadValue = sqlstate::kInvalidParameterValue;

double population(const std::vector<Location>& ls, const std::string& country) {
    double p = 0;
    for (const auto& l : ls)
        if (country.empty() || l.country == country) p += l.population;
    return p;
}

// Draw counts per location index of `ls`.
std::vector<double> draw(const LocationSampler& s, const std::vector<Location>& ls, uint64_t seed) {
    Rng r(seed);
    std::vector<double> counts(ls.size(), 0.0);
    for (int i = 0; i < kDraws; ++i) {
        const Location* l = &s.pick(r);
        REQUIRE(l >= ls.data());
        REQUIRE(l < ls.data() + ls.size());
        counts[static_cast<size_t>(l - ls.data())] += 1;
    }
    return counts;
}
}  // namespace

TEST_CASE("LocationSpec: '*' matches everything, a plain value only itself", "[locations]") {
    const LocationSpec any = LocationSpec::parse("*", "country");
    CHECK(any.kind == LocationSpec::Kind::Any);
    CHECK(any.matches("Atlantis"));
    CHECK(any.matches(""));
    CHECK(any.matches("anything at all"));

    const LocationSpec one = LocationSpec::parse("United States", "country");
    CHECK(one.kind == LocationSpec::Kind::One);
    REQUIRE(one.weights.size() == 1);
    CHECK(one.weights.begin()->first == "United States");
    CHECK(one.matches("United States"));
    CHECK_FALSE(one.matches("United Kingdom"));
    CHECK_FALSE(one.matches("united states"));

    const LocationSpec weighted = LocationSpec::parse(R"(  {"A": 1, "B": 3})", "state");
    CHECK(weighted.kind == LocationSpec::Kind::Weighted);
    CHECK(weighted.matches("A"));
    CHECK(weighted.matches("B"));
    CHECK_FALSE(weighted.matches("C"));

    fixtures::check_error([] { LocationSpec::parse("", "country"); }, kBadValue, "\"country\"");
    fixtures::check_error([] { LocationSpec::parse(" \t ", "postal_code"); }, kBadValue, "\"postal_code\"");
}

TEST_CASE("parse_json_weights: whitespace, escapes and numbers", "[locations]") {
    auto w = parse_json_weights(" \n{ \"United States\" : 0.75 ,\t\"United Kingdom\":0.25 }\r\n ", "country");
    REQUIRE(w.size() == 2);
    CHECK(w.at("United States") == 0.75);
    CHECK(w.at("United Kingdom") == 0.25);

    w = parse_json_weights(R"({"say \"hi\"": 1, "back\\slash": 2e0, "a\/b": 3.5E+1, "caf\u00e9": 4, "\u4e2d": 5, "x\ty": 1e-3})",
                           "city");
    REQUIRE(w.size() == 6);
    CHECK(w.at("say \"hi\"") == 1);
    CHECK(w.at("back\\slash") == 2);
    CHECK(w.at("a/b") == 35);
    CHECK(w.at("caf\xc3\xa9") == 4);       // U+00E9 in UTF-8
    CHECK(w.at("\xe4\xb8\xad") == 5);      // U+4E2D in UTF-8
    CHECK(w.at("x\ty") == Approx(0.001));
}

TEST_CASE("parse_json_weights rejects bad JSON and bad weights with 22023 naming the parameter", "[locations]") {
    const char* bad[] = {
        "{",                              // unterminated
        "{}",                             // empty
        R"({"A": })",                     // no number
        R"({"A" 1})",                     // no colon
        R"({A: 1})",                      // unquoted key
        R"({"A": 1,})",                   // trailing comma
        R"({"A": 1} extra)",              // text after the object
        R"({"A": 1 "B": 2})",             // missing comma
        R"({"A": 1, "A": 2})",            // duplicate key
        R"({"A\q": 1})",                  // unknown escape
        R"({"A": 1)",                     // no closing brace
        R"(["A", 1])",                    // not an object
        R"({"A": "1"})",                  // string weight
        R"({"A": 0})",                    // zero weight
        R"({"A": -0.5})",                 // negative weight
        R"({"A": 1, "B": 0})",            // one zero among positives
        R"({"A": nan})",                  // not a number
        R"({"A": inf})",                  // not finite
        R"({"A": 1e999})",                // overflows to infinity
        R"({"A\u12": 1})",                // short \u escape
    };
    for (const char* text : bad) {
        INFO(text);
        fixtures::check_error([&] { parse_json_weights(text, "country"); }, kBadValue, "\"country\"");
        fixtures::check_error([&] { LocationSpec::parse(text[0] == '{' ? text : std::string("{") + text, "state"); },
                              kBadValue, "\"state\"");
    }
}

TEST_CASE("LocationSampler rejects values that name no location", "[locations]") {
    const auto ls = fixtures::locations();
    fixtures::check_error([&] { LocationSampler(ls, "Narnia", "*", "*"); }, kBadValue, "\"country\"");
    fixtures::check_error([&] { LocationSampler(ls, "Narnia", "*", "*"); }, kBadValue, "Narnia");
    fixtures::check_error([&] { LocationSampler(ls, "*", "Nowhere", "*"); }, kBadValue, "\"state\"");
    fixtures::check_error([&] { LocationSampler(ls, "*", "*", "Z-999"); }, kBadValue, "\"postal_code\"");
    fixtures::check_error([&] { LocationSampler(ls, R"({"Atlantis": 1, "Narnia": 1})", "*", "*"); }, kBadValue,
                          "Narnia");
    fixtures::check_error([&] { LocationSampler(ls, "atlantis", "*", "*"); }, kBadValue, "atlantis");
    // Each value exists, but no place has both.
    fixtures::check_error([&] { LocationSampler(ls, "Atlantis", "Szohod", "*"); }, kBadValue, "no location");
    fixtures::check_error([&] { LocationSampler(ls, R"({"Atlantis": 0})", "*", "*"); }, kBadValue, "\"country\"");
    fixtures::check_error([&] { LocationSampler(ls, "*", "", "*"); }, kBadValue, "\"state\"");
    const std::vector<Location> none;
    fixtures::check_error([&] { LocationSampler(none, "*", "*", "*"); }, kBadValue, "no location");
}

TEST_CASE("LocationSampler: '*' draws every place by population", "[locations]") {
    const auto ls = fixtures::locations();
    LocationSampler s(ls, "*", "*", "*");
    CHECK(s.size() == ls.size());
    const double total = population(ls, "");
    CHECK(s.share_of_country("Atlantis") == Approx(population(ls, "Atlantis") / total));
    CHECK(s.share_of_country("Borduria") == Approx(population(ls, "Borduria") / total));
    CHECK(s.share_of_country("Narnia") == 0);
    std::vector<double> pop;
    for (const auto& l : ls) pop.push_back(l.population);
    fixtures::check_fits(draw(s, ls, 51), pop);
}

TEST_CASE("LocationSampler: one value restricts, population weights within it", "[locations]") {
    const auto ls = fixtures::locations();
    SECTION("country") {
        LocationSampler s(ls, "Borduria", "*", "*");
        CHECK(s.size() == 3);
        CHECK(s.share_of_country("Borduria") == Approx(1.0));
        std::vector<double> pop;
        for (const auto& l : ls) pop.push_back(l.country == "Borduria" ? l.population : 0.0);
        fixtures::check_fits(draw(s, ls, 52), pop);
    }
    SECTION("state") {
        LocationSampler s(ls, "*", "North", "*");
        CHECK(s.size() == 2);
        std::vector<double> pop;
        for (const auto& l : ls) pop.push_back(l.state == "North" ? l.population : 0.0);
        fixtures::check_fits(draw(s, ls, 53), pop);
    }
    SECTION("postal_code") {
        LocationSampler s(ls, "*", "*", "B-200");
        REQUIRE(s.size() == 1);
        Rng r(54);
        for (int i = 0; i < 100; ++i) CHECK(s.pick(r).postal_code == "B-200");
    }
    SECTION("country and state together") {
        LocationSampler s(ls, "Borduria", "Szohod", "*");
        CHECK(s.size() == 2);
    }
}

TEST_CASE("LocationSampler: weighted countries get their shares whatever their populations", "[locations]") {
    const auto ls = fixtures::locations();
    // Atlantis has about 1 % of Borduria's population.
    REQUIRE(population(ls, "Atlantis") * 50 < population(ls, "Borduria"));
    LocationSampler s(ls, R"({"Atlantis": 0.75, "Borduria": 0.25})", "*", "*");
    CHECK(s.size() == 6);
    CHECK(s.share_of_country("Atlantis") == Approx(0.75));
    CHECK(s.share_of_country("Borduria") == Approx(0.25));
    CHECK(s.share_of_country("Carpathia") == 0);

    const auto counts = draw(s, ls, 55);
    std::vector<double> by_country(2, 0.0);
    for (size_t i = 0; i < ls.size(); ++i) {
        if (ls[i].country == "Atlantis") by_country[0] += counts[i];
        if (ls[i].country == "Borduria") by_country[1] += counts[i];
        if (ls[i].country == "Carpathia") CHECK(counts[i] == 0);
    }
    SECTION("country shares") { fixtures::check_fits(by_country, {0.75, 0.25}); }
    SECTION("population weighting within each country") {
        std::vector<double> expected;
        for (const auto& l : ls) {
            const double share = l.country == "Atlantis" ? 0.75 : l.country == "Borduria" ? 0.25 : 0.0;
            expected.push_back(share * l.population / population(ls, l.country));
        }
        fixtures::check_fits(counts, expected);
    }
    SECTION("weights need not sum to 1") {
        LocationSampler scaled(ls, R"({"Atlantis": 3, "Borduria": 1})", "*", "*");
        CHECK(scaled.share_of_country("Atlantis") == Approx(0.75));
    }
}

TEST_CASE("LocationSampler: weighted states within one country", "[locations]") {
    const auto ls = fixtures::locations();
    LocationSampler s(ls, "Borduria", R"({"Szohod": 1, "Plains": 4})", "*");
    CHECK(s.size() == 3);
    const auto counts = draw(s, ls, 56);
    double szohod = 0, plains = 0;
    for (size_t i = 0; i < ls.size(); ++i) {
        if (ls[i].state == "Szohod") szohod += counts[i];
        if (ls[i].state == "Plains") plains += counts[i];
    }
    CHECK(szohod + plains == kDraws);
    fixtures::check_fits({szohod, plains}, {1, 4});
}
