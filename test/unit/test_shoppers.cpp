// The scenario's "shoppers" section: parse_shoppers' error paths (each names the exact JSON path,
// 22023, with a hint) and good paths; sessions walked by a matrix (transition frequencies per row,
// conversion against the absorbing probability, coherent carts and times, max_pages); campaigns
// (shares, windows, UTM landing pages, channels, their matrices); popularity (the top 1 % by the
// Zipf law, gender affinity, category weights, the reference's uniform draw draw for draw); prices
// (members, promotions, campaign discounts, cents); and the orders that sessions make
// (order_from_cart, the live loop's session iteration, the back-fill's).
#include <algorithm>
#include <functional>
#include <iterator>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/bulk_generator.hpp"
#include "core/live_loop.hpp"
#include "core/scenario.hpp"
#include "core/shopper_model.hpp"
#include "core/shopper_section.hpp"
#include "fake_store.hpp"
#include "fixtures.hpp"
#include "scenario_checks.hpp"

using namespace thelook;
using fixtures::kNow;
using nlohmann::json;

using thelook::testing::FakeStore;

namespace {

constexpr Micros kMinute = 60 * kMicrosPerSecond;
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;

// ---- parser helpers ------------------------------------------------------------------------------

json shoppers(const json& section) { return json{{"shoppers", section}}; }

// parse_scenario({"shoppers": section}) throws thelook::Error 22023 whose message starts with
// "<path>: " (exactly that path), mentions `what`, and carries a hint.
void check_rejects(const json& section, const std::string& path, const std::string& what = "") {
    thelook::testing::check_scenario_rejects(shoppers(section).dump(), path, what);
}

ShopperSection section_of(const json& section) { return parse_scenario(shoppers(section).dump()).shoppers; }

json with(json base, const std::string& key, const json& value) {
    base[key] = value;
    return base;
}
json without(json base, const std::string& key) {
    base.erase(key);
    return base;
}

// A small valid matrix: start -> home -> product -> cart -> checkout -> purchase, with exits.
json funnel() {
    return json{{"start", {{"home", 1}}},
                {"home", {{"product", 0.5}, {"exit", 0.5}}},
                {"product", {{"cart", 0.3}, {"exit", 0.7}}},
                {"cart", {{"checkout", 1}}},
                {"checkout", {{"purchase", 0.9}, {"exit", 0.1}}}};
}
json with_matrix(const json& m) { return json{{"model", "sessions"}, {"matrices", {{"m", m}}}}; }

json campaign() { return json{{"name", "bf"}, {"channel", "Email"}, {"after", "1 hour"}, {"duration", "2 hours"}}; }
json with_campaign(const json& c) { return json{{"campaigns", json::array({c})}}; }
json with_promotion(const json& p) { return json{{"promotions", json::array({p})}}; }

// ---- matrices ----------------------------------------------------------------------------------

// The probability that a walk from `from` ends in purchase: the absorbing probability of the
// matrix, solved here by Gaussian elimination over the states that have a row.
double conversion(const TransitionMatrix& m, int from) {
    std::vector<int> states;
    std::vector<int> index(m.rows.size(), -1);
    for (size_t s = 0; s < m.rows.size(); ++s)
        if (!m.rows[s].empty()) {
            index[s] = static_cast<int>(states.size());
            states.push_back(static_cast<int>(s));
        }
    const size_t n = states.size();
    std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0.0));
    for (size_t i = 0; i < n; ++i) {
        const auto& row = m.rows[static_cast<size_t>(states[i])];
        a[i][i] += 1;
        for (size_t t = 0; t < row.size(); ++t) {
            if (static_cast<int>(t) == kPurchase) a[i][n] += row[t];
            else if (index[t] >= 0) a[i][static_cast<size_t>(index[t])] -= row[t];
        }
    }
    for (size_t c = 0; c < n; ++c) {
        size_t pivot = c;
        for (size_t r = c + 1; r < n; ++r)
            if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
        std::swap(a[c], a[pivot]);
        REQUIRE(std::fabs(a[c][c]) > 1e-12);
        for (size_t r = 0; r < n; ++r) {
            if (r == c) continue;
            const double f = a[r][c] / a[c][c];
            for (size_t k = c; k <= n; ++k) a[r][k] -= f * a[c][k];
        }
    }
    REQUIRE(index[static_cast<size_t>(from)] >= 0);
    const size_t i = static_cast<size_t>(index[static_cast<size_t>(from)]);
    return a[i][n] / a[i][i];
}

// k successes of n trials within 4 sigma of probability p.
void check_share(double k, double n, double p) {
    INFO("observed " << k << " of " << n << " (" << k / n << "), expected " << p);
    REQUIRE(n > 0);
    if (p <= 0 || p >= 1) {
        CHECK(k == p * n);
        return;
    }
    CHECK(std::fabs(k - n * p) < 4 * std::sqrt(n * p * (1 - p)));
}

// ---- a synthetic catalogue ------------------------------------------------------------------------

const char* const kCategories[] = {"Jeans", "Tops & Tees", "Socks", "Swim", "Outerwear & Coats", "Accessories",
                                   "Sweaters", "Plus/Size"};
const char* const kBrands[] = {"Acme", "Denimco", "Northy", "Wave", "Levi's", "Ben & Jerry", "Caf\xc3\xa9 Noir", "Zed"};

// n products: categories cycle, 40 % of each category is "Men" and 60 % "Women" (so the two
// departments' weights differ), brands in runs; names with spaces, '&', '/', an apostrophe and
// UTF-8, so that URIs must encode them.
std::vector<Product> catalogue(size_t n) {
    std::vector<Product> out;
    for (size_t i = 0; i < n; ++i) {
        Product p;
        p.id = 1000 + static_cast<int64_t>(i);
        p.category = kCategories[i % 8];
        p.department = (i / 8) % 5 < 2 ? "Men" : "Women";
        p.brand = kBrands[(i / 40) % 8];
        p.name = "Product " + std::to_string(i);
        p.retail_price = 10.99 + static_cast<double>(i % 97) * 1.25;
        p.cost = p.retail_price / 2;
        p.sku = "SKU" + std::to_string(i);
        p.distribution_center_id = 1 + static_cast<int64_t>(i % 10);
        out.push_back(p);
    }
    return out;
}

// Look-ups into a catalogue, built once: products by id, and the department / category pages and
// search terms that its products allow.
struct CatalogueIndex {
    std::unordered_map<int64_t, const Product*> by_id;
    std::set<std::string> category_pages, terms;
    std::map<std::string, std::string> category_of_lower;

    explicit CatalogueIndex(const std::vector<Product>& products) {
        for (const auto& p : products) {
            by_id[p.id] = &p;
            category_pages.insert("/department/" + url_encode(fixtures::lower(p.department)) + "/category/" +
                                  url_encode(fixtures::lower(p.category)));
            terms.insert(fixtures::lower(p.category));
            terms.insert(fixtures::lower(p.brand));
            category_of_lower[fixtures::lower(p.category)] = p.category;
        }
    }
    const Product* product(int64_t id) const {
        auto it = by_id.find(id);
        return it == by_id.end() ? nullptr : it->second;
    }
};

// ---- URIs --------------------------------------------------------------------------------------

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Percent-decoding (and '+' as a space in a query, as HTML forms and web analytics read it);
// ok = false on a malformed escape.
std::string url_decode(const std::string& s, bool plus_is_space, bool* ok = nullptr) {
    std::string out;
    if (ok) *ok = true;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (s[i] == '%') {
            if (ok) *ok = false;
            out += s[i];
        } else {
            out += plus_is_space && s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

struct Uri {
    std::string path;
    std::map<std::string, std::string> query;  // decoded
    bool has_query = false;
};

Uri parse_uri(const std::string& uri) {
    Uri u;
    const size_t q = uri.find('?');
    u.path = uri.substr(0, q);
    if (q == std::string::npos) return u;
    u.has_query = true;
    const std::string query = uri.substr(q + 1);
    size_t at = 0;
    while (at <= query.size()) {
        size_t amp = query.find('&', at);
        if (amp == std::string::npos) amp = query.size();
        const std::string pair = query.substr(at, amp - at);
        const size_t eq = pair.find('=');
        u.query[url_decode(pair.substr(0, eq), true)] = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1), true);
        at = amp + 1;
    }
    return u;
}

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

// ---- walked sessions ------------------------------------------------------------------------------

// Visitor i of a run: every third anonymous, the others known men and women.
Visitor visitor(int i) {
    Visitor v;
    if (i % 3 == 0) {
        v.place = Place{"Anon City", "Anon State", "A-1"};
        return v;
    }
    v.user_id = "user-" + std::to_string(i % 1000);
    v.gender = i % 2 ? "M" : "F";
    v.place = Place{"City " + std::to_string(i % 7), "State", "P-" + std::to_string(i % 7)};
    return v;
}

// What the test keeps of a walked session: its pages as states (from the events' event_type), its
// purchase events, its campaign and first URI.
struct Walked {
    std::vector<int> pages;
    int purchases = 0;
    const Campaign* campaign = nullptr;
    Micros end = 0, start = 0;  // the last page's time and the first's
    std::string first_uri, channel;
};

// Everything that must hold of one session, from its events (and the WalkedSession's own account of
// its cart). Returns the first problem, or "".
std::string problem_of(const ShopperModel& model, const CatalogueIndex& catalogue, const WalkedSession& w,
                       const Visitor& v, Micros end, IdFormat ids) {
    const ShopperSection& s = model.section();
    const auto& ev = w.events;
    if (ev.empty()) return "no events";
    if (static_cast<int>(ev.size()) > s.max_pages + static_cast<int>(w.cart.size())) return "more pages than max_pages";
    if (ev.back().created_at != end) return "the last event is not at the session's end";
    size_t first_purchase = ev.size();
    for (size_t k = 0; k < ev.size(); ++k) {
        const Event& e = ev[k];
        if (e.sequence_number != static_cast<int>(k) + 1) return "sequence_number is not 1..n";
        if (e.session_id != ev[0].session_id || e.ip_address != ev[0].ip_address || e.browser != ev[0].browser ||
            e.traffic_source != ev[0].traffic_source)
            return "the session's fields differ between events";
        if (e.user_id != v.user_id) return "an event of another user";
        if (e.city != v.place.city || e.state != v.place.state || e.postal_code != v.place.postal_code)
            return "an event at another place";
        if (ids == IdFormat::Uuid4 ? !fixtures::is_uuid_v4(e.id) : uuid_v7_millis(e.id) != e.created_at / 1000)
            return "an event id of the wrong format: " + e.id;
        if (k > 0) {
            const Micros gap = e.created_at - ev[k - 1].created_at;
            if (e.event_type == "purchase" ? gap != kMicrosPerSecond : (gap < 5 * kMicrosPerSecond || gap > 60 * kMicrosPerSecond))
                return "a gap of " + std::to_string(gap) + " us before event " + std::to_string(k + 1);
        }
        if (e.event_type == "purchase") {
            if (first_purchase == ev.size()) first_purchase = k;
            if (e.uri != "/purchase") return "a purchase event at " + e.uri;
        } else if (first_purchase != ev.size()) {
            return "a page after the purchase events";
        }
    }
    const size_t purchases = ev.size() - first_purchase;
    if (purchases != (w.purchased ? w.cart.size() : 0)) return "not one purchase event per item of the cart";
    if (w.purchased && w.cart.empty()) return "a purchase with an empty cart";
    // The cart, rebuilt from the events: a cart page adds the product last looked at.
    std::vector<int64_t> cart;
    int64_t last_product = -1;
    std::string browsing;  // the category of the last category page
    int first_checkout = -1;
    for (size_t k = 0; k < first_purchase; ++k) {
        const Event& e = ev[k];
        const int state = s.state_of(e.event_type);
        if (state < 0 || state == kStart || state == kPurchase || state == kExit) return "a page of no state: " + e.event_type;
        if (k == 0 && w.campaign) {
            if (state != kHome || e.uri != campaign_landing_uri(*w.campaign)) return "a campaign session not at its landing";
        } else if (state == kHome && e.uri != "/home") {
            return "a home page at " + e.uri;
        }
        if (e.uri.empty() || e.uri[0] != '/') return "a URI that is not a path: " + e.uri;
        switch (state) {
            case kProduct: {
                if (e.uri.rfind("/product/", 0) != 0) return "a product page at " + e.uri;
                const int64_t id = std::stoll(e.uri.substr(9));
                const Product* p = catalogue.product(id);
                if (!p) return "a product page of an unknown product";
                if (k > 0 && ev[k - 1].event_type == "category" && !browsing.empty() && p->category != browsing)
                    return "a product of another category right after a category page";
                last_product = id;
                break;
            }
            case kDepartment:
            case kCategory: {
                if (!catalogue.category_pages.count(e.uri)) return "a department or category page of no catalogue pair: " + e.uri;
                browsing = state == kCategory
                               ? catalogue.category_of_lower.at(url_decode(e.uri.substr(e.uri.rfind('/') + 1), false))
                               : "";
                break;
            }
            case kSearch: {
                if (e.uri.rfind("/search?q=", 0) != 0) return "a search page at " + e.uri;
                bool ok = false;
                const std::string term = url_decode(e.uri.substr(10), true, &ok);
                if (!ok || !catalogue.terms.count(term)) return "a search for no catalogue term: " + e.uri;
                for (char c : e.uri.substr(10))
                    if (!is_unreserved(c) && c != '%' && c != '+') return "an unencoded search term: " + e.uri;
                break;
            }
            case kCart:
                if (e.uri != "/cart") return "a cart page at " + e.uri;
                if (last_product >= 0 && std::find(cart.begin(), cart.end(), last_product) == cart.end())
                    cart.push_back(last_product);
                break;
            case kCheckout:
                if (e.uri != "/checkout") return "a checkout page at " + e.uri;
                if (first_checkout < 0) first_checkout = static_cast<int>(k);
                break;
            default:
                break;
        }
    }
    std::vector<int64_t> walked_cart;
    for (const Product* p : w.cart) walked_cart.push_back(p->id);
    if (cart != walked_cart) return "the cart is not the products viewed and put in the cart";
    if (w.purchased) {
        const int last = s.state_of(ev[first_purchase - 1].event_type);
        const TransitionMatrix& m =
            s.matrices.at(w.campaign && !w.campaign->matrix.empty() ? w.campaign->matrix : s.matrix);
        if (m.rows[static_cast<size_t>(last)].empty() || !(m.rows[static_cast<size_t>(last)][kPurchase] > 0))
            return "a purchase after a page that cannot lead to purchase";
        if (first_checkout >= 0 && w.checkout_event != static_cast<size_t>(first_checkout))
            return "checkout_event is not the first checkout";
    }
    return "";
}

