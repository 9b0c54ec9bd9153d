// The scenario document: parse_scenario's error paths (each names the exact JSON path, 22023, with
// a hint) and good paths, parse_duration, parse_timestamp and resolve_scenario.
#include <limits>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/scenario.hpp"
#include "core/traffic.hpp"
#include "fixtures.hpp"
#include "scenario_checks.hpp"

using namespace thelook;
using nlohmann::json;

namespace {

void check_rejects(const std::string& doc, const std::string& path, const std::string& what = "") {
    thelook::testing::check_scenario_rejects(doc, path, what);
}

void check_rejects(const char* doc, const std::string& path, const std::string& what = "") {
    check_rejects(std::string(doc), path, what);
}

void check_rejects(const json& doc, const std::string& path, const std::string& what = "") {
    check_rejects(doc.dump(), path, what);
}

// The same for a function of one string (parse_duration, parse_timestamp).
template <typename F>
void check_rejects_text(F&& f, const std::string& text, const std::string& path, const std::string& what = "") {
    INFO("text: \"" << text << "\"");
    bool thrown = false;
    try {
        f(text, path);
    } catch (const Error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO("message: " << m);
        CHECK(e.sqlstate() == "22023");
        CHECK(m.rfind(path + ": ", 0) == 0);
        if (!what.empty()) CHECK(m.find(what) != std::string::npos);
    }
    CHECK(thrown);
}

std::vector<double> ones(size_t n) { return std::vector<double>(n, 1.0); }

json traffic(const json& t) { return json{{"traffic", t}}; }
json incident(const json& i) { return json{{"incidents", json::array({i})}}; }
json random_incident(const json& i) { return json{{"random_incidents", json::array({i})}}; }

// A valid scheduled incident to break one field of.
json spike() { return json{{"kind", "spike"}, {"magnitude", 2}, {"after", "1 hour"}, {"duration", "10 minutes"}}; }
json random_spike() { return json{{"kind", "spike"}, {"per_day", 2}, {"duration", json::array({"5 minutes", "1 hour"})}}; }

json with(json base, const std::string& key, const json& value) {
    base[key] = value;
    return base;
}
json without(json base, const std::string& key) {
    base.erase(key);
    return base;
}

constexpr Micros kMicrosPerDay = 86400 * kMicrosPerSecond;

}  // namespace

// ---- parse_scenario: errors --------------------------------------------------------------------

TEST_CASE("parse_scenario rejects documents that are not JSON objects", "[scenario]") {
    fixtures::check_error([] { parse_scenario("{\"traffic\": "); }, "22023", "not valid JSON");
    fixtures::check_error([] { parse_scenario("not json at all"); }, "22023", "not valid JSON");
    fixtures::check_error([] { parse_scenario(""); }, "22023", "not valid JSON");
    // JSON has no NaN: such a document is not JSON.
    fixtures::check_error([] { parse_scenario(R"({"traffic": {"weekly": [NaN, 1, 1, 1, 1, 1, 1]}})"); }, "22023",
                          "not valid JSON");
    check_rejects("[]", "scenario", "must be a JSON object");
    check_rejects("42", "scenario", "must be a JSON object");
    check_rejects("\"retail\"", "scenario", "must be a JSON object");
    check_rejects("null", "scenario", "must be a JSON object");
}

TEST_CASE("parse_scenario rejects a number too large for a double as 22023, not as an internal error", "[scenario]") {
    // nlohmann reports this as out_of_range rather than parse_error; it must still be a user error.
    std::vector<std::string> hourly(24, "1");
    hourly[5] = "1e400";
    std::string list;
    for (const auto& h : hourly) list += (list.empty() ? "" : ", ") + h;
    fixtures::check_error([&] { parse_scenario("{\"traffic\": {\"hourly\": [" + list + "]}}"); }, "22023",
                          "scenario");
}

TEST_CASE("parse_scenario rejects unknown keys at every level, naming the key's path", "[scenario]") {
    check_rejects(R"({"trafic": {}})", "scenario.trafic", "unknown key");
    check_rejects(R"({"base": "retail"})", "scenario.base", "unknown key");  // resolve_scenario removes it
    check_rejects(traffic({{"hours", ones(24)}}), "scenario.traffic.hours", "unknown key");
    check_rejects(incident(with(spike(), "when", "now")), "scenario.incidents[0].when", "unknown key");
    check_rejects(json{{"incidents", json::array({spike(), with(spike(), "per_day", 1)})}},
                  "scenario.incidents[1].per_day", "unknown key");
    check_rejects(random_incident(with(random_spike(), "at", "2026-11-24T12:00:00Z")),
                  "scenario.random_incidents[0].at", "unknown key");
    const json outage = {{"kind", "outage"}, {"after", 60}, {"duration", 60}, {"recovery", {{"speed", 2}}}};
    check_rejects(incident(outage), "scenario.incidents[0].recovery.speed", "unknown key");
    // The hint lists the known keys.
    try {
        parse_scenario(traffic({{"hours", ones(24)}}).dump());
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.hint().find("hourly") != std::string::npos);
        CHECK(e.hint().find("opening_hours") != std::string::npos);
    }
}

TEST_CASE("parse_scenario rejects sections of the wrong type", "[scenario]") {
    check_rejects(R"({"traffic": 5})", "scenario.traffic", "must be a JSON object");
    check_rejects(R"({"traffic": []})", "scenario.traffic", "must be a JSON object");
    check_rejects(R"({"incidents": {}})", "scenario.incidents", "must be an array");
    check_rejects(R"({"random_incidents": "spike"})", "scenario.random_incidents", "must be an array");
    check_rejects(json{{"incidents", json::array({spike(), "spike"})}}, "scenario.incidents[1]", "must be a JSON object");
    check_rejects(json{{"random_incidents", json::array({5})}}, "scenario.random_incidents[0]", "must be a JSON object");
}

