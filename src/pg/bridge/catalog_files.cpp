#include "pg/bridge/catalog_files.hpp"

#include <memory>

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

std::string data_directory() {
    char share[MAXPGPATH];
    get_share_path(my_exec_path, share);
    return std::string(share) + "/extension/thelook_datagen";
}

const Catalog& installed_catalog() {
    static std::unique_ptr<Catalog> cached;
    if (!cached) cached = std::make_unique<Catalog>(Catalog::load(data_directory()));
    return *cached;
}

}  // namespace thelook::pg
