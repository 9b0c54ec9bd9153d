// The pure arithmetic of a running simulation's pacing, out of the worker so that it is unit
// tested without a server: the simulated clock, the back-off between restarts of a worker that
// dies, the token bucket that paces catching up after a resume, and when the worker wakes next.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/entities.hpp"

namespace thelook {

// The simulated clock: sim = sim0 + (wall - wall0) * scale.
struct SimClock {
    Micros wall0 = 0, sim0 = 0;
    double scale = 1;
    Micros sim(Micros wall) const;
    // The first wall instant whose simulated time is at least sim_t (kNever stays kNever).
    Micros wall(Micros sim_t) const;
    // The same simulated instant at `wall`, running `new_scale` times as fast from there on.
    SimClock rescaled(Micros wall, double new_scale) const { return SimClock{wall, sim(wall), new_scale}; }
};

// 0.25 s after a worker that made progress, then doubling per failure in a row, at most 30 s.
Micros restart_delay(int32_t failures);

// on_resume 'catch_up': the arrivals that fell due while no worker ran are written at a bounded
// rate (a token bucket), until the schedule reaches the instant the simulation resumed at.
class CatchUp {
public:
    // Catching up to simulated instant until_sim, from wall instant now (one token to start with).
    void begin(Micros until_sim, Micros now);
    bool active() const { return active_; }
    // Ends it once the schedule's next arrival is past the instant it catches up to.
    void note_next_arrival(Micros next_arrival_sim);
    // How many arrivals may be taken now (at most cap), refilled at `rate` per second since the
    // last call. When none may, wait_until() says when one may.
    size_t allowance(Micros now, double rate, size_t cap);
    void spend(size_t n) { budget_ -= static_cast<double>(n); }
    Micros wait_until() const { return wait_until_; }  // kNever unless the last allowance was 0

private:
    bool active_ = false;
    Micros until_ = 0, refilled_ = 0, wait_until_ = 0;
    double budget_ = 0;
};

// When the pacing loop wakes: at the next arrival, heartbeat, end or retention pass, whichever
// comes first; but while catching up with no token, not before the next token (or heartbeat).
Micros next_wake(Micros next_arrival_wall, Micros next_heartbeat, Micros end, Micros next_retention,
                 Micros catch_up_wait);

}  // namespace thelook
