#include "web_session.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "distributions.hpp"

namespace thelook {

namespace {
std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

std::string event_uri(const Page& page) {
    const std::string type = page.event_type;
    if (type == "product" && page.product) return "/product/" + std::to_string(page.product->id);
    if ((type == "department" || type == "category") && page.product)
        return "/department/" + lower(page.product->department) + "/category/" +
               lower(page.product->category);
    if (type == "cancel" || type == "return") return "/" + type + "/item/" + page.item_id;
    return "/" + type;
}

Micros event_time(int i, int n, Micros end, Rng& rng) {
    if (i >= n - 1) return end;
    const int64_t seconds = static_cast<int64_t>(n - i + 1) * dist::kEventSpacingSeconds +
                            rng.uniform_int(dist::kJitterMinSeconds, dist::kJitterMaxSeconds);
    return end - seconds * kMicrosPerSecond;
}

std::string random_ipv4(Rng& rng) {
    // First octet 1..223: unicast, not "this network", not multicast or reserved.
    return std::to_string(rng.uniform_int(1, 223)) + "." + std::to_string(rng.uniform_int(0, 255)) +
           "." + std::to_string(rng.uniform_int(0, 255)) + "." + std::to_string(rng.uniform_int(1, 254));
}

std::vector<Event> build_session(const std::vector<Page>& pages, const std::string& user_id,
                                 const Place& place, Micros end, Rng& rng, IdRule ids) {
    std::vector<Event> events;
    events.reserve(pages.size());
    append_session(pages, user_id, place, end, rng, ids, &events);
    return events;
}

void append_session(const std::vector<Page>& pages, const std::string& user_id, const Place& place, Micros end,
                    Rng& rng, IdRule ids, std::vector<Event>* out) {
    const std::string session_id = uuid_v4(rng);
    const std::string ip = random_ipv4(rng);
    const char* browser = pick(dist::kBrowser, rng);
    const char* source = pick(dist::kSessionTrafficSource, rng);
    const int n = static_cast<int>(pages.size());
    for (int i = 0; i < n; ++i) {
        Event& e = out->emplace_back();
        if (ids == IdFormat::Uuid4) e.id = ids.v4(rng);  // drawn before the time, as always
        e.user_id = user_id;
        e.sequence_number = i + 1;
        e.session_id = session_id;
        e.ip_address = ip;
        e.city = place.city;
        e.state = place.state;
        e.postal_code = place.postal_code;
        e.browser = browser;
        e.traffic_source = source;
        e.uri = event_uri(pages[i]);
        e.event_type = pages[i].event_type;
        e.created_at = event_time(i, n, end, rng);
        if (ids == IdFormat::Uuid7) e.id = ids.v7(rng, e.created_at / 1000);
    }
}

std::vector<Page> purchase_pages(const Product& product, Rng& rng) {
    // Three draws with replacement, duplicates dropped; the pages keep the funnel's order.
    bool seen[3] = {false, false, false};
    for (int d = 0; d < dist::kBrowseDraws; ++d) seen[rng.uniform_int(0, 2)] = true;
    std::vector<Page> pages;
    for (int p = 0; p < 3; ++p)
        if (seen[p]) pages.push_back(Page{dist::kBrowsePages[p], &product, {}});
    pages.push_back(Page{"cart", &product, {}});
    pages.push_back(Page{"purchase", &product, {}});
    return pages;
}

std::vector<Page> ghost_pages(const Product& product, Rng& rng) {
    const int n = static_cast<int>(rng.uniform_int(dist::kGhostEventsMin, dist::kGhostEventsMax));
    std::vector<Page> pages;
    for (int i = 0; i < n; ++i) pages.push_back(Page{pick(dist::kGhostPages, rng), &product, {}});
    if (rng.bernoulli(dist::kGhostCartProbability)) {
        pages[n - 2].event_type = "product";
        pages[n - 1].event_type = "cart";
    }
    return pages;
}

std::vector<Page> item_exit_pages(const Product& product, const std::string& item_id, bool returned) {
    return {Page{"product", &product, {}}, Page{"cart", &product, {}},
            Page{returned ? "return" : "cancel", &product, item_id}};
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
