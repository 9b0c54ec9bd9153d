#include "file_faults.hpp"

#include "json_fields.hpp"

namespace thelook {

using nlohmann::json;
using namespace json_fields;

FileFaultsSection parse_file_faults(const json& v, const std::string& path) {
    only_keys(v, path, {"truncated_line_rate", "missing_column_rate", "type_mismatch_rate"});
    FileFaultsSection s;
    auto rate = [&](const char* key, double& out) {
        if (!v.contains(key)) return;
        out = number_at_least(v[key], path + "." + key, 0);
        if (out > 1) fail(path + "." + key, "must be a share between 0 and 1, not " + show(v[key]), "0.001 damages one record in a thousand.");
    };
    rate("truncated_line_rate", s.truncated_line_rate);
    rate("missing_column_rate", s.missing_column_rate);
    rate("type_mismatch_rate", s.type_mismatch_rate);
    if (s.truncated_line_rate + s.missing_column_rate + s.type_mismatch_rate > 1)
        fail(path, "the rates add up to more than 1", "A record gets at most one fault: keep the sum of the rates at most 1.");
    return s;
}

const char* file_fault_kind_name(FileFaultKind k) {
    switch (k) {
        case FileFaultKind::TruncatedLine: return "truncated_line";
        case FileFaultKind::MissingColumn: return "missing_column";
        case FileFaultKind::TypeMismatch: return "type_mismatch";
    }
    return "truncated_line";
}

FeedFileBuilder::FeedFileBuilder(feed::Format format, std::vector<feed::Column> columns, const FileFaultsSection& faults,
                                 uint64_t seed)
    : format_(format), columns_(std::move(columns)), rates_(faults), rng_(seed) {
    if (format_ == feed::Format::Csv) text_ = feed::csv_header(columns_);
    for (size_t i = 1; i < columns_.size(); ++i)
        if (columns_[i].json == feed::Column::Json::Number) numeric_.push_back(static_cast<int>(i));
}

// A proper prefix of the line (without its "\n"), cut where a reader still sees one line: never
// inside a CSV quoted field (which may hold a newline) nor inside a UTF-8 character.
std::string FeedFileBuilder::truncate(const std::string& line) {
    std::vector<size_t> cuts;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        const bool continuation = (c & 0xC0) == 0x80;
        if (i > 0 && !quoted && !continuation) cuts.push_back(i);
        if (format_ == feed::Format::Csv && c == '"') quoted = !quoted;  // "" inside toggles twice
    }
    if (cuts.empty()) return line.substr(0, line.size() > 1 ? 1 : 0);
    return line.substr(0, cuts[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(cuts.size()) - 1))]);
}

void FeedFileBuilder::add(const std::vector<feed::Cell>& cells) {
    ++records_;
    int skip = -1, mismatch = -1;
    bool cut = false;
    if (rates_.any()) {
        const double u = rng_.uniform();
        const double t = rates_.truncated_line_rate, m = t + rates_.missing_column_rate, x = m + rates_.type_mismatch_rate;
        if (u < t) {
            cut = true;
        } else if (u < m && columns_.size() > 1) {
            skip = static_cast<int>(rng_.uniform_int(1, static_cast<int64_t>(columns_.size()) - 1));
        } else if (u >= m && u < x && !numeric_.empty()) {
            mismatch = numeric_[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(numeric_.size()) - 1))];
        }
    }
    // Copies only for a damaged record: the clean ones are formatted from what they were given.
    const std::vector<feed::Cell>* values = &cells;
    const std::vector<feed::Column>* columns = &columns_;
    std::vector<feed::Cell> changed_values;
    std::vector<feed::Column> changed_columns;
    if (mismatch >= 0) {
        changed_values = cells;
        changed_columns = columns_;
        changed_values[static_cast<size_t>(mismatch)] = std::string(kTypeMismatchValue);
        changed_columns[static_cast<size_t>(mismatch)].json = feed::Column::Json::String;  // a JSON string, not a bare word
        values = &changed_values;
        columns = &changed_columns;
    }
    std::string line;
    if (format_ == feed::Format::Csv) {
        if (skip < 0) {
            line = feed::csv_line(*values);
        } else {
            std::vector<feed::Cell> kept;
            for (size_t i = 0; i < values->size(); ++i)
                if (static_cast<int>(i) != skip) kept.push_back((*values)[i]);
            line = feed::csv_line(kept);
        }
        line.pop_back();
    } else {
        line = feed::json_object(*columns, *values, skip);
    }
    const std::string id = cells.empty() || !cells[0] ? "" : *cells[0];
    if (cut) {
        line = truncate(line);
        faults_.push_back({records_, FileFaultKind::TruncatedLine, id, ""});
    } else if (skip >= 0) {
        faults_.push_back({records_, FileFaultKind::MissingColumn, id, columns_[static_cast<size_t>(skip)].name});
    } else if (mismatch >= 0) {
        faults_.push_back({records_, FileFaultKind::TypeMismatch, id, columns_[static_cast<size_t>(mismatch)].name});
    }
    text_ += line;
    text_ += '\n';
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
