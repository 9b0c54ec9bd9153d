#include "scenario.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "distributions.hpp"
#include "error.hpp"
#include "json_fields.hpp"
#include "inventory_section.hpp"
#include "shopper_section.hpp"

namespace thelook {

using nlohmann::json;

namespace {

using namespace json_fields;

std::vector<double> curve(const json& v, const std::string& path, std::initializer_list<size_t> lengths) {
    if (!v.is_array()) fail(path, "must be an array of numbers");
    bool length_ok = false;
    std::string allowed;
    for (size_t n : lengths) {
        length_ok = length_ok || v.size() == n;
        allowed += (allowed.empty() ? "" : " or ") + std::to_string(n);
    }
    if (!length_ok)
        fail(path, "must have " + allowed + " values, not " + std::to_string(v.size()),
             "Give one value per bin, the first for the bin that starts at 00:00 (or on Monday).");
    std::vector<double> out;
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        out.push_back(number_at_least(v[i], path + "[" + std::to_string(i) + "]", 0));
        sum += out.back();
    }
    if (!(sum > 0)) fail(path, "must not be all zero", "A curve of zeros would mean no traffic at all.");
    return out;
}

int clock_minute(const std::string& text, const std::string& path) {
    int h = -1, m = -1;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || m < 0 || m > 59 || h > 24 ||
        (h == 24 && m != 0))
        fail(path, "\"" + text + "\" is not a time of day such as \"08:30\"");
    return h * 60 + m;
}

std::vector<OpeningInterval> opening_intervals(const json& v, const std::string& path) {
    std::vector<OpeningInterval> out;
    if (v.is_string() && v.get<std::string>() == "closed") return out;
    const json list = v.is_array() ? v : json::array({v});
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string p = v.is_array() ? path + "[" + std::to_string(i) + "]" : path;
        if (!list[i].is_string()) fail(p, "must be \"HH:MM-HH:MM\" or \"closed\"");
        const std::string s = list[i].get<std::string>();
        const size_t dash = s.find('-');
        if (dash == std::string::npos) fail(p, "\"" + s + "\" is not a range such as \"08:00-20:00\"");
        OpeningInterval in{clock_minute(s.substr(0, dash), p), clock_minute(s.substr(dash + 1), p)};
        if (in.close_minute <= in.open_minute)
            fail(p, "\"" + s + "\" closes before it opens",
                 "Split a range past midnight in two: \"22:00-24:00\" on one day, \"00:00-02:00\" on the next.");
        out.push_back(in);
    }
    return out;
}

// "mon", "mon-fri", "sat-sun" -> day indexes, Monday = 0.
std::vector<int> days(const std::string& key, const std::string& path) {
    static const char* const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    auto index = [&](const std::string& n) {
        for (int i = 0; i < 7; ++i)
            if (n == names[i]) return i;
        fail(path, "\"" + n + "\" is not a day", "Use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri.");
    };
    const size_t dash = key.find('-');
    if (dash == std::string::npos) return {index(key)};
    const int a = index(key.substr(0, dash)), b = index(key.substr(dash + 1));
    std::vector<int> out;
    for (int d = a;; d = (d + 1) % 7) {
        out.push_back(d);
        if (d == b) break;
    }
    return out;
}

