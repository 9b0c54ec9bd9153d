// An order's whole life drawn at creation (ship / cancel / deliver / return, with delays from
// distributions.hpp), and its state as of any later time. The bulk functions and the back-fill
// use it so that every order they write is consistent with a clock: created <= shipped <=
// delivered <= returned, cancelled only from Processing, nothing after the "as of" time.
#pragma once

#include "entities.hpp"
#include "random.hpp"

namespace thelook {

struct OrderTimeline {
    Micros created_at = kNoTime, shipped_at = kNoTime, delivered_at = kNoTime, returned_at = kNoTime,
           cancelled_at = kNoTime;
};

OrderTimeline draw_timeline(Micros created_at, Rng& rng);

// The status and timestamps of an order with this timeline at time as_of (events after as_of
// have not happened yet; updated_at is the last event up to as_of).
OrderStatus state_as_of(const OrderTimeline& timeline, Micros as_of, OrderTimes* times);

// Applies state_as_of to an order and its items.
void play_out(Purchase& purchase, const OrderTimeline& timeline, Micros as_of);

}  // namespace thelook