TEST_CASE("parse_scenario rejects bad curves, naming the curve or the bad value", "[scenario]") {
    SECTION("wrong length") {
        for (size_t n : {0, 1, 23, 25, 47, 72, 97}) {
            check_rejects(traffic({{"hourly", ones(n)}}), "scenario.traffic.hourly", "must have 24 or 48 or 96 values");
            check_rejects(traffic({{"hourly_weekend", ones(n)}}), "scenario.traffic.hourly_weekend", "values");
        }
        for (size_t n : {0, 6, 8, 24})
            check_rejects(traffic({{"weekly", ones(n)}}), "scenario.traffic.weekly", "must have 7 values, not " + std::to_string(n));
    }
    SECTION("negative value") {
        auto h = ones(24);
        h[3] = -0.5;
        check_rejects(traffic({{"hourly", h}}), "scenario.traffic.hourly[3]", "must be a number >= 0");
        auto w = ones(7);
        w[6] = -1;
        check_rejects(traffic({{"weekly", w}}), "scenario.traffic.weekly[6]", "must be a number >= 0");
        auto hw = ones(48);
        hw[47] = -1e-9;
        check_rejects(traffic({{"hourly", ones(48)}, {"hourly_weekend", hw}}), "scenario.traffic.hourly_weekend[47]",
                      ">= 0");
    }
    SECTION("all zero") {
        check_rejects(traffic({{"hourly", std::vector<double>(24, 0.0)}}), "scenario.traffic.hourly", "all zero");
        check_rejects(traffic({{"hourly_weekend", std::vector<double>(96, 0.0)}}), "scenario.traffic.hourly_weekend",
                      "all zero");
        check_rejects(traffic({{"weekly", std::vector<double>(7, 0.0)}}), "scenario.traffic.weekly", "all zero");
    }
    SECTION("not a number") {
        json h = ones(24);
        h[10] = "1";
        check_rejects(traffic({{"hourly", h}}), "scenario.traffic.hourly[10]", "must be a number");
        h[10] = nullptr;
        check_rejects(traffic({{"hourly", h}}), "scenario.traffic.hourly[10]", "must be a number");
        h[10] = true;
        check_rejects(traffic({{"hourly", h}}), "scenario.traffic.hourly[10]", "must be a number");
        h[10] = json::array({1});
        check_rejects(traffic({{"hourly", h}}), "scenario.traffic.hourly[10]", "must be a number");
        check_rejects(traffic({{"weekly", "flat"}}), "scenario.traffic.weekly", "must be an array of numbers");
        check_rejects(traffic({{"hourly", 1}}), "scenario.traffic.hourly", "must be an array of numbers");
    }
    SECTION("hourly_weekend of another length than hourly") {
        check_rejects(traffic({{"hourly", ones(24)}, {"hourly_weekend", ones(48)}}), "scenario.traffic.hourly_weekend",
                      "as many values as hourly (24)");
        check_rejects(traffic({{"hourly", ones(96)}, {"hourly_weekend", ones(24)}}), "scenario.traffic.hourly_weekend",
                      "as many values as hourly (96)");
        // The built-in retail curves have 24 bins.
        check_rejects(traffic({{"profile", "retail"}, {"hourly_weekend", ones(48)}}), "scenario.traffic.hourly_weekend",
                      "as many values as hourly (24)");
    }
}

TEST_CASE("parse_scenario rejects unknown profiles and bad time zones", "[scenario]") {
    for (const json& p : {json("weekend"), json("Retail"), json(""), json(1), json(nullptr), json::array({"retail"})})
        check_rejects(traffic({{"profile", p}}), "scenario.traffic.profile", "unknown profile");
    check_rejects(traffic({{"timezone", ""}}), "scenario.traffic.timezone", "time zone");
    check_rejects(traffic({{"timezone", 1}}), "scenario.traffic.timezone", "time zone");
}

TEST_CASE("parse_scenario rejects bad opening hours", "[scenario]") {
    auto hours = [](const json& o) { return traffic({{"opening_hours", o}}); };
    check_rejects(hours({{"mon", "20:00-08:00"}}), "scenario.traffic.opening_hours.mon", "closes before it opens");
    check_rejects(hours({{"mon", "08:00-08:00"}}), "scenario.traffic.opening_hours.mon", "closes before it opens");
    check_rejects(hours({{"tue", "08:00-25:00"}}), "scenario.traffic.opening_hours.tue", "\"25:00\" is not a time of day");
    check_rejects(hours({{"tue", "24:30-24:40"}}), "scenario.traffic.opening_hours.tue", "not a time of day");
    check_rejects(hours({{"tue", "08:60-12:00"}}), "scenario.traffic.opening_hours.tue", "not a time of day");
    check_rejects(hours({{"tue", "08:00-12:00x"}}), "scenario.traffic.opening_hours.tue", "not a time of day");
    check_rejects(hours({{"tue", "8-12"}}), "scenario.traffic.opening_hours.tue", "not a time of day");
    check_rejects(hours({{"wed", "25:00"}}), "scenario.traffic.opening_hours.wed", "not a range");
    check_rejects(hours({{"wed", "open"}}), "scenario.traffic.opening_hours.wed", "not a range");
    check_rejects(hours({{"wed", 8}}), "scenario.traffic.opening_hours.wed", "\"HH:MM-HH:MM\" or \"closed\"");
    check_rejects(hours({{"sat", json::array({"10:00-13:00", "14:00-12:00"})}}), "scenario.traffic.opening_hours.sat[1]",
                  "closes before it opens");
    check_rejects(hours({{"sat", json::array({"10:00-13:00", 14})}}), "scenario.traffic.opening_hours.sat[1]",
                  "\"HH:MM-HH:MM\"");
    // Unknown days, alone or in a range.
    check_rejects(hours({{"monday", "08:00-20:00"}}), "scenario.traffic.opening_hours.monday", "\"monday\" is not a day");
    check_rejects(hours({{"mon-fry", "08:00-20:00"}}), "scenario.traffic.opening_hours.mon-fry", "\"fry\" is not a day");
    check_rejects(hours({{"Mon", "08:00-20:00"}}), "scenario.traffic.opening_hours.Mon", "is not a day");
    // Not an object.
    check_rejects(hours("08:00-20:00"), "scenario.traffic.opening_hours", "must be an object");
    // Never open.
    check_rejects(hours(json::object()), "scenario.traffic.opening_hours", "never opens");
    check_rejects(hours({{"mon-sun", "closed"}}), "scenario.traffic.opening_hours", "never opens");
    check_rejects(hours({{"sat", json::array()}}), "scenario.traffic.opening_hours", "never opens");
    check_rejects(traffic({{"profile", "business_hours"}, {"opening_hours", {{"mon", "closed"}}}}),
                  "scenario.traffic.opening_hours", "never opens");
}