struct Run {
    std::vector<Walked> sessions;
    int bad = 0;
    std::string first_problem;
};

// n sessions of a model, ending at times[i] (from `end_of`), each checked by problem_of.
Run walk_many(const ShopperModel& model, const std::vector<Product>& products, int n, uint64_t seed,
              const std::function<Micros(int)>& end_of, IdFormat ids = IdFormat::Uuid4) {
    const CatalogueIndex catalogue(products);
    Run run;
    Rng rng(seed);
    run.sessions.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const Visitor v = visitor(i);
        const Micros end = end_of(i);
        const WalkedSession w = model.walk(rng, v, end, ids);
        const std::string problem = problem_of(model, catalogue, w, v, end, ids);
        if (!problem.empty() && run.bad++ == 0) run.first_problem = "session " + std::to_string(i) + ": " + problem;
        Walked k;
        for (const Event& e : w.events) {
            if (e.event_type == "purchase") ++k.purchases;
            else k.pages.push_back(model.section().state_of(e.event_type));
        }
        k.campaign = w.campaign;
        k.end = end;
        k.start = w.events.empty() ? end : w.events[0].created_at;
        k.first_uri = w.events.empty() ? "" : w.events[0].uri;
        k.channel = w.events.empty() ? "" : w.events[0].traffic_source;
        run.sessions.push_back(std::move(k));
    }
    return run;
}

void check_coherent(const Run& run) {
    INFO("first problem: " << run.first_problem);
    CHECK(run.bad == 0);
}

using Counts = std::vector<std::vector<double>>;

// Transitions observed in a session: from start (unless a campaign brought it: it lands on home),
// page to page, and from the last page to purchase or exit. A session cut at max_pages has no last
// transition that the events show.
void count_transitions(const ShopperSection& s, const Walked& w, Counts* c) {
    std::vector<int> path;
    if (!w.campaign) path.push_back(kStart);
    path.insert(path.end(), w.pages.begin(), w.pages.end());
    const bool cut = w.purchases == 0 && static_cast<int>(w.pages.size()) == s.max_pages;
    if (!cut) path.push_back(w.purchases > 0 ? kPurchase : kExit);
    for (size_t k = 1; k < path.size(); ++k) (*c)[static_cast<size_t>(path[k - 1])][static_cast<size_t>(path[k])] += 1;
}

Counts empty_counts(const ShopperSection& s) {
    return Counts(static_cast<size_t>(s.state_count()), std::vector<double>(static_cast<size_t>(s.state_count()), 0.0));
}

// Chi-square per row of the matrix with at least min_count transitions; the rows named in
// `required` must have that many.
void check_rows(const ShopperSection& s, const Counts& c, const TransitionMatrix& m, double min_count,
                const std::vector<int>& required) {
    for (int from : required) {
        double n = 0;
        for (double x : c[static_cast<size_t>(from)]) n += x;
        INFO("row " << s.state_name(from) << " has " << n << " transitions");
        CHECK(n >= min_count);
    }
    for (size_t from = 0; from < c.size(); ++from) {
        double n = 0;
        for (double x : c[from]) n += x;
        if (m.rows[from].empty()) {
            INFO("transitions out of " << s.state_name(static_cast<int>(from)) << ", which has no row");
            CHECK(n == 0);
            continue;
        }
        if (n < min_count) continue;
        INFO("row " << s.state_name(static_cast<int>(from)) << " (" << n << " transitions)");
        fixtures::check_fits(c[from], m.rows[from]);
    }
}

// The law of popularity, written out from its definition: weight 1 / rank^a times the category's
// weight; for a buyer of gender g the own department ("Men" for "M", "Women" for "F") gets the
// affinity and the rest 1 - affinity, each side in proportion to its weights. "" = either, 50/50.
std::vector<double> law(const std::vector<Product>& products, const ProductPicker& picker, const Popularity& pop,
                        const std::string& gender) {
    if (gender.empty()) {
        const auto m = law(products, picker, pop, "M"), f = law(products, picker, pop, "F");
        std::vector<double> out(m.size());
        for (size_t i = 0; i < m.size(); ++i) out[i] = 0.5 * (m[i] + f[i]);
        return out;
    }
    const std::string own = gender == "M" ? "Men" : "Women";
    std::vector<double> w(products.size());
    double own_total = 0, other_total = 0;
    for (size_t i = 0; i < products.size(); ++i) {
        auto cw = pop.category_weights.find(products[i].category);
        w[i] = std::pow(static_cast<double>(picker.rank_of(i)), -pop.zipf_exponent) *
               (cw == pop.category_weights.end() ? 1.0 : cw->second);
        (products[i].department == own ? own_total : other_total) += w[i];
    }
    for (size_t i = 0; i < products.size(); ++i)
        w[i] = products[i].department == own ? pop.gender_affinity * w[i] / own_total
                                             : (1 - pop.gender_affinity) * w[i] / other_total;
    return w;
}

Popularity popularity(double exponent, double affinity, uint64_t seed = 1, std::map<std::string, double> weights = {}) {
    Popularity p;
    p.enabled = true;
    p.zipf_exponent = exponent;
    p.gender_affinity = affinity;
    p.ranking_seed = seed;
    p.category_weights = std::move(weights);
    return p;
}

}  // namespace

// ==== the parser: errors ===========================================================================

TEST_CASE("shoppers: the section and its simple fields reject bad values at their exact path", "[shoppers]") {
    check_rejects(5, "scenario.shoppers", "must be a JSON object");
    check_rejects(json::array(), "scenario.shoppers", "must be a JSON object");
    check_rejects({{"matrixes", json::object()}}, "scenario.shoppers.matrixes", "unknown key");
    check_rejects({{"model", "Sessions"}}, "scenario.shoppers.model", "unknown model");
    check_rejects({{"model", "default"}}, "scenario.shoppers.model", "unknown model");
    check_rejects({{"model", 1}}, "scenario.shoppers.model", "unknown model");
    check_rejects({{"matrix", "nope"}}, "scenario.shoppers.matrix", "unknown matrix \"nope\"");
    check_rejects({{"matrix", "reference"}}, "scenario.shoppers.matrix", "unknown matrix");
    check_rejects({{"matrix", 3}}, "scenario.shoppers.matrix", "must be a matrix name");
    for (const json& k : {json(-0.1), json(1.5), json("0.5"), json(nullptr)})
        check_rejects({{"known_share", k}}, "scenario.shoppers.known_share");
    for (const json& m : {json(1), json(0), json(1001), json(2.5), json("10"), json(-5)})
        check_rejects({{"max_pages", m}}, "scenario.shoppers.max_pages");
    // A different path prefix is carried through (parse_shoppers is given its path).
    try {
        parse_shoppers(json{{"max_pages", 1}}, "doc.s");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).rfind("doc.s.max_pages: ", 0) == 0);
    }
}

TEST_CASE("shoppers: matrices are validated cell by cell, naming the cell or the row", "[shoppers]") {
    const std::string m = "scenario.shoppers.matrices.m";
    check_rejects({{"matrices", json::array({funnel()})}}, "scenario.shoppers.matrices", "must be an object of named matrices");
    check_rejects({{"matrices", {{"m", 5}}}}, m, "must be an object of rows");
    SECTION("rows") {
        check_rejects(with_matrix(with(funnel(), "basket", {{"exit", 1}})), m + ".basket", "unknown state \"basket\"");
        check_rejects(with_matrix(with(funnel(), "exit", {{"home", 1}})), m + ".exit", "ends a session");
        check_rejects(with_matrix(with(funnel(), "purchase", {{"home", 1}})), m + ".purchase", "ends a session");
        check_rejects(with_matrix(with(funnel(), "home", 0.5)), m + ".home", "must be an object");
        check_rejects(with_matrix(with(funnel(), "Home", {{"exit", 1}})), m + ".Home", "unknown state");
    }
    SECTION("cells") {
        check_rejects(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"exit", 0.5}, {"basket", 0}})),
                      m + ".home.basket", "unknown state \"basket\"");
        check_rejects(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"exit", 0.5}, {"blog", 0}})),
                      m + ".home.blog", "unknown state \"blog\"");
        check_rejects(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"start", 0.5}})), m + ".home.start",
                      "no transition leads back to start");
        check_rejects(with_matrix(with(funnel(), "home", {{"product", "0.5"}, {"exit", 0.5}})), m + ".home.product",
                      "must be a number");
        check_rejects(with_matrix(with(funnel(), "home", {{"exit", 0.5}, {"product", 1.5}})), m + ".home.product",
                      "must be a probability between 0 and 1");
        check_rejects(with_matrix(with(funnel(), "home", {{"exit", 1.5}, {"product", -0.5}})), m + ".home.exit",
                      "must be a probability");
        check_rejects(with_matrix(with(funnel(), "home", {{"exit", 0.5}, {"product", nullptr}})), m + ".home.product",
                      "must be a number");
    }
    SECTION("rows sum to 1 within 1e-9") {
        check_rejects(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"exit", 0.4}})), m + ".home",
                      "the row sums to 0.9, not 1");
        check_rejects(with_matrix(with(funnel(), "cart", {{"checkout", 0.6}, {"exit", 0.6}})), m + ".cart",
                      "the row sums to 1.2, not 1");
        check_rejects(with_matrix(with(funnel(), "checkout", json::object())), m + ".checkout", "the row sums to 0, not 1");
        check_rejects(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"exit", 0.5 + 3e-9}})), m + ".home",
                      "not 1");
        check_rejects(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"exit", 0.5 - 3e-9}})), m + ".home",
                      "not 1");
        // Within 1e-9: accepted, and kept as given.
        for (double d : {5e-10, -5e-10, 0.0}) {
            const ShopperSection s = section_of(with_matrix(with(funnel(), "home", {{"product", 0.5}, {"exit", 0.5 + d}})));
            CHECK(s.matrices.at("m").rows[kHome][kExit] == 0.5 + d);
        }
        // Tenths that do not add up to exactly 1 in binary.
        json tenths = json::object();
        for (const char* to : {"department", "category", "product", "search", "exit"}) tenths[to] = 0.1;
        tenths["exit"] = 0.6;
        const json doc = with_matrix(json{{"start", tenths}, {"department", {{"exit", 1}}}, {"category", {{"exit", 1}}},
                                          {"product", {{"exit", 1}}}, {"search", {{"exit", 1}}}, {"home", {{"exit", 1}}}});
        CHECK_NOTHROW(section_of(doc));
    }
    SECTION("reachability") {
        check_rejects(with_matrix(without(funnel(), "start")), m + ".start", "is missing");
        // cart is reached from product but has no row.
        check_rejects(with_matrix(without(funnel(), "cart")), m + ".cart", "state \"cart\" can be reached but has no row");
        check_rejects(with_matrix(with(funnel(), "start", {{"home", 0.5}, {"search", 0.5}})), m + ".search",
                      "can be reached but has no row");
        // product and search only lead to each other.
        const json loop = json{{"start", {{"home", 1}}},
                               {"home", {{"product", 0.5}, {"exit", 0.5}}},
                               {"product", {{"search", 1}}},
                               {"search", {{"product", 1}}}};
        check_rejects(with_matrix(loop), m + ".product", "never leads to exit");
        // A state that only loops on itself.
        check_rejects(with_matrix(with(with(funnel(), "cart", {{"checkout", 0.5}, {"exit", 0.5}}), "checkout", {{"checkout", 1}})),
                      m + ".checkout", "never leads to exit");
        // When several states cannot end, the first state is named (here cart, before checkout).
        check_rejects(with_matrix(with(funnel(), "checkout", {{"checkout", 1}})), m + ".cart", "never leads to exit");
        // Rows of states that cannot be reached are not walked, so they may loop.
        CHECK_NOTHROW(section_of(with_matrix(with(funnel(), "department", {{"department", 1}}))));
        // Purchase ends a session as exit does.
        CHECK_NOTHROW(section_of(with_matrix(with(funnel(), "checkout", {{"purchase", 1}}))));
    }
    SECTION("the failing matrix is the one named") {
        check_rejects({{"matrices", {{"good", funnel()}, {"zbad", without(funnel(), "start")}}}},
                      "scenario.shoppers.matrices.zbad.start", "is missing");
    }
}

