#include "web_session.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string_view>

#include "distributions.hpp"

namespace thelook {

namespace {
void append_lower(const std::string& s, std::string* out) {
    for (const char c : s) out->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
}
}  // namespace

namespace {
// A page's uri written over out (its buffer reused): the concatenations of temporaries were 7 %
// of generate_events.
void write_event_uri(const Page& page, std::string* out) {
    const std::string_view type = page.event_type;
    if (type == "product" && page.product) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, page.product->id).ptr;
        out->assign("/product/");
        out->append(digits, static_cast<size_t>(end - digits));
        return;
    }
    if ((type == "department" || type == "category") && page.product) {
        const std::string& department = page.product->department;
        const std::string& category = page.product->category;
        out->assign("/department/");
        out->reserve(out->size() + department.size() + 10 + category.size());
        append_lower(department, out);
        out->append("/category/");
        append_lower(category, out);
        return;
    }
    out->assign("/");
    out->append(type);
    if (type == "cancel" || type == "return") {
        out->append("/item/");
        out->append(page.item_id);
    }
}

// A dotted quad of four draws into buf (16 bytes), its length returned. The octets are drawn last
// first: the order GCC gave the expression this once was (to_string(a) + "." + ... +
// to_string(d), whose operands C++ leaves unsequenced), written out so that every compiler keeps it.
size_t format_ipv4(Rng& rng, char* buf) {
    int64_t octet[4];
    octet[3] = rng.uniform_int(1, 254);
    octet[2] = rng.uniform_int(0, 255);
    octet[1] = rng.uniform_int(0, 255);
    octet[0] = rng.uniform_int(1, 223);  // unicast, not "this network", not multicast or reserved
    char* at = buf;
    for (int k = 0; k < 4; ++k) {
        if (k > 0) *at++ = '.';
        at = std::to_chars(at, buf + 16, octet[k]).ptr;
    }
    return static_cast<size_t>(at - buf);
}
}  // namespace

std::string event_uri(const Page& page) {
    std::string uri;
    write_event_uri(page, &uri);
    return uri;
}

Micros event_time(int i, int n, Micros end, Rng& rng) {
    if (i >= n - 1) return end;
    const int64_t seconds = static_cast<int64_t>(n - i + 1) * dist::kEventSpacingSeconds +
                            rng.uniform_int(dist::kJitterMinSeconds, dist::kJitterMaxSeconds);
    return end - seconds * kMicrosPerSecond;
}

std::string random_ipv4(Rng& rng) {
    char buf[16];
    return std::string(buf, format_ipv4(rng, buf));
}

Event& EventPool::append(std::vector<Event>* out) {
    if (kept_.empty()) return out->emplace_back();
    out->push_back(std::move(kept_.back()));
    kept_.pop_back();
    return out->back();
}

std::vector<Event> EventPool::take_vector() {
    std::vector<Event> v = std::move(vector_);
    v.clear();
    return v;
}

void EventPool::give_back(std::vector<Event>&& events) {
    if (kept_.capacity() < kKept) kept_.reserve(kKept);
    for (Event& e : events) {
        if (kept_.size() == kKept) break;
        kept_.push_back(std::move(e));
    }
    events.clear();
    if (events.capacity() > vector_.capacity()) vector_ = std::move(events);
}

std::vector<Event> build_session(const std::vector<Page>& pages, const std::string& user_id,
                                 const Place& place, Micros end, Rng& rng, IdRule ids, EventPool* pool) {
    std::vector<Event> events = pool ? pool->take_vector() : std::vector<Event>();
    events.reserve(pages.size());
    append_session(pages, user_id, place, end, rng, ids, &events, pool);
    return events;
}

void append_session(const std::vector<Page>& pages, const std::string& user_id, const Place& place, Micros end,
                    Rng& rng, IdRule ids, std::vector<Event>* out, EventPool* pool) {
    const std::string session_id = uuid_v4(rng);
    char ip[16];
    const size_t ip_length = format_ipv4(rng, ip);
    const char* browser = pick(dist::kBrowser, rng);
    const char* source = pick(dist::kSessionTrafficSource, rng);
    const int n = static_cast<int>(pages.size());
    // Every field is assigned (an event from the pool holds another row's values; assigning
    // reuses its strings' buffers).
    for (int i = 0; i < n; ++i) {
        Event& e = pool ? pool->append(out) : out->emplace_back();
        if (ids == IdFormat::Uuid4) e.id = ids.v4(rng);  // drawn before the time, as always
        e.user_id = user_id;
        e.sequence_number = i + 1;
        e.session_id = session_id;
        e.ip_address.assign(ip, ip_length);
        e.city = place.city;
        e.state = place.state;
        e.postal_code = place.postal_code;
        e.browser = browser;
        e.traffic_source = source;
        write_event_uri(pages[i], &e.uri);
        e.event_type = pages[i].event_type;
        e.created_at = event_time(i, n, end, rng);
        if (ids == IdFormat::Uuid7) e.id = ids.v7(rng, e.created_at / 1000);
        e.nulls = 0;
    }
}

std::vector<Page> purchase_pages(const Product& product, Rng& rng) {
    // Three draws with replacement, duplicates dropped; the pages keep the funnel's order.
    bool seen[3] = {false, false, false};
    for (int d = 0; d < dist::kBrowseDraws; ++d) seen[rng.uniform_int(0, 2)] = true;
    std::vector<Page> pages;
    pages.reserve(5);
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
