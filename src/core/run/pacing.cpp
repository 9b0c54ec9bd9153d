#include "core/run/pacing.hpp"

#include <algorithm>
#include <cmath>

#include "core/traffic.hpp"

namespace thelook {

Micros SimClock::sim(Micros wall) const {
    return sim0 + static_cast<Micros>(static_cast<double>(wall - wall0) * scale);
}

Micros SimClock::wall(Micros sim_t) const {
    if (sim_t == kNever) return kNever;
    return wall0 + static_cast<Micros>(std::ceil(static_cast<double>(sim_t - sim0) / scale));
}

Micros restart_delay(int32_t failures) {
    const int32_t doublings = std::min<int32_t>(std::max<int32_t>(failures, 0), 7);
    return std::min<Micros>(30 * kMicrosPerSecond, (kMicrosPerSecond / 4) << doublings);
}

void CatchUp::begin(Micros until_sim, Micros now) {
    active_ = true;
    until_ = until_sim;
    refilled_ = now;
    budget_ = 1;
    wait_until_ = kNever;
}

void CatchUp::note_next_arrival(Micros next_arrival_sim) {
    if (active_ && next_arrival_sim > until_) active_ = false;
}

size_t CatchUp::allowance(Micros now, double rate, size_t cap) {
    wait_until_ = kNever;
    budget_ = std::min<double>(static_cast<double>(cap), budget_ + rate * static_cast<double>(now - refilled_) / 1e6);
    refilled_ = now;
    const size_t n = std::min<size_t>(cap, budget_ > 0 ? static_cast<size_t>(budget_) : 0);
    if (n == 0) wait_until_ = now + static_cast<Micros>((1 - budget_) / rate * 1e6) + 1;
    return n;
}

Micros next_wake(Micros next_arrival_wall, Micros next_heartbeat, Micros end, Micros next_retention,
                 Micros catch_up_wait) {
    Micros wake = std::min<Micros>({next_arrival_wall, next_heartbeat, end, next_retention});
    if (catch_up_wait != kNever) wake = std::max<Micros>(wake, std::min(catch_up_wait, next_heartbeat));
    return wake;
}

}  // namespace thelook

#include "core/cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
