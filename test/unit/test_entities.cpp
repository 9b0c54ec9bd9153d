// The reference distributions as produced by EntityGenerator: users, orders and their items,
// purchase, anonymous and exit sessions; and determinism of the whole generator.
#include <algorithm>
#include <iterator>
#include <set>

#include "fixtures.hpp"

using namespace thelook;
using fixtures::kDraws;
using fixtures::kNow;

namespace {

struct UserSample {
    fixtures::World world;
    std::vector<User> users;
    UserSample() {
        EntityGenerator gen(world.names, world.products, world.sampler, 2024);
        users.reserve(kDraws);
        for (int i = 0; i < kDraws; ++i) users.push_back(gen.new_user(kNow));
    }
};
const UserSample& user_sample() {
    static const UserSample s;
    return s;
}

struct PurchaseSample {
    fixtures::World world;
    std::vector<Purchase> purchases;
    PurchaseSample() {
        EntityGenerator gen(world.names, world.products, world.sampler, 77);
        const Place place = place_of(world.locations[0]);
        purchases.reserve(kDraws);
        for (int i = 0; i < kDraws; ++i) purchases.push_back(gen.new_purchase("user-" + std::to_string(i % 50), place, kNow));
    }
};
const PurchaseSample& purchase_sample() {
    static const PurchaseSample s;
    return s;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

std::string email_part(const std::string& name) {
    std::string out;
    for (unsigned char c : name)
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    return out;
}

}  // namespace

TEST_CASE("users: gender is 50/50", "[entities][users]") {
    std::map<std::string, double> counts;
    for (const auto& u : user_sample().users) counts[u.gender] += 1;
    fixtures::check_fits(counts, dist::kGender);
}

TEST_CASE("users: age is uniform over the whole reference range", "[entities][users]") {
    const int span = dist::kAgeMax - dist::kAgeMin + 1;
    std::vector<double> counts(span, 0.0);
    int lo = INT32_MAX, hi = INT32_MIN;
    for (const auto& u : user_sample().users) {
        REQUIRE(u.age >= dist::kAgeMin);
        REQUIRE(u.age <= dist::kAgeMax);
        counts[u.age - dist::kAgeMin] += 1;
        lo = std::min(lo, u.age);
        hi = std::max(hi, u.age);
    }
    CHECK(lo == dist::kAgeMin);
    CHECK(hi == dist::kAgeMax);
    fixtures::check_fits(counts, std::vector<double>(span, 1.0));
}

TEST_CASE("users: traffic_source follows the reference shares", "[entities][users]") {
    std::map<std::string, double> counts;
    for (const auto& u : user_sample().users) counts[u.traffic_source] += 1;
    fixtures::check_fits(counts, dist::kUserTrafficSource);
}

TEST_CASE("users: names, email, address, location and times", "[entities][users]") {
    const auto& s = user_sample();
    const NameLists& n = s.world.names;
    std::set<std::string> ids, male_seen, female_seen;
    for (const auto& u : s.users) {
        INFO(u.first_name << " " << u.last_name << " <" << u.email << "> " << u.gender);
        REQUIRE(fixtures::is_uuid_v4(u.id));
        ids.insert(u.id);
        if (u.gender == "M") {
            REQUIRE(contains(n.male_first, u.first_name));
            male_seen.insert(u.first_name);
        } else {
            REQUIRE(u.gender == "F");
            REQUIRE(contains(n.female_first, u.first_name));
            female_seen.insert(u.first_name);
        }
        REQUIRE(contains(n.last, u.last_name));

        // first.last@domain, lower case, letters and digits of the names only.
        const size_t at = u.email.find('@');
        REQUIRE(at != std::string::npos);
        REQUIRE(u.email.find('@', at + 1) == std::string::npos);
        REQUIRE(u.email.substr(0, at) == email_part(u.first_name) + "." + email_part(u.last_name));
        REQUIRE(contains(n.email_domains, u.email.substr(at + 1)));
        REQUIRE(u.email == fixtures::lower(u.email));
        REQUIRE(u.email.find(' ') == std::string::npos);

        REQUIRE_FALSE(u.street_address.empty());
        REQUIRE(std::isdigit(static_cast<unsigned char>(u.street_address[0])));

        REQUIRE(u.location != nullptr);
        REQUIRE(u.location >= s.world.locations.data());
        REQUIRE(u.location < s.world.locations.data() + s.world.locations.size());

        REQUIRE(u.created_at == kNow);
        REQUIRE(u.updated_at == kNow);
    }
    CHECK(ids.size() == s.users.size());
    // Every name of the lists is used.
    CHECK(male_seen.size() == n.male_first.size());
    CHECK(female_seen.size() == n.female_first.size());
}

TEST_CASE("users: locations are drawn by population", "[entities][users]") {
    const auto& s = user_sample();
    std::vector<double> counts(s.world.locations.size(), 0.0), population;
    for (const auto& u : s.users) counts[static_cast<size_t>(u.location - s.world.locations.data())] += 1;
    for (const auto& l : s.world.locations) population.push_back(l.population);
    fixtures::check_fits(counts, population);
}

TEST_CASE("new_user_key: new_user's id, gender and location from the same draws", "[entities][users]") {
    // OrderSet builds each order's buyer with new_user_key: generate_orders' user_id and the
    // events' place must be generate_users' row, and the stream must go on as after new_user.
    fixtures::World world;
    EntityGenerator full(world.names, world.products, world.sampler, 1);
    EntityGenerator key(world.names, world.products, world.sampler, 1);
    for (uint64_t seed = 0; seed < 20000; ++seed) {
        full.rng().reseed(seed);
        key.rng().reseed(seed);
        const User u = full.new_user(kNow);
        const UserKey k = key.new_user_key();
        REQUIRE(k.id == u.id);
        REQUIRE(k.gender == u.gender);
        REQUIRE(k.location == u.location);
        REQUIRE(key.rng().next_u64() == full.rng().next_u64());
    }
}

TEST_CASE("new_address draws the suffix, the street, the number, then the location", "[entities][users]") {
    // The order the reference builds (GCC) gave the once unsequenced expression: seeded output
    // depends on it, so it is pinned here against the draws made by hand.
    fixtures::World world;
    EntityGenerator gen(world.names, world.products, world.sampler, 1);
    for (uint64_t seed = 0; seed < 2000; ++seed) {
        gen.rng().reseed(seed);
        Rng r(seed);
        const auto& suffix = world.names.street_suffixes[static_cast<size_t>(
            r.uniform_int(0, static_cast<int64_t>(world.names.street_suffixes.size()) - 1))];
        const auto& street =
            world.names.streets[static_cast<size_t>(r.uniform_int(0, static_cast<int64_t>(world.names.streets.size()) - 1))];
        const int64_t number = r.uniform_int(1, 9999);
        REQUIRE(gen.new_address().street_address == std::to_string(number) + " " + street + " " + suffix);
    }
}

TEST_CASE("new_address: a new street address and a location from the sampler", "[entities][users]") {
    fixtures::World w;
    LocationSampler only_atlantis(w.locations, "Atlantis", "*", "*");
    EntityGenerator gen(w.names, w.products, only_atlantis, 3);
    std::set<std::string> streets;
    for (int i = 0; i < 1000; ++i) {
        const Address a = gen.new_address();
        REQUIRE_FALSE(a.street_address.empty());
        REQUIRE(a.location != nullptr);
        REQUIRE(a.location->country == "Atlantis");
        streets.insert(a.street_address);
    }
    CHECK(streets.size() > 900);
}

TEST_CASE("orders: num_of_items, items, quantity and sale_price", "[entities][orders]") {
    const auto& s = purchase_sample();
    std::map<std::string, double> items_per_order;
    std::vector<double> quantity(dist::kQuantityMax - dist::kQuantityMin + 1, 0.0);
    std::vector<double> product_counts(s.world.products.size(), 0.0);
    std::set<std::string> ids;
    for (const auto& p : s.purchases) {
        const Order& o = p.order;
        REQUIRE(fixtures::is_uuid_v4(o.id));
        REQUIRE(o.status == OrderStatus::Processing);
        REQUIRE(o.times.created_at == kNow);
        REQUIRE(o.times.updated_at == kNow);
        REQUIRE(o.times.shipped_at == kNoTime);
        REQUIRE(o.times.delivered_at == kNoTime);
        REQUIRE(o.times.returned_at == kNoTime);
        REQUIRE(o.times.cancelled_at == kNoTime);
        REQUIRE(o.num_of_items == static_cast<int>(p.items.size()));
        items_per_order[std::to_string(o.num_of_items)] += 1;
        ids.insert(o.id);
        for (const auto& item : p.items) {
            REQUIRE(fixtures::is_uuid_v4(item.id));
            REQUIRE(ids.insert(item.id).second);
            REQUIRE(item.order_id == o.id);
            REQUIRE(item.status == o.status);
            REQUIRE(item.times.created_at == o.times.created_at);
            REQUIRE(item.times.updated_at == o.times.updated_at);
            REQUIRE(item.times.shipped_at == kNoTime);
            REQUIRE(item.times.cancelled_at == kNoTime);
            REQUIRE(item.quantity >= dist::kQuantityMin);
            REQUIRE(item.quantity <= dist::kQuantityMax);
            quantity[item.quantity - dist::kQuantityMin] += 1;
            const Product* product = s.world.product(item.product_id);
            REQUIRE(product != nullptr);
            REQUIRE(item.sale_price == product->retail_price);
            product_counts[static_cast<size_t>(product - s.world.products.data())] += 1;
        }
    }
    SECTION("num_of_items") { fixtures::check_fits(items_per_order, dist::kItemsPerOrder); }
    SECTION("quantity is uniform") { fixtures::check_fits(quantity, std::vector<double>(quantity.size(), 1.0)); }
    SECTION("products are drawn uniformly") {
        fixtures::check_fits(product_counts, std::vector<double>(product_counts.size(), 1.0));
    }
}

TEST_CASE("purchase sessions: one per item, browser and traffic source per session", "[entities][sessions]") {
    const auto& s = purchase_sample();
    std::map<std::string, double> browsers, sources;
    size_t sessions = 0;
    for (const auto& p : s.purchases) {
        const auto grouped = fixtures::sessions_of(p.events);
        REQUIRE(grouped.size() == p.items.size());
        for (size_t k = 0; k < grouped.size(); ++k) {
            const auto& session = grouped[k];
            // Every event of the session is about the session's item's product.
            const std::string product_uri = "/product/" + std::to_string(p.items[k].product_id);
            for (const auto& e : session) {
                REQUIRE(e.user_id == p.order.user_id);
                if (e.event_type == "product") REQUIRE(e.uri == product_uri);
            }
            browsers[session.front().browser] += 1;
            sources[session.front().traffic_source] += 1;
            ++sessions;
        }
    }
    REQUIRE(sessions >= size_t(kDraws));
    SECTION("browser") { fixtures::check_fits(browsers, dist::kBrowser); }
    SECTION("traffic_source") { fixtures::check_fits(sources, dist::kSessionTrafficSource); }
}

TEST_CASE("purchase sessions: 1-3 distinct browse pages, then cart, then purchase", "[entities][sessions]") {
    // The model: kBrowseDraws draws with replacement from kBrowsePages, duplicates dropped, the
    // pages kept in funnel order. Its probability of each set of pages, by enumeration.
    const size_t pages = std::size(dist::kBrowsePages);
    REQUIRE(pages == 3);
    std::vector<double> p_set(size_t(1) << pages, 0.0), p_count(pages + 1, 0.0);
    size_t outcomes = 1;
    for (int d = 0; d < dist::kBrowseDraws; ++d) outcomes *= pages;
    for (size_t o = 0; o < outcomes; ++o) {
        size_t mask = 0, x = o;
        for (int d = 0; d < dist::kBrowseDraws; ++d, x /= pages) mask |= size_t(1) << (x % pages);
        p_set[mask] += 1.0 / outcomes;
    }
    for (size_t mask = 0; mask < p_set.size(); ++mask)
        p_count[static_cast<size_t>(__builtin_popcountll(mask))] += p_set[mask];
    if (dist::kBrowseDraws == 3) {  // the reference numbers: 3/27, 18/27, 6/27
        CHECK(p_count[1] == Approx(1.0 / 9));
        CHECK(p_count[2] == Approx(2.0 / 3));
        CHECK(p_count[3] == Approx(2.0 / 9));
    }

    const auto& s = purchase_sample();
    std::vector<double> count_hist(pages + 1, 0.0), set_hist(p_set.size(), 0.0);
    for (const auto& p : s.purchases) {
        for (const auto& session : fixtures::sessions_of(p.events)) {
            const size_t n = session.size();
            REQUIRE(n >= 3);
            REQUIRE(n <= pages + 2);
            REQUIRE(session[n - 2].event_type == "cart");
            REQUIRE(session[n - 1].event_type == "purchase");
            size_t mask = 0;
            int last_index = -1;
            for (size_t i = 0; i + 2 < n; ++i) {
                const auto* it = std::find_if(std::begin(dist::kBrowsePages), std::end(dist::kBrowsePages),
                                              [&](const char* page) { return session[i].event_type == page; });
                INFO("event type " << session[i].event_type);
                REQUIRE(it != std::end(dist::kBrowsePages));
                const int index = static_cast<int>(it - std::begin(dist::kBrowsePages));
                REQUIRE(index > last_index);  // distinct, in funnel order
                last_index = index;
                mask |= size_t(1) << index;
            }
            count_hist[n - 2] += 1;
            set_hist[mask] += 1;
        }
    }
    SECTION("number of distinct pages") { fixtures::check_fits(count_hist, p_count); }
    SECTION("which pages") { fixtures::check_fits(set_hist, p_set); }
}

TEST_CASE("purchase sessions: the last event is at the order's created_at", "[entities][sessions]") {
    const auto& s = purchase_sample();
    for (size_t i = 0; i < 2000; ++i) {
        const auto& p = s.purchases[i];
        for (const auto& session : fixtures::sessions_of(p.events)) {
            REQUIRE(session.back().created_at == p.order.times.created_at);
            for (const auto& e : session) REQUIRE(e.created_at <= p.order.times.created_at);
        }
    }
}

TEST_CASE("ghost sessions: anonymous browsing of 3..6 events", "[entities][sessions]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 31);
    std::set<std::string> allowed(dist::kGhostPages.labels.begin(), dist::kGhostPages.labels.end());
    allowed.insert("cart");
    std::vector<double> lengths(dist::kGhostEventsMax - dist::kGhostEventsMin + 1, 0.0);
    std::vector<double> cart(2, 0.0);
    std::map<std::string, double> page_counts, browsers;
    const Micros end = kNow + 5 * kMicrosPerSecond;
    for (int k = 0; k < kDraws; ++k) {
        const auto events = gen.ghost_session(end);
        const int n = static_cast<int>(events.size());
        REQUIRE(n >= dist::kGhostEventsMin);
        REQUIRE(n <= dist::kGhostEventsMax);
        lengths[n - dist::kGhostEventsMin] += 1;
        bool found_place = false;
        for (const auto& l : w.locations)
            if (l.city == events[0].city && l.state == events[0].state && l.postal_code == events[0].postal_code)
                found_place = true;
        REQUIRE(found_place);
        for (int i = 0; i < n; ++i) {
            const Event& e = events[i];
            REQUIRE(e.user_id.empty());
            REQUIRE(e.session_id == events[0].session_id);
            REQUIRE(e.sequence_number == i + 1);
            INFO("event type " << e.event_type);
            REQUIRE(allowed.count(e.event_type) == 1);
            REQUIRE(e.event_type != "purchase");
            REQUIRE(e.event_type != "cancel");
            REQUIRE(e.event_type != "return");
            if (e.event_type == "cart") REQUIRE(i == n - 1);
        }
        REQUIRE(events.back().created_at == end);
        const bool abandoned_cart = events.back().event_type == "cart";
        if (abandoned_cart) REQUIRE(events[n - 2].event_type == "product");
        cart[abandoned_cart ? 1 : 0] += 1;
        // The first n - 2 pages are never rewritten: they follow kGhostPages.
        for (int i = 0; i < n - 2; ++i) page_counts[events[i].event_type] += 1;
        browsers[events[0].browser] += 1;
    }
    SECTION("length is uniform") { fixtures::check_fits(lengths, std::vector<double>(lengths.size(), 1.0)); }
    SECTION("abandoned carts") {
        fixtures::check_fits(cart, {1 - dist::kGhostCartProbability, dist::kGhostCartProbability});
    }
    SECTION("pages") { fixtures::check_fits(page_counts, dist::kGhostPages); }
    SECTION("browser") { fixtures::check_fits(browsers, dist::kBrowser); }
}

TEST_CASE("exit sessions: product, cart, then cancel or return of the item", "[entities][sessions]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 41);
    const std::vector<ItemRef> items = {{"item-aaa", 102}, {"item-bbb", 104}, {"item-ccc", 999999}};
    const Place place = place_of(w.locations[3]);
    const Micros end = kNow + 3600 * kMicrosPerSecond;
    for (bool returned : {false, true}) {
        const std::string last = returned ? "return" : "cancel";
        const auto events = gen.exit_sessions(items, "user-1", place, returned, end);
        const auto sessions = fixtures::sessions_of(events);
        REQUIRE(sessions.size() == items.size());
        for (size_t k = 0; k < items.size(); ++k) {
            const auto& s = sessions[k];
            REQUIRE(s.size() == 3);
            CHECK(s[0].event_type == "product");
            CHECK(s[0].uri == "/product/" + std::to_string(items[k].product_id));
            CHECK(s[1].event_type == "cart");
            CHECK(s[1].uri == "/cart");
            CHECK(s[2].event_type == last);
            CHECK(s[2].uri == "/" + last + "/item/" + items[k].id);
            CHECK(s[2].created_at == end);
            for (int i = 0; i < 3; ++i) {
                CHECK(s[i].sequence_number == i + 1);
                CHECK(s[i].user_id == "user-1");
                CHECK(s[i].city == place.city);
                CHECK(s[i].state == place.state);
                CHECK(s[i].postal_code == place.postal_code);
            }
        }
        CHECK(sessions[0][0].session_id != sessions[1][0].session_id);
    }
    CHECK(gen.exit_sessions({}, "user-1", place, true, end).empty());
}

TEST_CASE("product_by_id and random_product", "[entities]") {
    fixtures::World w;
    EntityGenerator gen(w.names, w.products, w.sampler, 5);
    for (const auto& p : w.products) CHECK(&gen.product_by_id(p.id) == &w.products[&p - w.products.data()]);
    CHECK(gen.product_by_id(-1).id == -1);  // unknown ids give a placeholder, not a crash
    std::vector<double> counts(w.products.size(), 0.0);
    for (int i = 0; i < kDraws; ++i) counts[static_cast<size_t>(&gen.random_product() - w.products.data())] += 1;
    fixtures::check_fits(counts, std::vector<double>(counts.size(), 1.0));
}

TEST_CASE("EntityGenerator refuses empty inputs", "[entities]") {
    fixtures::World w;
    const std::vector<Product> none;
    fixtures::check_error([&] { EntityGenerator(w.names, none, w.sampler, 1); },
                          sqlstate::kInvalidParameterValue, "catalogue");
    NameLists no_domains = w.names;
    no_domains.email_domains.clear();
    fixtures::check_error([&] { EntityGenerator(no_domains, w.products, w.sampler, 1); },
                          sqlstate::kDataCorrupted, "name list");
}

namespace {
void require_same(const User& a, const User& b) {
    REQUIRE(a.id == b.id);
    REQUIRE(a.first_name == b.first_name);
    REQUIRE(a.last_name == b.last_name);
    REQUIRE(a.email == b.email);
    REQUIRE(a.age == b.age);
    REQUIRE(a.gender == b.gender);
    REQUIRE(a.street_address == b.street_address);
    REQUIRE(a.location->postal_code == b.location->postal_code);
    REQUIRE(a.traffic_source == b.traffic_source);
    REQUIRE(a.created_at == b.created_at);
    REQUIRE(a.updated_at == b.updated_at);
}
void require_same(const std::vector<Event>& a, const std::vector<Event>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        REQUIRE(a[i].id == b[i].id);
        REQUIRE(a[i].user_id == b[i].user_id);
        REQUIRE(a[i].sequence_number == b[i].sequence_number);
        REQUIRE(a[i].session_id == b[i].session_id);
        REQUIRE(a[i].ip_address == b[i].ip_address);
        REQUIRE(a[i].city == b[i].city);
        REQUIRE(a[i].browser == b[i].browser);
        REQUIRE(a[i].traffic_source == b[i].traffic_source);
        REQUIRE(a[i].uri == b[i].uri);
        REQUIRE(a[i].event_type == b[i].event_type);
        REQUIRE(a[i].created_at == b[i].created_at);
    }
}
void require_same(const Purchase& a, const Purchase& b) {
    REQUIRE(a.order.id == b.order.id);
    REQUIRE(a.order.num_of_items == b.order.num_of_items);
    REQUIRE(a.items.size() == b.items.size());
    for (size_t i = 0; i < a.items.size(); ++i) {
        REQUIRE(a.items[i].id == b.items[i].id);
        REQUIRE(a.items[i].product_id == b.items[i].product_id);
        REQUIRE(a.items[i].quantity == b.items[i].quantity);
        REQUIRE(a.items[i].sale_price == b.items[i].sale_price);
    }
    require_same(a.events, b.events);
}

// A mixed run: the order of calls matters, as in the live loop.
struct Run {
    std::vector<User> users;
    std::vector<Purchase> purchases;
    std::vector<std::vector<Event>> ghosts, exits;
};
Run run(const fixtures::World& w, uint64_t seed) {
    EntityGenerator gen(w.names, w.products, w.sampler, seed);
    Run r;
    for (int i = 0; i < 200; ++i) {
        const Micros now = kNow + i * kMicrosPerSecond;
        r.users.push_back(gen.new_user(now));
        r.purchases.push_back(gen.new_purchase(r.users.back().id, place_of(*r.users.back().location), now));
        r.ghosts.push_back(gen.ghost_session(now));
        std::vector<ItemRef> refs;
        for (const auto& item : r.purchases.back().items) refs.push_back({item.id, item.product_id});
        r.exits.push_back(gen.exit_sessions(refs, r.users.back().id, place_of(*r.users.back().location), i % 2 == 0, now));
    }
    return r;
}
}  // namespace

