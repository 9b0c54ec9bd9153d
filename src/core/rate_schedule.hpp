// Poisson arrivals against the clock: the arrival times are fixed in advance (they do not depend
// on how long the work takes; the reference sleeps and then works, and so falls short of its
// target rate). The rate at time t is rate * m(t) for an Intensity m (traffic.hpp), a
// non-homogeneous Poisson process made by inverting its cumulative intensity: each gap consumes
// an Exp(1) "mass" of rate * integral of m. Without an intensity, m = 1.
#pragma once

#include <cstdint>
#include <vector>

#include "entities.hpp"
#include "random.hpp"
#include "traffic.hpp"

namespace thelook {

class PoissonSchedule {
public:
    // intensity (not owned) may be null: a constant rate.
    PoissonSchedule(double rate_per_second, Micros start, uint64_t seed, const Intensity* intensity = nullptr);

    Micros next_arrival() const { return next_; }
    double rate() const { return rate_; }
    uint64_t taken() const { return taken_; }

    // Takes the arrivals due at `now` for one transaction: at most max_count, all within
    // max_span of the first one taken. Returns their times (empty if none is due).
    std::vector<Micros> take_due(Micros now, size_t max_count, Micros max_span);

    // Arrivals scheduled up to `now`: those taken plus the expected number still due.
    uint64_t scheduled_by(Micros now) const;

    // From `now` on, arrivals come at rate_per_second * m(t) of this intensity (may be the same
    // object, changed). The process stays one Poisson process: the Exp(1) mass left until the
    // next arrival carries over, so there is neither a gap nor a burst at the switch.
    void retune(Micros now, double rate_per_second, const Intensity* intensity);

    // Expected arrivals in [from, to): rate * integral of m.
    double expected_between(Micros from, Micros to) const;

    // Drops the arrivals due at or before `now` (a simulation resumed after its server was down)
    // and returns how many that was expected to be. The next arrival comes after `now` as a fresh
    // Poisson process would have it (memoryless), drawn from the same random stream.
    uint64_t skip_to(Micros now);

    // Everything the schedule's future depends on, in plain values (the intensity excepted: it is
    // rebuilt from the scenario and the incident plan's own snapshot). A schedule restored from a
    // snapshot gives exactly the arrivals the original would have given.
    struct Snapshot {
        double rate = 0;
        Rng::State rng{};
        Micros next = 0, start = 0;
        double next_exact = 0;
        uint64_t taken = 0;
        std::vector<std::pair<double, double>> pieces;  // (from_seconds, rate), see Piece
    };
    Snapshot snapshot() const;
    void restore(const Snapshot& s, const Intensity* intensity);

private:
    void advance();
    void locate(Micros from, double from_seconds, double mass);
    double residual_mass(double now_seconds) const;

    // The constant pieces of rate * m that the last locate() walked, each from from_seconds to the
    // next one's (the last to next_exact_). retune() takes the mass left from these, never from the
    // intensity the arrival was placed with: that one may have changed in place since, or be gone.
    struct Piece {
        double from_seconds, rate;
    };
    std::vector<Piece> pieces_;

    double rate_;
    Rng rng_;
    const Intensity* intensity_;
    Micros next_;
    double next_exact_;  // seconds since start, kept in double to avoid rounding drift
    Micros start_;
    uint64_t taken_ = 0;
};

}  // namespace thelook
