#include "feed_format.hpp"

#include <cctype>
#include <cstdio>

#include "error.hpp"

namespace thelook::feed {

Format parse_format(const std::string& text) {
    if (text == "csv") return Format::Csv;
    if (text == "jsonl") return Format::Jsonl;
    throw Error(sqlstate::kInvalidParameterValue, "parameter \"format\" must be 'csv' or 'jsonl', not '" + text + "'", "",
                "Use 'csv' (with a header line) or 'jsonl' (one JSON object a line).");
}

const char* format_name(Format f) { return f == Format::Csv ? "csv" : "jsonl"; }

std::string csv_field(const Cell& v) {
    if (!v) return "";
    const std::string& s = *v;
    if (!s.empty() && s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string csv_line(const std::vector<Cell>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
        if (i) out += ',';
        out += csv_field(cells[i]);
    }
    return out + '\n';
}

std::string csv_header(const std::vector<Column>& columns) {
    std::vector<Cell> names;
    for (const Column& c : columns) names.emplace_back(c.name);
    return csv_line(names);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + '"';
}

namespace {
bool json_number(const std::string& s) {
    // PostgreSQL's numeric output is JSON's number syntax except for these.
    return !s.empty() && s != "NaN" && s != "Infinity" && s != "-Infinity";
}
}  // namespace

std::string json_object(const std::vector<Column>& columns, const std::vector<Cell>& cells, int skip) {
    std::string out = "{";
    bool first = true;
    for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) {
        if (static_cast<int>(i) == skip) continue;
        if (!first) out += ',';
        first = false;
        out += json_string(columns[i].name) + ':';
        const Cell& v = cells[i];
        if (!v) out += "null";
        else if (columns[i].json == Column::Json::Number && json_number(*v)) out += *v;
        else if (columns[i].json == Column::Json::Boolean) out += (*v == "t" || *v == "true") ? "true" : "false";
        else out += json_string(*v);
    }
    return out + '}';
}

std::string hive_value(const Cell& v) {
    if (!v || v->empty()) return kHiveDefaultPartition;
    std::string out;
    for (size_t i = 0; i < v->size(); ++i) {
        const unsigned char c = static_cast<unsigned char>((*v)[i]);
        if (std::isalnum(c) || c == '_' || c == '-' || (c == '.' && i > 0)) {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::string date_value(const Cell& timestamp) {
    if (!timestamp || timestamp->size() < 10) return kHiveDefaultPartition;
    const std::string& s = *timestamp;
    for (int i = 0; i < 10; ++i) {
        const bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !std::isdigit(static_cast<unsigned char>(s[i]))) return kHiveDefaultPartition;
    }
    if (s.size() > 10 && s[10] != ' ' && s[10] != 'T') return kHiveDefaultPartition;  // a year past 9999
    if (s.size() >= 3 && s.compare(s.size() - 3, 3, " BC") == 0) return kHiveDefaultPartition;
    return s.substr(0, 10);
}

std::string part_name(int64_t part, Format f) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "part-%06lld.%s", static_cast<long long>(part), format_name(f));
    return buf;
}

std::string temp_name(int64_t part, Format f) { return "." + part_name(part, f) + ".tmp"; }

}  // namespace thelook::feed

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