TEST_CASE("parse_scenario rejects bad incidents", "[scenario]") {
    const std::string i0 = "scenario.incidents[0]";
    SECTION("kind") {
        check_rejects(incident(with(spike(), "kind", "meteor")), i0 + ".kind", "unknown incident kind \"meteor\"");
        check_rejects(incident(with(spike(), "kind", "recovery")), i0 + ".kind", "unknown incident kind");
        check_rejects(incident(with(spike(), "kind", "Spike")), i0 + ".kind", "unknown incident kind");
        check_rejects(incident(with(spike(), "kind", 1)), i0 + ".kind", "must be a string");
        check_rejects(incident(without(spike(), "kind")), i0 + ".kind", "is missing");
        check_rejects(random_incident(with(random_spike(), "kind", "flood")), "scenario.random_incidents[0].kind",
                      "unknown incident kind");
        check_rejects(random_incident(without(random_spike(), "kind")), "scenario.random_incidents[0].kind", "is missing");
    }
    SECTION("magnitude") {
        for (double m : {1.0, 0.5, 0.0, -2.0})
            check_rejects(incident(with(spike(), "magnitude", m)), i0 + ".magnitude", "spike's magnitude must be > 1");
        const json slump = with(spike(), "kind", "slump");
        for (double m : {1.0, 0.0, 1.5, -0.5})
            check_rejects(incident(with(slump, "magnitude", m)), i0 + ".magnitude", "slump's magnitude");
        const json cf = with(spike(), "kind", "checkout_failure");
        for (double m : {0.0, 1.01, 2.0, -0.1})
            check_rejects(incident(with(cf, "magnitude", m)), i0 + ".magnitude", "checkout_failure's magnitude");
        check_rejects(incident(with(spike(), "magnitude", "3")), i0 + ".magnitude", "must be a number");
        const json outage = with(without(spike(), "magnitude"), "kind", "outage");
        check_rejects(incident(with(outage, "magnitude", 0)), i0 + ".magnitude", "an outage has no magnitude");
        check_rejects(incident(with(outage, "recovery", {{"magnitude", 0.5}})), i0 + ".recovery.magnitude", ">= 1");
        check_rejects(incident(with(outage, "recovery", {{"duration", "soon"}})), i0 + ".recovery.duration",
                      "not a duration");
        check_rejects(incident(with(outage, "recovery", 2)), i0 + ".recovery", "must be a JSON object");
        check_rejects(incident(with(spike(), "recovery", {{"magnitude", 2}})), i0 + ".recovery", "only an outage");
        // Random incidents: each bound of [min, max] is checked.
        const std::string r0 = "scenario.random_incidents[0]";
        check_rejects(random_incident(with(random_spike(), "magnitude", json::array({0.5, 3}))), r0 + ".magnitude",
                      "spike's magnitude must be > 1");
        check_rejects(random_incident(with(random_spike(), "magnitude", json::array({4, 3}))), r0 + ".magnitude",
                      "max is below min");
        check_rejects(random_incident(with(random_spike(), "magnitude", json::array({2}))), r0 + ".magnitude",
                      "must be [min, max]");
        check_rejects(random_incident(with(random_spike(), "magnitude", json::array({2, "x"}))), r0 + ".magnitude[1]",
                      "must be a number");
        check_rejects(random_incident(with(with(random_spike(), "kind", "slump"), "magnitude", json::array({0.2, 1.0}))),
                      r0 + ".magnitude", "slump's magnitude");
        check_rejects(random_incident(with(with(random_spike(), "kind", "outage"), "magnitude", 0)), r0 + ".magnitude",
                      "an outage has no magnitude");
    }
    SECTION("duration") {
        check_rejects(incident(without(spike(), "duration")), i0 + ".duration", "is missing");
        check_rejects(incident(with(spike(), "duration", "10 fortnights")), i0 + ".duration", "unknown unit");
        check_rejects(incident(with(spike(), "duration", "ten minutes")), i0 + ".duration", "not a duration");
        check_rejects(incident(with(spike(), "duration", -5)), i0 + ".duration", "positive duration");
        check_rejects(incident(with(spike(), "duration", 0)), i0 + ".duration", "positive duration");
        check_rejects(incident(with(spike(), "duration", true)), i0 + ".duration", "must be a duration");
        const std::string r0 = "scenario.random_incidents[0]";
        check_rejects(random_incident(without(random_spike(), "duration")), r0 + ".duration", "is missing");
        check_rejects(random_incident(with(random_spike(), "duration", json::array({"1 hour", "5 minutes"}))),
                      r0 + ".duration", "max is below min");
        check_rejects(random_incident(with(random_spike(), "duration", json::array({"1 hour"}))), r0 + ".duration",
                      "must be [min, max]");
        check_rejects(random_incident(with(random_spike(), "duration", json::array({"5 minutes", "1 eon"}))),
                      r0 + ".duration[1]", "unknown unit");
        check_rejects(random_incident(with(random_spike(), "duration", json::array({0, 60}))), r0 + ".duration[0]",
                      "positive duration");
    }
    SECTION("at and after") {
        check_rejects(incident(with(spike(), "at", "2026-11-24T12:00:00Z")), i0, "exactly one of \"at\"");
        check_rejects(incident(without(spike(), "after")), i0, "exactly one of \"at\"");
        check_rejects(incident(with(without(spike(), "after"), "at", "2026-11-24T12:00:00")), i0 + ".at", "no UTC offset");
        check_rejects(incident(with(without(spike(), "after"), "at", "tomorrow")), i0 + ".at", "not a time");
        check_rejects(incident(with(without(spike(), "after"), "at", 1795521600)), i0 + ".at", "must be a time");
        check_rejects(incident(with(spike(), "after", "2 weeks")), i0 + ".after", "unknown unit");
        check_rejects(incident(with(spike(), "after", -60)), i0 + ".after", "positive duration");
    }
    SECTION("per_day") {
        const std::string r0 = "scenario.random_incidents[0]";
        check_rejects(random_incident(without(random_spike(), "per_day")), r0 + ".per_day", "is missing");
        for (double p : {0.0, -1.0, 1000.5})
            check_rejects(random_incident(with(random_spike(), "per_day", p)), r0 + ".per_day", "must be > 0");
        check_rejects(random_incident(with(random_spike(), "per_day", "2")), r0 + ".per_day", "must be a number");
    }
    SECTION("the failing element is the one named") {
        json list = json::array({spike(), spike(), with(spike(), "magnitude", 0.5)});
        check_rejects(json{{"incidents", list}}, "scenario.incidents[2].magnitude");
        json rlist = json::array({random_spike(), with(random_spike(), "per_day", 0)});
        check_rejects(json{{"random_incidents", rlist}}, "scenario.random_incidents[1].per_day");
    }
}