TEST_CASE("shoppers: custom pages need a name and a path template", "[shoppers]") {
    const std::string p0 = "scenario.shoppers.pages[0]";
    check_rejects({{"pages", {{"name", "blog"}}}}, "scenario.shoppers.pages", "must be an array");
    check_rejects({{"pages", json::array({"blog"})}}, p0, "must be a JSON object");
    check_rejects({{"pages", json::array({{{"name", "blog"}, {"url", "/blog"}}})}}, p0 + ".url", "unknown key");
    check_rejects({{"pages", json::array({{{"uri", "/blog"}}})}}, p0 + ".name", "must be a page name");
    check_rejects({{"pages", json::array({{{"name", 5}}})}}, p0 + ".name", "must be a page name");
    check_rejects({{"pages", json::array({{{"name", ""}}})}}, p0 + ".name", "empty, too long or already a state");
    check_rejects({{"pages", json::array({{{"name", std::string(41, 'x')}}})}}, p0 + ".name", "too long");
    CHECK_NOTHROW(section_of({{"pages", json::array({{{"name", std::string(40, 'x')}}})}}));
    for (const char* builtin : {"home", "start", "exit", "purchase", "cart", "search"})
        check_rejects({{"pages", json::array({{{"name", builtin}}})}}, p0 + ".name", "already a state");
    check_rejects({{"pages", json::array({{{"name", "blog"}}, {{"name", "blog"}}})}}, "scenario.shoppers.pages[1].name",
                  "already a state");
    for (const json& uri : {json("blog"), json(""), json(5), json("http://example.com/blog")})
        check_rejects({{"pages", json::array({{{"name", "blog"}, {"uri", uri}}})}}, p0 + ".uri", "must be a path starting with /");
    // A matrix may only name pages that exist.
    json m = funnel();
    m["home"] = {{"blog", 0.5}, {"exit", 0.5}};
    check_rejects(with_matrix(m), "scenario.shoppers.matrices.m.home.blog", "unknown state \"blog\"");
    check_rejects(with_matrix(with(funnel(), "blog", {{"exit", 1}})), "scenario.shoppers.matrices.m.blog", "unknown state");
}

TEST_CASE("shoppers: campaigns are validated field by field", "[shoppers]") {
    const std::string c0 = "scenario.shoppers.campaigns[0]";
    check_rejects({{"campaigns", campaign()}}, "scenario.shoppers.campaigns", "must be an array");
    check_rejects({{"campaigns", json::array({"bf"})}}, c0, "must be a JSON object");
    check_rejects(with_campaign(with(campaign(), "budget", 100)), c0 + ".budget", "unknown key");
    SECTION("name") {
        check_rejects(with_campaign(without(campaign(), "name")), c0 + ".name", "must be the campaign's name");
        check_rejects(with_campaign(with(campaign(), "name", "")), c0 + ".name", "must be the campaign's name");
        check_rejects(with_campaign(with(campaign(), "name", 7)), c0 + ".name", "must be the campaign's name");
        check_rejects({{"campaigns", json::array({campaign(), with(campaign(), "channel", "Adwords")})}},
                      "scenario.shoppers.campaigns[1].name", "campaign \"bf\" is named twice");
    }
    SECTION("channel") {
        check_rejects(with_campaign(without(campaign(), "channel")), c0 + ".channel", "is missing");
        check_rejects(with_campaign(with(campaign(), "channel", 3)), c0 + ".channel", "is missing");
        for (const char* ch : {"TikTok", "email", "Search", ""})
            check_rejects(with_campaign(with(campaign(), "channel", ch)), c0 + ".channel", "unknown channel");
        for (const char* ch : {"Email", "Adwords", "Facebook", "YouTube", "Organic"})
            CHECK(section_of(with_campaign(with(campaign(), "channel", ch))).campaigns.at(0).channel == ch);
    }
    SECTION("window") {
        check_rejects(with_campaign(with(campaign(), "at", "2026-11-27T00:00:00Z")), c0, "not both");
        check_rejects(with_campaign(with(without(campaign(), "after"), "at", 5)), c0 + ".at", "must be a time");
        check_rejects(with_campaign(with(without(campaign(), "after"), "at", "tomorrow")), c0 + ".at", "not a time");
        check_rejects(with_campaign(with(without(campaign(), "after"), "at", "2026-11-27T00:00:00")), c0 + ".at", "no UTC offset");
        check_rejects(with_campaign(with(campaign(), "after", -60)), c0 + ".after", "positive duration");
        check_rejects(with_campaign(with(campaign(), "after", "soon")), c0 + ".after", "not a duration");
        check_rejects(with_campaign(without(campaign(), "duration")), c0 + ".duration", "is missing");
        check_rejects(with_campaign(without(without(campaign(), "duration"), "after")), c0 + ".duration", "is missing");
        check_rejects(with_campaign(with(campaign(), "duration", 0)), c0 + ".duration", "positive duration");
        check_rejects(with_campaign(with(campaign(), "duration", "3 fortnights")), c0 + ".duration", "unknown unit");
        // "after": 0 starts with the simulation; no at/after does too.
        CHECK(section_of(with_campaign(with(campaign(), "after", 0))).campaigns.at(0).after_seconds == 0);
        const Campaign c = section_of(with_campaign(without(campaign(), "after"))).campaigns.at(0);
        CHECK(c.after_seconds == 0);
        CHECK(c.at == kNoTime);
        CHECK(c.duration_seconds == 7200);
        const Campaign a = section_of(with_campaign(with(without(campaign(), "after"), "at", "2023-11-15T00:13:20Z"))).campaigns.at(0);
        CHECK(a.at == kNow + 2 * kHour);
        CHECK(a.after_seconds < 0);
    }
    SECTION("share, landing, discount, matrix") {
        for (const json& v : {json(-0.1), json(1.01), json("0.3")})
            check_rejects(with_campaign(with(campaign(), "share", v)), c0 + ".share");
        for (const json& v : {json("promo"), json(""), json("/promo?x=1"), json("/promo#top"), json("/pro mo"), json(5)})
            check_rejects(with_campaign(with(campaign(), "landing", v)), c0 + ".landing", "must be a path");
        for (const json& v : {json(-0.1), json(1.5), json(true)})
            check_rejects(with_campaign(with(campaign(), "discount", v)), c0 + ".discount");
        check_rejects(with_campaign(with(campaign(), "matrix", "nope")), c0 + ".matrix", "unknown matrix \"nope\"");
        check_rejects(with_campaign(with(campaign(), "matrix", 2)), c0 + ".matrix", "unknown matrix");
        // A matrix of the document, whatever the keys' order.
        json doc = with_campaign(with(campaign(), "matrix", "m"));
        doc["matrices"] = {{"m", funnel()}};
        CHECK(section_of(doc).campaigns.at(0).matrix == "m");
        const Campaign d = section_of(with_campaign(campaign())).campaigns.at(0);
        CHECK(d.share == 0.3);
        CHECK(d.landing == "/home");
        CHECK(d.discount == 0);
        CHECK(d.matrix.empty());
    }
}

TEST_CASE("shoppers: popularity, members and promotions are validated", "[shoppers]") {
    const std::string pop = "scenario.shoppers.popularity";
    SECTION("popularity") {
        check_rejects({{"popularity", 1}}, pop, "must be a JSON object");
        check_rejects({{"popularity", {{"exponent", 1}}}}, pop + ".exponent", "unknown key");
        for (const json& v : {json(-0.1), json(5.01), json("1")})
            check_rejects({{"popularity", {{"zipf_exponent", v}}}}, pop + ".zipf_exponent");
        for (double v : {0.0, 5.0}) CHECK(section_of({{"popularity", {{"zipf_exponent", v}}}}).popularity.zipf_exponent == v);
        for (const json& v : {json(-1), json(1.5), json("7"), json(1e16)})
            check_rejects({{"popularity", {{"ranking_seed", v}}}}, pop + ".ranking_seed");
        for (const json& v : {json(-0.01), json(1.01)})
            check_rejects({{"popularity", {{"gender_affinity", v}}}}, pop + ".gender_affinity", "between 0 and 1");
        check_rejects({{"popularity", {{"category_weights", json::array({1})}}}}, pop + ".category_weights", "must be an object");
        check_rejects({{"popularity", {{"category_weights", {{"Jeans", -1}}}}}}, pop + ".category_weights.Jeans", ">= 0");
        check_rejects({{"popularity", {{"category_weights", {{"Jeans", 2}, {"Socks", "x"}}}}}}, pop + ".category_weights.Socks",
                      "must be a number");
    }
    SECTION("members") {
        check_rejects({{"members", 0.2}}, "scenario.shoppers.members", "must be a JSON object");
        check_rejects({{"members", {{"price", 1}}}}, "scenario.shoppers.members.price", "unknown key");
        check_rejects({{"members", {{"share", 1.5}}}}, "scenario.shoppers.members.share", "between 0 and 1");
        check_rejects({{"members", {{"discount", -0.1}}}}, "scenario.shoppers.members.discount", "between 0 and 1");
        check_rejects({{"members", {{"discount", "10%"}}}}, "scenario.shoppers.members.discount", "must be a number");
    }
    SECTION("promotions") {
        const std::string p0 = "scenario.shoppers.promotions[0]";
        const json jeans = {{"category", "Jeans"}, {"discount", 0.2}};
        check_rejects({{"promotions", jeans}}, "scenario.shoppers.promotions", "must be an array");
        check_rejects({{"promotions", json::array({0.2})}}, p0, "must be a JSON object");
        check_rejects(with_promotion(with(jeans, "percent", 20)), p0 + ".percent", "unknown key");
        check_rejects(with_promotion(with(jeans, "category", "")), p0 + ".category", "must be a name");
        check_rejects(with_promotion(with(jeans, "brand", 5)), p0 + ".brand", "must be a name");
        check_rejects(with_promotion(with(jeans, "campaign", "bf")), p0 + ".campaign", "unknown campaign \"bf\"");
        check_rejects(with_promotion(without(jeans, "discount")), p0 + ".discount", "is missing");
        check_rejects(with_promotion(with(jeans, "discount", 2)), p0 + ".discount", "between 0 and 1");
        check_rejects(with_promotion(with(with(jeans, "at", "2026-11-27T00:00:00Z"), "after", "1 day")), p0, "not both");
        check_rejects(with_promotion(with(jeans, "after", "1 day")), p0 + ".duration", "is missing");
        check_rejects(with_promotion(with(jeans, "at", "2026-11-27T00:00:00Z")), p0 + ".duration", "is missing");
        check_rejects(with_promotion(with(jeans, "at", "soon")), p0 + ".at", "not a time");
        check_rejects(with_promotion(with(with(jeans, "after", "1 day"), "duration", -1)), p0 + ".duration", "positive");
        // A campaign's promotion, with the campaign after it in the document.
        json doc = with_promotion(with(without(jeans, "category"), "campaign", "bf"));
        doc["campaigns"] = json::array({campaign()});
        CHECK(section_of(doc).promotions.at(0).campaign == "bf");
        check_rejects({{"promotions", json::array({jeans, without(jeans, "discount")})}},
                      "scenario.shoppers.promotions[1].discount", "is missing");
    }
}

// ==== the parser: good paths =======================================================================