TrafficSection traffic(const json& v, const std::string& path) {
    only_keys(v, path, {"profile", "hourly", "hourly_weekend", "weekly", "opening_hours", "timezone"});
    TrafficSection t;
    if (v.contains("profile")) {
        const json& p = v["profile"];
        if (!p.is_string() || (p != "flat" && p != "retail" && p != "business_hours"))
            fail(path + ".profile", "unknown profile " + show(p), "Use \"flat\", \"retail\" or \"business_hours\".");
        t.profile = p.get<std::string>();
    }
    if (t.profile == "retail") {
        t.hourly.assign(std::begin(dist::kRetailHourly), std::end(dist::kRetailHourly));
        t.hourly_weekend.assign(std::begin(dist::kRetailHourlyWeekend), std::end(dist::kRetailHourlyWeekend));
        t.weekly.assign(std::begin(dist::kRetailWeekly), std::end(dist::kRetailWeekly));
    } else if (t.profile == "business_hours") {
        t.hourly.assign(std::begin(dist::kBusinessHourly), std::end(dist::kBusinessHourly));
        t.weekly.assign(std::begin(dist::kBusinessWeekly), std::end(dist::kBusinessWeekly));
        t.has_opening_hours = true;
        for (int d = 0; d < 5; ++d) t.opening_hours[d] = {OpeningInterval{8 * 60, 20 * 60}};
        t.opening_hours[5] = {OpeningInterval{10 * 60, 18 * 60}};
    }
    if (v.contains("hourly")) {
        t.hourly = curve(v["hourly"], path + ".hourly", {24, 48, 96});
        if (!v.contains("hourly_weekend")) t.hourly_weekend.clear();
    }
    if (v.contains("hourly_weekend")) t.hourly_weekend = curve(v["hourly_weekend"], path + ".hourly_weekend", {24, 48, 96});
    if (v.contains("weekly")) t.weekly = curve(v["weekly"], path + ".weekly", {7});
    if (v.contains("timezone")) {
        if (!v["timezone"].is_string() || v["timezone"].get<std::string>().empty())
            fail(path + ".timezone", "must be a time zone name such as \"Europe/Berlin\"");
        t.timezone = v["timezone"].get<std::string>();
    }
    if (v.contains("opening_hours")) {
        const json& o = v["opening_hours"];
        const std::string op = path + ".opening_hours";
        t.opening_hours = {};
        t.has_opening_hours = !o.is_null();
        if (!o.is_null()) {
            if (!o.is_object()) fail(op, "must be an object such as {\"mon-fri\": \"08:00-20:00\"}, or null");
            for (auto it = o.begin(); it != o.end(); ++it)
                for (int d : days(it.key(), op + "." + it.key()))
                    for (const auto& in : opening_intervals(it.value(), op + "." + it.key()))
                        t.opening_hours[d].push_back(in);
            bool any = false;
            for (const auto& d : t.opening_hours) any = any || !d.empty();
            if (!any) fail(op, "never opens", "Give at least one day an opening time, or null to be always open.");
        }
    }
    if (!t.hourly_weekend.empty() && !t.hourly.empty() && t.hourly_weekend.size() != t.hourly.size())
        fail(path + ".hourly_weekend", "must have as many values as hourly (" + std::to_string(t.hourly.size()) + ")");
    return t;
}

// magnitude: a number, or for random incidents [min, max].
void magnitude_bounds(IncidentKind kind, const std::string& path, double m) {
    switch (kind) {
        case IncidentKind::Spike:
            if (!(m > 1)) fail(path, "a spike's magnitude must be > 1", "Use a slump for a magnitude below 1.");
            break;
        case IncidentKind::Slump:
            if (!(m > 0 && m < 1)) fail(path, "a slump's magnitude must be between 0 and 1 (exclusive)",
                                        "Use an outage for no traffic at all, a spike for more.");
            break;
        case IncidentKind::CheckoutFailure:
            if (!(m > 0 && m <= 1)) fail(path, "a checkout_failure's magnitude is the share of failing checkouts, in (0, 1]");
            break;
        default: break;
    }
}

double default_magnitude(IncidentKind k) {
    switch (k) {
        case IncidentKind::Spike: return dist::kDefaultSpikeMagnitude;
        case IncidentKind::Slump: return dist::kDefaultSlumpMagnitude;
        case IncidentKind::Outage: return 0;
        default: return 1;
    }
}

