#include "json_fields.hpp"

#include <cmath>
#include <cstdio>

#include "error.hpp"
#include "scenario.hpp"

namespace thelook::json_fields {

using nlohmann::json;

void fail(const std::string& path, const std::string& what, const std::string& hint) {
    throw Error(sqlstate::kInvalidParameterValue, path + ": " + what, "", hint);
}

std::string show(const json& v) {
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string show_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return buf;
}

void only_keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) {
    if (!obj.is_object()) fail(path, "must be a JSON object, not " + show(obj));
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool known = false;
        for (const char* k : allowed) known = known || it.key() == k;
        if (!known) {
            std::string list;
            for (const char* k : allowed) list += std::string(list.empty() ? "" : ", ") + k;
            fail(path + "." + it.key(), "unknown key", "Known keys here: " + list + ".");
        }
    }
}

double number(const json& v, const std::string& path) {
    if (!v.is_number()) fail(path, "must be a number, not " + show(v));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(path, "must be finite");
    return d;
}

double share(const json& v, const std::string& path) {
    const double x = number(v, path);
    if (!(x >= 0 && x <= 1)) fail(path, "must be between 0 and 1");
    return x;
}

double number_at_least(const json& v, const std::string& path, double lo) {
    const double d = number(v, path);
    char bound[32];
    std::snprintf(bound, sizeof bound, "%g", lo);
    if (!(d >= lo)) fail(path, "must be a number >= " + std::string(bound) + ", not " + show(v));
    return d;
}

double duration_value(const json& v, const std::string& path) {
    if (v.is_number()) {
        const double d = number(v, path);
        if (!(d > 0)) fail(path, "must be a positive duration");
        return d;
    }
    if (!v.is_string()) fail(path, "must be a duration such as \"10 minutes\" or a number of seconds");
    return parse_duration(v.get<std::string>(), path);
}

}  // namespace thelook::json_fields

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
