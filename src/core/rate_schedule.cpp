#include "rate_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace thelook {

PoissonSchedule::PoissonSchedule(double rate_per_second, Micros start, uint64_t seed, const Intensity* intensity)
    : rate_(rate_per_second), rng_(seed), intensity_(intensity), next_(start), next_exact_(0), start_(start) {
    advance();
}

void PoissonSchedule::advance() {
    const double mass = rng_.exponential(1.0);
    locate(next_, next_exact_, mass);
}

// Places the next arrival where `mass` of rate * m is used up, walking m's constant pieces from
// `from` (= start + from_seconds).
void PoissonSchedule::locate(Micros from, double from_seconds, double mass) {
    pieces_.clear();
    if (!intensity_ || intensity_->flat()) {
        // The constant-rate case, in the same arithmetic as ever (seeded runs repeat).
        next_exact_ = from_seconds + mass / rate_;
        next_ = start_ + static_cast<Micros>(std::floor(next_exact_ * 1e6));
        pieces_.push_back(Piece{from_seconds, rate_});
        return;
    }
    Micros t = from;
    double p = from_seconds;
    for (;;) {
        const double v = rate_ * intensity_->value(t);
        const Micros change = intensity_->next_change(t);
        const double end = change == kNever ? INFINITY : static_cast<double>(change - start_) / 1e6;
        pieces_.push_back(Piece{p, v});
        if (v > 0 && p + mass / v <= end) {
            next_exact_ = p + mass / v;
            break;
        }
        if (change == kNever) {  // no traffic ever again
            next_exact_ = INFINITY;
            next_ = kNever;
            return;
        }
        if (v > 0) mass -= v * (end - p);
        t = change;
        p = end;
    }
    next_ = std::max(from, start_ + static_cast<Micros>(std::floor(next_exact_ * 1e6)));
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

double PoissonSchedule::expected_between(Micros from, Micros to) const {
    if (to <= from) return 0;
    if (!intensity_) return rate_ * static_cast<double>(to - from) / 1e6;
    return rate_ * intensity_->integral(from, to);
}

uint64_t PoissonSchedule::scheduled_by(Micros now) const {
    if (next_ > now) return taken_;
    return taken_ + 1 + static_cast<uint64_t>(expected_between(next_, now));
}

void PoissonSchedule::retune(Micros now, double rate_per_second, const Intensity* intensity) {
    if (next_ <= now) {  // an arrival is already due: it stays, and the new rate applies after it
        rate_ = rate_per_second;
        intensity_ = intensity;
        return;
    }
    const double now_seconds = static_cast<double>(now - start_) / 1e6;
    const double residual = next_ == kNever ? rng_.exponential(1.0) : residual_mass(now_seconds);
    rate_ = rate_per_second;
    intensity_ = intensity;
    locate(now, now_seconds, residual);
}

uint64_t PoissonSchedule::skip_to(Micros now) {
    if (next_ > now) return 0;
    const double expected = 1 + expected_between(next_, now);
    const double now_seconds = static_cast<double>(now - start_) / 1e6;
    locate(now, now_seconds, rng_.exponential(1.0));
    return static_cast<uint64_t>(std::llround(expected));
}

PoissonSchedule::Snapshot PoissonSchedule::snapshot() const {
    Snapshot s;
    s.rate = rate_;
    s.rng = rng_.state();
    s.next = next_;
    s.start = start_;
    s.next_exact = next_exact_;
    s.taken = taken_;
    for (const Piece& p : pieces_) s.pieces.emplace_back(p.from_seconds, p.rate);
    return s;
}

void PoissonSchedule::restore(const Snapshot& s, const Intensity* intensity) {
    rate_ = s.rate;
    rng_.restore(s.rng);
    intensity_ = intensity;
    next_ = s.next;
    start_ = s.start;
    next_exact_ = s.next_exact;
    taken_ = s.taken;
    pieces_.clear();
    for (const auto& p : s.pieces) pieces_.push_back(Piece{p.first, p.second});
}

// rate * m integrated from now to the next arrival, over the pieces it was placed with: the Exp(1)
// mass of the current gap that is still ahead.
double PoissonSchedule::residual_mass(double now_seconds) const {
    double mass = 0;
    for (size_t i = 0; i < pieces_.size(); ++i) {
        const double from = std::max(pieces_[i].from_seconds, now_seconds);
        const double to = i + 1 < pieces_.size() ? pieces_[i + 1].from_seconds : next_exact_;
        if (pieces_[i].rate > 0 && to > from) mass += pieces_[i].rate * (to - from);
    }
    return mass;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