TEST_CASE("shoppers: the defaults are the reference; the built-in matrices are there and plausible", "[shoppers]") {
    // No section: the reference model.
    for (const char* doc : {"{}", R"({"shoppers": null})"}) {
        const ShopperSection s = parse_scenario(doc).shoppers;
        CHECK_FALSE(s.sessions);
        CHECK_FALSE(s.popularity.enabled);
        CHECK(s.member_share == 0);
        CHECK(s.promotions.empty());
        CHECK(s.campaigns.empty());
    }
    const ShopperSection s = section_of(json::object());
    CHECK_FALSE(s.sessions);
    CHECK(s.matrix == "default");
    CHECK(s.known_share == 0.55);
    CHECK(s.max_pages == 60);
    CHECK_FALSE(s.popularity.enabled);
    CHECK(section_of({{"model", "reference"}}).sessions == false);
    CHECK(section_of({{"model", "sessions"}}).sessions == true);
    // Built-ins: rows sum to 1, every reachable state has a row, conversions as documented (the
    // issue: the default converts 2-4 % of sessions; campaign more, window_shopping less).
    for (const char* name : {"default", "campaign", "window_shopping"}) {
        INFO("matrix " << name);
        REQUIRE(s.matrices.count(name) == 1);
        const TransitionMatrix& m = s.matrices.at(name);
        REQUIRE(static_cast<int>(m.rows.size()) == s.state_count());
        for (int from = kStart; from <= kCheckout; ++from) {
            INFO("row " << s.state_name(from));
            REQUIRE(m.rows[static_cast<size_t>(from)].size() == static_cast<size_t>(s.state_count()));
            double sum = 0;
            for (double p : m.rows[static_cast<size_t>(from)]) sum += p;
            CHECK(std::fabs(sum - 1) < 1e-9);
            CHECK(m.rows[static_cast<size_t>(from)][kStart] == 0);
        }
        CHECK(m.rows[kPurchase].empty());
        CHECK(m.rows[kExit].empty());
    }
    const double def = conversion(s.matrices.at("default"), kStart), camp = conversion(s.matrices.at("campaign"), kStart),
                 window = conversion(s.matrices.at("window_shopping"), kStart);
    INFO("conversion from start: default " << def << ", campaign " << camp << ", window_shopping " << window);
    CHECK(def >= 0.02);
    CHECK(def <= 0.04);
    CHECK(camp > 2 * def);
    CHECK(window < def / 2);
    CHECK(window > 0);
    // The same with popularity given: enabled, and the documented defaults.
    const Popularity p = section_of({{"popularity", json::object()}}).popularity;
    CHECK(p.enabled);
    CHECK(p.zipf_exponent == 1.0);
    CHECK(p.gender_affinity == dist::kDefaultGenderAffinity);
    CHECK(p.ranking_seed == 1);
}

TEST_CASE("shoppers: a document's matrix replaces a built-in of the same name; custom pages join the states", "[shoppers]") {
    const ShopperSection s = section_of({{"model", "sessions"}, {"matrices", {{"default", funnel()}}}});
    const TransitionMatrix& m = s.matrices.at("default");
    CHECK(m.rows[kStart][kHome] == 1);
    CHECK(m.rows[kHome][kProduct] == 0.5);
    CHECK(m.rows[kProduct][kCart] == 0.3);
    CHECK(m.rows[kSearch].empty());  // the built-in's search row is gone with it
    CHECK(s.matrices.count("campaign") == 1);
    CHECK(conversion(m, kStart) == Approx(0.5 * 0.3 * 0.9));
    // The active matrix may be a document's or a built-in.
    CHECK(section_of({{"matrix", "campaign"}}).matrix == "campaign");
    json doc = {{"matrix", "mine"}, {"matrices", {{"mine", funnel()}}}};
    CHECK(section_of(doc).matrix == "mine");

    json pages = json::array({{{"name", "blog"}, {"uri", "/blog/{category}/{product_id}"}}, {{"name", "faq"}}});
    json m2 = funnel();
    m2["home"] = {{"blog", 0.3}, {"faq", 0.1}, {"product", 0.3}, {"exit", 0.3}};
    m2["blog"] = {{"product", 0.5}, {"exit", 0.5}};
    m2["faq"] = {{"exit", 1}};
    const ShopperSection c = section_of({{"pages", pages}, {"matrices", {{"m", m2}}}, {"matrix", "m"}});
    REQUIRE(c.pages.size() == 2);
    CHECK(c.state_count() == kFirstCustomState + 2);
    CHECK(c.state_of("blog") == kFirstCustomState);
    CHECK(c.state_of("faq") == kFirstCustomState + 1);
    CHECK(c.state_of("nope") == -1);
    CHECK(c.state_name(kFirstCustomState + 1) == "faq");
    CHECK(c.state_name(kCart) == "cart");
    CHECK(c.pages[0].uri_template == "/blog/{category}/{product_id}");
    CHECK(c.pages[1].uri_template == "/faq");
    CHECK(c.matrices.at("m").rows[kHome][static_cast<size_t>(kFirstCustomState)] == 0.3);
    // Built-ins get the custom states' columns too (as zeros).
    CHECK(c.matrices.at("default").rows[kHome].size() == static_cast<size_t>(c.state_count()));
    // A custom page reachable without a row is caught like any state.
    json m3 = m2;
    m3.erase("faq");
    check_rejects({{"pages", pages}, {"matrices", {{"m", m3}}}}, "scenario.shoppers.matrices.m.faq", "has no row");
}

// ==== the matrix walk ===============================================================================

TEST_CASE("shoppers: sessions of the default matrix follow it row by row and convert as it predicts", "[shoppers][walk]") {
    const std::vector<Product> products = catalogue(200);
    const ShopperSection section = section_of({{"model", "sessions"}});
    const ShopperModel model(section, products, kNow);
    const Run run = walk_many(model, products, fixtures::kDraws, 11, [](int i) { return kNow + i * kMinute; });
    check_coherent(run);
    const TransitionMatrix& m = section.matrices.at("default");
    Counts c = empty_counts(section);
    double purchased = 0, items = 0, pages = 0;
    for (const Walked& w : run.sessions) {
        CHECK(w.campaign == nullptr);
        count_transitions(section, w, &c);
        purchased += w.purchases > 0;
        items += w.purchases;
        pages += static_cast<double>(w.pages.size());
    }
    check_rows(section, c, m, 1000, {kStart, kHome, kDepartment, kCategory, kProduct, kSearch, kCart, kCheckout});
    const double p = conversion(m, kStart);
    INFO("default: " << purchased << " of " << run.sessions.size() << " sessions purchased ("
                     << purchased / static_cast<double>(run.sessions.size()) << "; matrix " << p << "), items per order "
                     << items / purchased << ", pages per session " << pages / static_cast<double>(run.sessions.size()));
    check_share(purchased, static_cast<double>(run.sessions.size()), p);
}

TEST_CASE("shoppers: the campaign and window_shopping matrices convert as they predict", "[shoppers][walk]") {
    const std::vector<Product> products = catalogue(200);
    for (const char* name : {"campaign", "window_shopping"}) {
        INFO("matrix " << name);
        const ShopperSection section = section_of({{"model", "sessions"}, {"matrix", name}});
        const ShopperModel model(section, products, kNow);
        const Run run = walk_many(model, products, fixtures::kDraws, 12, [](int i) { return kNow + i * kMinute; },
                                  IdFormat::Uuid7);
        check_coherent(run);
        const TransitionMatrix& m = section.matrices.at(name);
        Counts c = empty_counts(section);
        double purchased = 0;
        for (const Walked& w : run.sessions) {
            count_transitions(section, w, &c);
            purchased += w.purchases > 0;
        }
        check_rows(section, c, m, 1000, {kStart, kHome, kProduct, kCart, kCheckout});
        const double p = conversion(m, kStart);
        INFO(name << ": " << purchased << " of " << run.sessions.size() << " sessions purchased ("
                  << purchased / static_cast<double>(run.sessions.size()) << "; matrix " << p << ")");
        check_share(purchased, static_cast<double>(run.sessions.size()), p);
    }
}

TEST_CASE("shoppers: custom pages are walked like any state and fill their URI templates", "[shoppers][walk]") {
    const std::vector<Product> products = catalogue(200);
    json pages = json::array({{{"name", "blog"}, {"uri", "/blog/{category}/{product_id}/{brand}"}},
                              {{"name", "faq"}}});
    json m = {{"start", {{"blog", 0.3}, {"home", 0.4}, {"product", 0.3}}},
              {"home", {{"faq", 0.2}, {"product", 0.5}, {"exit", 0.3}}},
              {"faq", {{"home", 0.5}, {"exit", 0.5}}},
              {"blog", {{"product", 0.6}, {"blog", 0.1}, {"exit", 0.3}}},
              {"product", {{"cart", 0.3}, {"blog", 0.2}, {"exit", 0.5}}},
              {"cart", {{"checkout", 0.7}, {"exit", 0.3}}},
              {"checkout", {{"purchase", 0.8}, {"exit", 0.2}}}};
    const ShopperSection section = section_of({{"model", "sessions"}, {"pages", pages}, {"matrices", {{"m", m}}}, {"matrix", "m"}});
    const ShopperModel model(section, products, kNow);
    const int blog = section.state_of("blog"), faq = section.state_of("faq");
    const CatalogueIndex index(products);
    // Walk, checking the custom pages' URIs from the events.
    Rng rng(14);
    Counts c = empty_counts(section);
    double purchased = 0;
    int bad = 0, blogs = 0, faqs = 0, blogs_after_product = 0;
    std::string first_problem;
    for (int i = 0; i < 50000; ++i) {
        const Visitor v = visitor(i);
        const WalkedSession w = model.walk(rng, v, kNow + i * kMinute, IdFormat::Uuid4);
        std::string problem = problem_of(model, index, w, v, kNow + i * kMinute, IdFormat::Uuid4);
        int64_t last_product = -1;
        Walked k;
        for (const Event& e : w.events) {
            if (e.event_type == "purchase") {
                ++k.purchases;
                continue;
            }
            k.pages.push_back(section.state_of(e.event_type));
            if (e.event_type == "product") last_product = std::stoll(e.uri.substr(9));
            if (e.event_type == "faq") {
                ++faqs;
                if (e.uri != "/faq") problem = "a faq page at " + e.uri;
            }
            if (e.event_type == "blog") {
                ++blogs;
                // /blog/<category>/<id>/<brand>, of the product last looked at if any.
                const size_t a = e.uri.find('/', 6), b = e.uri.find('/', a + 1);
                if (e.uri.rfind("/blog/", 0) != 0 || a == std::string::npos || b == std::string::npos) {
                    problem = "a blog page at " + e.uri;
                    continue;
                }
                const int64_t id = std::stoll(e.uri.substr(a + 1, b - a - 1));
                const Product* p = index.product(id);
                if (!p || e.uri.substr(6, a - 6) != url_encode(fixtures::lower(p->category)) ||
                    e.uri.substr(b + 1) != url_encode(fixtures::lower(p->brand)))
                    problem = "a blog page of no product: " + e.uri;
                if (last_product >= 0) {
                    ++blogs_after_product;
                    if (id != last_product) problem = "a blog page of another product than the one viewed: " + e.uri;
                }
            }
        }
        if (!problem.empty() && bad++ == 0) first_problem = problem;
        count_transitions(section, k, &c);
        purchased += k.purchases > 0;
    }
    INFO("first problem: " << first_problem);
    CHECK(bad == 0);
    CHECK(blogs > 1000);
    CHECK(faqs > 1000);
    CHECK(blogs_after_product > 1000);
    check_rows(section, c, section.matrices.at("m"), 1000, {kStart, kHome, kProduct, kCart, kCheckout, blog, faq});
    check_share(purchased, 50000, conversion(section.matrices.at("m"), kStart));
}

TEST_CASE("shoppers: max_pages cuts long sessions", "[shoppers][walk]") {
    const std::vector<Product> products = catalogue(50);
    SECTION("a loop that rarely exits") {
        const json m = {{"start", {{"home", 1}}}, {"home", {{"product", 0.99}, {"exit", 0.01}}},
                        {"product", {{"home", 0.99}, {"exit", 0.01}}}};
        const ShopperSection section = section_of({{"model", "sessions"}, {"matrices", {{"m", m}}}, {"matrix", "m"}, {"max_pages", 10}});
        const ShopperModel model(section, products, kNow);
        const Run run = walk_many(model, products, 20000, 14, [](int) { return kNow; });
        check_coherent(run);
        double full = 0;
        size_t longest = 0;
        for (const Walked& w : run.sessions) {
            longest = std::max(longest, w.pages.size());
            full += w.pages.size() == 10;
            CHECK(w.purchases == 0);
        }
        CHECK(longest == 10);
        // Ten pages unless one of the first nine draws exits.
        check_share(full, 20000, std::pow(0.99, 9));
    }
    SECTION("a purchase right after the last page is kept; a page beyond it is cut") {
        const json m = {{"start", {{"product", 1}}}, {"product", {{"cart", 1}}}, {"cart", {{"checkout", 1}}},
                        {"checkout", {{"purchase", 1}}}, {"home", {{"exit", 1}}}};
        for (int max_pages : {2, 3, 4}) {
            const ShopperSection section =
                section_of({{"model", "sessions"}, {"matrices", {{"m", m}}}, {"matrix", "m"}, {"max_pages", max_pages}});
            const ShopperModel model(section, products, kNow);
            Rng rng(15);
            const WalkedSession w = model.walk(rng, visitor(1), kNow, IdFormat::Uuid4);
            INFO("max_pages " << max_pages);
            CHECK(w.purchased == (max_pages >= 3));
            CHECK(w.events.size() == (max_pages >= 3 ? 4u : 2u));
            CHECK(w.events.back().event_type == (max_pages >= 3 ? "purchase" : "cart"));
            CHECK(w.events.back().created_at == kNow);
        }
    }
}

