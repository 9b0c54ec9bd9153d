#include "incidents.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.hpp"

namespace thelook {

namespace {
constexpr Micros kHorizon = 2LL * 86400 * kMicrosPerSecond;  // random incidents made this far ahead
constexpr Micros kNeverMicros = std::numeric_limits<Micros>::max();
constexpr uint64_t kRandomIncidentStream = 0x1C1DULL;

Micros plus_seconds(Micros t, double seconds) { return t + static_cast<Micros>(std::llround(seconds * 1e6)); }
}  // namespace

IncidentPlan::IncidentPlan(const Scenario& scenario, Micros start, uint64_t seed) : generated_until_(start) {
    for (const auto& s : scenario.incidents)
        add(s.effect, s.at != kNoTime ? s.at : plus_seconds(start, s.after_seconds), s.duration_seconds, "scheduled");
    for (size_t i = 0; i < scenario.random_incidents.size(); ++i) {
        Stream st{scenario.random_incidents[i], Rng(Rng::derive_seed(seed, kRandomIncidentStream + i)), start};
        st.next_start = plus_seconds(start, st.rng.exponential(st.spec.per_day / 86400.0));
        streams_.push_back(st);
    }
}

void IncidentPlan::add(const IncidentEffect& effect, Micros start, double duration_seconds, const char* origin,
                       bool recorded) {
    const Micros end = plus_seconds(start, duration_seconds);
    const double magnitude = effect.kind == IncidentKind::Outage ? 0.0 : effect.magnitude;
    IncidentWindow w{effect.kind, magnitude, start, end, origin};
    w.target = effect.target;
    windows_.push_back(Entry{w, recorded});
    if (effect.kind == IncidentKind::Outage && effect.recovery_magnitude > 1) {
        const double seconds = effect.recovery_seconds > 0 ? effect.recovery_seconds : duration_seconds;
        windows_.push_back(Entry{IncidentWindow{IncidentKind::Recovery, effect.recovery_magnitude, end,
                                                plus_seconds(end, seconds), origin}, recorded});
    }
}

void IncidentPlan::generate_until(Micros t) {
    if (streams_.empty() || t <= generated_until_) return;
    const Micros until = t > kNeverMicros - kHorizon ? kNeverMicros : t + kHorizon;
    for (auto& st : streams_) {
        while (st.next_start <= until) {
            const RandomIncidents& r = st.spec;
            const double duration = r.duration_min_seconds + st.rng.uniform() * (r.duration_max_seconds - r.duration_min_seconds);
            IncidentEffect e = r.effect;
            e.magnitude = r.magnitude_min + st.rng.uniform() * (r.magnitude_max - r.magnitude_min);
            add(e, st.next_start, duration, "random");
            st.next_start = plus_seconds(st.next_start, st.rng.exponential(r.per_day / 86400.0));
        }
    }
    generated_until_ = until;
}

void IncidentPlan::prune(Micros t) {
    // Windows that are over and recorded change nothing any more.
    windows_.erase(std::remove_if(windows_.begin(), windows_.end(),
                                  [&](const Entry& e) { return e.handed_out && e.window.end <= t; }),
                   windows_.end());
}

double IncidentPlan::rate_multiplier(Micros t) {
    generate_until(t);
    double m = 1;
    for (const auto& e : windows_)
        if (e.window.start <= t && t < e.window.end && e.window.kind != IncidentKind::CheckoutFailure &&
            e.window.kind != IncidentKind::SupplyProblem)
            m *= e.window.magnitude;
    return m;
}

double IncidentPlan::checkout_failure(Micros t) {
    generate_until(t);
    double share = 0;
    for (const auto& e : windows_)
        if (e.window.kind == IncidentKind::CheckoutFailure && e.window.start <= t && t < e.window.end)
            share = std::max(share, e.window.magnitude);
    return share;
}

Micros IncidentPlan::supply_blocked_until(const Product& p, Micros t) {
    generate_until(t);
    Micros until = kNoTime;
    for (const auto& e : windows_)
        if (e.window.kind == IncidentKind::SupplyProblem && e.window.start <= t && t < e.window.end &&
            e.window.target.covers(p))
            until = std::max(until, e.window.end);
    return until;
}

bool SupplyTarget::covers(const Product& p) const {
    return (category.empty() || category == p.category) && (brand.empty() || brand == p.brand) &&
           (distribution_center_id == 0 || distribution_center_id == p.distribution_center_id);
}

std::string SupplyTarget::describe() const {
    std::string out;
    auto add = [&](const std::string& k, const std::string& v) { out += (out.empty() ? "" : " ") + k + "=" + v; };
    if (!category.empty()) add("category", category);
    if (!brand.empty()) add("brand", brand);
    if (distribution_center_id != 0) add("distribution_center_id", std::to_string(distribution_center_id));
    return out;
}

Micros IncidentPlan::next_change(Micros t) {
    generate_until(t);
    Micros next = kNeverMicros;
    for (const auto& e : windows_) {
        if (e.window.start > t) next = std::min(next, e.window.start);
        else if (e.window.end > t) next = std::min(next, e.window.end);
    }
    for (const auto& st : streams_) next = std::min(next, st.next_start);
    return next;
}

std::vector<IncidentWindow> IncidentPlan::take_started(Micros t) {
    generate_until(t);
    std::vector<IncidentWindow> out;
    for (auto& e : windows_)
        if (!e.handed_out && e.window.start <= t) {
            e.handed_out = true;
            out.push_back(e.window);
        }
    std::sort(out.begin(), out.end(), [](const IncidentWindow& a, const IncidentWindow& b) { return a.start < b.start; });
    prune(t);
    return out;
}

IncidentPlan::Snapshot IncidentPlan::snapshot() const {
    Snapshot s;
    for (const auto& e : windows_) s.windows.push_back(Snapshot::Window{e.window, e.handed_out});
    for (const auto& st : streams_) s.streams.push_back(Snapshot::Stream{st.rng.state(), st.next_start});
    s.generated_until = generated_until_;
    return s;
}

void IncidentPlan::restore(const Snapshot& s) {
    if (s.streams.size() != streams_.size())
        throw Error(sqlstate::kDataCorrupted, "the saved incident plan does not match the scenario",
                    "It has " + std::to_string(s.streams.size()) + " random incident streams, the scenario " +
                        std::to_string(streams_.size()) + ".",
                    "");
    windows_.clear();
    for (const auto& w : s.windows) {
        Entry e{w.window, w.handed_out};
        e.window.origin = origin_label(w.window.origin);
        windows_.push_back(e);
    }
    for (size_t i = 0; i < streams_.size(); ++i) {
        streams_[i].rng.restore(s.streams[i].rng);
        streams_[i].next_start = s.streams[i].next_start;
    }
    generated_until_ = s.generated_until;
}

const char* IncidentPlan::origin_label(const std::string& origin) {
    if (origin == "random") return "random";
    if (origin == "injected") return "injected";
    return "scheduled";
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
