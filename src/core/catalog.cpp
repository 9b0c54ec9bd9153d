#include "catalog.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "error.hpp"

namespace thelook {

namespace {
// The data files are installed with the extension: one that does not parse was damaged since.
constexpr const char* kReinstallHint = "Reinstall thelook_datagen (its package, or make install): its data files are damaged.";

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
        size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    return fields;
}

double to_double(const std::string& s, const std::string& what) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0')
        throw Error(sqlstate::kDataCorrupted, "invalid number \"" + s + "\" in " + what, "", kReinstallHint);
    return v;
}

int64_t to_int(const std::string& s, const std::string& what) {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0')
        throw Error(sqlstate::kDataCorrupted, "invalid integer \"" + s + "\" in " + what, "", kReinstallHint);
    return v;
}
}  // namespace

size_t Table::column(const std::string& name) const {
    for (size_t i = 0; i < columns.size(); ++i)
        if (columns[i] == name) return i;
    throw Error(sqlstate::kDataCorrupted, "data file has no column \"" + name + "\"", "", kReinstallHint);
}

Table parse_tsv(const std::string& text, const std::string& what) {
    Table t;
    std::istringstream in(text);
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto fields = split_tabs(line);
        if (t.columns.empty()) {
            t.columns = std::move(fields);
            continue;
        }
        if (fields.size() != t.columns.size())
            throw Error(sqlstate::kDataCorrupted,
                        what + " line " + std::to_string(line_no) + " has " +
                            std::to_string(fields.size()) + " fields, expected " +
                            std::to_string(t.columns.size()),
                        "", kReinstallHint);
        t.rows.push_back(std::move(fields));
    }
    return t;
}

Table read_tsv_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw Error(sqlstate::kUndefinedFile, "could not read data file \"" + path + "\"",
                    "The extension's data files are installed with \"make install\".",
                    "Reinstall the extension (make install) so that its data directory is complete.");
    std::ostringstream ss;
    ss << f.rdbuf();
    return parse_tsv(ss.str(), path);
}

std::vector<Product> products_from_table(const Table& t) {
    const size_t id = t.column("id"), cost = t.column("cost"), category = t.column("category"),
                 name = t.column("name"), brand = t.column("brand"),
                 retail = t.column("retail_price"), dept = t.column("department"),
                 sku = t.column("sku"), dc = t.column("distribution_center_id");
    std::vector<Product> out;
    out.reserve(t.rows.size());
    for (const auto& r : t.rows)
        out.push_back(Product{to_int(r[id], "products.id"), to_double(r[cost], "products.cost"),
                              r[category], r[name], r[brand],
                              to_double(r[retail], "products.retail_price"), r[dept], r[sku],
                              to_int(r[dc], "products.distribution_center_id")});
    return out;
}

std::vector<DistCenter> dist_centers_from_table(const Table& t) {
    const size_t id = t.column("id"), name = t.column("name"), lat = t.column("latitude"),
                 lon = t.column("longitude");
    std::vector<DistCenter> out;
    for (const auto& r : t.rows)
        out.push_back(DistCenter{to_int(r[id], "dist_centers.id"), r[name],
                                 to_double(r[lat], "dist_centers.latitude"),
                                 to_double(r[lon], "dist_centers.longitude")});
    return out;
}

std::vector<Location> locations_from_table(const Table& t) {
    const size_t country = t.column("country"), state = t.column("state"), city = t.column("city"),
                 postal = t.column("postal_code"), lat = t.column("latitude"),
                 lon = t.column("longitude"), pop = t.column("population");
    std::vector<Location> out;
    out.reserve(t.rows.size());
    for (const auto& r : t.rows)
        out.push_back(Location{r[country], r[state], r[city], r[postal],
                               to_double(r[lat], "locations.latitude"),
                               to_double(r[lon], "locations.longitude"),
                               to_double(r[pop], "locations.population")});
    return out;
}

std::vector<std::string> names_from_table(const Table& t) {
    std::vector<std::string> out;
    out.reserve(t.rows.size());
    for (const auto& r : t.rows)
        if (!r[0].empty()) out.push_back(r[0]);
    return out;
}

Catalog Catalog::load(const std::string& dir) {
    auto file = [&](const char* name) { return read_tsv_file(dir + "/" + name); };
    Catalog c;
    c.products = products_from_table(file("products.tsv"));
    c.dist_centers = dist_centers_from_table(file("dist_centers.tsv"));
    c.locations = locations_from_table(file("locations.tsv"));
    c.names.male_first = names_from_table(file("first_names_male.txt"));
    c.names.female_first = names_from_table(file("first_names_female.txt"));
    c.names.last = names_from_table(file("last_names.txt"));
    c.names.streets = names_from_table(file("street_names.txt"));
    c.names.street_suffixes = names_from_table(file("street_suffixes.txt"));
    c.names.email_domains = names_from_table(file("email_domains.txt"));
    return c;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