// ==== campaigns ===================================================================================

TEST_CASE("shoppers: campaigns bring their share of sessions within their windows, with UTM landing pages", "[shoppers][campaigns]") {
    const std::vector<Product> products = catalogue(200);
    // A from 1 h to 3 h after the start, B from 2 h to 4 h (absolute): they overlap from 2 h to 3 h.
    const json direct = {{"start", {{"home", 1}}}, {"home", {{"product", 1}}}, {"product", {{"cart", 1}}},
                         {"cart", {{"checkout", 1}}}, {"checkout", {{"purchase", 1}}}};
    const json doc = {
        {"model", "sessions"},
        {"matrices", {{"direct", direct}}},
        {"campaigns", json::array({{{"name", "black friday & more"}, {"channel", "Email"}, {"after", "1 hour"},
                                    {"duration", "2 hours"}, {"share", 0.3}, {"landing", "/promo/bf"}, {"matrix", "campaign"}},
                                   {{"name", "\xc3\xa9t\xc3\xa9/2024=+%"}, {"channel", "Facebook"}, {"at", "2023-11-15T00:13:20Z"},
                                    {"duration", "2 hours"}, {"share", 0.2}, {"landing", "/summer"}, {"matrix", "direct"}}})}};
    const ShopperSection section = section_of(doc);
    const ShopperModel model(section, products, kNow);
    const Campaign& a = model.section().campaigns.at(0);
    const Campaign& b = model.section().campaigns.at(1);
    REQUIRE(b.at == kNow + 2 * kHour);  // the literal above is kNow + 2 h
    const int n = fixtures::kDraws;
    const Run run = walk_many(model, products, n, 16, [&](int i) { return kNow + (5 * kHour) * (2 * i + 1) / (2 * n); });
    check_coherent(run);
    // By the hour of its first page (after the model's start): sessions, those attributed (from the
    // landing URI alone) to A and B. A visit belongs to the campaign whose window holds its first page.
    double total[5] = {}, to_a[5] = {}, to_b[5] = {};
    std::map<std::string, double> plain_channels[5];
    std::map<std::string, std::set<std::pair<std::string, std::string>>> utm_by_channel;
    Counts default_counts = empty_counts(section), a_counts = empty_counts(section);
    double a_sessions = 0, a_purchased = 0, b_sessions = 0, b_direct = 0;
    int bad_utm = 0;
    std::string first_bad;
    int outside_window = 0;
    const Micros a0 = kNow + kHour, a1 = kNow + 3 * kHour, b0 = kNow + 2 * kHour, b1 = kNow + 4 * kHour;
    for (const Walked& w : run.sessions) {
        if (w.start < kNow) continue;  // the first sessions began before the model's start
        const int hour = static_cast<int>((w.start - kNow) / kHour);
        REQUIRE(hour < 5);
        total[hour] += 1;
        outside_window += (w.campaign == &a && !(a0 <= w.start && w.start < a1)) || (w.campaign == &b && !(b0 <= w.start && w.start < b1));
        const Uri u = parse_uri(w.first_uri);
        const bool tagged = u.query.count("utm_campaign") == 1;
        const Campaign* from_data = nullptr;
        if (tagged)
            for (const Campaign& c : model.section().campaigns)
                if (u.query.at("utm_campaign") == c.name) from_data = &c;
        if (from_data != w.campaign || (tagged && (!from_data || u.path != from_data->landing ||
                                                   w.channel != from_data->channel || u.query.size() != 3 ||
                                                   u.query.count("utm_source") != 1 || u.query.count("utm_medium") != 1))) {
            if (bad_utm++ == 0) first_bad = w.first_uri;
            continue;
        }
        if (w.campaign == &a) {
            to_a[hour] += 1;
            ++a_sessions;
            a_purchased += w.purchases > 0;
            count_transitions(section, w, &a_counts);
        } else if (w.campaign == &b) {
            to_b[hour] += 1;
            ++b_sessions;
            b_direct += w.pages == std::vector<int>{kHome, kProduct, kCart, kCheckout} && w.purchases == 1;
        } else {
            plain_channels[hour][w.channel] += 1;
            count_transitions(section, w, &default_counts);
        }
        if (tagged) utm_by_channel[w.channel].insert({u.query.at("utm_source"), u.query.at("utm_medium")});
    }
    INFO("first bad landing: " << first_bad);
    CHECK(bad_utm == 0);
    CHECK(outside_window == 0);
    // Shares within the windows, nothing outside.
    for (int h = 0; h < 5; ++h) {
        INFO("hour " << h);
        check_share(to_a[h], total[h], h == 1 || h == 2 ? 0.3 : 0.0);
        check_share(to_b[h], total[h], h == 2 || h == 3 ? 0.2 : 0.0);
    }
    // One (utm_source, utm_medium) per channel, different between channels; Email is medium "email"
    // (what web analytics' default channel grouping reads as Email).
    REQUIRE(utm_by_channel["Email"].size() == 1);
    REQUIRE(utm_by_channel["Facebook"].size() == 1);
    CHECK(*utm_by_channel["Email"].begin() != *utm_by_channel["Facebook"].begin());
    CHECK(utm_by_channel["Email"].begin()->second == "email");
    CHECK_FALSE(utm_by_channel["Facebook"].begin()->first.empty());
    // Sessions no campaign brought: the reference's channel mix without the running campaigns'
    // channels (so while a campaign runs, its channel's sessions are all its own).
    const Categorical& mix = dist::kSessionTrafficSource;
    for (int h = 0; h < 5; ++h) {
        INFO("hour " << h);
        std::vector<double> observed, expected;
        for (size_t i = 0; i < mix.labels.size(); ++i) {
            const std::string ch = mix.labels[i];
            const bool running = (ch == "Email" && (h == 1 || h == 2)) || (ch == "Facebook" && (h == 2 || h == 3));
            observed.push_back(plain_channels[h][ch]);
            expected.push_back(running ? 0.0 : mix.probabilities[i]);
        }
        double accounted = 0, all = 0;
        for (double o : observed) accounted += o;
        for (const auto& kv : plain_channels[h]) all += kv.second;
        CHECK(accounted == all);
        fixtures::check_fits(observed, expected);
    }
    // The campaigns' matrices: A walks "campaign" from its landing on home, B walks "direct"; the
    // rest walk the active default from start.
    check_share(a_purchased, a_sessions, conversion(section.matrices.at("campaign"), kHome));
    check_rows(section, a_counts, section.matrices.at("campaign"), 800, {kHome, kProduct, kCart});
    CHECK(b_sessions > 5000);
    CHECK(b_direct == b_sessions);
    check_rows(section, default_counts, section.matrices.at("default"), 1000, {kStart, kHome, kProduct, kCart, kCheckout});
}

TEST_CASE("shoppers: campaign windows start inclusive and end exclusive; draws follow the shares", "[shoppers][campaigns]") {
    const std::vector<Product> products = catalogue(50);
    const json doc = {{"model", "sessions"},
                      {"campaigns", json::array({{{"name", "all"}, {"channel", "YouTube"}, {"after", "1 hour"}, {"duration", "1 hour"}, {"share", 1}},
                                                 {{"name", "later"}, {"channel", "Organic"}, {"at", "2023-11-15T22:13:20Z"},
                                                  {"duration", 60}, {"share", 1}},
                                                 {{"name", "next"}, {"channel", "Adwords"}, {"after", "2 hours"}, {"duration", "1 hour"}, {"share", 0.5}}})}};
    const ShopperModel model(section_of(doc), products, kNow);
    Rng rng(17);
    const Micros a0 = kNow + kHour, a1 = kNow + 2 * kHour, b0 = kNow + kDay, b1 = b0 + 60 * kMicrosPerSecond;
    const Campaign* all = &model.section().campaigns[0];
    const Campaign* later = &model.section().campaigns[1];
    const Campaign* next = &model.section().campaigns[2];
    int next_at_a1 = 0, before_window = 0, late_all_started = 0;
    for (int i = 0; i < 100; ++i) {
        CHECK(model.draw_campaign(rng, a0 - 1) == nullptr);
        CHECK(model.draw_campaign(rng, a0) == all);
        CHECK(model.draw_campaign(rng, a1 - 1) == all);
        // "all" has ended at a1 where "next" begins: half of the sessions are next's, none all's.
        const Campaign* at_a1 = model.draw_campaign(rng, a1);
        CHECK((at_a1 == nullptr || at_a1 == next));
        next_at_a1 += at_a1 == next;
        CHECK(model.draw_campaign(rng, a1 + kHour) == nullptr);
        CHECK(model.draw_campaign(rng, b0 - 1) == nullptr);
        CHECK(model.draw_campaign(rng, b0) == later);
        CHECK(model.draw_campaign(rng, b1 - 1) == later);
        CHECK(model.draw_campaign(rng, b1) == nullptr);
        // Walks at the edge: ending within a minute after the start of "all" (share 1), a visit is
        // its campaign's exactly when its first page is in the window; a visit that began a moment
        // before carries no UTM landing page.
        const WalkedSession w = model.walk(rng, visitor(i), a0 + i * (kMicrosPerSecond * 6 / 10), IdFormat::Uuid4);
        const bool began_inside = w.events[0].created_at >= a0;
        before_window += !began_inside;
        CHECK((w.campaign == all) == began_inside);
        CHECK(w.events[0].traffic_source == (began_inside ? "YouTube" : w.events[0].traffic_source));
        CHECK((w.events[0].uri.find("utm_campaign=all") != std::string::npos) == began_inside);
        for (size_t k = 1; k < w.events.size(); ++k) CHECK(w.events[k].uri.find("utm_") == std::string::npos);
        // Ending after the window of "all" (within that of "next") but begun in it: still its.
        const WalkedSession late = model.walk(rng, visitor(i), a1 + i * (kMicrosPerSecond * 6 / 10), IdFormat::Uuid4);
        if (late.events[0].created_at < a1) {
            ++late_all_started;
            CHECK(late.campaign == all);
        } else {
            CHECK((late.campaign == nullptr || late.campaign == next));
        }
        const WalkedSession x = model.walk(rng, visitor(i), a1 + 3 * kHour, IdFormat::Uuid4);
        CHECK(x.campaign == nullptr);
        for (const Event& e : x.events) CHECK(e.uri.find("utm_") == std::string::npos);
    }
    INFO("walks ending just after the window opened that began before it: " << before_window
         << "; ending just after it closed that began in it: " << late_all_started);
    CHECK(before_window > 20);
    CHECK(late_all_started > 20);
    CHECK(next_at_a1 > 20);
    CHECK(next_at_a1 < 80);
    // Shares of three overlapping campaigns, by draw_campaign alone.
    const json three = {{"campaigns", json::array({{{"name", "x"}, {"channel", "Email"}, {"duration", "1 day"}, {"share", 0.1}},
                                                   {{"name", "y"}, {"channel", "Adwords"}, {"duration", "1 day"}, {"share", 0.25}},
                                                   {{"name", "z"}, {"channel", "Email"}, {"duration", "1 day"}, {"share", 0.4}}})}};
    const ShopperModel m3(section_of(three), products, kNow);
    std::vector<double> counts(4, 0.0);
    for (int i = 0; i < fixtures::kDraws; ++i) {
        const Campaign* c = m3.draw_campaign(rng, kNow + i * (kMicrosPerSecond / 10));
        counts[c ? static_cast<size_t>(c - &m3.section().campaigns[0]) : 3] += 1;
    }
    fixtures::check_fits(counts, {0.1, 0.25, 0.4, 0.25});
}

