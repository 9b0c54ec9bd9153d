#include "entity_generator.hpp"

#include <cctype>
#include <iterator>
#include <string_view>

#include "distributions.hpp"
#include "error.hpp"
#include "web_session.hpp"

namespace thelook {

namespace {
std::string email_part(const std::string& s) {
    std::string out;
    for (unsigned char c : s)
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    return out;
}
}  // namespace

EntityGenerator::EntityGenerator(const NameLists& names, const std::vector<Product>& products,
                                 const LocationSampler& locations, uint64_t seed)
    : rng_(seed), names_(names), products_(products), locations_(locations) {
    if (products_.empty())
        throw Error(sqlstate::kInvalidParameterValue, "the product catalogue is empty", "",
                    "Run thelook.setup() to load the catalogue.");
    if (names_.male_first.empty() || names_.female_first.empty() || names_.last.empty() ||
        names_.streets.empty() || names_.street_suffixes.empty() || names_.email_domains.empty())
        throw Error(sqlstate::kDataCorrupted, "a name list of the extension's data is empty", "",
                    "Reinstall the extension (make install).");
    product_index_.reserve(products_.size());
    for (size_t i = 0; i < products_.size(); ++i) product_index_[products_[i].id] = i;
    unique_ids_ = product_index_.size() == products_.size();
}

const std::string& EntityGenerator::pick_name(const std::vector<std::string>& list) {
    return list[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(list.size()) - 1))];
}

const Product& EntityGenerator::random_product() {
    return products_[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(products_.size()) - 1))];
}

const Product* EntityGenerator::catalog_entry(const Product& p) const {
    const bool in_catalog = &p >= products_.data() && &p < products_.data() + products_.size();
    return unique_ids_ && in_catalog ? &p : nullptr;
}

const Product& EntityGenerator::product_by_id(int64_t id) {
    auto it = product_index_.find(id);
    if (it != product_index_.end()) return products_[it->second];
    unknown_product_ = Product{};
    unknown_product_.id = id;
    return unknown_product_;
}

// The address's draws in the order GCC gave the expression they once were
// (number + street + suffix, whose operands C++ leaves unsequenced; GCC evaluates them last
// first): written out, the order is the same under every compiler, and new_user_key can make
// exactly these draws without building the string.
EntityGenerator::AddressDraws EntityGenerator::draw_address() {
    AddressDraws a;
    a.suffix = &pick_name(names_.street_suffixes);
    a.street = &pick_name(names_.streets);
    a.number = rng_.uniform_int(1, 9999);
    a.location = &locations_.pick(rng_);
    return a;
}

std::string EntityGenerator::AddressDraws::street_address() const {
    return std::to_string(number) + " " + *street + " " + *suffix;
}

Address EntityGenerator::new_address() {
    const AddressDraws d = draw_address();
    return Address{d.street_address(), d.location};
}

void EntityGenerator::draw_user(bool fill, Micros now, User* u, UserKey* key) {
    key->id = ids_.v4(rng_);
    key->gender = pick(dist::kGender, rng_);
    const bool male = std::string_view(key->gender) == "M";
    const std::string& first_name = pick_name(male ? names_.male_first : names_.female_first);
    const std::string& last_name = pick_name(names_.last);
    const std::string& domain = pick_name(names_.email_domains);
    const int age = static_cast<int>(rng_.uniform_int(dist::kAgeMin, dist::kAgeMax));
    const AddressDraws address = draw_address();
    key->location = address.location;
    const char* traffic_source = pick(dist::kUserTrafficSource, rng_);
    if (!fill) return;
    u->id = std::move(key->id);
    u->gender = key->gender;
    u->first_name = first_name;
    u->last_name = last_name;
    u->email = email_part(first_name) + "." + email_part(last_name) + "@" + domain;
    u->age = age;
    u->street_address = address.street_address();
    u->location = key->location;
    u->traffic_source = traffic_source;
    u->created_at = u->updated_at = now;
}

User EntityGenerator::new_user(Micros now) {
    User u;
    UserKey key;
    draw_user(true, now, &u, &key);
    return u;
}

UserKey EntityGenerator::new_user_key() {
    UserKey key;
    draw_user(false, 0, nullptr, &key);
    return key;
}

Purchase EntityGenerator::new_purchase(const std::string& user_id, const Place& place, Micros now,
                                       bool with_sessions, const std::string& gender) {
    return purchase(user_id, place, now, with_sessions, true, gender);
}