// A supply problem's target: category, brand, distribution_center_id (other kinds have none).
SupplyTarget supply_target(const json& v, const std::string& path, IncidentKind kind) {
    SupplyTarget t;
    for (const char* key : {"category", "brand", "distribution_center_id"}) {
        if (!v.contains(key)) continue;
        const std::string p = path + "." + key;
        if (kind != IncidentKind::SupplyProblem) fail(p, "only a supply_problem has a target");
        if (std::string(key) == "distribution_center_id") {
            const double d = number(v[key], p);
            if (!(d >= 1 && d == std::floor(d) && d < 1e12)) fail(p, "must be a distribution centre's id (a whole number >= 1)",
                                                                  "SELECT id, name FROM thelook.dist_centers() lists them.");
            t.distribution_center_id = static_cast<int64_t>(d);
        } else {
            if (!v[key].is_string() || v[key].get<std::string>().empty()) fail(p, "must be a non-empty string");
            (std::string(key) == "category" ? t.category : t.brand) = v[key].get<std::string>();
        }
    }
    return t;
}

IncidentEffect effect(const json& v, const std::string& path) {
    if (!v.contains("kind")) fail(path + ".kind", "is missing", "Use \"spike\", \"slump\", \"outage\", \"checkout_failure\" or \"supply_problem\".");
    if (!v["kind"].is_string()) fail(path + ".kind", "must be a string");
    IncidentEffect e;
    e.kind = parse_incident_kind(v["kind"].get<std::string>(), path + ".kind");
    e.magnitude = default_magnitude(e.kind);
    e.target = supply_target(v, path, e.kind);
    if (e.kind == IncidentKind::SupplyProblem && v.contains("magnitude"))
        fail(path + ".magnitude", "a supply_problem has no magnitude (it stops restocking)", "Leave magnitude out.");
    if (e.kind == IncidentKind::Outage) {
        e.recovery_magnitude = dist::kRecoveryMagnitude;
        if (v.contains("magnitude")) fail(path + ".magnitude", "an outage has no magnitude (its rate is 0)",
                                          "Give \"recovery\": {\"magnitude\": ..., \"duration\": ...} instead.");
        if (v.contains("recovery")) {
            const json& r = v["recovery"];
            const std::string rp = path + ".recovery";
            if (r.is_null()) {
                e.recovery_magnitude = 1;
            } else {
                only_keys(r, rp, {"magnitude", "duration"});
                if (r.contains("magnitude")) e.recovery_magnitude = number_at_least(r["magnitude"], rp + ".magnitude", 1);
                if (r.contains("duration")) e.recovery_seconds = duration_value(r["duration"], rp + ".duration");
            }
        }
    } else if (v.contains("recovery")) {
        fail(path + ".recovery", "only an outage has a recovery");
    }
    return e;
}

ScheduledIncident scheduled(const json& v, const std::string& path) {
    only_keys(v, path, {"kind", "magnitude", "at", "after", "duration", "recovery", "category", "brand", "distribution_center_id"});
    ScheduledIncident s;
    s.effect = effect(v, path);
    if (v.contains("magnitude")) {
        s.effect.magnitude = number(v["magnitude"], path + ".magnitude");
        magnitude_bounds(s.effect.kind, path + ".magnitude", s.effect.magnitude);
    }
    if (v.contains("at") == v.contains("after"))
        fail(path, "needs exactly one of \"at\" (a time) and \"after\" (a duration after the start)");
    if (v.contains("at")) {
        if (!v["at"].is_string()) fail(path + ".at", "must be a time such as \"2026-11-24T12:00:00Z\"");
        s.at = parse_timestamp(v["at"].get<std::string>(), path + ".at");
    } else {
        if (v["after"].is_number() && v["after"].get<double>() == 0) s.after_seconds = 0;
        else s.after_seconds = duration_value(v["after"], path + ".after");
    }
    if (!v.contains("duration")) fail(path + ".duration", "is missing", "Give how long it lasts, such as \"10 minutes\".");
    s.duration_seconds = duration_value(v["duration"], path + ".duration");
    return s;
}

