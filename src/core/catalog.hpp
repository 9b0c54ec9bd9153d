// Reference data: the product catalogue, distribution centres, locations and name lists, read
// from the tab-separated files in data/ (installed to share/extension/thelook_datagen/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "entities.hpp"

namespace thelook {

struct Product {
    int64_t id = 0;
    double cost = 0;
    std::string category, name, brand;
    double retail_price = 0;
    std::string department, sku;
    int64_t distribution_center_id = 0;
};

struct DistCenter {
    int64_t id = 0;
    std::string name;
    double latitude = 0, longitude = 0;
};

struct NameLists {
    std::vector<std::string> male_first, female_first, last, streets, street_suffixes,
        email_domains;
};

// A parsed tab-separated file: the header's column names and the rows' fields.
struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    size_t column(const std::string& name) const;  // throws if missing
};

Table parse_tsv(const std::string& text, const std::string& what);
Table read_tsv_file(const std::string& path);

std::vector<Product> products_from_table(const Table& t);
std::vector<DistCenter> dist_centers_from_table(const Table& t);
std::vector<Location> locations_from_table(const Table& t);
std::vector<std::string> names_from_table(const Table& t);

// Everything the generators need that does not live in the database.
struct Catalog {
    std::vector<Product> products;
    std::vector<DistCenter> dist_centers;
    std::vector<Location> locations;
    NameLists names;

    // Loads every data file from dir. Throws thelook::Error (58P01) naming a missing file.
    static Catalog load(const std::string& dir);
};

}  // namespace thelook