const Product& EntityGenerator::buyer_product(const std::string& gender) {
    return model_ ? model_->picker().pick(rng_, gender) : random_product();
}

double EntityGenerator::price_of(const Product& p, const std::string& user_id, const std::string& campaign,
                                 Micros now) const {
    return model_ ? model_->pricing().sale_price(p, user_id, campaign, now) : p.retail_price;
}

const Location& EntityGenerator::random_location() { return locations_.pick(rng_); }

Purchase EntityGenerator::order_from_cart(const std::string& user_id, const std::vector<const Product*>& cart,
                                          const std::string& campaign, Micros now) {
    Purchase p;
    p.order.id = new_id(now);
    p.order.user_id = user_id;
    p.order.status = OrderStatus::Processing;
    p.order.num_of_items = static_cast<int>(cart.size());
    p.order.times.created_at = p.order.times.updated_at = now;
    for (const Product* product : cart) {
        OrderItem item;
        item.id = new_id(now);
        item.order_id = p.order.id;
        item.product_id = product->id;
        item.status = p.order.status;
        item.quantity = static_cast<int>(rng_.uniform_int(dist::kQuantityMin, dist::kQuantityMax));
        item.sale_price = price_of(*product, user_id, campaign, now);
        item.times = p.order.times;
        p.items.push_back(std::move(item));
    }
    return p;
}

Purchase EntityGenerator::purchase(const std::string& user_id, const Place& place, Micros now, bool with_sessions,
                                   bool checked_out, const std::string& gender) {
    Rng session_rng(rng_.next_u64());
    Purchase p;
    p.order.id = new_id(now);
    p.order.user_id = user_id;
    p.order.status = OrderStatus::Processing;
    p.order.num_of_items = std::stoi(pick(dist::kItemsPerOrder, rng_));
    p.order.times.created_at = p.order.times.updated_at = now;
    p.items.reserve(static_cast<size_t>(p.order.num_of_items));
    bought_.clear();
    for (int i = 0; i < p.order.num_of_items; ++i) {
        const Product& product = buyer_product(gender);
        bought_.push_back(catalog_entry(product));
        OrderItem item;
        if (item_ids_) {
            item.id = new_id(now);
            item.order_id = p.order.id;
        } else {
            ids_.skip(rng_, now);
        }
        item.product_id = product.id;
        item.status = p.order.status;
        item.quantity = static_cast<int>(rng_.uniform_int(dist::kQuantityMin, dist::kQuantityMax));
        item.sale_price = price_of(product, user_id, "", now);
        item.times = p.order.times;
        p.items.push_back(std::move(item));
    }
    // Room for every purchase page (up to three browse pages, cart, purchase) up front: growing the
    // vector moved every event again (4 % of generate_events).
    if (with_sessions) {
        p.events = pool_.take_vector();
        p.events.reserve(p.items.size() * (std::size(dist::kBrowsePages) + 2));
        for (size_t i = 0; i < p.items.size(); ++i) {
            const Product& product = bought_[i] ? *bought_[i] : product_by_id(p.items[i].product_id);
            std::vector<Page> pages = purchase_pages(product, session_rng);
            if (!checked_out) pages.pop_back();  // the session ends at the cart
            append_session(pages, user_id, place, now, session_rng, ids_, &p.events, &pool_);
        }
    }
    return p;
}

std::vector<Event> EntityGenerator::failed_checkout(const std::string& user_id, const Place& place, Micros now) {
    return std::move(purchase(user_id, place, now, true, false).events);
}

std::vector<Event> EntityGenerator::ghost_session(Micros end) {
    const Location& where = locations_.pick(rng_);
    const Product& product = buyer_product("");
    return build_session(ghost_pages(product, rng_), std::string(), place_of(where), end, rng_, ids_, &pool_);
}

std::vector<Event> EntityGenerator::exit_sessions(const std::vector<ItemRef>& items,
                                                  const std::string& user_id, const Place& place,
                                                  bool returned, Micros end, Rng& rng) {
    std::vector<Event> out;
    for (const auto& item : items) {
        const Product& product = product_by_id(item.product_id);
        append_session(item_exit_pages(product, item.id, returned), user_id, place, end, rng, ids_, &out, &pool_);
    }
    return out;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