std::pair<double, double> range(const json& v, const std::string& path, bool is_duration) {
    auto one = [&](const json& x, const std::string& p) { return is_duration ? duration_value(x, p) : number(x, p); };
    if (v.is_array()) {
        if (v.size() != 2) fail(path, "must be [min, max]");
        const double lo = one(v[0], path + "[0]"), hi = one(v[1], path + "[1]");
        if (hi < lo) fail(path, "max is below min");
        return {lo, hi};
    }
    const double x = one(v, path);
    return {x, x};
}

RandomIncidents random_incidents(const json& v, const std::string& path) {
    only_keys(v, path, {"kind", "magnitude", "per_day", "duration", "recovery", "category", "brand", "distribution_center_id"});
    RandomIncidents r;
    r.effect = effect(v, path);
    if (!v.contains("per_day")) fail(path + ".per_day", "is missing", "Give the mean number of incidents per simulated day, such as 0.5.");
    r.per_day = number(v["per_day"], path + ".per_day");
    if (!(r.per_day > 0 && r.per_day <= 1000)) fail(path + ".per_day", "must be > 0 and at most 1000");
    if (!v.contains("duration")) fail(path + ".duration", "is missing", "Give a duration or [min, max], such as [\"5 minutes\", \"1 hour\"].");
    std::tie(r.duration_min_seconds, r.duration_max_seconds) = range(v["duration"], path + ".duration", true);
    r.magnitude_min = r.magnitude_max = r.effect.magnitude;
    if (v.contains("magnitude")) {
        std::tie(r.magnitude_min, r.magnitude_max) = range(v["magnitude"], path + ".magnitude", false);
        magnitude_bounds(r.effect.kind, path + ".magnitude", r.magnitude_min);
        magnitude_bounds(r.effect.kind, path + ".magnitude", r.magnitude_max);
    }
    return r;
}

int days_in_month(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return days[month - 1] + (month == 2 && leap);
}

json parse_json(const std::string& text, const std::string& what) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
        throw Error(sqlstate::kInvalidParameterValue, what + " is not valid JSON", e.what(),
                    "Pass a JSON object such as '{\"traffic\": {\"profile\": \"retail\"}}', or a scenario's name.");
    }
}

}  // namespace

const char* incident_kind_name(IncidentKind k) {
    switch (k) {
        case IncidentKind::Spike: return "spike";
        case IncidentKind::Slump: return "slump";
        case IncidentKind::Outage: return "outage";
        case IncidentKind::CheckoutFailure: return "checkout_failure";
        case IncidentKind::Recovery: return "recovery";
        case IncidentKind::SupplyProblem: return "supply_problem";
    }
    return "spike";
}

IncidentKind parse_incident_kind(const std::string& text, const std::string& path) {
    for (IncidentKind k : {IncidentKind::Spike, IncidentKind::Slump, IncidentKind::Outage, IncidentKind::CheckoutFailure,
                           IncidentKind::SupplyProblem})
        if (text == incident_kind_name(k)) return k;
    fail(path, "unknown incident kind \"" + text + "\"",
         "Use \"spike\", \"slump\", \"outage\", \"checkout_failure\" or \"supply_problem\".");
}

std::string scenario_display_name(const std::string& argument) {
    const size_t first = argument.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || (argument[first] != '{' && argument[first] != '[')) return argument;
    const json doc = json::parse(argument, nullptr, false);
    if (doc.is_object() && doc.contains("base") && doc["base"].is_string()) return doc["base"].get<std::string>() + "+custom";
    return "custom";
}

