#include "order_lifecycle.hpp"

#include <algorithm>
#include <cstring>

#include "distributions.hpp"

namespace thelook {

const char* status_name(OrderStatus s) {
    switch (s) {
        case OrderStatus::Processing: return "Processing";
        case OrderStatus::Shipped: return "Shipped";
        case OrderStatus::Delivered: return "Delivered";
        case OrderStatus::Returned: return "Returned";
        case OrderStatus::Cancelled: return "Cancelled";
    }
    return "Processing";
}

bool parse_status(const std::string& text, OrderStatus* out) {
    for (OrderStatus s : {OrderStatus::Processing, OrderStatus::Shipped, OrderStatus::Delivered,
                          OrderStatus::Returned, OrderStatus::Cancelled})
        if (text == status_name(s)) {
            *out = s;
            return true;
        }
    return false;
}

OrderStatus next_status(OrderStatus current, Rng& rng) {
    switch (current) {
        case OrderStatus::Processing:
            return rng.bernoulli(dist::kProcessingToCancelled) ? OrderStatus::Cancelled : OrderStatus::Shipped;
        case OrderStatus::Shipped: return OrderStatus::Delivered;
        case OrderStatus::Delivered:
            return rng.bernoulli(dist::kDeliveredToReturned) ? OrderStatus::Returned : OrderStatus::Delivered;
        default: return current;
    }
}

std::string open_order_probe(Rng& rng, IdFormat ids, int64_t oldest_open_millis, Micros t) {
    if (ids == IdFormat::Uuid4 || oldest_open_millis < 0) return uuid_v4(rng);
    const int64_t now_millis = t / 1000;
    return uuid_v7_floor(rng.uniform_int(oldest_open_millis, std::max(oldest_open_millis, now_millis)));
}

bool is_legal_transition(OrderStatus from, OrderStatus to) {
    switch (from) {
        case OrderStatus::Processing: return to == OrderStatus::Shipped || to == OrderStatus::Cancelled;
        case OrderStatus::Shipped: return to == OrderStatus::Delivered;
        case OrderStatus::Delivered: return to == OrderStatus::Returned;
        default: return false;
    }
}

bool apply_status(OrderStatus& status, OrderTimes& times, OrderStatus next, Micros now) {
    if (next == status) return false;
    switch (next) {
        case OrderStatus::Shipped: times.shipped_at = now; break;
        case OrderStatus::Delivered: times.delivered_at = now; break;
        case OrderStatus::Returned: times.returned_at = now; break;
        case OrderStatus::Cancelled: times.cancelled_at = now; break;
        case OrderStatus::Processing: break;
    }
    times.updated_at = now;
    status = next;
    return true;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
