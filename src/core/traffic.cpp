#include "traffic.hpp"

#include <algorithm>

#include "error.hpp"

namespace thelook {

namespace {
constexpr int kMinutesPerWeek = 7 * 1440;
constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool is_open(const TrafficSection& t, int day, int minute) {
    if (!t.has_opening_hours) return true;
    for (const auto& in : t.opening_hours[day])
        if (in.open_minute <= minute && minute < in.close_minute) return true;
    return false;
}

double curve_at(const std::vector<double>& curve, int minute) {
    return curve.empty() ? 1.0 : curve[static_cast<size_t>(minute) * curve.size() / 1440];
}
}  // namespace

int32_t ZoneRules::offset_at(Micros t) const {
    const size_t i = static_cast<size_t>(std::upper_bound(transitions.begin(), transitions.end(), t) - transitions.begin());
    return offsets_seconds[std::min(i, offsets_seconds.size() - 1)];
}

Micros ZoneRules::next_transition(Micros t) const {
    auto it = std::upper_bound(transitions.begin(), transitions.end(), t);
    return it == transitions.end() ? kNever : *it;
}

WeeklyProfile::WeeklyProfile(const TrafficSection& t, ZoneRules zone) : zone_(std::move(zone)) {
    if (t.hourly.empty() && t.hourly_weekend.empty() && t.weekly.empty() && !t.has_opening_hours) return;  // flat
    std::vector<double> raw(kMinutesPerWeek);
    double sum_open = 0;
    int open_minutes = 0;
    for (int w = 0; w < kMinutesPerWeek; ++w) {
        const int day = w / 1440, minute = w % 1440;
        if (!is_open(t, day, minute)) continue;
        const bool weekend = day >= 5 && !t.hourly_weekend.empty();
        raw[w] = curve_at(weekend ? t.hourly_weekend : t.hourly, minute) * (t.weekly.empty() ? 1.0 : t.weekly[day]);
        sum_open += raw[w];
        ++open_minutes;
    }
    if (!(sum_open > 0))
        throw Error(sqlstate::kInvalidParameterValue, "scenario.traffic: the curves are zero at every open hour", "",
                    "Give the hours when the shop is open some traffic in hourly, or change opening_hours.");
    const double z = sum_open / open_minutes;  // normalise: m averages 1 over the open minutes
    open_share_ = static_cast<double>(open_minutes) / kMinutesPerWeek;
    run_index_.resize(kMinutesPerWeek);
    for (int w = 0; w < kMinutesPerWeek; ++w) {
        const double v = raw[w] / z;
        if (runs_.empty() || runs_.back().value != v) runs_.push_back(Run{w, v});
        run_index_[w] = static_cast<int32_t>(runs_.size() - 1);
    }
}

int WeeklyProfile::minute_of_week(Micros t, int32_t offset) const {
    const int64_t local_minute = floor_div(t + static_cast<Micros>(offset) * kMicrosPerSecond, kMicrosPerMinute);
    // 1970-01-01 was a Thursday: day 3 of a week that starts on Monday.
    return static_cast<int>(((local_minute + 3 * 1440) % kMinutesPerWeek + kMinutesPerWeek) % kMinutesPerWeek);
}

double WeeklyProfile::at_minute_of_week(int minute) const {
    return runs_.empty() ? 1.0 : runs_[run_index_[static_cast<size_t>(minute)]].value;
}

double WeeklyProfile::value(Micros t) const {
    if (runs_.empty()) return 1.0;
    return runs_[run_index_[static_cast<size_t>(minute_of_week(t, zone_.offset_at(t)))]].value;
}

Micros WeeklyProfile::next_change(Micros t) const {
    if (runs_.empty()) return kNever;
    const int32_t offset = zone_.offset_at(t);
    const Micros shift = static_cast<Micros>(offset) * kMicrosPerSecond;
    const int64_t local_minute = floor_div(t + shift, kMicrosPerMinute);
    const int w = minute_of_week(t, offset);
    const size_t r = static_cast<size_t>(run_index_[static_cast<size_t>(w)]);
    const int run_end = r + 1 < runs_.size() ? runs_[r + 1].start_minute : kMinutesPerWeek;
    const Micros change = (local_minute + (run_end - w)) * kMicrosPerMinute - shift;
    return std::min(change, zone_.next_transition(t));
}

double Intensity::value(Micros t) const {
    const double m = profile_.value(t);
    return incidents_ && m > 0 ? m * incidents_->rate_multiplier(t) : m;
}

Micros Intensity::next_change(Micros t) const {
    const Micros p = profile_.next_change(t);
    return incidents_ ? std::min(p, incidents_->next_change(t)) : p;
}

double Intensity::integral(Micros from, Micros to) const {
    if (flat()) return to > from ? static_cast<double>(to - from) / 1e6 : 0.0;
    double sum = 0;
    for (Micros t = from; t < to;) {
        const Micros c = std::min(next_change(t), to);
        sum += value(t) * static_cast<double>(c - t) / 1e6;
        t = c;
    }
    return sum;
}

double Intensity::checkout_failure(Micros t) const { return incidents_ ? incidents_->checkout_failure(t) : 0.0; }

bool Intensity::flat() const { return profile_.flat() && (!incidents_ || incidents_->empty()); }

CumulativeIntensity::CumulativeIntensity(const Intensity& intensity, Micros start, Micros end)
    : start_(start), end_(std::max(start, end)) {
    times_.push_back(start_);
    cumulative_.push_back(0);
    for (Micros t = start_; t < end_;) {
        const Micros c = std::min(intensity.next_change(t), end_);
        times_.push_back(c);
        cumulative_.push_back(cumulative_.back() + intensity.value(t) * static_cast<double>(c - t) / 1e6);
        t = c;
    }
}

double CumulativeIntensity::at(Micros t) const {
    if (t <= start_) return 0;
    if (t >= end_) return cumulative_.back();
    const size_t i = static_cast<size_t>(std::upper_bound(times_.begin(), times_.end(), t) - times_.begin()) - 1;
    const double slope = (cumulative_[i + 1] - cumulative_[i]) / static_cast<double>(times_[i + 1] - times_[i]);
    return cumulative_[i] + slope * static_cast<double>(t - times_[i]);
}

Micros CumulativeIntensity::inverse(double c) const {
    // The first piece whose end reaches c; within it m is constant and positive.
    const size_t i = static_cast<size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), c) - cumulative_.begin());
    if (i == 0) return start_;
    if (i >= times_.size()) return end_;
    const double rise = cumulative_[i] - cumulative_[i - 1];
    const double share = rise > 0 ? (c - cumulative_[i - 1]) / rise : 1.0;
    return times_[i - 1] + static_cast<Micros>(share * static_cast<double>(times_[i] - times_[i - 1]));
}

Micros CumulativeIntensity::quantile_after(Micros from, double u) const {
    from = std::clamp(from, start_, end_);
    const double a = at(from), b = cumulative_.back();
    if (!(b > a)) return from + static_cast<Micros>(u * static_cast<double>(end_ - from));
    return std::clamp(inverse(a + u * (b - a)), from, end_);
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