// ---- parse_scenario: good paths ----------------------------------------------------------------

TEST_CASE("parse_scenario: {} is the flat reference", "[scenario]") {
    for (const char* doc : {"{}", " { } ", R"({"traffic": null, "incidents": null, "random_incidents": null})",
                            R"({"description": "the reference", "traffic": {}})", R"({"incidents": []})"}) {
        INFO(doc);
        const Scenario s = parse_scenario(doc);
        CHECK(s.traffic.profile == "flat");
        CHECK(s.traffic.hourly.empty());
        CHECK(s.traffic.hourly_weekend.empty());
        CHECK(s.traffic.weekly.empty());
        CHECK_FALSE(s.traffic.has_opening_hours);
        CHECK(s.traffic.timezone == "UTC");
        CHECK(s.incidents.empty());
        CHECK(s.random_incidents.empty());
        const WeeklyProfile p(s.traffic, ZoneRules{});
        CHECK(p.flat());
        CHECK(p.open_share() == 1.0);
        CHECK(p.value(fixtures::kNow) == 1.0);
        CHECK(p.next_change(fixtures::kNow) == kNever);
    }
    // "flat" named explicitly is the same.
    CHECK(WeeklyProfile(parse_scenario(R"({"traffic": {"profile": "flat"}})").traffic, ZoneRules{}).flat());
}

TEST_CASE("parse_scenario: built-in profiles fill the curves from distributions.hpp", "[scenario]") {
    using namespace thelook::dist;
    const TrafficSection r = parse_scenario(R"({"traffic": {"profile": "retail"}})").traffic;
    CHECK(r.profile == "retail");
    CHECK(r.hourly == std::vector<double>(std::begin(kRetailHourly), std::end(kRetailHourly)));
    CHECK(r.hourly_weekend == std::vector<double>(std::begin(kRetailHourlyWeekend), std::end(kRetailHourlyWeekend)));
    CHECK(r.weekly == std::vector<double>(std::begin(kRetailWeekly), std::end(kRetailWeekly)));
    CHECK_FALSE(r.has_opening_hours);

    const TrafficSection b = parse_scenario(R"({"traffic": {"profile": "business_hours"}})").traffic;
    CHECK(b.hourly == std::vector<double>(std::begin(kBusinessHourly), std::end(kBusinessHourly)));
    CHECK(b.hourly_weekend.empty());
    CHECK(b.weekly == std::vector<double>(std::begin(kBusinessWeekly), std::end(kBusinessWeekly)));
    REQUIRE(b.has_opening_hours);
    for (int d = 0; d < 5; ++d) {
        REQUIRE(b.opening_hours[d].size() == 1);
        CHECK(b.opening_hours[d][0].open_minute == 8 * 60);
        CHECK(b.opening_hours[d][0].close_minute == 20 * 60);
    }
    REQUIRE(b.opening_hours[5].size() == 1);
    CHECK(b.opening_hours[5][0].open_minute == 10 * 60);
    CHECK(b.opening_hours[5][0].close_minute == 18 * 60);
    CHECK(b.opening_hours[6].empty());
}

