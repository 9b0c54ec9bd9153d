// Makes users, orders with their items and purchase sessions, anonymous sessions, and the
// sessions that follow a cancellation or return, from one seeded random stream.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "catalog.hpp"
#include "entities.hpp"
#include "location_filter.hpp"
#include "random.hpp"

namespace thelook {

struct Address {
    std::string street_address;
    const Location* location = nullptr;
};

// An order item as read back from the database when its order moves.
struct ItemRef {
    std::string id;
    int64_t product_id = 0;
};

class EntityGenerator {
public:
    // names and products must outlive the generator; so must locations behind the sampler.
    EntityGenerator(const NameLists& names, const std::vector<Product>& products,
                    const LocationSampler& locations, uint64_t seed);

    Rng& rng() { return rng_; }
    // The ids of new orders, order items and events (users keep random version-4 ids, so that
    // a probe at a random id picks a user uniformly).
    void set_id_format(IdFormat ids) { ids_ = ids; }

    User new_user(Micros now);
    Address new_address();
    // An order with its items and, unless with_sessions is false, a purchase session per item.
    // The sessions draw from their own stream, so the order and items do not depend on them.
    Purchase new_purchase(const std::string& user_id, const Place& place, Micros now,
                          bool with_sessions = true);
    // A purchase that fails at checkout (an incident): the purchase sessions, each ending at the
    // cart at `now`, and no order. Draws from the streams exactly as new_purchase does.
    std::vector<Event> failed_checkout(const std::string& user_id, const Place& place, Micros now);
    std::vector<Event> ghost_session(Micros end);
    // The sessions of a cancelled or returned order: one per item, ending at `end`.
    std::vector<Event> exit_sessions(const std::vector<ItemRef>& items, const std::string& user_id,
                                     const Place& place, bool returned, Micros end);

    const Product& random_product();
    const Product& product_by_id(int64_t id);

private:
    const std::string& pick_name(const std::vector<std::string>& list);
    // checked_out false: the sessions end at the cart (the order is made but not to be written).
    Purchase purchase(const std::string& user_id, const Place& place, Micros now, bool with_sessions, bool checked_out);

    std::string new_id(Micros t) { return ids_ == IdFormat::Uuid7 ? uuid_v7(rng_, t / 1000) : uuid_v4(rng_); }

    Rng rng_;
    IdFormat ids_ = IdFormat::Uuid4;
    const NameLists& names_;
    const std::vector<Product>& products_;
    const LocationSampler& locations_;
    std::unordered_map<int64_t, size_t> product_index_;
    Product unknown_product_;
};

inline Place place_of(const Location& l) { return Place{l.city, l.state, l.postal_code}; }

}  // namespace thelook