TEST_CASE("shoppers: overlapping campaigns whose shares add up to more than 1 are an error naming them", "[shoppers][campaigns]") {
    const std::string path = "scenario.shoppers.campaigns";
    auto c = [](const char* name, const char* when_key, const json& when, const char* duration, double share) {
        return json{{"name", name}, {"channel", "Email"}, {when_key, when}, {"duration", duration}, {"share", share}};
    };
    // Two "after" windows (1 h to 3 h, 2 h to 4 h): 0.6 + 0.5 from 2 h to 3 h.
    check_rejects({{"campaigns", json::array({c("a", "after", "1 hour", "2 hours", 0.6), c("b", "after", "2 hours", "2 hours", 0.5)})}},
                  path, "campaigns \"a\" ([0]) and \"b\" ([1]) overlap with shares adding up to 0.6 + 0.5 = 1.1, more than 1");
    // Two "at" windows, and a third that overlaps neither's worst instant.
    check_rejects({{"campaigns", json::array({c("x", "at", "2024-11-29T00:00:00Z", "1 day", 0.7), c("y", "after", 0, "1 hour", 0.2),
                                              c("z", "at", "2024-11-29T12:00:00Z", "1 day", 0.4)})}},
                  path, "campaigns \"x\" ([0]) and \"z\" ([2]) overlap");
    // Three at once name all three.
    check_rejects({{"campaigns", json::array({c("p", "after", 0, "1 day", 0.4), c("q", "after", 0, "1 day", 0.4),
                                              c("r", "after", "1 hour", "1 hour", 0.4)})}},
                  path, "campaigns \"p\" ([0]), \"q\" ([1]) and \"r\" ([2]) overlap with shares adding up to 0.4 + 0.4 + 0.4 = 1.2");
    // Exactly 1, or windows that touch (end exclusive): fine.
    CHECK_NOTHROW(section_of({{"campaigns", json::array({c("a", "after", 0, "1 hour", 0.5), c("b", "after", 0, "1 hour", 0.5)})}}));
    CHECK_NOTHROW(section_of({{"campaigns", json::array({c("a", "after", 0, "1 hour", 1), c("b", "after", "1 hour", "1 hour", 1)})}}));
    // An "at" window and an "after" one meet only once the start is known: the model checks them.
    const json mixed = {{"campaigns", json::array({c("fixed", "at", "2023-11-14T23:13:20Z", "1 hour", 0.8),  // kNow + 1 h
                                                   c("relative", "after", "90 minutes", "1 hour", 0.3)})}};
    const ShopperSection section = section_of(mixed);
    const std::vector<Product> products = catalogue(20);
    CHECK_NOTHROW(ShopperModel(section, products, kNow - 2 * kHour));  // "relative" from kNow - 30 min to + 30 min: apart
    try {
        ShopperModel m(section, products, kNow);
        FAIL("accepted shares of 1.1");
    } catch (const Error& e) {
        CHECK(e.sqlstate() == "22023");
        CHECK(std::string(e.what()) == path + ": campaigns \"fixed\" ([0]) and \"relative\" ([1]) overlap with shares adding up to 0.8 + 0.3 = 1.1, more than 1");
        CHECK_FALSE(e.hint().empty());
    }
}

TEST_CASE("shoppers: url_encode is RFC 3986 and campaign landing URIs decode back to the campaign", "[shoppers][campaigns]") {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    for (const std::string& s : {all, std::string("a b&c=d+e%f/g?h#i~j.k_l-m"), std::string("Caf\xc3\xa9 Noir"), std::string()}) {
        const std::string e = url_encode(s);
        bool ok = false;
        CHECK(url_decode(e, false, &ok) == s);
        CHECK(ok);
        CHECK(url_decode(e, true) == s);  // '+' is encoded too, so form decoding agrees
        for (size_t i = 0; i < e.size(); ++i) {
            if (e[i] == '%') {
                REQUIRE(i + 2 < e.size());
                CHECK(hex_value(e[i + 1]) >= 0);
                CHECK(hex_value(e[i + 2]) >= 0);
                CHECK_FALSE(std::islower(static_cast<unsigned char>(e[i + 1])));
                CHECK_FALSE(std::islower(static_cast<unsigned char>(e[i + 2])));
                i += 2;
            } else {
                CHECK(is_unreserved(e[i]));
            }
        }
    }
    CHECK(url_encode("a b") == "a%20b");
    CHECK(url_encode("AZaz09-_.~") == "AZaz09-_.~");
    for (const char* channel : {"Email", "Adwords", "Facebook", "YouTube", "Organic"}) {
        Campaign c;
        c.name = "Black Friday & Cyber Monday 100% off?";
        c.channel = channel;
        c.landing = "/promo/bf-2026";
        const Uri u = parse_uri(campaign_landing_uri(c));
        INFO(campaign_landing_uri(c));
        CHECK(u.path == c.landing);
        CHECK(u.query.size() == 3);
        CHECK(u.query.at("utm_campaign") == c.name);
        CHECK_FALSE(u.query.at("utm_source").empty());
        CHECK_FALSE(u.query.at("utm_medium").empty());
    }
}

// ==== popularity ====================================================================================

TEST_CASE("shoppers: with popularity off, picks are the reference's uniform draw, draw for draw", "[shoppers][popularity]") {
    const std::vector<Product> products = catalogue(1000);
    const ProductPicker picker(products, Popularity{});
    const int64_t n = static_cast<int64_t>(products.size());
    Rng a(21), b(21);
    std::vector<double> buckets(20, 0.0);
    for (int i = 0; i < fixtures::kDraws; ++i) {
        const char* gender = i % 3 == 0 ? "M" : i % 3 == 1 ? "F" : "";
        const Product& p = picker.pick(a, gender);
        const Product& q = products[static_cast<size_t>(b.uniform_int(0, n - 1))];
        REQUIRE(&p == &q);
        buckets[static_cast<size_t>(&p - products.data()) * 20 / products.size()] += 1;
    }
    CHECK(a.next_u64() == b.next_u64());
    fixtures::check_fits(buckets, std::vector<double>(20, 1.0));
    for (size_t i = 0; i < products.size(); i += 97) {
        CHECK(picker.probability(i, "M") == Approx(1.0 / n));
        CHECK(picker.rank_of(i) == i + 1);
    }
    // Within a category: uniform over its products.
    std::map<int64_t, double> seen;
    Rng r(22);
    for (int i = 0; i < 50000; ++i) {
        const Product& p = picker.pick(r, "M", "Swim");
        REQUIRE(p.category == "Swim");
        seen[p.id] += 1;
    }
    std::vector<double> observed;
    for (const auto& p : products)
        if (p.category == "Swim") observed.push_back(seen[p.id]);
    CHECK(observed.size() == 125);
    fixtures::check_fits(observed, std::vector<double>(observed.size(), 1.0));
    // An EntityGenerator with a reference model draws exactly as one without a model.
    fixtures::World w;
    w.products = products;
    const ShopperSection reference = section_of(json::object());
    const ShopperModel model(reference, w.products, kNow);
    EntityGenerator plain(w.names, w.products, w.sampler, 23), with_model(w.names, w.products, w.sampler, 23);
    with_model.set_model(&model);
    for (int i = 0; i < 200; ++i) {
        const Purchase p = plain.new_purchase("u", Place{"c", "s", "p"}, kNow, true, "M");
        const Purchase q = with_model.new_purchase("u", Place{"c", "s", "p"}, kNow, true, "M");
        REQUIRE(p.items.size() == q.items.size());
        for (size_t k = 0; k < p.items.size(); ++k) {
            CHECK(p.items[k].product_id == q.items[k].product_id);
            CHECK(p.items[k].sale_price == q.items[k].sale_price);
            CHECK(p.items[k].sale_price == products[static_cast<size_t>(p.items[k].product_id - 1000)].retail_price);
        }
        REQUIRE(p.events.size() == q.events.size());
        for (size_t k = 0; k < p.events.size(); ++k) CHECK(p.events[k].uri == q.events[k].uri);
        CHECK(plain.ghost_session(kNow)[0].uri == with_model.ghost_session(kNow)[0].uri);
    }
}

TEST_CASE("shoppers: the ranking is fixed by its seed and the law is what probability() reports", "[shoppers][popularity]") {
    const std::vector<Product> products = catalogue(2000);
    const Popularity pop = popularity(1.0, 0.7, 5, {{"Jeans", 3}, {"Socks", 0.5}});
    const ProductPicker a(products, pop), b(products, pop), c(products, popularity(1.0, 0.7, 6));
    std::vector<size_t> ranks;
    int differ = 0;
    for (size_t i = 0; i < products.size(); ++i) {
        ranks.push_back(a.rank_of(i));
        CHECK(a.rank_of(i) == b.rank_of(i));
        differ += a.rank_of(i) != c.rank_of(i);
    }
    std::sort(ranks.begin(), ranks.end());
    for (size_t i = 0; i < ranks.size(); ++i) REQUIRE(ranks[i] == i + 1);  // a permutation of 1..n
    CHECK(differ > 1900);
    // The ranking is not the catalogue's order.
    int in_place = 0;
    for (size_t i = 0; i < products.size(); ++i) in_place += a.rank_of(i) == i + 1;
    CHECK(in_place < 20);
    for (const char* g : {"M", "F", ""}) {
        const std::vector<double> expected = law(products, a, pop, g);
        double sum = 0;
        for (size_t i = 0; i < products.size(); ++i) {
            INFO("gender \"" << g << "\", product " << i);
            CHECK(a.probability(i, g) == Approx(expected[i]).epsilon(1e-9));
            sum += a.probability(i, g);
        }
        CHECK(sum == Approx(1.0).epsilon(1e-12));
    }
}

TEST_CASE("shoppers: the top 1 % of products get the share the Zipf law predicts", "[shoppers][popularity]") {
    const std::vector<Product> products = catalogue(2000);
    const size_t top = products.size() / 100;
    for (double exponent : {0.6, 1.0, 1.5}) {
        for (const char* g : {"M", "F", ""}) {
            const Popularity pop = popularity(exponent, 0.5, 1);
            const ProductPicker picker(products, pop);
            const std::vector<double> p = law(products, picker, pop, g);
            double predicted = 0;
            for (size_t i = 0; i < products.size(); ++i)
                if (picker.rank_of(i) <= top) predicted += p[i];
            // Rank buckets for a chi-square of the whole curve.
            const size_t edges[] = {1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2001};
            const size_t nb = std::size(edges) - 1;
            auto bucket = [&](size_t rank) {
                size_t k = 0;
                while (rank >= edges[k + 1]) ++k;
                return k;
            };
            std::vector<double> observed(nb, 0.0), expected(nb, 0.0);
            for (size_t i = 0; i < products.size(); ++i) expected[bucket(picker.rank_of(i))] += p[i];
            Rng rng(31);
            double in_top = 0;
            for (int i = 0; i < fixtures::kDraws; ++i) {
                const size_t k = static_cast<size_t>(&picker.pick(rng, g) - products.data());
                in_top += picker.rank_of(k) <= top;
                observed[bucket(picker.rank_of(k))] += 1;
            }
            INFO("exponent " << exponent << ", gender \"" << g << "\": top 1 % predicted " << predicted);
            CHECK(predicted > 0.05);  // far from uniform's 1 %
            check_share(in_top, fixtures::kDraws, predicted);
            fixtures::check_fits(observed, expected);
        }
    }
}

TEST_CASE("shoppers: gender affinity is the probability of the buyer's department", "[shoppers][popularity]") {
    // 40 % of the products are "Men": without normalising each side, a man would get "Men" less
    // often than the affinity says.
    const std::vector<Product> products = catalogue(2000);
    for (double affinity : {0.0, 0.3, 0.7, 0.9, 1.0}) {
        const ProductPicker picker(products, popularity(1.0, affinity, 2));
        Rng rng(41);
        double men_of_m = 0, women_of_f = 0, men_of_unknown = 0;
        const int n = 40000;
        for (int i = 0; i < n; ++i) {
            men_of_m += picker.pick(rng, "M").department == "Men";
            women_of_f += picker.pick(rng, "F").department == "Women";
            men_of_unknown += picker.pick(rng, "").department == "Men";
        }
        INFO("affinity " << affinity);
        check_share(men_of_m, n, affinity);
        check_share(women_of_f, n, affinity);
        check_share(men_of_unknown, n, 0.5);
    }
    // Through the generator's reference purchase flow: the buyer's gender reaches the picker.
    fixtures::World w;
    w.products = products;
    const ShopperSection s = section_of({{"popularity", {{"gender_affinity", 0.8}}}});
    const ShopperModel model(s, w.products, kNow);
    EntityGenerator gen(w.names, w.products, w.sampler, 42);
    gen.set_model(&model);
    double items = 0, men = 0;
    for (int i = 0; i < 20000; ++i)
        for (const OrderItem& item : gen.new_purchase("u", Place{}, kNow, false, "M").items) {
            items += 1;
            men += w.products[static_cast<size_t>(item.product_id - 1000)].department == "Men";
        }
    check_share(men, items, 0.8);
}

