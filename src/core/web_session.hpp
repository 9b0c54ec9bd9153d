// Web sessions: one session_id, IP, browser and traffic source; events numbered 1..n whose times
// lead up to the session's end.
#pragma once

#include <string>
#include <vector>

#include "catalog.hpp"
#include "entities.hpp"
#include "id_space.hpp"
#include "random.hpp"

namespace thelook {

// A page of a session before its uri is known: the event type and what it points at.
struct Page {
    const char* event_type;
    const Product* product = nullptr;  // product, department and category pages
    std::string item_id;               // cancel and return pages
};

std::string event_uri(const Page& page);

// Time of event i (0-based) of n in a session ending at `end` (reference offsets plus jitter).
Micros event_time(int i, int n, Micros end, Rng& rng);

std::string random_ipv4(Rng& rng);

// Builds the events of one session. user_id empty = anonymous. Event ids are in format `ids`
// (a version-7 id carries its event's time).
std::vector<Event> build_session(const std::vector<Page>& pages, const std::string& user_id,
                                 const Place& place, Micros end, Rng& rng, IdRule ids = IdRule());
// The same events appended to out, built in place: an SRF's events were moved three or four
// times on their way to the tuplestore, each move a copy of every short string's bytes.
void append_session(const std::vector<Page>& pages, const std::string& user_id, const Place& place, Micros end,
                    Rng& rng, IdRule ids, std::vector<Event>* out);

// Purchase funnel for one item: 1-3 distinct pages of {home, department, product}, cart, purchase.
std::vector<Page> purchase_pages(const Product& product, Rng& rng);

// Anonymous browsing: 3..6 pages about one product, sometimes ending with an abandoned cart.
std::vector<Page> ghost_pages(const Product& product, Rng& rng);

// After an item is cancelled or returned: product, cart, cancel|return.
std::vector<Page> item_exit_pages(const Product& product, const std::string& item_id, bool returned);

}  // namespace thelook
