// Web sessions: event times, numbering, per-session fields and uris.
#include <set>

#include "core/web_session.hpp"
#include "fixtures.hpp"

using namespace thelook;
using fixtures::kDraws;
using fixtures::kNow;

TEST_CASE("event_time: reference offsets plus 1..9 s of jitter before the end; the last at the end", "[sessions]") {
    Rng r(21);
    const Micros end = kNow;
    const int jitter_values = dist::kJitterMaxSeconds - dist::kJitterMinSeconds + 1;
    std::vector<double> jitter(jitter_values, 0.0);
    int draws = 0;
    while (draws < kDraws) {
        for (int n = 1; n <= 8; ++n) {
            CHECK(event_time(n - 1, n, end, r) == end);
            for (int i = 0; i < n - 1; ++i) {
                const Micros before = end - event_time(i, n, end, r);
                REQUIRE(before % kMicrosPerSecond == 0);
                const int64_t j = before / kMicrosPerSecond - int64_t(n - i + 1) * dist::kEventSpacingSeconds;
                INFO("event " << i << " of " << n << " is " << before / kMicrosPerSecond << " s before the end");
                REQUIRE(j >= dist::kJitterMinSeconds);
                REQUIRE(j <= dist::kJitterMaxSeconds);
                jitter[j - dist::kJitterMinSeconds] += 1;
                ++draws;
            }
        }
    }
    for (double c : jitter) CHECK(c > 0);
    fixtures::check_fits(jitter, std::vector<double>(jitter.size(), 1.0));
}

TEST_CASE("event_uri formats", "[sessions]") {
    const Product p{4242, 10, "Tops & Tees", "Tee", "Acme", 20, "Women", "SKU", 1};
    CHECK(event_uri(Page{"product", &p, {}}) == "/product/4242");
    CHECK(event_uri(Page{"department", &p, {}}) == "/department/women/category/tops & tees");
    CHECK(event_uri(Page{"category", &p, {}}) == "/department/women/category/tops & tees");
    CHECK(event_uri(Page{"home", &p, {}}) == "/home");
    CHECK(event_uri(Page{"cart", &p, {}}) == "/cart");
    CHECK(event_uri(Page{"purchase", &p, {}}) == "/purchase");
    CHECK(event_uri(Page{"cancel", &p, "item-1"}) == "/cancel/item/item-1");
    CHECK(event_uri(Page{"return", &p, "item-2"}) == "/return/item/item-2");
    CHECK(event_uri(Page{"home", nullptr, {}}) == "/home");
}

TEST_CASE("random_ipv4: four octets, unicast first octet", "[sessions]") {
    Rng r(22);
    std::set<int> first;
    for (int i = 0; i < 10000; ++i) {
        const std::string ip = random_ipv4(r);
        INFO(ip);
        REQUIRE(fixtures::is_ipv4(ip));
        const int a = std::stoi(ip.substr(0, ip.find('.')));
        REQUIRE(a >= 1);
        REQUIRE(a <= 223);
        first.insert(a);
    }
    CHECK(first.size() > 200);
}

TEST_CASE("build_session: numbering, increasing times, one id/ip/browser/source per session", "[sessions]") {
    const Product p{7, 10, "Jeans", "Slim", "Denimco", 20, "Men", "SKU", 1};
    const Place place{"Aqua", "North", "A-100"};
    Rng r(23);
    std::set<std::string> session_ids, event_ids;
    for (int k = 0; k < 5000; ++k) {
        const int n = 1 + k % 8;
        std::vector<Page> pages;
        for (int i = 0; i < n; ++i) pages.push_back(Page{i % 2 ? "product" : "department", &p, {}});
        const Micros end = kNow + k * kMicrosPerSecond;
        const std::string user = k % 3 ? "user-" + std::to_string(k) : std::string();
        const auto events = build_session(pages, user, place, end, r);
        REQUIRE(events.size() == size_t(n));
        REQUIRE(fixtures::is_uuid_v4(events[0].session_id));
        REQUIRE(session_ids.insert(events[0].session_id).second);
        REQUIRE(fixtures::is_ipv4(events[0].ip_address));
        for (int i = 0; i < n; ++i) {
            const Event& e = events[i];
            REQUIRE(e.sequence_number == i + 1);
            REQUIRE(e.session_id == events[0].session_id);
            REQUIRE(e.ip_address == events[0].ip_address);
            REQUIRE(e.browser == events[0].browser);
            REQUIRE(e.traffic_source == events[0].traffic_source);
            REQUIRE(e.user_id == user);
            REQUIRE(e.city == place.city);
            REQUIRE(e.state == place.state);
            REQUIRE(e.postal_code == place.postal_code);
            REQUIRE(e.event_type == pages[i].event_type);
            REQUIRE(e.uri == event_uri(pages[i]));
            REQUIRE(fixtures::is_uuid_v4(e.id));
            REQUIRE(event_ids.insert(e.id).second);
            if (i > 0) REQUIRE(e.created_at > events[i - 1].created_at);
        }
        REQUIRE(events.back().created_at == end);
    }
    CHECK(build_session({}, "u", place, kNow, r).empty());
}

TEST_CASE("purchase_pages, ghost_pages and item_exit_pages point at the product", "[sessions]") {
    const Product p{31, 10, "Swim", "Trunks", "Wave", 20, "Men", "SKU", 1};
    Rng r(24);
    for (int k = 0; k < 1000; ++k) {
        for (const Page& page : purchase_pages(p, r)) CHECK(page.product == &p);
        for (const Page& page : ghost_pages(p, r)) CHECK(page.product == &p);
    }
    const auto exit = item_exit_pages(p, "it-9", true);
    REQUIRE(exit.size() == 3);
    CHECK(std::string(exit[2].event_type) == "return");
    CHECK(exit[2].item_id == "it-9");
    CHECK(std::string(item_exit_pages(p, "it-9", false)[2].event_type) == "cancel");
}

TEST_CASE("sessions through EntityGenerator have well-formed uris", "[sessions][entities]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 25);
    std::set<std::string> uris;
    for (int k = 0; k < 2000; ++k) {
        const Purchase p = gen.new_purchase("u", place_of(w.locations[0]), kNow);
        auto events = p.events;
        const auto ghost = gen.ghost_session(kNow);
        events.insert(events.end(), ghost.begin(), ghost.end());
        for (const auto& e : events) {
            INFO(e.event_type << " " << e.uri);
            if (e.event_type == "product") {
                REQUIRE(e.uri.rfind("/product/", 0) == 0);
                REQUIRE(w.product(std::stoll(e.uri.substr(9))) != nullptr);
            } else if (e.event_type == "department" || e.event_type == "category") {
                bool ok = false;
                for (const auto& prod : w.products)
                    ok = ok || e.uri == "/department/" + fixtures::lower(prod.department) + "/category/" +
                                            fixtures::lower(prod.category);
                REQUIRE(ok);
            } else {
                REQUIRE(e.uri == "/" + e.event_type);
            }
            uris.insert(e.uri);
        }
    }
    CHECK(uris.count("/home") == 1);
    CHECK(uris.count("/cart") == 1);
    CHECK(uris.count("/purchase") == 1);
    CHECK(uris.count("/department/women/category/outerwear & coats") == 1);
}
