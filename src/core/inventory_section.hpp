// The scenario's "inventory" section from JSON (used by parse_scenario); layout in inventory.hpp.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "inventory.hpp"

namespace thelook {

InventorySection parse_inventory(const nlohmann::json& section, const std::string& path);

}  // namespace thelook