TEST_CASE("shoppers: category weights scale their categories; picks within a category follow the law", "[shoppers][popularity]") {
    const std::vector<Product> products = catalogue(2000);
    const Popularity weighted = popularity(1.0, 0.9, 3, {{"Jeans", 4}, {"Socks", 0}, {"Swim", 0.5}});
    const Popularity plain = popularity(1.0, 0.9, 3);
    const ProductPicker pw(products, weighted), pp(products, plain);
    // Within Men, Jeans against Tops & Tees is four times what it is without weights.
    auto mass = [&](const ProductPicker& p, const char* cat) {
        double m = 0;
        for (size_t i = 0; i < products.size(); ++i)
            if (products[i].category == cat && products[i].department == "Men") m += p.probability(i, "M");
        return m;
    };
    CHECK(mass(pw, "Jeans") / mass(pw, "Tops & Tees") == Approx(4 * mass(pp, "Jeans") / mass(pp, "Tops & Tees")));
    CHECK(mass(pw, "Swim") / mass(pw, "Tops & Tees") == Approx(0.5 * mass(pp, "Swim") / mass(pp, "Tops & Tees")));
    CHECK(mass(pw, "Socks") == 0);
    // Picks by category against the law.
    const std::vector<double> p = law(products, pw, weighted, "M");
    std::map<std::string, size_t> index;
    for (size_t k = 0; k < 8; ++k) index[kCategories[k]] = k;
    std::vector<double> expected(8, 0.0), observed(8, 0.0);
    for (size_t i = 0; i < products.size(); ++i) expected[index[products[i].category]] += p[i];
    Rng rng(51);
    for (int i = 0; i < fixtures::kDraws; ++i) observed[index[pw.pick(rng, "M").category]] += 1;
    CHECK(observed[index["Socks"]] == 0);
    fixtures::check_fits(observed, expected);
    // Within one category: only it, by the law restricted to it (buckets of rank within Jeans).
    std::vector<size_t> jeans;
    for (size_t i = 0; i < products.size(); ++i)
        if (products[i].category == "Jeans") jeans.push_back(i);
    std::sort(jeans.begin(), jeans.end(), [&](size_t x, size_t y) { return pw.rank_of(x) < pw.rank_of(y); });
    std::map<size_t, size_t> bucket_of;
    std::vector<double> exp_j(12, 0.0), obs_j(12, 0.0);
    for (size_t k = 0; k < jeans.size(); ++k) {
        const size_t bucket = k < 8 ? k : std::min<size_t>(11, 8 + (k - 8) / 60);
        bucket_of[jeans[k]] = bucket;
        exp_j[bucket] += p[jeans[k]];
    }
    for (int i = 0; i < fixtures::kDraws; ++i) {
        const Product& q = pw.pick(rng, "M", "Jeans");
        REQUIRE(q.category == "Jeans");
        obs_j[bucket_of[static_cast<size_t>(&q - products.data())]] += 1;
    }
    fixtures::check_fits(obs_j, exp_j);
    // A category whose weight is zero falls back to any product rather than failing.
    const Product& any = pw.pick(rng, "M", "Socks");
    CHECK(any.category != "Socks");
    CHECK(pw.pick(rng, "M", "No such category").category != "Socks");
}

TEST_CASE("shoppers: a catalogue of one department still picks (no side to split)", "[shoppers][popularity]") {
    std::vector<Product> products = catalogue(100);
    for (auto& p : products) p.department = "Women";
    const ProductPicker picker(products, popularity(1.0, 1.0, 1));
    Rng rng(61);
    for (int i = 0; i < 1000; ++i) CHECK(picker.pick(rng, "M").department == "Women");
    double sum = 0;
    for (size_t i = 0; i < products.size(); ++i) sum += picker.probability(i, "M");
    CHECK(sum == Approx(1.0));
}

// ==== prices =========================================================================================

TEST_CASE("shoppers: member prices are deterministic per user, for the configured share", "[shoppers][prices]") {
    const ShopperSection s = section_of({{"members", {{"share", 0.3}, {"discount", 0.1}}}});
    const Pricing a(s, kNow), b(s, kNow + kDay);
    CHECK(a.any());
    Rng rng(71);
    double members = 0, sequential = 0;
    std::vector<double> buckets(20, 0.0);
    for (int i = 0; i < fixtures::kDraws; ++i) {
        const std::string id = uuid_v4(rng);
        const bool m = a.is_member(id);
        REQUIRE(m == b.is_member(id));
        REQUIRE(m == (text_share(id) < 0.3));
        members += m;
        const std::string seq = std::to_string(i);
        sequential += a.is_member(seq);
        buckets[static_cast<size_t>(text_share(seq) * 20)] += 1;
    }
    check_share(members, fixtures::kDraws, 0.3);
    check_share(sequential, fixtures::kDraws, 0.3);
    fixtures::check_fits(buckets, std::vector<double>(20, 1.0));
    CHECK_FALSE(a.is_member(""));  // anonymous visitors are never members
    CHECK(text_share("user-1") == text_share("user-1"));
    CHECK(text_share("user-1") != text_share("user-2"));
    const Pricing none(section_of({{"members", {{"share", 0}, {"discount", 0.1}}}}), kNow);
    const Pricing all(section_of({{"members", {{"share", 1}, {"discount", 0.1}}}}), kNow);
    for (int i = 0; i < 1000; ++i) {
        CHECK_FALSE(none.is_member(std::to_string(i)));
        CHECK(all.is_member(std::to_string(i)));
    }
}

TEST_CASE("shoppers: promotions, member and campaign discounts compound, the largest promotion only, to the cent", "[shoppers][prices]") {
    const json doc = {
        {"members", {{"share", 0.3}, {"discount", 0.1}}},
        {"campaigns", json::array({{{"name", "bf"}, {"channel", "Email"}, {"at", "2023-11-24T00:00:00Z"}, {"duration", "3 days"},
                                    {"discount", 0.1}},
                                   {{"name", "plain"}, {"channel", "Adwords"}, {"after", 0}, {"duration", "1 day"}}})},
        {"promotions", json::array({{{"category", "Jeans"}, {"discount", 0.2}, {"at", "2023-11-20T00:00:00Z"}, {"duration", "2 days"}},
                                    {{"brand", "Acme"}, {"discount", 0.15}},
                                    {{"category", "Socks"}, {"brand", "Acme"}, {"discount", 0.3}, {"after", "1 day"}, {"duration", "1 day"}},
                                    {{"campaign", "bf"}, {"discount", 0.25}},
                                    {{"category", "Swim"}, {"discount", 0.5}, {"duration", "1 hour"}},
                                    {{"brand", "Wave"}, {"discount", 0.5}, {"after", "3 days"}, {"duration", 1e-7}}})}};
    const ShopperSection s = section_of(doc);
    const Pricing pricing(s, kNow);
    CHECK(pricing.any());
    const std::vector<Product> p = fixtures::products();
    const Product &tee = p[0], &jeans = p[1], &socks = p[2], &coat = p[3], &swim = p[4];
    REQUIRE(tee.brand == "Acme");
    REQUIRE(socks.brand == "Acme");
    REQUIRE(socks.category == "Socks");
    std::string member, guest;
    for (int i = 0; member.empty() || guest.empty(); ++i) {
        const std::string id = "user-" + std::to_string(i);
        (pricing.is_member(id) ? member : guest) = id;
    }
    const Micros t0 = kNow + 2 * kHour;  // no window but the always-on promotions
    const Micros jeans_at = parse_timestamp("2023-11-20T00:00:00Z", "t"), socks_at = kNow + kDay;
    SECTION("no discount is exactly retail_price") {
        CHECK(pricing.sale_price(jeans, guest, "", t0) == jeans.retail_price);
        CHECK(pricing.sale_price(coat, guest, "", t0) == coat.retail_price);
        CHECK(pricing.sale_price(coat, guest, "plain", t0) == coat.retail_price);
        CHECK(pricing.sale_price(coat, "", "", t0) == coat.retail_price);
        Product odd = coat;
        odd.retail_price = 12.345;  // not a whole cent: kept as it is, not rounded
        CHECK(pricing.sale_price(odd, guest, "", t0) == 12.345);
        const Pricing nothing(section_of(json::object()), kNow);
        CHECK_FALSE(nothing.any());
        for (const Product& q : p) CHECK(nothing.sale_price(q, member, "bf", t0) == q.retail_price);
    }
    SECTION("promotions by brand, category and window") {
        CHECK(pricing.sale_price(tee, guest, "", t0) == 34.0);     // Acme 15 %
        CHECK(pricing.sale_price(socks, guest, "", t0) == 8.49);   // 9.99 x 0.85 = 8.4915
        CHECK(pricing.sale_price(socks, guest, "", socks_at) == 6.99);  // Socks+Acme 30 % beats Acme 15 %
        CHECK(pricing.sale_price(socks, guest, "", socks_at + kDay - 1) == 6.99);
        CHECK(pricing.sale_price(socks, guest, "", socks_at + kDay) == 8.49);
        CHECK(pricing.sale_price(socks, guest, "", socks_at - 1) == 8.49);
        CHECK(pricing.sale_price(jeans, guest, "", jeans_at - 1) == 111.0);
        CHECK(pricing.sale_price(jeans, guest, "", jeans_at) == 88.8);
        CHECK(pricing.sale_price(jeans, guest, "", jeans_at + 2 * kDay - 1) == 88.8);
        CHECK(pricing.sale_price(jeans, guest, "", jeans_at + 2 * kDay) == 111.0);
        CHECK(pricing.sale_price(tee, guest, "", jeans_at) == 34.0);  // the Jeans promotion is not the Tee's
        // A duration alone counts from the start.
        CHECK(pricing.sale_price(swim, guest, "", kNow) == 12.25);
        CHECK(pricing.sale_price(swim, guest, "", kNow + kHour - 1) == 12.25);
        CHECK(pricing.sale_price(swim, guest, "", kNow + kHour) == 24.5);
        CHECK(pricing.sale_price(swim, guest, "", kNow - 1) == 24.5);
        // A window shorter than a microsecond is never in force (not always).
        CHECK(pricing.sale_price(swim, guest, "", kNow + 3 * kDay + 2 * kHour) == 24.5);
    }
    SECTION("member prices") {
        CHECK(pricing.sale_price(jeans, member, "", t0) == 99.9);
        CHECK(pricing.sale_price(coat, member, "", t0) == 585.0);
        CHECK(pricing.sale_price(swim, member, "", kNow + 2 * kHour) == 22.05);
        CHECK(pricing.sale_price(tee, member, "", t0) == 30.6);    // 40 x 0.9 x 0.85
        CHECK(pricing.sale_price(socks, member, "", t0) == 7.64);  // 9.99 x 0.9 x 0.85 = 7.64235
        CHECK(pricing.sale_price(jeans, member, "", jeans_at) == 79.92);  // 111 x 0.9 x 0.8
        CHECK(pricing.sale_price(socks, member, "", socks_at) == 6.29);   // 9.99 x 0.9 x 0.7 = 6.2937
    }
    SECTION("campaigns: their promotion and their own discount") {
        CHECK(pricing.sale_price(coat, guest, "bf", t0) == 438.75);   // 650 x 0.75 x 0.9
        CHECK(pricing.sale_price(swim, guest, "bf", t0) == 16.54);    // 24.5 x 0.75 x 0.9 = 16.5375
        CHECK(pricing.sale_price(tee, guest, "bf", t0) == 27.0);      // bf's 25 % beats Acme's 15 %
        CHECK(pricing.sale_price(jeans, member, "bf", t0) == 67.43);  // 111 x 0.9 x 0.75 x 0.9 = 67.4325
        CHECK(pricing.sale_price(socks, guest, "bf", socks_at) == 6.29);    // 9.99 x 0.7 x 0.9
        CHECK(pricing.sale_price(socks, member, "bf", socks_at) == 5.66);   // 9.99 x 0.9 x 0.7 x 0.9 = 5.66433
        CHECK(pricing.sale_price(coat, guest, "plain", t0) == 650.0);
    }
    SECTION("every price is the rules' product rounded to cents") {
        // The rules written out again: member x the largest promotion in force x the campaign's own.
        auto expected = [&](const Product& q, bool is_member, const std::string& c, Micros t) {
            double f = is_member ? 0.9 : 1.0, promo = 0;
            if (q.brand == "Acme") promo = std::max(promo, 0.15);
            if (q.category == "Jeans" && t >= jeans_at && t < jeans_at + 2 * kDay) promo = std::max(promo, 0.2);
            if (q.category == "Socks" && q.brand == "Acme" && t >= socks_at && t < socks_at + kDay) promo = std::max(promo, 0.3);
            if (c == "bf") promo = std::max(promo, 0.25);
            if (q.category == "Swim" && t >= kNow && t < kNow + kHour) promo = std::max(promo, 0.5);
            f *= 1 - promo;
            if (c == "bf") f *= 0.9;
            return f == 1 ? q.retail_price : std::round(q.retail_price * f * 100) / 100;
        };
        const std::vector<Product> many = catalogue(400);
        std::vector<Product> all = p;
        all.insert(all.end(), many.begin(), many.end());
        for (auto& q : all)
            if (q.category == "Tops & Tees") q.brand = "Acme";
        int checked = 0;
        for (const Product& q : all)
            for (const std::string& who : {member, guest, std::string()})
                for (const char* c : {"", "bf", "plain"})
                    for (Micros t : {kNow - 1, kNow, t0, socks_at, jeans_at + kHour, jeans_at + 3 * kDay}) {
                        const double got = pricing.sale_price(q, who, c, t);
                        INFO(q.category << " / " << q.brand << " at " << q.retail_price << ", user " << who << ", campaign "
                                        << c << ", t " << t);
                        REQUIRE(got == expected(q, pricing.is_member(who), c, t));
                        CHECK(got <= q.retail_price);
                        if (got != q.retail_price) CHECK(std::fabs(got * 100 - std::round(got * 100)) < 1e-6);
                        ++checked;
                    }
        CHECK(checked > 10000);
    }
}

// ==== the orders that sessions make ===============================================================

