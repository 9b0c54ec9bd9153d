// The live loop's order lifecycle for an order that a back-fill writes once: the steps the live
// loop would make of it up to the window's end, drawn when it is created, so that a back-fill
// holds no order in memory and the history it writes has the live run's status mix.
//
// The live loop (LiveLoop::side_tasks) moves, with chance p per iteration, the open order at or
// after a random probe (open_order_probe). An order is picked when the probe falls in its gap:
// the key space from the open order before it up to its own key. So each order's steps come at
// rate p x (its gap's share of the probe's range) per iteration, and that rate is drawn here:
//  - version-4 ids: the probe is uniform over the key space. An order's gap starts as the share
//    of the circle a new uniform key gets from the N open orders before it (Beta(1, N)); every
//    later order whose key lands in the gap (chance: the gap's share, per new order) splits it,
//    and leaves the order a uniform part of it. Iterations bring new orders at the back-fill's
//    orders-per-iteration rate and steps at p, so the gap's next event comes after an
//    exponential number of iterations and is a step with chance p / (p + orders per iteration).
//  - version-7 ids: the probe is a random millisecond between the oldest open order and now, and
//    new ids come after the old ones, so an order's gap (the milliseconds since the order before
//    it) never splits while the probe's range grows: a rate that falls with time, drawn by
//    thinning.
// Iterations are placed in time by the traffic's expected arrivals (avg_qps x the intensity's
// integral), as the back-fill's Poisson schedule draws them. Not modelled (they are second-order):
// a gap that grows when the order before it leaves (Cancelled, Returned), and the wrap-around of
// a probe after the newest order. The unit test compares the status mix with the live loop's
// picks over an order book (test/unit/open_order_book.hpp) by chi-square.
#pragma once

#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "entities.hpp"
#include "order_timeline.hpp"
#include "random.hpp"
#include "traffic.hpp"

namespace thelook {

class LiveTimelines {
public:
    // p: order_update_prob; the window [start, end] and avg_qps place the iterations in time.
    LiveTimelines(double p, IdFormat ids, const Intensity& intensity, double avg_qps, Micros start, Micros end);

    // The timeline up to the window's end of an order with this id created at t, the next of
    // the back-fill's orders (orders are drawn in creation order). orders_per_iteration: the
    // back-fill's share so far (the rate at which new keys split a version-4 gap).
    OrderTimeline draw(const std::string& id, Micros t, double orders_per_iteration, Rng& rng);

    // Orders drawn so far that are still open at the time of the last draw.
    int64_t open() const { return created_ - finalised_; }

private:
    // One step of the state machine at `at`; true when it made the order final.
    static bool step(OrderStatus& status, OrderTimes& times, Micros at, Rng& rng);
    void draw_uuid4(OrderTimes& times, double c, double orders_per_iteration, Rng& rng);
    void draw_uuid7(OrderTimes& times, const std::string& id, double c, Rng& rng);
    Micros time_of(double iterations) const { return cumulative_.inverse(iterations / avg_qps_); }

    double p_;
    IdFormat ids_;
    double avg_qps_;
    CumulativeIntensity cumulative_;
    double end_iterations_;  // expected iterations from the window's start to its end
    int64_t created_ = 0, finalised_ = 0;
    std::priority_queue<Micros, std::vector<Micros>, std::greater<Micros>> finals_;  // when drawn orders end, to come
    int64_t oldest_millis_ = -1, last_millis_ = -1;  // version 7: the first order's and the last one's
};

}  // namespace thelook
