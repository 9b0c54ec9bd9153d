#include "order_timeline.hpp"

#include "distributions.hpp"

namespace thelook {

namespace {
constexpr double kMicrosPerHour = 3600.0 * 1e6;
Micros delay(Rng& rng, double min_hours, double max_hours) {
    return static_cast<Micros>((min_hours + rng.uniform() * (max_hours - min_hours)) * kMicrosPerHour);
}
}  // namespace

OrderTimeline draw_timeline(Micros created_at, Rng& rng) {
    OrderTimeline t;
    t.created_at = created_at;
    if (rng.bernoulli(dist::kProcessingToCancelled)) {
        t.cancelled_at = created_at + delay(rng, dist::kCancelDelayMinHours, dist::kCancelDelayMaxHours);
        return t;
    }
    t.shipped_at = created_at + delay(rng, dist::kShipDelayMinHours, dist::kShipDelayMaxHours);
    t.delivered_at = t.shipped_at + delay(rng, dist::kDeliveryDelayMinDays * 24, dist::kDeliveryDelayMaxDays * 24);
    if (rng.bernoulli(dist::kReturnProbability))
        t.returned_at = t.delivered_at + delay(rng, dist::kReturnDelayMinDays * 24, dist::kReturnDelayMaxDays * 24);
    return t;
}

OrderStatus state_as_of(const OrderTimeline& t, Micros as_of, OrderTimes* times) {
    auto happened = [&](Micros at) { return at != kNoTime && at <= as_of; };
    OrderTimes out;
    out.created_at = out.updated_at = t.created_at;
    OrderStatus status = OrderStatus::Processing;
    if (happened(t.cancelled_at)) {
        out.cancelled_at = out.updated_at = t.cancelled_at;
        status = OrderStatus::Cancelled;
    }
    if (happened(t.shipped_at)) {
        out.shipped_at = out.updated_at = t.shipped_at;
        status = OrderStatus::Shipped;
    }
    if (happened(t.delivered_at)) {
        out.delivered_at = out.updated_at = t.delivered_at;
        status = OrderStatus::Delivered;
    }
    if (happened(t.returned_at)) {
        out.returned_at = out.updated_at = t.returned_at;
        status = OrderStatus::Returned;
    }
    *times = out;
    return status;
}

void play_out(Purchase& p, const OrderTimeline& timeline, Micros as_of) {
    p.order.status = state_as_of(timeline, as_of, &p.order.times);
    for (auto& item : p.items) {
        item.status = p.order.status;
        item.times = p.order.times;
    }
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
