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

// Events whose rows are written, kept to be written over: an SRF hands each order's or session's
// events back once they are in the tuplestore, and the next session's events reuse them and their
// strings' buffers. Allocating and freeing every event's strings (ids, session id, uri) and
// vectors was a fifth of generate_events (bench/profile.sh srf). Holds no state that reaches the
// rows: every field of an event is set again, so the rows are those of new events.
class EventPool {
public:
    // A new last event of out: a kept one (its fields about to be overwritten) or a new one.
    Event& append(std::vector<Event>* out);
    // An empty vector, with the room of one given back if any.
    std::vector<Event> take_vector();
    // Keeps up to kKept events of events and its room.
    void give_back(std::vector<Event>&& events);

private:
    static constexpr size_t kKept = 64;  // more than an order's or a session's events
    std::vector<Event> kept_;
    std::vector<Event> vector_;
};

// Builds the events of one session. user_id empty = anonymous. Event ids are in format `ids`
// (a version-7 id carries its event's time). pool: where the events come from (null: new ones).
std::vector<Event> build_session(const std::vector<Page>& pages, const std::string& user_id,
                                 const Place& place, Micros end, Rng& rng, IdRule ids = IdRule(),
                                 EventPool* pool = nullptr);
// The same events appended to out, built in place: an SRF's events were moved three or four
// times on their way to the tuplestore, each move a copy of every short string's bytes.
void append_session(const std::vector<Page>& pages, const std::string& user_id, const Place& place, Micros end,
                    Rng& rng, IdRule ids, std::vector<Event>* out, EventPool* pool = nullptr);

// Purchase funnel for one item: 1-3 distinct pages of {home, department, product}, cart, purchase.
std::vector<Page> purchase_pages(const Product& product, Rng& rng);

// Anonymous browsing: 3..6 pages about one product, sometimes ending with an abandoned cart.
std::vector<Page> ghost_pages(const Product& product, Rng& rng);

// After an item is cancelled or returned: product, cart, cancel|return.
std::vector<Page> item_exit_pages(const Product& product, const std::string& item_id, bool returned);

}  // namespace thelook
