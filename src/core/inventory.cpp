#include "inventory.hpp"

#include <cmath>

#include "distributions.hpp"
#include "incidents.hpp"
#include "shopper_model.hpp"

namespace thelook {

InventorySection::InventorySection()
    : minimum(dist::kRestockMinimum),
      restock(dist::kRestockQuantity), lead_time_min_seconds(dist::kLeadTimeMinSeconds),
      lead_time_max_seconds(dist::kLeadTimeMaxSeconds) {}

Micros Inventory::arrival(Rng& rng, Micros t) const {
    const double seconds = s_.lead_time_min_seconds + rng.uniform() * (s_.lead_time_max_seconds - s_.lead_time_min_seconds);
    return t + static_cast<Micros>(std::llround(seconds * 1e6));
}

bool Inventory::returns_to_stock(const std::string& order_item_id) const {
    return s_.returns_to_stock > 0 && text_share("returned " + order_item_id) < s_.returns_to_stock;
}

Micros Inventory::held_until(const Product& p, Micros t) const {
    if (!incidents_) return kNoTime;
    const Micros end = incidents_->supply_blocked_until(p, t);
    return end > t ? end : kNoTime;
}


}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
