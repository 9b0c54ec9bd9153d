// Parsing and validating the scenario's "shoppers" section (see shoppers.hpp and the README).
#include "shopper_section.hpp"

#include <cmath>
#include <set>

#include "distributions.hpp"
#include "json_fields.hpp"
#include "scenario.hpp"
#include "shopper_model.hpp"

namespace thelook {

using nlohmann::json;
using namespace json_fields;

namespace {

const char* const kBuiltinStates[] = {"start", "home", "department", "category", "product", "search",
                                      "cart",  "checkout", "purchase", "exit"};

// A matrix given as {"from": {"to": p, ...}, ...}; every row of a state that can be reached must be
// there, sum to 1 within 1e-9, and lead to exit eventually.
TransitionMatrix matrix(const ShopperSection& s, const json& v, const std::string& path) {
    if (!v.is_object()) fail(path, "must be an object of rows such as {\"home\": {\"product\": 0.5, \"exit\": 0.5}}");
    const int n = s.state_count();
    TransitionMatrix m;
    m.rows.assign(static_cast<size_t>(n), std::vector<double>());
    for (auto row = v.begin(); row != v.end(); ++row) {
        const std::string rp = path + "." + row.key();
        const int from = s.state_of(row.key());
        if (from < 0) fail(rp, "unknown state \"" + row.key() + "\"", "Use start, home, department, category, product, search, cart, checkout or a page of \"pages\".");
        if (from == kPurchase || from == kExit) fail(rp, "\"" + row.key() + "\" ends a session and has no row");
        if (!row.value().is_object()) fail(rp, "must be an object of next states and probabilities");
        std::vector<double> p(static_cast<size_t>(n), 0.0);
        double sum = 0;
        for (auto cell = row.value().begin(); cell != row.value().end(); ++cell) {
            const std::string cp = rp + "." + cell.key();
            const int to = s.state_of(cell.key());
            if (to < 0) fail(cp, "unknown state \"" + cell.key() + "\"", "Use home, department, category, product, search, cart, checkout, purchase, exit or a page of \"pages\".");
            if (to == kStart) fail(cp, "no transition leads back to start");
            const double x = number(cell.value(), cp);
            if (!(x >= 0 && x <= 1)) fail(cp, "must be a probability between 0 and 1");
            p[static_cast<size_t>(to)] = x;
            sum += x;
        }
        if (std::fabs(sum - 1.0) > 1e-9)
            fail(rp, "the row sums to " + show_number(sum) + ", not 1", "Make each row's probabilities add up to 1 (within 1e-9).");
        m.rows[static_cast<size_t>(from)] = std::move(p);
    }
    // Every state reachable from start has a row, and exit is reachable from each of them.
    // Visits enter at start, and campaign visits at home (their landing page).
    std::vector<int> seen(static_cast<size_t>(n), 0), stack{kStart, kHome};
    if (m.rows[kStart].empty()) fail(path + ".start", "is missing", "Give the row \"start\": where sessions enter.");
    if (m.rows[kHome].empty())
        fail(path + ".home", "is missing", "Give the row \"home\": campaign visits land there, whatever the start row says.");
    seen[kStart] = seen[kHome] = 1;
    while (!stack.empty()) {
        const int from = stack.back();
        stack.pop_back();
        for (int to = 0; to < n; ++to) {
            if (m.rows[static_cast<size_t>(from)][static_cast<size_t>(to)] <= 0 || seen[static_cast<size_t>(to)]) continue;
            seen[static_cast<size_t>(to)] = 1;
            if (to == kPurchase || to == kExit) continue;
            if (m.rows[static_cast<size_t>(to)].empty())
                fail(path + "." + s.state_name(to), "is missing: state \"" + s.state_name(to) + "\" can be reached but has no row");
            stack.push_back(to);
        }
    }
    // Exit (or purchase, which ends the session) must be reachable from every reachable state.
    std::vector<int> ends(static_cast<size_t>(n), 0);
    ends[kExit] = ends[kPurchase] = 1;
    for (bool changed = true; changed;) {
        changed = false;
        for (int from = 0; from < n; ++from) {
            if (ends[static_cast<size_t>(from)] || m.rows[static_cast<size_t>(from)].empty()) continue;
            for (int to = 0; to < n; ++to)
                if (m.rows[static_cast<size_t>(from)][static_cast<size_t>(to)] > 0 && ends[static_cast<size_t>(to)]) {
                    ends[static_cast<size_t>(from)] = 1;
                    changed = true;
                    break;
                }
        }
    }
    for (int st = 0; st < n; ++st)
        if (seen[static_cast<size_t>(st)] && !ends[static_cast<size_t>(st)])
            fail(path + "." + s.state_name(st), "never leads to exit: a session there could not end",
                 "Give every state a way out: exit, purchase, or a state that leads there.");
    return m;
}

// The built-in matrices, as documents (README "Shopper model" shows them as tables).
const char* const kDefaultMatrix = R"({
  "start": {"home": 0.45, "category": 0.20, "product": 0.20, "search": 0.15},
  "home": {"department": 0.35, "category": 0.20, "search": 0.15, "product": 0.10, "exit": 0.20},
  "department": {"category": 0.55, "product": 0.15, "home": 0.05, "exit": 0.25},
  "category": {"product": 0.60, "category": 0.10, "search": 0.05, "exit": 0.25},
  "search": {"product": 0.55, "search": 0.15, "category": 0.05, "exit": 0.25},
  "product": {"product": 0.25, "cart": 0.08, "category": 0.15, "search": 0.07, "home": 0.03, "exit": 0.42},
  "cart": {"checkout": 0.45, "product": 0.20, "exit": 0.35},
  "checkout": {"purchase": 0.65, "cart": 0.10, "exit": 0.25}})";