TEST_CASE("parse_scenario: user curves override the profile's", "[scenario]") {
    using namespace thelook::dist;
    std::vector<double> h48(48);
    for (size_t i = 0; i < h48.size(); ++i) h48[i] = 0.5 + double(i) / 10;
    const std::vector<double> w = {1, 2, 3, 4, 5, 6, 7};

    // A user hourly replaces the profile's, and its weekend curve too (hourly applies every day).
    const TrafficSection a = parse_scenario(traffic({{"profile", "retail"}, {"hourly", h48}}).dump()).traffic;
    CHECK(a.hourly == h48);
    CHECK(a.hourly_weekend.empty());
    CHECK(a.weekly == std::vector<double>(std::begin(kRetailWeekly), std::end(kRetailWeekly)));

    // Keys are read in a fixed order, not the document's: the profile comes first anyway.
    const TrafficSection a2 = parse_scenario(R"({"traffic": {"weekly": [1, 2, 3, 4, 5, 6, 7], "profile": "retail"}})").traffic;
    CHECK(a2.weekly == w);
    CHECK(a2.hourly == std::vector<double>(std::begin(kRetailHourly), std::end(kRetailHourly)));

    const TrafficSection c = parse_scenario(traffic({{"profile", "retail"}, {"hourly", h48}, {"hourly_weekend", h48}}).dump()).traffic;
    CHECK(c.hourly_weekend == h48);

    const TrafficSection d = parse_scenario(traffic({{"profile", "business_hours"}, {"weekly", w}, {"timezone", "Europe/Berlin"}}).dump()).traffic;
    CHECK(d.weekly == w);
    CHECK(d.hourly == std::vector<double>(std::begin(kBusinessHourly), std::end(kBusinessHourly)));
    CHECK(d.has_opening_hours);
    CHECK(d.timezone == "Europe/Berlin");

    // opening_hours null: always open, even for business_hours.
    const TrafficSection e = parse_scenario(R"({"traffic": {"profile": "business_hours", "opening_hours": null}})").traffic;
    CHECK_FALSE(e.has_opening_hours);
    for (const auto& day : e.opening_hours) CHECK(day.empty());

    // Zero bins are fine as long as some are not.
    auto z = ones(96);
    for (size_t i = 0; i < 40; ++i) z[i] = 0;
    CHECK(parse_scenario(traffic({{"hourly", z}}).dump()).traffic.hourly == z);
}

TEST_CASE("parse_scenario: opening hours with day ranges, closed days and lists of ranges", "[scenario]") {
    const TrafficSection t = parse_scenario(R"({"traffic": {"opening_hours": {
        "mon-fri": "09:00-17:30", "wed": "19:00-24:00", "sat": ["10:00-13:00", "14:15-18:00"], "sun": "closed"}}})")
                                 .traffic;
    REQUIRE(t.has_opening_hours);
    for (int d : {0, 1, 3, 4}) {
        REQUIRE(t.opening_hours[d].size() == 1);
        CHECK(t.opening_hours[d][0].open_minute == 9 * 60);
        CHECK(t.opening_hours[d][0].close_minute == 17 * 60 + 30);
    }
    // Wednesday: the range from mon-fri and its own, added together.
    REQUIRE(t.opening_hours[2].size() == 2);
    CHECK(t.opening_hours[2][1].open_minute == 19 * 60);
    CHECK(t.opening_hours[2][1].close_minute == 1440);
    REQUIRE(t.opening_hours[5].size() == 2);
    CHECK(t.opening_hours[5][0].open_minute == 600);
    CHECK(t.opening_hours[5][0].close_minute == 780);
    CHECK(t.opening_hours[5][1].open_minute == 14 * 60 + 15);
    CHECK(t.opening_hours[5][1].close_minute == 18 * 60);
    CHECK(t.opening_hours[6].empty());

    // A range across the week's end: fri, sat, sun, mon.
    const TrafficSection w = parse_scenario(R"({"traffic": {"opening_hours": {"fri-mon": "00:00-24:00"}}})").traffic;
    for (int d = 0; d < 7; ++d) {
        INFO("day " << d);
        CHECK(w.opening_hours[d].size() == (d == 0 || d >= 4 ? 1u : 0u));
    }
    // The same day as a start and an end: that one day.
    const TrafficSection one = parse_scenario(R"({"traffic": {"opening_hours": {"tue-tue": "08:00-09:00"}}})").traffic;
    for (int d = 0; d < 7; ++d) CHECK(one.opening_hours[d].size() == (d == 1 ? 1u : 0u));
}

TEST_CASE("parse_scenario: incidents with defaults, at and after", "[scenario]") {
    const Scenario s = parse_scenario(R"({"incidents": [
        {"kind": "spike", "at": "2026-11-24T12:00:00Z", "duration": "10 minutes"},
        {"kind": "slump", "magnitude": 0.25, "after": "2 hours", "duration": 90},
        {"kind": "outage", "after": 0, "duration": "5 minutes"},
        {"kind": "outage", "after": "1 day", "duration": "1 h", "recovery": {"magnitude": 2, "duration": "10 minutes"}},
        {"kind": "outage", "after": "2 days", "duration": "1 h", "recovery": null},
        {"kind": "checkout_failure", "after": "3 days", "duration": "1 h"},
        {"kind": "checkout_failure", "magnitude": 1, "after": "3 days", "duration": "1 h"},
        {"kind": "spike", "magnitude": 1.0001, "at": "2026-11-24 13:00+01:00", "duration": 1}]})");
    REQUIRE(s.incidents.size() == 8);
    const auto& i = s.incidents;
    CHECK(i[0].effect.kind == IncidentKind::Spike);
    CHECK(i[0].effect.magnitude == dist::kDefaultSpikeMagnitude);
    CHECK(i[0].at == 1795521600LL * kMicrosPerSecond);
    CHECK(i[0].after_seconds < 0);
    CHECK(i[0].duration_seconds == 600);
    CHECK(i[1].effect.kind == IncidentKind::Slump);
    CHECK(i[1].effect.magnitude == 0.25);
    CHECK(i[1].at == kNoTime);
    CHECK(i[1].after_seconds == 7200);
    CHECK(i[1].duration_seconds == 90);
    CHECK(i[2].effect.kind == IncidentKind::Outage);
    CHECK(i[2].effect.magnitude == 0);
    CHECK(i[2].after_seconds == 0);
    CHECK(i[2].effect.recovery_magnitude == dist::kRecoveryMagnitude);
    CHECK(i[2].effect.recovery_seconds < 0);  // as long as the outage
    CHECK(i[3].after_seconds == 86400);
    CHECK(i[3].effect.recovery_magnitude == 2);
    CHECK(i[3].effect.recovery_seconds == 600);
    CHECK(i[4].effect.recovery_magnitude == 1);  // null: no recovery
    CHECK(i[5].effect.kind == IncidentKind::CheckoutFailure);
    CHECK(i[5].effect.magnitude == 1);
    CHECK(i[6].effect.magnitude == 1);
    CHECK(i[7].at == i[0].at);  // the same instant, written with an offset
    CHECK(i[7].effect.magnitude == 1.0001);
    // The default slump magnitude.
    CHECK(parse_scenario(R"({"incidents": [{"kind": "slump", "after": 1, "duration": 1}]})").incidents[0].effect.magnitude ==
          dist::kDefaultSlumpMagnitude);

    CHECK(std::string(incident_kind_name(IncidentKind::CheckoutFailure)) == "checkout_failure");
    CHECK(std::string(incident_kind_name(IncidentKind::Recovery)) == "recovery");
    for (IncidentKind k : {IncidentKind::Spike, IncidentKind::Slump, IncidentKind::Outage, IncidentKind::CheckoutFailure})
        CHECK(parse_incident_kind(incident_kind_name(k), "p") == k);
}

