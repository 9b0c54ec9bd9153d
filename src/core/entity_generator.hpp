// Makes users, orders with their items and purchase sessions, anonymous sessions, and the
// sessions that follow a cancellation or return, from one seeded random stream.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "catalog.hpp"
#include "entities.hpp"
#include "id_space.hpp"
#include "location_filter.hpp"
#include "random.hpp"
#include "shopper_model.hpp"
#include "web_session.hpp"

namespace thelook {

struct Address {
    std::string street_address;
    const Location* location = nullptr;
};

// A user as an order sees its buyer: new_user's id, gender ("M" / "F") and location.
struct UserKey {
    std::string id;
    const char* gender = "";
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
    void set_id_format(IdFormat ids) { ids_.format = ids; }
    IdFormat id_format() const { return ids_.format; }
    // A sharded simulation's id space (id_space.hpp): every id it creates, users' too, falls in
    // it. space must outlive the generator; null: all ids.
    void set_id_space(const IdSpace* space) { ids_.space = space; }
    const IdRule& id_rule() const { return ids_; }
    // Whether new purchases write their items' ids and order ids (false: drawn all the same, left
    // empty: for generate_orders, which returns only the order; the items' text was a tenth of it).
    void set_item_ids(bool write) { item_ids_ = write; }
    // Products by the scenario's popularity and prices with its discounts (null: uniform, retail).
    void set_model(const ShopperModel* model) { model_ = model; }

    User new_user(Micros now);
    // What an order needs of a new user (its id, gender and place), from exactly the draws
    // new_user makes, without the names, e-mail and street it would build: OrderSet rebuilds
    // every order's buyer, and the full user was a tenth of generate_orders' time.
    UserKey new_user_key();
    Address new_address();
    // An order with its items and, unless with_sessions is false, a purchase session per item.
    // The sessions draw from their own stream, so the order and items do not depend on them.
    // gender: the buyer's, for the popularity model's department affinity ("" unknown).
    Purchase new_purchase(const std::string& user_id, const Place& place, Micros now,
                          bool with_sessions = true, const std::string& gender = "");
    // The order of a session that reached purchase: one item per product of the cart, priced by
    // the model (campaign: the session's, for its discount). No events (the session has them).
    Purchase order_from_cart(const std::string& user_id, const std::vector<const Product*>& cart,
                             const std::string& campaign, Micros now);
    // A random place (an anonymous visitor's), as a ghost session draws it.
    const Location& random_location();
    // A purchase that fails at checkout (an incident): the purchase sessions, each ending at the
    // cart at `now`, and no order. Draws from the streams exactly as new_purchase does.
    std::vector<Event> failed_checkout(const std::string& user_id, const Place& place, Micros now);
    std::vector<Event> ghost_session(Micros end);
    // The sessions of a cancelled or returned order: one per item, ending at `end`; drawn from
    // `rng` (the generator's own when not given).
    std::vector<Event> exit_sessions(const std::vector<ItemRef>& items, const std::string& user_id,
                                     const Place& place, bool returned, Micros end) {
        return exit_sessions(items, user_id, place, returned, end, rng_);
    }
    std::vector<Event> exit_sessions(const std::vector<ItemRef>& items, const std::string& user_id,
                                     const Place& place, bool returned, Micros end, Rng& rng);

    const Product& random_product();
    const Product& product_by_id(int64_t id);
    // Events whose rows are written, for the next sessions to reuse (web_session.hpp's EventPool).
    void recycle(std::vector<Event>&& events) { pool_.give_back(std::move(events)); }

private:
    const std::string& pick_name(const std::vector<std::string>& list);
    // An address's draws, before its street is written out.
    struct AddressDraws {
        int64_t number = 0;
        const std::string* street = nullptr;
        const std::string* suffix = nullptr;
        const Location* location = nullptr;
        std::string street_address() const;
    };
    AddressDraws draw_address();
    // The one rule of new_user's draws, for new_user (fill true) and new_user_key (fill false,
    // the same draws, only the key's fields set).
    void draw_user(bool fill, Micros now, User* u, UserKey* key);
    // checked_out false: the sessions end at the cart (the order is made but not to be written).
    Purchase purchase(const std::string& user_id, const Place& place, Micros now, bool with_sessions, bool checked_out,
                      const std::string& gender = "");
    const Product& buyer_product(const std::string& gender);
    // What product_by_id(p.id) returns, without its look-up, when p is the catalogue's own entry
    // and ids are unique (the look-up per purchase session was 3.6 % of generate_events); null:
    // look it up.
    const Product* catalog_entry(const Product& p) const;
    double price_of(const Product& p, const std::string& user_id, const std::string& campaign, Micros now) const;

    std::string new_id(Micros t) { return ids_.at(rng_, t); }

    Rng rng_;
    IdRule ids_;
    EventPool pool_;
    std::vector<const Product*> bought_;  // purchase()'s catalog_entry of each item, for its sessions
    const ShopperModel* model_ = nullptr;
    bool item_ids_ = true;
    const NameLists& names_;
    const std::vector<Product>& products_;
    const LocationSampler& locations_;
    std::unordered_map<int64_t, size_t> product_index_;
    bool unique_ids_ = false;  // every product's id is its own (then product_by_id(p.id) is p)
    Product unknown_product_;
};

inline Place place_of(const Location& l) { return Place{l.city, l.state, l.postal_code}; }

}  // namespace thelook
