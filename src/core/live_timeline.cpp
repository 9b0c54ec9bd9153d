#include "live_timeline.hpp"

#include <algorithm>
#include <cmath>

#include "order_lifecycle.hpp"

namespace thelook {

LiveTimelines::LiveTimelines(double p, IdFormat ids, const Intensity& intensity, double avg_qps, Micros start, Micros end)
    : p_(p), ids_(ids), avg_qps_(avg_qps), cumulative_(intensity, start, end),
      end_iterations_(avg_qps * cumulative_.at(end)) {}

bool LiveTimelines::step(OrderStatus& status, OrderTimes& times, Micros at, Rng& rng) {
    return advance(status, times, at, rng) && is_final(status);  // a Delivered order may stay
}

OrderTimeline LiveTimelines::draw(const std::string& id, Micros t, double orders_per_iteration, Rng& rng) {
    while (!finals_.empty() && finals_.top() <= t) {
        finals_.pop();
        ++finalised_;
    }
    OrderTimes times;
    times.created_at = t;
    const double c = avg_qps_ * cumulative_.at(t);
    if (p_ > 0 && avg_qps_ > 0) {
        if (ids_ == IdFormat::Uuid7)
            draw_uuid7(times, id, c, rng);
        else
            draw_uuid4(times, c, orders_per_iteration, rng);
    }
    ++created_;
    OrderTimeline timeline;
    timeline.created_at = t;
    timeline.shipped_at = times.shipped_at;
    timeline.delivered_at = times.delivered_at;
    timeline.returned_at = times.returned_at;
    timeline.cancelled_at = times.cancelled_at;
    const Micros ended = timeline.cancelled_at != kNoTime ? timeline.cancelled_at : timeline.returned_at;
    if (ended != kNoTime) finals_.push(ended);
    return timeline;
}

void LiveTimelines::draw_uuid4(OrderTimes& times, double c, double orders_per_iteration, Rng& rng) {
    const double open = static_cast<double>(created_ - finalised_);
    // The share of the circle between the open key before a new uniform key and the key.
    double gap = open < 1 ? 1.0 : -std::expm1(std::log1p(-rng.uniform()) / open);
    const double arrivals = std::clamp(orders_per_iteration, 0.0, 1.0);
    OrderStatus status = OrderStatus::Processing;
    while (gap > 0) {
        c += rng.exponential(gap * (p_ + arrivals));
        if (c > end_iterations_) return;
        if (rng.uniform() * (p_ + arrivals) < p_) {
            if (step(status, times, time_of(c), rng)) return;
        } else {
            gap *= rng.uniform();  // a new key in the gap: the order keeps the part after it
        }
    }
}

void LiveTimelines::draw_uuid7(OrderTimes& times, const std::string& id, double c, Rng& rng) {
    const int64_t ms = uuid_v7_millis(id);
    // The probe's milliseconds that reach this order first: after the previous order's, up to its
    // own (none when it shares the previous order's millisecond: that one is found first); the
    // first order has its own millisecond, the oldest of the range.
    double gap = 1;
    if (oldest_millis_ < 0)
        oldest_millis_ = last_millis_ = ms;
    else
        gap = static_cast<double>(std::max<int64_t>(ms - last_millis_, 0));
    last_millis_ = std::max(last_millis_, ms);
    if (gap <= 0) return;
    // The chance per iteration, falling as the probe's range [oldest, now] grows.
    auto rate = [&](double at) {
        const double range = static_cast<double>(time_of(at) / 1000 - oldest_millis_ + 1);
        return p_ * std::min(1.0, gap / std::max(range, 1.0));
    };
    OrderStatus status = OrderStatus::Processing;
    double bound = rate(c);
    while (bound > 0) {
        c += rng.exponential(bound);
        if (c > end_iterations_) return;
        const double now = rate(c);
        if (rng.uniform() * bound < now && step(status, times, time_of(c), rng)) return;
        bound = now;  // the rate only falls: a bound from here on
    }
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
