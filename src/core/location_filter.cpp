#include "location_filter.hpp"

#include <cmath>
#include <cstdlib>

#include "error.hpp"

namespace thelook {

namespace {

class JsonWeightsParser {
public:
    JsonWeightsParser(const std::string& text, const std::string& parameter)
        : s_(text), parameter_(parameter) {}

    std::map<std::string, double> parse() {
        std::map<std::string, double> out;
        skip_ws();
        expect('{');
        skip_ws();
        if (peek() == '}') fail("the object is empty");
        while (true) {
            skip_ws();
            std::string key = parse_string();
            skip_ws();
            expect(':');
            skip_ws();
            double w = parse_number();
            if (!(w > 0) || !std::isfinite(w))
                fail("the weight of \"" + key + "\" is not a positive number");
            if (out.count(key)) fail("\"" + key + "\" appears twice");
            out[key] = w;
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect('}');
            break;
        }
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected text after the object");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw Error(sqlstate::kInvalidParameterValue,
                    "invalid weights for parameter \"" + parameter_ + "\": " + why,
                    "The value was: " + s_,
                    "Pass '*', a single value, or a JSON object of positive weights such as "
                    "'{\"United States\": 0.75, \"United Kingdom\": 0.25}'.");
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "' at position " + std::to_string(pos_ + 1));
        ++pos_;
    }
    std::string parse_string() {
        expect('"');
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) fail("unterminated string");
            char c = s_[pos_++];
            if (c == '"') break;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) fail("unterminated escape");
            char e = s_[pos_++];
            switch (e) {
                case '"': case '\\': case '/': out += e; break;
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    if (pos_ + 4 > s_.size()) fail("bad \\u escape");
                    unsigned cp = std::strtoul(s_.substr(pos_, 4).c_str(), nullptr, 16);
                    pos_ += 4;
                    if (cp < 0x80) {
                        out += static_cast<char>(cp);
                    } else if (cp < 0x800) {
                        out += static_cast<char>(0xC0 | (cp >> 6));
                        out += static_cast<char>(0x80 | (cp & 0x3F));
                    } else {
                        out += static_cast<char>(0xE0 | (cp >> 12));
                        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                        out += static_cast<char>(0x80 | (cp & 0x3F));
                    }
                    break;
                }
                default: fail(std::string("unknown escape \\") + e);
            }
        }
        return out;
    }
    double parse_number() {
        const char* begin = s_.c_str() + pos_;
        char* end = nullptr;
        double v = std::strtod(begin, &end);
        if (end == begin) fail("expected a number at position " + std::to_string(pos_ + 1));
        pos_ += static_cast<size_t>(end - begin);
        return v;
    }

    const std::string& s_;
    const std::string& parameter_;
    size_t pos_ = 0;
};

const std::string& field(const Location& l, int dim) {
    return dim == 0 ? l.country : dim == 1 ? l.state : l.postal_code;
}
const char* const kDimNames[] = {"country", "state", "postal_code"};

// A place's weight before any JSON weights: its population (places without one count as 1).
double base_weight(const Location& l) { return l.population > 0 ? l.population : 1.0; }

std::string trim(const std::string& s) {
    const size_t first = s.find_first_not_of(" \t\n\r");
    if (first == std::string::npos) return std::string();
    return s.substr(first, s.find_last_not_of(" \t\n\r") - first + 1);
}

}  // namespace

std::map<std::string, double> parse_json_weights(const std::string& text, const std::string& parameter) {
    return JsonWeightsParser(text, parameter).parse();
}

LocationSpec LocationSpec::parse(const std::string& raw, const std::string& parameter) {
    LocationSpec spec;
    const std::string text = trim(raw);
    if (text.empty())
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"" + parameter + "\" is empty", "",
                    "Pass '*' for any value, a single value, or a JSON object of weights.");
    if (text == "*") return spec;
    if (text[0] == '{') {
        spec.kind = Kind::Weighted;
        spec.weights = parse_json_weights(text, parameter);
        return spec;
    }
    spec.kind = Kind::One;
    spec.weights[text] = 1.0;
    return spec;
}

bool LocationSpec::matches(const std::string& value) const {
    return kind == Kind::Any || weights.count(value) > 0;
}

LocationSampler::LocationSampler(const std::vector<Location>& locations, const std::string& country,
                                 const std::string& state, const std::string& postal_code) {
    const LocationSpec specs[3] = {LocationSpec::parse(country, "country"),
                                   LocationSpec::parse(state, "state"),
                                   LocationSpec::parse(postal_code, "postal_code")};
    // Every named value must exist somewhere, so that a typo is reported as such.
    for (int d = 0; d < 3; ++d) {
        for (const auto& kv : specs[d].weights) {
            bool found = false;
            for (const auto& l : locations)
                if (field(l, d) == kv.first) {
                    found = true;
                    break;
                }
            if (specs[d].kind != LocationSpec::Kind::Any && !found)
                throw Error(sqlstate::kInvalidParameterValue,
                            std::string("parameter \"") + kDimNames[d] + "\" names an unknown " +
                                kDimNames[d] + " \"" + kv.first + "\"",
                            "", std::string("SELECT DISTINCT ") + kDimNames[d] +
                                    " FROM thelook.locations() lists the known values.");
        }
    }
    std::map<std::string, double> mass[3];
    for (const auto& l : locations) {
        if (!(specs[0].matches(l.country) && specs[1].matches(l.state) && specs[2].matches(l.postal_code)))
            continue;
        matched_.push_back(&l);
        for (int d = 0; d < 3; ++d)
            if (specs[d].kind == LocationSpec::Kind::Weighted) mass[d][field(l, d)] += base_weight(l);
    }
    if (matched_.empty())
        throw Error(sqlstate::kInvalidParameterValue,
                    "no location matches country " + country + ", state " + state +
                        " and postal_code " + postal_code,
                    "", "Loosen the location parameters; thelook.locations() lists the known places.");
    weights_.reserve(matched_.size());
    for (const Location* l : matched_) {
        double w = base_weight(*l);
        for (int d = 0; d < 3; ++d)
            if (specs[d].kind == LocationSpec::Kind::Weighted) {
                const std::string& v = field(*l, d);
                double m = mass[d][v];
                w *= specs[d].weights.at(v) / (m > 0 ? m : 1.0);
            }
        weights_.push_back(w);
    }
    index_ = WeightedIndex(weights_);
}

double LocationSampler::share_of_country(const std::string& c) const {
    double part = 0;
    for (size_t i = 0; i < matched_.size(); ++i)
        if (matched_[i]->country == c) part += weights_[i];
    return part / index_.total();
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
