#include "open_order_book.hpp"

#include <algorithm>

#include "order_lifecycle.hpp"

namespace thelook {

std::string open_order_probe(Rng& rng, IdFormat ids, int64_t oldest_open_millis, Micros t) {
    if (ids == IdFormat::Uuid4 || oldest_open_millis < 0) return uuid_v4(rng);
    const int64_t now_millis = t / 1000;
    return uuid_v7_floor(rng.uniform_int(oldest_open_millis, std::max(oldest_open_millis, now_millis)));
}

void OpenOrderBook::add(Order order, std::vector<OrderItem> items, Place place) {
    std::string id = order.id;
    open_.emplace(std::move(id), Held{std::move(order), std::move(items), std::move(place)});
}

std::optional<OpenOrderBook::Held> OpenOrderBook::step(Micros t, Rng& rng) {
    // The oldest open order of version-7 ids is the first key (they sort by time), as the live
    // loop reads it from the index; the draws are the live loop's, in its order.
    const int64_t oldest = ids_ == IdFormat::Uuid7 && !open_.empty() ? uuid_v7_millis(open_.begin()->first) : -1;
    const std::string probe = open_order_probe(rng, ids_, oldest, t);
    if (open_.empty()) return std::nullopt;
    auto it = open_.lower_bound(probe);
    if (it == open_.end()) it = open_.begin();
    Held& h = it->second;
    const OrderStatus next = next_status(h.order.status, rng);
    // The live UPDATE of the order and of its items: the new status, its time and updated_at.
    if (!apply_status(h.order.status, h.order.times, next, t)) return std::nullopt;
    for (OrderItem& item : h.items) apply_status(item.status, item.times, next, t);
    if (!is_final(next)) return std::nullopt;
    Held done = std::move(h);
    open_.erase(it);
    return done;
}

void OpenOrderBook::take_all(std::vector<Order>* orders, std::vector<OrderItem>* items) {
    for (auto& [id, h] : open_) {
        orders->push_back(std::move(h.order));
        for (OrderItem& item : h.items) items->push_back(std::move(item));
    }
    open_.clear();
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