const char* const kCampaignMatrix = R"({
  "start": {"home": 0.45, "category": 0.20, "product": 0.20, "search": 0.15},
  "home": {"department": 0.35, "category": 0.20, "search": 0.15, "product": 0.10, "exit": 0.20},
  "department": {"category": 0.55, "product": 0.15, "home": 0.05, "exit": 0.25},
  "category": {"product": 0.60, "category": 0.10, "search": 0.05, "exit": 0.25},
  "search": {"product": 0.55, "search": 0.15, "category": 0.05, "exit": 0.25},
  "product": {"product": 0.22, "cart": 0.16, "category": 0.12, "search": 0.05, "home": 0.02, "exit": 0.43},
  "cart": {"checkout": 0.60, "product": 0.15, "exit": 0.25},
  "checkout": {"purchase": 0.75, "cart": 0.05, "exit": 0.20}})";
const char* const kWindowShoppingMatrix = R"({
  "start": {"home": 0.45, "category": 0.20, "product": 0.20, "search": 0.15},
  "home": {"department": 0.35, "category": 0.20, "search": 0.15, "product": 0.10, "exit": 0.20},
  "department": {"category": 0.55, "product": 0.15, "home": 0.05, "exit": 0.25},
  "category": {"product": 0.60, "category": 0.10, "search": 0.05, "exit": 0.25},
  "search": {"product": 0.55, "search": 0.15, "category": 0.05, "exit": 0.25},
  "product": {"product": 0.35, "cart": 0.03, "category": 0.20, "search": 0.07, "home": 0.05, "exit": 0.30},
  "cart": {"checkout": 0.30, "product": 0.30, "exit": 0.40},
  "checkout": {"purchase": 0.65, "cart": 0.10, "exit": 0.25}})";

void window(const json& v, const std::string& path, Micros* at, double* after, double* duration, bool required) {
    if (v.contains("at") && v.contains("after")) fail(path, "give \"at\" or \"after\", not both");
    if (v.contains("at")) {
        if (!v["at"].is_string()) fail(path + ".at", "must be a time such as \"2026-11-27T00:00:00Z\"");
        *at = parse_timestamp(v["at"].get<std::string>(), path + ".at");
    } else if (v.contains("after")) {
        *after = v["after"].is_number() && v["after"].get<double>() == 0 ? 0 : duration_value(v["after"], path + ".after");
    } else if (required || v.contains("duration")) {  // a duration alone counts from the start
        *after = 0;
    }
    if (v.contains("duration")) *duration = duration_value(v["duration"], path + ".duration");
    else if (required || *at != kNoTime || *after >= 0) fail(path + ".duration", "is missing", "Give how long it lasts, such as \"3 days\".");
}

}  // namespace

const char* session_state_name(int state) {
    return state >= 0 && state < kFirstCustomState ? kBuiltinStates[state] : "page";
}

int ShopperSection::state_of(const std::string& name) const {
    for (int i = 0; i < kFirstCustomState; ++i)
        if (name == kBuiltinStates[i]) return i;
    for (size_t i = 0; i < pages.size(); ++i)
        if (pages[i].name == name) return kFirstCustomState + static_cast<int>(i);
    return -1;
}