double parse_duration(const std::string& text, const std::string& path) {
    double value = 0;
    int number_end = 0;
    if (std::sscanf(text.c_str(), " %lf%n", &value, &number_end) < 1)
        fail(path, "\"" + text + "\" is not a duration such as \"10 minutes\"");
    // Then an optional unit and nothing else ("10 Minutes" or "1.5.3 days" must not pass as seconds).
    size_t i = static_cast<size_t>(number_end);
    auto skip_spaces = [&] {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    };
    skip_spaces();
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string u = text.substr(unit_start, i - unit_start);
    skip_spaces();
    if (i != text.size()) fail(path, "\"" + text + "\" is not a duration such as \"10 minutes\"");
    double scale = 0;
    if (u.empty() || u == "s" || u == "sec" || u == "secs" || u == "second" || u == "seconds") scale = 1;
    else if (u == "m" || u == "min" || u == "mins" || u == "minute" || u == "minutes") scale = 60;
    else if (u == "h" || u == "hour" || u == "hours") scale = 3600;
    else if (u == "d" || u == "day" || u == "days") scale = 86400;
    else fail(path, "unknown unit \"" + u + "\" in \"" + text + "\"", "Use seconds, minutes, hours or days.");
    const double seconds = value * scale;
    if (!(seconds > 0) || !std::isfinite(seconds)) fail(path, "must be a positive duration, not \"" + text + "\"");
    return seconds;
}

