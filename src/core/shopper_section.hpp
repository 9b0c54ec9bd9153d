// The scenario's "shoppers" section from JSON (used by parse_scenario).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "shoppers.hpp"

namespace thelook {

ShopperSection parse_shoppers(const nlohmann::json& section, const std::string& path);

}  // namespace thelook