TEST_CASE("parse_scenario: random incidents", "[scenario]") {
    const Scenario s = parse_scenario(R"({"random_incidents": [
        {"kind": "outage", "per_day": 0.5, "duration": ["5 minutes", "30 minutes"],
         "recovery": {"magnitude": 1.5, "duration": "15 minutes"}},
        {"kind": "spike", "per_day": 1000, "duration": 60, "magnitude": [2, 4]},
        {"kind": "slump", "per_day": 3, "duration": "1 hour"}]})");
    REQUIRE(s.random_incidents.size() == 3);
    const auto& r = s.random_incidents;
    CHECK(r[0].effect.kind == IncidentKind::Outage);
    CHECK(r[0].per_day == 0.5);
    CHECK(r[0].duration_min_seconds == 300);
    CHECK(r[0].duration_max_seconds == 1800);
    CHECK(r[0].effect.recovery_magnitude == 1.5);
    CHECK(r[0].effect.recovery_seconds == 900);
    CHECK(r[1].per_day == 1000);
    CHECK(r[1].duration_min_seconds == 60);
    CHECK(r[1].duration_max_seconds == 60);
    CHECK(r[1].magnitude_min == 2);
    CHECK(r[1].magnitude_max == 4);
    CHECK(r[2].magnitude_min == dist::kDefaultSlumpMagnitude);
    CHECK(r[2].magnitude_max == dist::kDefaultSlumpMagnitude);
    CHECK(r[2].duration_min_seconds == 3600);
}

// ---- parse_duration ----------------------------------------------------------------------------

TEST_CASE("parse_duration: numbers and units", "[scenario]") {
    const std::map<std::string, double> good = {
        {"600", 600},          {"0.5", 0.5},          {"45 s", 45},          {"45s", 45},
        {"1 sec", 1},          {"2 secs", 2},         {"1 second", 1},       {"3 seconds", 3},
        {"10 minutes", 600},   {"1 minute", 60},      {"5 min", 300},        {"5 mins", 300},
        {"5m", 300},           {"2 h", 7200},         {"1 hour", 3600},      {"1.5 hours", 5400},
        {"1 d", 86400},        {"1 day", 86400},      {"1.5 days", 129600},  {" 10 minutes ", 600},
        {"10minutes", 600},    {"1e3 s", 1000},       {"0.25 h", 900},
    };
    for (const auto& kv : good) {
        INFO("\"" << kv.first << "\"");
        CHECK(parse_duration(kv.first, "p") == kv.second);
    }
}

TEST_CASE("parse_duration rejects bad durations and units", "[scenario]") {
    for (const char* bad : {"", " ", "minutes", "ten minutes", "10 minutes extra", "10 minutes 5", "1.5.3 days",
                            "10!", "10 min.", "10,5 minutes", "10 - minutes", "2h30m"})
        check_rejects_text(parse_duration, bad, "scenario.x.duration", "not a duration");
    for (const char* bad : {"10 weeks", "10 fortnights", "10 ms", "10 Minutes", "10 HOURS", "3 yr"})
        check_rejects_text(parse_duration, bad, "scenario.x.duration", "unknown unit");
    for (const char* bad : {"0", "0 s", "-5 minutes", "-1", "nan", "inf", "1e400 s"})
        check_rejects_text(parse_duration, bad, "scenario.x.duration", "positive duration");
}

// ---- parse_timestamp ---------------------------------------------------------------------------

TEST_CASE("parse_timestamp: known epoch values and offsets", "[scenario]") {
    const Micros day = kMicrosPerDay;
    const std::map<std::string, Micros> good = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-02T00:00:00Z", 86400LL * 1000000},
        {"1970-01-02 00:00:00Z", day},
        {"1970-01-02T00:00Z", day},
        {"1970-01-02T01:00:00+01:00", day},
        {"1970-01-01T19:00-05:00", day},
        {"1970-01-02T05:30:00+05:30", day},
        {"1970-01-01T00:00:01.5Z", 1500000},
        {"1970-01-01T00:00:00.000001Z", 1},
        {"1969-12-31T23:59:59Z", -1000000},
        {"2000-02-29T12:00:00Z", 951825600LL * 1000000},
        {"2024-01-01T00:00:00Z", 1704067200LL * 1000000},
        {"2026-11-24T12:00:00Z", 1795521600LL * 1000000},
        {"2026-11-24 13:00+01:00", 1795521600LL * 1000000},
        {"2026-11-24T07:00:00-05:00", 1795521600LL * 1000000},
        {"1900-03-01T00:00:00Z", -2203891200LL * 1000000},
    };
    for (const auto& kv : good) {
        INFO(kv.first);
        CHECK(parse_timestamp(kv.first, "p") == kv.second);
    }
}