std::string ShopperSection::state_name(int state) const {
    if (state < kFirstCustomState) return session_state_name(state);
    return pages[static_cast<size_t>(state - kFirstCustomState)].name;
}

ShopperSection parse_shoppers(const json& v, const std::string& path) {
    only_keys(v, path, {"model", "matrix", "matrices", "pages", "known_share", "max_pages", "campaigns", "popularity",
                        "members", "promotions"});
    ShopperSection s;
    if (v.contains("model")) {
        if (v["model"] != "reference" && v["model"] != "sessions")
            fail(path + ".model", "unknown model " + show(v["model"]), "Use \"reference\" (scripted sessions) or \"sessions\" (a transition matrix).");
        s.sessions = v["model"] == "sessions";
    }
    if (v.contains("pages")) {
        const json& pages = v["pages"];
        if (!pages.is_array()) fail(path + ".pages", "must be an array of {\"name\": ..., \"uri\": ...}");
        for (size_t i = 0; i < pages.size(); ++i) {
            const std::string pp = path + ".pages[" + std::to_string(i) + "]";
            only_keys(pages[i], pp, {"name", "uri"});
            if (!pages[i].contains("name") || !pages[i]["name"].is_string()) fail(pp + ".name", "must be a page name such as \"blog\"");
            const std::string name = pages[i]["name"].get<std::string>();
            if (name.empty() || name.size() > 40 || s.state_of(name) >= 0) fail(pp + ".name", "\"" + name + "\" is empty, too long or already a state");
            std::string uri = "/" + name;
            if (pages[i].contains("uri")) {
                if (!pages[i]["uri"].is_string() || pages[i]["uri"].get<std::string>().empty() || pages[i]["uri"].get<std::string>()[0] != '/')
                    fail(pp + ".uri", "must be a path starting with /, such as \"/blog/{category}\"");
                uri = pages[i]["uri"].get<std::string>();
            }
            s.pages.push_back(CustomPage{name, uri});
        }
    }
    // Built-in matrices first, so that a document may replace one of them by name.
    s.matrices["default"] = matrix(s, json::parse(kDefaultMatrix), "(built-in matrix default)");
    s.matrices["campaign"] = matrix(s, json::parse(kCampaignMatrix), "(built-in matrix campaign)");
    s.matrices["window_shopping"] = matrix(s, json::parse(kWindowShoppingMatrix), "(built-in matrix window_shopping)");
    if (v.contains("matrices")) {
        if (!v["matrices"].is_object()) fail(path + ".matrices", "must be an object of named matrices");
        for (auto it = v["matrices"].begin(); it != v["matrices"].end(); ++it)
            s.matrices[it.key()] = matrix(s, it.value(), path + ".matrices." + it.key());
    }
    if (v.contains("matrix")) {
        if (!v["matrix"].is_string()) fail(path + ".matrix", "must be a matrix name");
        s.matrix = v["matrix"].get<std::string>();
    }
    if (!s.matrices.count(s.matrix)) fail(path + ".matrix", "unknown matrix \"" + s.matrix + "\"", "Use default, campaign, window_shopping or one of \"matrices\".");
    if (v.contains("known_share")) s.known_share = share(v["known_share"], path + ".known_share");
    if (v.contains("max_pages")) {
        const double m = number(v["max_pages"], path + ".max_pages");
        if (!(m >= 2 && m <= 1000) || m != std::floor(m)) fail(path + ".max_pages", "must be a whole number from 2 to 1000");
        s.max_pages = static_cast<int>(m);
    }
    if (v.contains("campaigns")) {
        const json& list = v["campaigns"];
        if (!list.is_array()) fail(path + ".campaigns", "must be an array of campaigns");
        std::set<std::string> names;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string cp = path + ".campaigns[" + std::to_string(i) + "]";
            const json& c = list[i];
            only_keys(c, cp, {"name", "channel", "at", "after", "duration", "share", "landing", "discount", "matrix"});
            Campaign k;
            if (!c.contains("name") || !c["name"].is_string() || c["name"].get<std::string>().empty())
                fail(cp + ".name", "must be the campaign's name, such as \"black_friday\"");
            k.name = c["name"].get<std::string>();
            if (!names.insert(k.name).second) fail(cp + ".name", "campaign \"" + k.name + "\" is named twice");
            if (!c.contains("channel") || !c["channel"].is_string()) fail(cp + ".channel", "is missing", "Use Email, Adwords, Facebook, YouTube or Organic.");
            k.channel = c["channel"].get<std::string>();
            bool known = false;
            for (const char* ch : dist::kSessionTrafficSource.labels) known = known || k.channel == ch;
            if (!known) fail(cp + ".channel", "unknown channel \"" + k.channel + "\"", "Use Email, Adwords, Facebook, YouTube or Organic.");
            window(c, cp, &k.at, &k.after_seconds, &k.duration_seconds, true);
            if (c.contains("share")) k.share = share(c["share"], cp + ".share");
            if (c.contains("landing")) {
                if (!c["landing"].is_string() || c["landing"].get<std::string>().empty() || c["landing"].get<std::string>()[0] != '/' ||
                    c["landing"].get<std::string>().find_first_of("?# ") != std::string::npos)
                    fail(cp + ".landing", "must be a path such as \"/promo/black-friday\" (no query string)");
                k.landing = c["landing"].get<std::string>();
            }
            if (c.contains("discount")) k.discount = share(c["discount"], cp + ".discount");
            if (c.contains("matrix")) {
                if (!c["matrix"].is_string() || !s.matrices.count(c["matrix"].get<std::string>()))
                    fail(cp + ".matrix", "unknown matrix " + show(c["matrix"]));
                k.matrix = c["matrix"].get<std::string>();
            }
            s.campaigns.push_back(k);
        }
        check_campaign_shares(s.campaigns, kNoTime, path + ".campaigns");
    }
    if (v.contains("popularity")) {
        const json& p = v["popularity"];
        const std::string pp = path + ".popularity";
        only_keys(p, pp, {"zipf_exponent", "ranking_seed", "gender_affinity", "category_weights"});
        s.popularity.enabled = true;
        s.popularity.gender_affinity = dist::kDefaultGenderAffinity;
        if (p.contains("zipf_exponent")) {
            s.popularity.zipf_exponent = number(p["zipf_exponent"], pp + ".zipf_exponent");
            if (!(s.popularity.zipf_exponent >= 0 && s.popularity.zipf_exponent <= 5)) fail(pp + ".zipf_exponent", "must be between 0 and 5");
        }
        if (p.contains("ranking_seed")) {
            const double r = number(p["ranking_seed"], pp + ".ranking_seed");
            if (!(r >= 0 && r < 9e15) || r != std::floor(r)) fail(pp + ".ranking_seed", "must be a whole number >= 0");
            s.popularity.ranking_seed = static_cast<uint64_t>(r);
        }
        if (p.contains("gender_affinity")) s.popularity.gender_affinity = share(p["gender_affinity"], pp + ".gender_affinity");
        if (p.contains("category_weights")) {
            const json& w = p["category_weights"];
            if (!w.is_object()) fail(pp + ".category_weights", "must be an object such as {\"Jeans\": 2}");
            for (auto it = w.begin(); it != w.end(); ++it)
                s.popularity.category_weights[it.key()] = number_at_least(it.value(), pp + ".category_weights." + it.key(), 0);
        }
    }
    if (v.contains("members")) {
        const json& m = v["members"];
        only_keys(m, path + ".members", {"share", "discount"});
        if (m.contains("share")) s.member_share = share(m["share"], path + ".members.share");
        if (m.contains("discount")) s.member_discount = share(m["discount"], path + ".members.discount");
    }
    if (v.contains("promotions")) {
        const json& list = v["promotions"];
        if (!list.is_array()) fail(path + ".promotions", "must be an array of promotions");
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string pp = path + ".promotions[" + std::to_string(i) + "]";
            const json& p = list[i];
            only_keys(p, pp, {"category", "brand", "campaign", "discount", "at", "after", "duration"});
            Promotion pr;
            for (const char* key : {"category", "brand", "campaign"})
                if (p.contains(key)) {
                    if (!p[key].is_string() || p[key].get<std::string>().empty()) fail(pp + "." + key, "must be a name");
                    (key == std::string("category") ? pr.category : key == std::string("brand") ? pr.brand : pr.campaign) = p[key].get<std::string>();
                }
            if (!pr.campaign.empty()) {
                bool found = false;
                for (const auto& c : s.campaigns) found = found || c.name == pr.campaign;
                if (!found) fail(pp + ".campaign", "unknown campaign \"" + pr.campaign + "\"");
            }
            if (!p.contains("discount")) fail(pp + ".discount", "is missing", "Give the discount as a share, such as 0.2 for 20 % off.");
            pr.discount = share(p["discount"], pp + ".discount");
            window(p, pp, &pr.at, &pr.after_seconds, &pr.duration_seconds, false);
            s.promotions.push_back(pr);
        }
    }
    return s;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
