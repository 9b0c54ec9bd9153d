#include "rate_schedule.hpp"

#include <cmath>

namespace thelook {

PoissonSchedule::PoissonSchedule(double rate_per_second, Micros start, uint64_t seed)
    : rate_(rate_per_second), rng_(seed), next_(start), next_exact_(0), start_(start) {
    advance();
}

void PoissonSchedule::advance() {
    next_exact_ += rng_.exponential(rate_);
    next_ = start_ + static_cast<Micros>(std::floor(next_exact_ * 1e6));
}

std::vector<Micros> PoissonSchedule::take_due(Micros now, size_t max_count, Micros max_span) {
    std::vector<Micros> due;
    if (next_ > now) return due;
    const Micros first = next_;
    while (next_ <= now && due.size() < max_count && next_ - first <= max_span) {
        due.push_back(next_);
        ++taken_;
        advance();
    }
    return due;
}

uint64_t PoissonSchedule::scheduled_by(Micros now) const {
    if (next_ > now) return taken_;
    return taken_ + 1 + static_cast<uint64_t>(rate_ * static_cast<double>(now - next_) / 1e6);
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
