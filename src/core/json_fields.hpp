// Reading a scenario document's fields with errors that name their JSON path (22023, with a hint).
// Shared by the parsers of the scenario's sections; nothing outside src/core/ sees JSON.
#pragma once

#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

namespace thelook::json_fields {

[[noreturn]] void fail(const std::string& path, const std::string& what,
                       const std::string& hint = "See the README's \"Scenarios\" section for the document's layout.");
std::string show(const nlohmann::json& v);       // a value, shortened, for messages
std::string show_number(double v);               // 0.5, 1, 1e-09
void only_keys(const nlohmann::json& obj, const std::string& path, std::initializer_list<const char*> allowed);
double number(const nlohmann::json& v, const std::string& path);
double share(const nlohmann::json& v, const std::string& path);  // a number in [0, 1]
double number_at_least(const nlohmann::json& v, const std::string& path, double lo);
double duration_value(const nlohmann::json& v, const std::string& path);  // seconds: 600 or "10 minutes"

}  // namespace thelook::json_fields