TEST_CASE("determinism: the same seed gives the same data, another seed other data", "[entities][determinism]") {
    fixtures::World w1, w2;  // separate worlds: nothing may depend on addresses
    const Run a = run(w1, 1234), b = run(w2, 1234), c = run(w1, 1235);
    for (size_t i = 0; i < a.users.size(); ++i) {
        require_same(a.users[i], b.users[i]);
        require_same(a.purchases[i], b.purchases[i]);
        require_same(a.ghosts[i], b.ghosts[i]);
        require_same(a.exits[i], b.exits[i]);
    }
    int differing = 0;
    for (size_t i = 0; i < a.users.size(); ++i)
        if (a.users[i].id != c.users[i].id && a.purchases[i].order.id != c.purchases[i].order.id &&
            a.ghosts[i].front().session_id != c.ghosts[i].front().session_id)
            ++differing;
    CHECK(differing == static_cast<int>(a.users.size()));
}

TEST_CASE("id_format uuid7: orders, items and events get time-ordered ids; users keep version 4", "[entities][ids]") {
    fixtures::World world;
    EntityGenerator gen(world.names, world.products, world.sampler, 31);
    gen.set_id_format(IdFormat::Uuid7);
    const Place place = place_of(world.locations[0]);
    std::string last_order;
    for (int i = 0; i < 2000; ++i) {
        const Micros t = kNow + i * 1000 * 1000;  // one purchase a second
        const User u = gen.new_user(t);
        REQUIRE(fixtures::is_uuid_v4(u.id));
        const Purchase p = gen.new_purchase(u.id, place, t);
        REQUIRE(uuid_v7_millis(p.order.id) == t / 1000);
        REQUIRE(last_order < p.order.id);  // each new order sorts after the ones before it
        last_order = p.order.id;
        for (const OrderItem& item : p.items) REQUIRE(uuid_v7_millis(item.id) == t / 1000);
        for (const Event& e : p.events) REQUIRE(uuid_v7_millis(e.id) == e.created_at / 1000);
        for (const Event& e : gen.ghost_session(t)) REQUIRE(uuid_v7_millis(e.id) == e.created_at / 1000);
    }
}
