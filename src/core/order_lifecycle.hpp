// The order state machine: Processing -> Shipped (.95) | Cancelled (.05); Shipped -> Delivered;
// Delivered -> Returned (.02) or stays; Cancelled and Returned are final. Items follow their order.
#pragma once

#include <string>

#include "entities.hpp"
#include "random.hpp"

namespace thelook {

// The status one lifecycle step leads to (the same status when nothing happens).
OrderStatus next_status(OrderStatus current, Rng& rng);

// Moves status and times to `next` at time `now`: sets the timestamp of the new status and
// updated_at. Returns false (and changes nothing) when next == status.
bool apply_status(OrderStatus& status, OrderTimes& times, OrderStatus next, Micros now);

// One lifecycle step at `now`; returns true when the status moved.
inline bool advance(OrderStatus& status, OrderTimes& times, Micros now, Rng& rng) {
    return apply_status(status, times, next_status(status, rng), now);
}

// Where the live loop looks for an open order: it moves the first open order at or after this
// key (wrapping around). A random version-4 key; for version-7 ids, a random millisecond between
// the oldest open order (oldest_open_millis, -1: unknown) and t, since those ids sit in a narrow
// band of the key space. live_timeline.hpp draws a back-fill's steps from the same picks.
std::string open_order_probe(Rng& rng, IdFormat ids, int64_t oldest_open_millis, Micros t);

// Whether a transition is one the state machine can make.
bool is_legal_transition(OrderStatus from, OrderStatus to);

}  // namespace thelook