TEST_CASE("parse_timestamp rejects times without an offset and malformed times", "[scenario]") {
    for (const char* bad : {"2026-11-24T12:00:00", "2026-11-24 12:00", "2026-11-24T12:00:00.5", "2026-11-24T12:00:00 UTC",
                            "2026-11-24T12:00:00+0100", "2026-11-24T12:00:00+01"})
        check_rejects_text(parse_timestamp, bad, "scenario.incidents[0].at", "UTC offset");
    for (const char* bad : {"", "tomorrow", "2026-11-24", "2026/11/24T12:00Z", "2026-13-01T00:00Z", "2026-00-10T00:00Z",
                            "2026-11-32T00:00Z", "2026-11-00T00:00Z", "2026-11-24X12:00Z", "2026-11-24T24:00Z",
                            "2026-11-24T12:60Z", "2026-11-24T-1:00Z", "2026-02-30T00:00Z", "2025-02-29T00:00Z",
                            "2026-04-31T00:00Z", "1970-01-02t00:00:00Z"})
        check_rejects_text(parse_timestamp, bad, "scenario.incidents[0].at", "");
    for (const char* bad : {"2026-11-24T12:00:61Z", "2026-11-24T12:00:xxZ"})
        check_rejects_text(parse_timestamp, bad, "p", "");
    // Nothing may follow the offset.
    for (const char* bad : {"2026-11-24T12:00:00+01:00xyz", "2026-11-24T12:00:00Zx", "2026-11-24T12:00:00+01:00 "})
        check_rejects_text(parse_timestamp, bad, "p", "");
    // Leap days exist where they should.
    CHECK(parse_timestamp("2024-02-29T00:00Z", "p") == parse_timestamp("2024-03-01T00:00Z", "p") - kMicrosPerDay);
    CHECK(parse_timestamp("2000-02-29T00:00Z", "p") == parse_timestamp("2000-03-01T00:00Z", "p") - kMicrosPerDay);
}

// ---- resolve_scenario --------------------------------------------------------------------------

namespace {
struct Store {
    std::map<std::string, std::string> defs;
    mutable std::vector<std::string> asked;
    std::optional<std::string> operator()(const std::string& name) const {
        asked.push_back(name);
        auto it = defs.find(name);
        if (it == defs.end()) return std::nullopt;
        return it->second;
    }
};

Store store() {
    Store s;
    s.defs["retail"] = R"({"description": "retail", "traffic": {"profile": "retail", "timezone": "Europe/Berlin"}})";
    s.defs["black_friday"] = R"({"base": "retail", "description": "bf",
        "incidents": [{"kind": "spike", "magnitude": 4, "at": "2026-11-27T08:00:00Z", "duration": "12 hours"}]})";
    s.defs["black_friday_ny"] = R"({"base": "black_friday", "traffic": {"timezone": "America/New_York"}})";
    s.defs["loop_a"] = R"({"base": "loop_b"})";
    s.defs["loop_b"] = R"({"base": "loop_a"})";
    s.defs["self"] = R"({"base": "self", "traffic": {}})";
    s.defs["broken"] = R"({"traffic": )";
    s.defs["orphan"] = R"({"base": "missing"})";
    s.defs["list"] = R"([1, 2])";
    return s;
}

json resolved(const std::string& argument, const Store& s) {
    return json::parse(resolve_scenario(argument, std::cref(s)));
}

void check_resolve_error(const std::string& argument, const std::string& path, const std::string& what) {
    Store s = store();
    INFO("argument: " << argument);
    bool thrown = false;
    try {
        resolve_scenario(argument, std::cref(s));
    } catch (const Error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO("message: " << m);
        CHECK(e.sqlstate() == "22023");
        if (!path.empty()) CHECK(m.rfind(path + ": ", 0) == 0);
        CHECK(m.find(what) != std::string::npos);
        CHECK_FALSE(e.hint().empty());
    }
    CHECK(thrown);
}
}  // namespace

TEST_CASE("resolve_scenario: documents, names and chains of bases", "[scenario]") {
    const Store s = store();
    // A document without base is returned as it is (and not looked up).
    CHECK(resolved(R"({"traffic": {"profile": "retail"}})", s) == json::parse(R"({"traffic": {"profile": "retail"}})"));
    CHECK(resolved("  \n{}", s) == json::object());
    CHECK(s.asked.empty());

    // A name: the stored document.
    CHECK(resolved("retail", s) == json::parse(s.defs.at("retail")));

    // A name whose document has a base: merged, base removed.
    const json bf = resolved("black_friday", s);
    CHECK_FALSE(bf.contains("base"));
    CHECK(bf["traffic"] == json::parse(R"({"profile": "retail", "timezone": "Europe/Berlin"})"));
    CHECK(bf["description"] == "bf");
    REQUIRE(bf["incidents"].size() == 1);
    CHECK(bf["incidents"][0]["magnitude"] == 4);

    // A chain of two bases: objects merge key by key, the nearest document wins.
    const json ny = resolved("black_friday_ny", s);
    CHECK(ny["traffic"] == json::parse(R"({"profile": "retail", "timezone": "America/New_York"})"));
    CHECK(ny["incidents"] == bf["incidents"]);
    CHECK(ny["description"] == "bf");

    // The resolved documents parse.
    const Scenario p = parse_scenario(resolve_scenario("black_friday_ny", std::cref(s)));
    CHECK(p.traffic.profile == "retail");
    CHECK(p.traffic.timezone == "America/New_York");
    REQUIRE(p.incidents.size() == 1);
    CHECK(p.incidents[0].effect.magnitude == 4);
}

