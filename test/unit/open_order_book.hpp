// The live loop's order lifecycle over orders held in memory, the oracle that a back-fill's drawn
// lifecycle (core/live_timeline.hpp) is tested against: the orders that may still move on
// (Processing, Shipped, Delivered), keyed by id as the table's open-orders index is, picked as the
// live loop picks (the first at or after a probe, wrapping around) and moved with the live loop's
// state machine (order_lifecycle.hpp).
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "core/order_lifecycle.hpp"
#include "core/random.hpp"

namespace thelook {

class OpenOrderBook {
public:
    struct Held {
        Order order;
        std::vector<OrderItem> items;
        Place place;  // of its buyer, for the cancel / return session
    };

    explicit OpenOrderBook(IdFormat ids) : ids_(ids) {}
    void add(Order order, std::vector<OrderItem> items, Place place) {
        std::string id = order.id;
        open_.emplace(std::move(id), Held{std::move(order), std::move(items), std::move(place)});
    }
    size_t size() const { return open_.size(); }

    // One lifecycle step at t, as LiveLoop::side_tasks makes it: the open order at or after a
    // probe moves on (items with it). Returns the order when the step made it final: it has left
    // the book, and its cancel / return session and returns to stock are the caller's.
    std::optional<Held> step(Micros t, Rng& rng) {
        // The oldest open order of version-7 ids is the first key (they sort by time), as the live
        // loop reads it from the index; the draws are the live loop's, in its order.
        const int64_t oldest = ids_ == IdFormat::Uuid7 && !open_.empty() ? uuid_v7_millis(open_.begin()->first) : -1;
        const std::string probe = open_order_probe(rng, ids_, oldest, t);
        if (open_.empty()) return std::nullopt;
        auto it = open_.lower_bound(probe);
        if (it == open_.end()) it = open_.begin();
        Held& h = it->second;
        const OrderStatus next = next_status(h.order.status, rng);
        if (!apply_status(h.order.status, h.order.times, next, t)) return std::nullopt;
        for (OrderItem& item : h.items) apply_status(item.status, item.times, next, t);
        if (!is_final(next)) return std::nullopt;
        Held done = std::move(h);
        open_.erase(it);
        return done;
    }

    // At the window's end: every order still open, as it stands (the book is empty after).
    void take_all(std::vector<Order>* orders, std::vector<OrderItem>* items) {
        for (auto& [id, h] : open_) {
            orders->push_back(std::move(h.order));
            for (OrderItem& item : h.items) items->push_back(std::move(item));
        }
        open_.clear();
    }

private:
    IdFormat ids_;
    std::map<std::string, Held> open_;
};

}  // namespace thelook