Micros parse_timestamp(const std::string& text, const std::string& path) {
    int y, mo, d, h, mi, n = 0;
    double sec = 0;
    char sep;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
        (sep != 'T' && sep != ' ') || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59)
        fail(path, "\"" + text + "\" is not a time such as \"2026-11-24T12:00:00Z\"");
    std::string rest = text.substr(static_cast<size_t>(n));
    if (!rest.empty() && rest[0] == ':') {
        int m = 0;
        if (std::sscanf(rest.c_str(), ":%lf%n", &sec, &m) != 1 || sec < 0 || sec >= 61)
            fail(path, "\"" + text + "\" has bad seconds");
        rest = rest.substr(static_cast<size_t>(m));
    }
    int offset_minutes = 0;
    if (rest == "Z" || rest == "z") {
        offset_minutes = 0;
    } else {
        int oh = -1, om = -1, used = 0;
        char sign = 0;
        if (rest.empty() || std::sscanf(rest.c_str(), "%c%2d:%2d%n", &sign, &oh, &om, &used) != 3 ||
            (sign != '+' && sign != '-') || oh < 0 || oh > 23 || om < 0 || om > 59)
            fail(path, "\"" + text + "\" has no UTC offset", "End it with Z (UTC) or an offset such as +01:00.");
        if (static_cast<size_t>(used) != rest.size())
            fail(path, "\"" + text + "\" is not a time such as \"2026-11-24T12:00:00Z\"");
        offset_minutes = (sign == '-' ? -1 : 1) * (oh * 60 + om);
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    const int yy = y - (mo <= 2);
    const int era = (yy >= 0 ? yy : yy - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(yy - era * 400);
    const unsigned doy = (153 * static_cast<unsigned>(mo + (mo > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
    const double seconds = static_cast<double>(days * 86400 + h * 3600 + mi * 60 - offset_minutes * 60) + sec;
    return static_cast<Micros>(std::llround(seconds * 1e6));
}

IncidentEffect incident_effect(const std::string& kind, double magnitude, const std::string& kind_path,
                               const std::string& magnitude_path) {
    IncidentEffect e;
    e.kind = parse_incident_kind(kind, kind_path);
    e.magnitude = default_magnitude(e.kind);
    if (e.kind == IncidentKind::Outage) e.recovery_magnitude = dist::kRecoveryMagnitude;
    if (!std::isnan(magnitude)) {
        if (e.kind == IncidentKind::Outage) fail(magnitude_path, "an outage has no magnitude (its rate is 0)", "Leave magnitude out.");
        if (e.kind == IncidentKind::SupplyProblem)
            fail(magnitude_path, "a supply_problem has no magnitude (it stops restocking)", "Leave magnitude out.");
        magnitude_bounds(e.kind, magnitude_path, magnitude);
        e.magnitude = magnitude;
    }
    return e;
}

Scenario parse_scenario(const std::string& json_text) {
    const json doc = parse_json(json_text, "parameter \"scenario\"");
    only_keys(doc, "scenario", {"traffic", "incidents", "random_incidents", "shoppers", "faults", "inventory", "lifecycle", "description"});
    Scenario s;
    if (doc.contains("lifecycle") && !doc["lifecycle"].is_null()) s.lifecycle = parse_lifecycle(doc["lifecycle"], "scenario.lifecycle");
    if (doc.contains("inventory") && !doc["inventory"].is_null()) s.inventory = parse_inventory(doc["inventory"], "scenario.inventory");
    if (doc.contains("shoppers") && !doc["shoppers"].is_null()) s.shoppers = parse_shoppers(doc["shoppers"], "scenario.shoppers");
    if (doc.contains("faults") && !doc["faults"].is_null()) s.faults = parse_faults(doc["faults"], "scenario.faults");
    if (doc.contains("traffic") && !doc["traffic"].is_null()) s.traffic = traffic(doc["traffic"], "scenario.traffic");
    if (doc.contains("incidents") && !doc["incidents"].is_null()) {
        const json& list = doc["incidents"];
        if (!list.is_array()) fail("scenario.incidents", "must be an array of incidents");
        for (size_t i = 0; i < list.size(); ++i)
            s.incidents.push_back(scheduled(list[i], "scenario.incidents[" + std::to_string(i) + "]"));
    }
    if (doc.contains("random_incidents") && !doc["random_incidents"].is_null()) {
        const json& list = doc["random_incidents"];
        if (!list.is_array()) fail("scenario.random_incidents", "must be an array");
        for (size_t i = 0; i < list.size(); ++i)
            s.random_incidents.push_back(random_incidents(list[i], "scenario.random_incidents[" + std::to_string(i) + "]"));
    }
    return s;
}

std::string resolve_scenario(const std::string& argument,
                             const std::function<std::optional<std::string>(const std::string&)>& lookup) {
    auto stored = [&](const std::string& name, const std::string& path) {
        std::optional<std::string> text = lookup(name);
        if (!text)
            throw Error(sqlstate::kInvalidParameterValue, path + ": unknown scenario \"" + name + "\"", "",
                        "SELECT name FROM thelook.scenarios lists them; or pass a JSON document.");
        return parse_json(*text, "scenario \"" + name + "\"");
    };
    // A document starts like JSON; anything else is a name.
    const size_t first = argument.find_first_not_of(" \t\r\n");
    const bool document = first != std::string::npos && (argument[first] == '{' || argument[first] == '[');
    json doc = document ? parse_json(argument, "parameter \"scenario\"") : stored(argument, "scenario");
    std::set<std::string> seen;
    if (!document) seen.insert(argument);
    // Follow the chain of bases: each document overrides the one it names, resolved. So the patches
    // apply from the deepest base up: merged the other way, a null meant to remove a key of a deeper
    // base would be lost in between.
    std::vector<json> chain;
    chain.push_back(std::move(doc));
    while (chain.back().is_object() && chain.back().contains("base")) {
        json& top = chain.back();
        if (!top["base"].is_string()) fail("scenario.base", "must be the name of a stored scenario");
        const std::string base = top["base"].get<std::string>();
        if (!seen.insert(base).second) fail("scenario.base", "scenario \"" + base + "\" is its own base (a loop)");
        top.erase("base");
        chain.push_back(stored(base, "scenario.base"));
    }
    doc = std::move(chain.back());
    for (size_t i = chain.size() - 1; i-- > 0;) doc.merge_patch(chain[i]);
    if (!doc.is_object()) fail("scenario", "must be a JSON object");
    return doc.dump();
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
