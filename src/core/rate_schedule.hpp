// Poisson arrivals against the clock: arrival k is at start + the sum of k exponential gaps, fixed
// in advance, so the achieved rate does not depend on how long the work takes (the reference
// sleeps and then works, and so falls short of its target rate).
#pragma once

#include <cstdint>
#include <vector>

#include "entities.hpp"
#include "random.hpp"

namespace thelook {

class PoissonSchedule {
public:
    PoissonSchedule(double rate_per_second, Micros start, uint64_t seed);

    Micros next_arrival() const { return next_; }
    double rate() const { return rate_; }
    uint64_t taken() const { return taken_; }

    // Takes the arrivals due at `now` for one transaction: at most max_count, all within
    // max_span of the first one taken. Returns their times (empty if none is due).
    std::vector<Micros> take_due(Micros now, size_t max_count, Micros max_span);

    // Arrivals scheduled up to `now`: those taken plus the expected number still due.
    uint64_t scheduled_by(Micros now) const;

private:
    void advance();

    double rate_;
    Rng rng_;
    Micros next_;
    double next_exact_;  // seconds since start, kept in double to avoid rounding drift
    Micros start_;
    uint64_t taken_ = 0;
};

}  // namespace thelook
