// The real catalogue in data/ (THELOOK_DATA_DIR): the only test that reads the data files.
#include <algorithm>
#include <set>

#include "fixtures.hpp"

#ifndef THELOOK_DATA_DIR
#error "compile with -DTHELOOK_DATA_DIR='\"<repo>/data\"' (make unit does)"
#endif

using namespace thelook;

namespace {
const Catalog& catalog() {
    static const Catalog c = Catalog::load(THELOOK_DATA_DIR);
    return c;
}
}  // namespace

TEST_CASE("data: products", "[data]") {
    const auto& products = catalog().products;
    CHECK(products.size() >= 25000);

    const std::set<std::string> reference_categories = {
        "Accessories", "Active", "Blazers & Jackets", "Clothing Sets", "Dresses",
        "Fashion Hoodies & Sweatshirts", "Intimates", "Jeans", "Jumpsuits & Rompers", "Leggings",
        "Maternity", "Outerwear & Coats", "Pants", "Pants & Capris", "Plus", "Shorts", "Skirts",
        "Sleep & Lounge", "Socks", "Socks & Hosiery", "Suits", "Suits & Sport Coats", "Sweaters",
        "Swim", "Tops & Tees", "Underwear"};
    REQUIRE(reference_categories.size() == 26);

    std::set<std::string> departments, categories;
    std::set<int64_t> ids;
    std::vector<double> prices;
    size_t bad_cost = 0, bad_price = 0, bad_dc = 0, blank = 0;
    for (const auto& p : products) {
        departments.insert(p.department);
        categories.insert(p.category);
        ids.insert(p.id);
        prices.push_back(p.retail_price);
        if (!(p.retail_price >= 1.0 && p.retail_price <= 1000.0)) ++bad_price;
        const double ratio = p.cost / p.retail_price;
        if (!(ratio >= 0.395 && ratio <= 0.605)) ++bad_cost;
        if (p.distribution_center_id < 1 || p.distribution_center_id > 10) ++bad_dc;
        if (p.name.empty() || p.brand.empty() || p.sku.empty() || p.category.empty()) ++blank;
    }
    CHECK(ids.size() == products.size());
    CHECK(departments == std::set<std::string>{"Men", "Women"});
    for (const auto& c : reference_categories) {
        INFO("category " << c);
        CHECK(categories.count(c) == 1);
    }
    CHECK(bad_price == 0);  // the reference range is roughly 1.5 to 1,000 USD
    CHECK(bad_cost == 0);   // cost is 40-60 % of retail
    CHECK(bad_dc == 0);
    CHECK(blank == 0);
    std::nth_element(prices.begin(), prices.begin() + prices.size() / 2, prices.end());
    const double median = prices[prices.size() / 2];
    CHECK(median > 30);  // the reference median is about 50
    CHECK(median < 80);
}

TEST_CASE("data: the ten distribution centres of the reference", "[data]") {
    struct Ref {
        int64_t id;
        const char* name;
        double lat, lon;
    };
    const Ref reference[] = {
        {1, "Memphis TN", 35.1174, -89.9711},
        {2, "Chicago IL", 41.8369, -87.6847},
        {3, "Houston TX", 29.7604, -95.3698},
        {4, "Los Angeles CA", 34.05, -118.25},
        {5, "New Orleans LA", 29.95, -90.0667},
        {6, "Port Authority of New York/New Jersey NY/NJ", 40.634, -73.7834},
        {7, "Philadelphia PA", 39.95, -75.1667},
        {8, "Mobile AL", 30.6944, -88.0431},
        {9, "Charleston SC", 32.7833, -79.9333},
        {10, "Savannah GA", 32.0167, -81.1167},
    };
    const auto& dcs = catalog().dist_centers;
    REQUIRE(dcs.size() == 10);
    for (const auto& ref : reference) {
        INFO("centre " << ref.id);
        const DistCenter* found = nullptr;
        for (const auto& dc : dcs)
            if (dc.id == ref.id) found = &dc;
        REQUIRE(found != nullptr);
        CHECK(found->name == ref.name);
        CHECK(found->latitude == Approx(ref.lat).margin(1e-4));
        CHECK(found->longitude == Approx(ref.lon).margin(1e-4));
    }
}

TEST_CASE("data: locations cover the reference countries", "[data]") {
    const auto& locations = catalog().locations;
    CHECK(locations.size() >= 5000);
    // Reference shares of population weight (the three smallest only need to be present).
    const std::pair<const char*, double> reference[] = {
        {"China", 0.32},   {"United States", 0.21}, {"Brasil", 0.14},  {"South Korea", 0.05},
        {"France", 0.045}, {"United Kingdom", 0.044}, {"Germany", 0.04}, {"Spain", 0.038},
        {"Japan", 0.023},  {"Australia", 0.021},    {"Belgium", 0.012}, {"Poland", -1},
        {"Colombia", -1},  {"Austria", -1},
    };
    std::map<std::string, double> population;
    double total = 0;
    size_t bad = 0;
    for (const auto& l : locations) {
        population[l.country] += l.population;
        total += l.population;
        if (l.population <= 0 || l.city.empty() || l.postal_code.empty() || std::fabs(l.latitude) > 90 ||
            std::fabs(l.longitude) > 180)
            ++bad;
    }
    CHECK(bad == 0);
    for (const auto& ref : reference) {
        INFO("country " << ref.first);
        REQUIRE(population.count(ref.first) == 1);
        if (ref.second > 0) CHECK(population[ref.first] / total == Approx(ref.second).margin(0.03));
    }
    // And the sampler over all of them works, giving the reference's biggest share to China.
    LocationSampler s(locations, "*", "*", "*");
    CHECK(s.size() == locations.size());
    CHECK(s.share_of_country("China") == Approx(population["China"] / total));
}

TEST_CASE("data: name lists are not empty", "[data]") {
    const NameLists& n = catalog().names;
    CHECK_FALSE(n.male_first.empty());
    CHECK_FALSE(n.female_first.empty());
    CHECK_FALSE(n.last.empty());
    CHECK_FALSE(n.streets.empty());
    CHECK_FALSE(n.street_suffixes.empty());
    CHECK_FALSE(n.email_domains.empty());
    for (const auto& d : n.email_domains) CHECK(d.find('.') != std::string::npos);

    // A generator over the real catalogue makes sensible users.
    const auto& c = catalog();
    LocationSampler s(c.locations, "*", "*", "*");
    EntityGenerator gen(c.names, c.products, s, 1);
    for (int i = 0; i < 1000; ++i) {
        const User u = gen.new_user(fixtures::kNow);
        INFO(u.email);
        const size_t at = u.email.find('@');
        REQUIRE(at != std::string::npos);
        REQUIRE(at > 2);  // both name parts survive the email's letter filter
        REQUIRE(u.email[0] != '.');
        REQUIRE(u.email[at - 1] != '.');
    }
}