TEST_CASE("resolve_scenario: overrides are a JSON merge patch", "[scenario]") {
    const Store s = store();
    // Arrays replace, objects merge, null removes.
    const json a = resolved(R"({"base": "black_friday",
        "traffic": {"weekly": [1, 1, 1, 1, 2, 3, 3], "timezone": null},
        "incidents": [{"kind": "outage", "after": "1 hour", "duration": "5 minutes"}]})", s);
    CHECK(a["traffic"] == json::parse(R"({"profile": "retail", "weekly": [1, 1, 1, 1, 2, 3, 3]})"));
    REQUIRE(a["incidents"].size() == 1);
    CHECK(a["incidents"][0]["kind"] == "outage");
    CHECK(a["description"] == "bf");
    CHECK_FALSE(a.contains("base"));
    const Scenario p = parse_scenario(a.dump());
    CHECK(p.traffic.timezone == "UTC");
    CHECK(p.traffic.weekly == std::vector<double>{1, 1, 1, 1, 2, 3, 3});
    CHECK(p.traffic.hourly == std::vector<double>(std::begin(dist::kRetailHourly), std::end(dist::kRetailHourly)));

    // An override of a scalar by an object and back.
    const json b = resolved(R"({"base": "retail", "description": {"text": "x"}})", s);
    CHECK(b["description"] == json::parse(R"({"text": "x"})"));
    // Removing a whole section.
    const json c = resolved(R"({"base": "black_friday", "incidents": null})", s);
    CHECK_FALSE(c.contains("incidents"));
}

TEST_CASE("resolve_scenario rejects unknown names, loops and bad documents", "[scenario]") {
    check_resolve_error("nope", "scenario", "unknown scenario \"nope\"");
    check_resolve_error("", "scenario", "unknown scenario");
    check_resolve_error("[1]", "scenario", "must be a JSON object");  // JSON, but not an object
    check_resolve_error(" [", "", "is not valid JSON");
    check_resolve_error(R"({"base": "nope"})", "scenario.base", "unknown scenario \"nope\"");
    check_resolve_error("orphan", "scenario.base", "unknown scenario \"missing\"");
    check_resolve_error("loop_a", "scenario.base", "loop");
    check_resolve_error("loop_b", "scenario.base", "loop");
    check_resolve_error("self", "scenario.base", "loop");
    check_resolve_error(R"({"base": "self"})", "scenario.base", "loop");
    check_resolve_error(R"({"base": "loop_a"})", "scenario.base", "loop");
    check_resolve_error(R"({"base": 5})", "scenario.base", "must be the name");
    check_resolve_error(R"({"base": null})", "scenario.base", "must be the name");
    check_resolve_error("broken", "", "scenario \"broken\" is not valid JSON");
    check_resolve_error(R"({"base": "broken"})", "", "is not valid JSON");
    check_resolve_error("{not json", "", "is not valid JSON");
    check_resolve_error("list", "scenario", "must be a JSON object");
}

TEST_CASE("resolve_scenario asks the lookup only for the names it needs", "[scenario]") {
    const Store s = store();
    resolve_scenario("black_friday_ny", std::cref(s));
    CHECK(s.asked == std::vector<std::string>{"black_friday_ny", "black_friday", "retail"});
}

TEST_CASE("scenario_display_name: a name, custom, or base+custom", "[scenario]") {
    CHECK(scenario_display_name("retail") == "retail");
    CHECK(scenario_display_name("{}") == "custom");
    CHECK(scenario_display_name(R"( {"traffic": {"profile": "retail"}})") == "custom");
    CHECK(scenario_display_name(R"({"base": "black_friday", "incidents": []})") == "black_friday+custom");
    CHECK(scenario_display_name(R"({"base": 5})") == "custom");
    CHECK(scenario_display_name("{not json") == "custom");
}

TEST_CASE("incident_effect: an injected incident's effect, checked as in a document", "[scenario]") {
    const double none = std::numeric_limits<double>::quiet_NaN();
    const IncidentEffect spike = incident_effect("spike", none, "kind", "magnitude");
    CHECK(spike.kind == IncidentKind::Spike);
    CHECK(spike.magnitude == dist::kDefaultSpikeMagnitude);
    CHECK(incident_effect("spike", 5, "kind", "magnitude").magnitude == 5);
    CHECK(incident_effect("slump", none, "kind", "magnitude").magnitude == dist::kDefaultSlumpMagnitude);
    const IncidentEffect outage = incident_effect("outage", none, "kind", "magnitude");
    CHECK(outage.kind == IncidentKind::Outage);
    CHECK(outage.magnitude == 0);
    CHECK(outage.recovery_magnitude == dist::kRecoveryMagnitude);
    CHECK(outage.recovery_seconds < 0);
    CHECK(incident_effect("checkout_failure", 0.3, "kind", "magnitude").magnitude == 0.3);
    fixtures::check_error([&] { incident_effect("meteor", none, "parameter \"kind\"", "m"); }, "22023",
                          "parameter \"kind\": unknown incident kind");
    fixtures::check_error([&] { incident_effect("recovery", none, "k", "m"); }, "22023", "unknown incident kind");
    fixtures::check_error([&] { incident_effect("spike", 1, "k", "parameter \"magnitude\""); }, "22023",
                          "parameter \"magnitude\": a spike's magnitude must be > 1");
    fixtures::check_error([&] { incident_effect("slump", 1.5, "k", "m"); }, "22023", "m: a slump's magnitude");
    fixtures::check_error([&] { incident_effect("checkout_failure", 0, "k", "m"); }, "22023", "m: a checkout_failure");
    fixtures::check_error([&] { incident_effect("outage", 0, "k", "m"); }, "22023", "m: an outage has no magnitude");
}
