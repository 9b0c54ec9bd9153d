// Shared helpers of the unit tests: small in-memory data (so that only test_catalog_data.cpp
// depends on data/), a chi-square goodness-of-fit check, and format checks.
#pragma once

#include "catch.hpp"

#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/distributions.hpp"
#include "core/entities.hpp"
#include "core/entity_generator.hpp"
#include "core/error.hpp"
#include "core/location_filter.hpp"
#include "core/random.hpp"

namespace fixtures {

using namespace thelook;

// The number of draws of every statistical check.
inline constexpr int kDraws = 100000;

// ---- chi-square ------------------------------------------------------------------------------

// Upper critical value of the chi-square distribution at p = 0.001: exact table values for small
// degrees of freedom, the Wilson-Hilferty approximation (error well under 1 %) above.
inline double chi2_critical_001(int df) {
    static const double table[] = {0,      10.828, 13.816, 16.266, 18.467, 20.515,
                                   22.458, 24.322, 26.124, 27.877, 29.588};
    REQUIRE(df >= 1);
    if (df <= 10) return table[df];
    const double z = 3.090232306;  // standard normal quantile at 0.999
    const double k = df;
    const double a = 2.0 / (9.0 * k);
    return k * std::pow(1.0 - a + z * std::sqrt(a), 3);
}

struct ChiSquare {
    double statistic = 0;
    int df = 0;
    double critical = 0;
    std::string table;  // observed vs expected, for failure messages
};

// Goodness of fit of observed counts to probabilities (normalised here). Categories of zero
// probability must have zero count and do not add degrees of freedom.
inline ChiSquare chi_square(const std::vector<double>& observed, const std::vector<double>& probabilities) {
    REQUIRE(observed.size() == probabilities.size());
    double n = 0, total_p = 0;
    for (double o : observed) n += o;
    for (double p : probabilities) total_p += p;
    REQUIRE(n > 0);
    REQUIRE(total_p > 0);
    ChiSquare r;
    std::ostringstream t;
    int categories = 0;
    for (size_t i = 0; i < observed.size(); ++i) {
        const double expected = n * probabilities[i] / total_p;
        t << "  [" << i << "] observed " << observed[i] << ", expected " << expected << "\n";
        if (expected == 0) {
            CHECK(observed[i] == 0);
            continue;
        }
        ++categories;
        r.statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
    }
    r.df = categories - 1;
    r.critical = chi2_critical_001(r.df);
    r.table = t.str();
    return r;
}

// Checks labelled counts against a categorical distribution; labels outside it fail the check.
inline void check_fits(const std::map<std::string, double>& counts, const Categorical& dist) {
    std::vector<double> observed, probs;
    double accounted = 0, total = 0;
    for (const auto& kv : counts) total += kv.second;
    for (size_t i = 0; i < dist.labels.size(); ++i) {
        auto it = counts.find(dist.labels[i]);
        const double o = it == counts.end() ? 0.0 : it->second;
        observed.push_back(o);
        probs.push_back(dist.probabilities[i]);
        accounted += o;
    }
    INFO("every observed label belongs to the distribution");
    CHECK(accounted == total);
    const ChiSquare c = chi_square(observed, probs);
    INFO("chi-square " << c.statistic << " with " << c.df << " df, critical " << c.critical << "\n" << c.table);
    CHECK(c.statistic < c.critical);
}

inline void check_fits(const std::vector<double>& observed, const std::vector<double>& probabilities) {
    const ChiSquare c = chi_square(observed, probabilities);
    INFO("chi-square " << c.statistic << " with " << c.df << " df, critical " << c.critical << "\n" << c.table);
    CHECK(c.statistic < c.critical);
}

// ---- error checks ----------------------------------------------------------------------------

// Runs f and checks that it throws thelook::Error with the given SQLSTATE and a message that
// contains `needle`.
template <typename F>
void check_error(F&& f, const std::string& sqlstate, const std::string& needle) {
    bool thrown = false;
    try {
        f();
    } catch (const Error& e) {
        thrown = true;
        INFO("message: " << e.what());
        CHECK(e.sqlstate() == sqlstate);
        CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
    INFO("expected thelook::Error " << sqlstate << " mentioning " << needle);
    CHECK(thrown);
}

template <typename F>
void check_error(F&& f, SqlState sqlstate, const std::string& needle) {
    check_error(std::forward<F>(f), std::string(sqlstate.c_str()), needle);
}

// ---- formats ---------------------------------------------------------------------------------

inline bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Canonical lower-case version-4 RFC 4122 UUID.
inline bool is_uuid_v4(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!is_lower_hex(s[i])) {
            return false;
        }
    }
    return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

inline bool is_ipv4(const std::string& s) {
    std::istringstream in(s);
    int parts = 0;
    std::string octet;
    while (std::getline(in, octet, '.')) {
        if (octet.empty() || octet.size() > 3) return false;
        for (char c : octet)
            if (c < '0' || c > '9') return false;
        if (std::stoi(octet) > 255) return false;
        ++parts;
    }
    return parts == 4 && s.back() != '.';
}

inline std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// ---- in-memory data --------------------------------------------------------------------------

inline NameLists names() {
    NameLists n;
    n.male_first = {"James", "Robert", "Jean-Luc", "Kwame"};
    n.female_first = {"Mary", "Anne-Marie", "Chloe", "Yuki", "Fatima"};
    n.last = {"Smith", "O'Brien", "Van Dyke", "Nakamura"};
    n.streets = {"Main", "Oak", "Elm"};
    n.street_suffixes = {"Street", "Avenue"};
    n.email_domains = {"example.com", "example.org"};
    return n;
}

inline std::vector<Product> products() {
    // id, cost, category, name, brand, retail_price, department, sku, distribution_center_id
    return {
        {101, 20.0, "Tops & Tees", "Plain Tee", "Acme", 40.0, "Women", "SKU101", 1},
        {102, 55.5, "Jeans", "Slim Jeans", "Denimco", 111.0, "Men", "SKU102", 2},
        {103, 5.0, "Socks", "Wool Socks", "Acme", 9.99, "Men", "SKU103", 3},
        {104, 300.0, "Outerwear & Coats", "Long Coat", "Northy", 650.0, "Women", "SKU104", 4},
        {105, 12.5, "Swim", "Swim Shorts", "Wave", 24.5, "Men", "SKU105", 5},
    };
}

// Three countries. Atlantis is tiny next to Borduria, so that weights and populations disagree.
inline std::vector<Location> locations() {
    // country, state, city, postal_code, latitude, longitude, population
    return {
        {"Atlantis", "North", "Aqua", "A-100", 10.0, 20.0, 100},
        {"Atlantis", "North", "Coral", "A-200", 10.5, 20.5, 300},
        {"Atlantis", "South", "Reef", "A-300", 11.0, 21.0, 600},
        {"Borduria", "Szohod", "Szohod City", "B-100", 45.0, 15.0, 50000},
        {"Borduria", "Szohod", "Klow", "B-200", 45.5, 15.5, 20000},
        {"Borduria", "Plains", "Dorf", "B-300", 46.0, 16.0, 29000},
        {"Carpathia", "Highland", "Peak", "C-100", 50.0, 25.0, 10000},
    };
}

// Everything an EntityGenerator needs, with a sampler over all places. Not copyable: the
// sampler and the generators keep references into it.
struct World {
    NameLists names = fixtures::names();
    std::vector<Product> products = fixtures::products();
    std::vector<Location> locations = fixtures::locations();
    LocationSampler sampler{locations, "*", "*", "*"};

    World() = default;
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    const Product* product(int64_t id) const {
        for (const auto& p : products)
            if (p.id == id) return &p;
        return nullptr;
    }
};

// Events grouped by session_id, in the order the sessions appear.
inline std::vector<std::vector<Event>> sessions_of(const std::vector<Event>& events) {
    std::vector<std::vector<Event>> out;
    std::map<std::string, size_t> index;
    for (const auto& e : events) {
        auto it = index.find(e.session_id);
        if (it == index.end()) {
            index[e.session_id] = out.size();
            out.emplace_back();
            out.back().push_back(e);
        } else {
            out[it->second].push_back(e);
        }
    }
    return out;
}

inline constexpr Micros kNow = 1700000000LL * kMicrosPerSecond;  // 2023-11-14 22:13:20 UTC

}  // namespace fixtures
