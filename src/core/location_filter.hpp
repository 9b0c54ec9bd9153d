// Where generated users live. Each of country / state / postal_code is "*" (any), one value, or a
// JSON object of positive weights such as {"United States": 0.75, "United Kingdom": 0.25}.
// Places are drawn by population among the locations that match all three; a weighted parameter
// additionally gives each of its values that share of the draws.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "entities.hpp"
#include "random.hpp"

namespace thelook {

struct LocationSpec {
    enum class Kind { Any, One, Weighted } kind = Kind::Any;
    std::map<std::string, double> weights;  // One: a single value with weight 1

    // Parses "*", a plain value, or a JSON object. parameter names the argument in errors.
    static LocationSpec parse(const std::string& text, const std::string& parameter);
    bool matches(const std::string& value) const;
};

// Parses a flat JSON object of string keys to positive finite numbers.
std::map<std::string, double> parse_json_weights(const std::string& text, const std::string& parameter);

class LocationSampler {
public:
    // Throws thelook::Error (22023) when a value matches no location, naming the parameter.
    LocationSampler(const std::vector<Location>& locations, const std::string& country,
                    const std::string& state, const std::string& postal_code);

    const Location& pick(Rng& rng) const { return *matched_[index_.pick(rng)]; }
    size_t size() const { return matched_.size(); }
    // Probability with which pick() returns locations of the given country (for tests and docs).
    double share_of_country(const std::string& country) const;

private:
    std::vector<const Location*> matched_;
    std::vector<double> weights_;
    WeightedIndex index_;
};

}  // namespace thelook
