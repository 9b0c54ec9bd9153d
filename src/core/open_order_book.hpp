// The live loop's order lifecycle over orders held in memory, for a back-fill under the scenario's
// "lifecycle" section (lifecycle_section.hpp): the orders it created that may still move on
// (Processing, Shipped, Delivered), keyed by id as the table's open-orders index is, picked as
// the live loop picks (the first at or after a probe, wrapping around) and moved with the live
// loop's state machine (order_lifecycle.hpp). An order is written once it is final (Cancelled,
// Returned) or at the window's end, as the live run's row would read then.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "entities.hpp"
#include "random.hpp"

namespace thelook {

// Where the live loop looks for an open order (LiveLoop and the book share it): a random
// version-4 key; for version-7 ids, a random time between the oldest open order
// (oldest_open_millis, -1: unknown) and t, since those ids sit in a narrow band of the key space.
std::string open_order_probe(Rng& rng, IdFormat ids, int64_t oldest_open_millis, Micros t);

class OpenOrderBook {
public:
    struct Held {
        Order order;
        std::vector<OrderItem> items;
        Place place;  // of its buyer, for the cancel / return session
    };

    explicit OpenOrderBook(IdFormat ids) : ids_(ids) {}
    void add(Order order, std::vector<OrderItem> items, Place place);
    size_t size() const { return open_.size(); }

    // One lifecycle step at t, as LiveLoop::side_tasks makes it: the open order at or after a
    // probe moves on (items with it). Returns the order when the step made it final: it has left
    // the book, and its cancel / return session and returns to stock are the caller's.
    std::optional<Held> step(Micros t, Rng& rng);

    // At the window's end: every order still open, as it stands (the book is empty after).
    void take_all(std::vector<Order>* orders, std::vector<OrderItem>* items);

private:
    IdFormat ids_;
    std::map<std::string, Held> open_;
};

}  // namespace thelook
