// The extension's data files, found in share/extension/thelook_datagen/ and parsed once per
// backend.
#pragma once

#include <string>

#include "core/catalog.hpp"

namespace thelook::pg {

std::string data_directory();
// The parsed catalogue, cached for the life of the backend. Throws thelook::Error.
const Catalog& installed_catalog();

}  // namespace thelook::pg