TEST_CASE("shoppers: order_from_cart makes one item per carted product at the model's prices", "[shoppers][orders]") {
    fixtures::World w;
    w.products = catalogue(200);
    const json doc = {{"model", "sessions"},
                      {"members", {{"share", 0.5}, {"discount", 0.1}}},
                      {"campaigns", json::array({{{"name", "bf"}, {"channel", "Email"}, {"duration", "1 day"}, {"share", 0.5},
                                                  {"discount", 0.2}, {"matrix", "campaign"}}})},
                      {"promotions", json::array({{{"category", "Jeans"}, {"discount", 0.3}}})}};
    const ShopperSection s = section_of(doc);
    const ShopperModel model(s, w.products, kNow);
    EntityGenerator gen(w.names, w.products, w.sampler, 81);
    gen.set_model(&model);
    gen.set_id_format(IdFormat::Uuid7);
    Rng rng(82);
    int orders = 0, discounted = 0, campaign_orders = 0;
    for (int i = 0; orders < 2000; ++i) {
        const Visitor v = visitor(i);
        const Micros t = kNow + i * kMicrosPerSecond;
        const WalkedSession ws = model.walk(rng, v, t, IdFormat::Uuid7);
        if (!ws.purchased) continue;
        ++orders;
        const std::string buyer = v.user_id.empty() ? "new-user" : v.user_id;
        const std::string campaign = ws.campaign ? ws.campaign->name : "";
        campaign_orders += !campaign.empty();
        const Purchase p = gen.order_from_cart(buyer, ws.cart, campaign, t);
        CHECK(p.order.user_id == buyer);
        CHECK(p.order.num_of_items == static_cast<int>(ws.cart.size()));
        CHECK(p.order.status == OrderStatus::Processing);
        CHECK(p.order.times.created_at == t);
        CHECK(uuid_v7_millis(p.order.id) == t / 1000);
        CHECK(p.events.empty());
        REQUIRE(p.items.size() == ws.cart.size());
        for (size_t k = 0; k < p.items.size(); ++k) {
            const OrderItem& item = p.items[k];
            CHECK(item.order_id == p.order.id);
            CHECK(item.product_id == ws.cart[k]->id);
            CHECK(item.quantity >= dist::kQuantityMin);
            CHECK(item.quantity <= dist::kQuantityMax);
            CHECK(item.times.created_at == t);
            CHECK(item.sale_price == model.pricing().sale_price(*ws.cart[k], buyer, campaign, t));
            discounted += item.sale_price != ws.cart[k]->retail_price;
        }
        // The purchase events, one per item, end the session at the order's time.
        size_t purchases = 0;
        for (const Event& e : ws.events) purchases += e.event_type == "purchase";
        CHECK(purchases == p.items.size());
        CHECK(ws.events.back().created_at == p.order.times.created_at);
    }
    CHECK(campaign_orders > 500);
    CHECK(discounted > 1000);
}

namespace {

SimulationParams quiet_params() {
    SimulationParams p;
    p.user_create_prob = 0;
    p.user_update_prob = 0;
    p.order_update_prob = 0;
    return p;
}

}  // namespace

TEST_CASE("shoppers: the live loop's session iteration: one visit each, known or anonymous, orders from carts", "[shoppers][orders]") {
    fixtures::World w;
    w.products = catalogue(200);
    const ShopperSection s = section_of({{"model", "sessions"}, {"known_share", 0.6}, {"matrix", "campaign"}});
    const ShopperModel model(s, w.products, kNow);
    EntityGenerator gen(w.names, w.products, w.sampler, 91);
    LiveLoop loop(gen, quiet_params());
    loop.set_model(&model);
    FakeStore store;
    for (int i = 0; i < 50; ++i) store.users.push_back(PickedUser{"known-" + std::to_string(i), Place{"K", "S", "P"}, i % 2 ? "M" : "F"});
    const int n = 30000;
    for (int i = 0; i < n; ++i) loop.iteration(kNow + i * kMicrosPerSecond, 0, store);
    CHECK(store.purchases.size() + store.event_batches.size() == static_cast<size_t>(n));
    double known = 0, anonymous_buyers = 0;
    int bad = 0;
    std::string first_problem;
    std::set<std::string> signed_up;
    for (const User& u : store.added_users) signed_up.insert(u.id);
    auto check_session = [&](const std::vector<Event>& ev, const Purchase* p) {
        std::string problem;
        std::set<std::string> ids;
        for (const Event& e : ev) ids.insert(e.session_id);
        if (ids.size() != 1) problem = "not one session";
        known += !ev[0].user_id.empty();
        size_t purchases = 0, first_checkout = ev.size();
        for (size_t k = 0; k < ev.size(); ++k) {
            purchases += ev[k].event_type == "purchase";
            if (ev[k].event_type == "checkout" && first_checkout == ev.size()) first_checkout = k;
            if (ev[k].event_type == "cancel" || ev[k].event_type == "return") problem = "a ghost or exit session";
        }
        if (!p) {
            if (purchases) problem = "purchase events without an order";
        } else {
            if (p->order.num_of_items != static_cast<int>(p->items.size()) || purchases != p->items.size())
                problem = "num_of_items, items and purchase events disagree";
            if (p->order.times.created_at != ev.back().created_at) problem = "the order is not at the session's end";
            if (ev.back().user_id != p->order.user_id) problem = "the purchase events are not the buyer's";
            if (ev[0].user_id.empty()) {
                // An anonymous buyer signs up at checkout: anonymous before, the new user from then on.
                ++anonymous_buyers;
                if (!signed_up.count(p->order.user_id)) problem = "an anonymous buyer who did not sign up";
                for (size_t k = 0; k < ev.size(); ++k)
                    if ((k < first_checkout) != ev[k].user_id.empty()) problem = "the sign-up is not at checkout";
            }
            // The items are the products carted in the session.
            std::vector<int64_t> cart;
            int64_t last = -1;
            for (const Event& e : ev) {
                if (e.event_type == "product") last = std::stoll(e.uri.substr(9));
                if (e.event_type == "cart" && last >= 0 && std::find(cart.begin(), cart.end(), last) == cart.end())
                    cart.push_back(last);
            }
            std::vector<int64_t> items;
            for (const OrderItem& it : p->items) items.push_back(it.product_id);
            if (items != cart) problem = "the items are not the cart";
        }
        if (!problem.empty() && bad++ == 0) first_problem = problem;
    };
    for (const Purchase& p : store.purchases) check_session(p.events, &p);
    for (const auto& batch : store.event_batches) check_session(batch, nullptr);
    INFO("first problem: " << first_problem);
    CHECK(bad == 0);
    check_share(known, n, 0.6);
    CHECK(static_cast<double>(store.added_users.size()) == anonymous_buyers);  // nobody else signs up here
    check_share(static_cast<double>(store.purchases.size()), n, conversion(s.matrices.at("campaign"), kStart));

    // A checkout failure in force: no orders and no purchase events, the same number of visits.
    EntityGenerator gen2(w.names, w.products, w.sampler, 92);
    LiveLoop failing(gen2, quiet_params());
    failing.set_model(&model);
    FakeStore store2;
    store2.users = store.users;
    for (int i = 0; i < 5000; ++i) failing.iteration(kNow + i * kMicrosPerSecond, 1.0, store2);
    CHECK(store2.purchases.empty());
    CHECK(store2.event_batches.size() == 5000);
    for (const auto& batch : store2.event_batches)
        for (const Event& e : batch) CHECK(e.event_type != "purchase");
}

TEST_CASE("shoppers: the reference model through the live loop draws exactly as no model", "[shoppers][orders]") {
    fixtures::World w;
    const ShopperSection s = section_of(json::object());
    const ShopperModel model(s, w.products, kNow);
    EntityGenerator g1(w.names, w.products, w.sampler, 93), g2(w.names, w.products, w.sampler, 93);
    LiveLoop plain(g1, SimulationParams{}), with_model(g2, SimulationParams{});
    with_model.set_model(&model);
    FakeStore s1, s2;
    for (FakeStore* st : {&s1, &s2})
        for (int i = 0; i < 20; ++i) st->users.push_back(PickedUser{"u" + std::to_string(i), Place{"c", "s", "p"}, i % 2 ? "M" : "F"});
    for (int i = 0; i < 2000; ++i) {
        plain.iteration(kNow + i * kMicrosPerSecond, 0, s1);
        with_model.iteration(kNow + i * kMicrosPerSecond, 0, s2);
    }
    REQUIRE(s1.purchases.size() == s2.purchases.size());
    REQUIRE(s1.event_batches.size() == s2.event_batches.size());
    CHECK(s1.purchases.size() == 2000);
    for (size_t i = 0; i < s1.purchases.size(); ++i) {
        const Purchase &a = s1.purchases[i], &b = s2.purchases[i];
        CHECK(a.order.id == b.order.id);
        REQUIRE(a.items.size() == b.items.size());
        for (size_t k = 0; k < a.items.size(); ++k) {
            CHECK(a.items[k].product_id == b.items[k].product_id);
            CHECK(a.items[k].sale_price == b.items[k].sale_price);
        }
        REQUIRE(a.events.size() == b.events.size());
        for (size_t k = 0; k < a.events.size(); ++k) CHECK(a.events[k].id == b.events[k].id);
    }
}

TEST_CASE("shoppers: a back-fill under the session model: each purchasing session makes one order of its cart", "[shoppers][orders]") {
    fixtures::World w;
    w.products = catalogue(200);
    HistoryParams p;
    p.window = TimeWindow{kNow, kNow + kDay};
    p.avg_qps = 0.1;  // about 8,640 sessions
    p.seed = 94;
    p.init_num_users = 100;
    p.scenario = parse_scenario(shoppers({{"model", "sessions"}, {"matrix", "campaign"}, {"members", {{"share", 0.5}, {"discount", 0.1}}}}).dump());
    History h(w.names, w.products, w.sampler, p);
    HistoryChunk chunk;
    std::vector<Order> orders;
    std::map<std::string, std::vector<OrderItem>> items;
    std::vector<Event> events;
    std::set<std::string> users;
    int64_t iterations = 0;
    while (h.next_chunk(1000, &chunk)) {
        iterations += chunk.iterations;
        for (auto& u : chunk.users) users.insert(u.id);
        for (auto& o : chunk.orders) orders.push_back(o);
        for (auto& i : chunk.items) items[i.order_id].push_back(i);
        for (auto& e : chunk.events) events.push_back(e);
    }
    const auto sessions = fixtures::sessions_of(events);
    // Sessions of visits (not the cancel / return sessions of the orders' timelines), by buyer and end.
    std::map<std::pair<std::string, Micros>, std::vector<const std::vector<Event>*>> purchasing;
    int64_t visits = 0;
    for (const auto& s : sessions) {
        bool exit_session = false;
        size_t purchases = 0;
        for (const Event& e : s) {
            exit_session = exit_session || e.event_type == "cancel" || e.event_type == "return";
            purchases += e.event_type == "purchase";
        }
        if (exit_session) continue;
        ++visits;
        if (purchases) purchasing[{s.back().user_id, s.back().created_at}].push_back(&s);
    }
    CHECK(visits == iterations);
    CHECK(orders.size() == purchasing.size());
    check_share(static_cast<double>(orders.size()), static_cast<double>(visits), conversion(p.scenario.shoppers.matrices.at("campaign"), kStart));
    int bad = 0, discounted = 0, anonymous_buyers = 0;
    const Pricing pricing(p.scenario.shoppers, kNow);
    for (const Order& o : orders) {
        const auto it = purchasing.find({o.user_id, o.times.created_at});
        if (it == purchasing.end() || it->second.size() != 1) {
            ++bad;
            continue;
        }
        const std::vector<Event>& s = *it->second[0];
        size_t purchases = 0, first_checkout = s.size();
        for (size_t k = 0; k < s.size(); ++k) {
            purchases += s[k].event_type == "purchase";
            if (s[k].event_type == "checkout" && first_checkout == s.size()) first_checkout = k;
        }
        bad += !users.count(o.user_id);
        if (s[0].user_id.empty()) {  // an anonymous buyer signs up at checkout
            ++anonymous_buyers;
            for (size_t k = 0; k < s.size(); ++k) bad += (k < first_checkout) != s[k].user_id.empty();
        }
        const auto& its = items[o.id];
        bad += o.num_of_items != static_cast<int>(its.size()) || purchases != its.size();
        for (const OrderItem& i : its) {
            const Product& product = w.products[static_cast<size_t>(i.product_id - 1000)];
            bad += i.sale_price != pricing.sale_price(product, o.user_id, "", o.times.created_at);
            discounted += i.sale_price != product.retail_price;
        }
    }
    CHECK(discounted > 0);
    CHECK(anonymous_buyers > 50);
    CHECK(bad == 0);
}

TEST_CASE("shoppers: every matrix needs a home row, where campaign visits land", "[shoppers][parser]") {
    const json m = {{"start", {{"product", 1}}}, {"product", {{"exit", 1}}}};
    check_rejects(with_matrix(m), "scenario.shoppers.matrices.m.home", "is missing");
    json with_home = m;
    with_home["home"] = {{"product", 0.5}, {"exit", 0.5}};
    CHECK_NOTHROW(parse_scenario(json{{"shoppers", with_matrix(with_home)}}.dump()));
}
