// The shape of traffic over time: a weekly profile read in a time zone (hour-of-day and
// day-of-week curves, opening hours) times the incidents in force. Intensity::value(t) is m(t) of
// the README: arrivals come at avg_qps * m(t) per second (rate_schedule.hpp).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "entities.hpp"
#include "incidents.hpp"
#include "scenario.hpp"

namespace thelook {

inline constexpr Micros kNever = std::numeric_limits<Micros>::max();

// UTC offsets of a time zone: offsets[i] holds from transitions[i - 1] (or forever before) up to
// transitions[i] (or forever after). Built by the bridge from PostgreSQL's time zone data.
struct ZoneRules {
    std::vector<Micros> transitions;
    std::vector<int32_t> offsets_seconds{0};  // transitions.size() + 1 entries
    int32_t offset_at(Micros t) const;
    Micros next_transition(Micros t) const;   // kNever when none
};

// m(t) without incidents: piecewise constant over the local minutes of a week.
class WeeklyProfile {
public:
    WeeklyProfile() = default;  // flat: 1 everywhere
    WeeklyProfile(const TrafficSection& traffic, ZoneRules zone);

    bool flat() const { return runs_.empty(); }
    double value(Micros t) const;
    // The first instant after t at which value() may change (kNever for a flat profile).
    Micros next_change(Micros t) const;
    // Share of the week's minutes that are open (1 without opening hours).
    double open_share() const { return open_share_; }
    // m at a local minute of the week (0 = Monday 00:00), normalised.
    double at_minute_of_week(int minute) const;

private:
    struct Run {
        int start_minute;  // of the week
        double value;
    };
    int run_of(int minute) const;
    int minute_of_week(Micros t, int32_t offset) const;

    std::vector<Run> runs_;           // sorted, covering the week; empty = flat
    std::vector<int32_t> run_index_;  // per minute of the week
    double open_share_ = 1;
    ZoneRules zone_;
};

// m(t) with incidents.
class Intensity {
public:
    Intensity() = default;
    Intensity(WeeklyProfile profile, IncidentPlan* incidents) : profile_(std::move(profile)), incidents_(incidents) {}

    double value(Micros t) const;
    Micros next_change(Micros t) const;
    // The integral of m over [from, to), in seconds.
    double integral(Micros from, Micros to) const;
    // Share of purchases that fail at checkout at t (0 normally).
    double checkout_failure(Micros t) const;
    bool flat() const;
    const WeeklyProfile& profile() const { return profile_; }

private:
    WeeklyProfile profile_;
    IncidentPlan* incidents_ = nullptr;  // not owned; may be null
};

// The cumulative intensity over a fixed window [start, end], built once, to place things in time
// by the scenario's shape: the time by which a share u of the window's traffic has come, in
// O(log n) per call (the bulk functions' order and session times).
class CumulativeIntensity {
public:
    CumulativeIntensity(const Intensity& intensity, Micros start, Micros end);
    // The time in [from, end] by which a share u (0..1) of the traffic after `from` has come.
    // Uniform over [from, end] if no traffic can come then (the shop never opens again).
    Micros quantile_after(Micros from, double u) const;
    // The time by which a share u of the window's traffic has come.
    Micros quantile(double u) const { return quantile_after(start_, u); }
    double at(Micros t) const;        // the integral of m from start to t (clamped to the window)
    Micros inverse(double c) const;   // the time at which the integral reaches c (end beyond it)

private:

    Micros start_, end_;
    std::vector<Micros> times_;      // breakpoints, times_[0] = start_, last = end_
    std::vector<double> cumulative_; // integral of m from start_ to times_[i]
};

}  // namespace thelook
