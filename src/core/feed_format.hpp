// File feeds: how rows become CSV or JSON Lines text and where a file goes in a Hive-style
// layout (table=orders/date=2026-11-23/part-000123.csv). Pure text work, so it is unit-tested
// without a server; the bridge (src/pg/file_feed.cpp) fetches the rows and writes the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace thelook::feed {

enum class Format { Csv, Jsonl };
// 'csv' or 'jsonl'; throws 22023 naming parameter "format".
Format parse_format(const std::string& text);
const char* format_name(Format f);  // also the files' extension

// A column as the bridge describes it: numbers and booleans are bare in JSON, the rest strings.
struct Column {
    std::string name;
    enum class Json { String, Number, Boolean } json = Json::String;
};
// A value in PostgreSQL's text output (what COPY writes), or NULL.
using Cell = std::optional<std::string>;

// CSV as COPY ... (FORMAT csv) writes it: NULL is an empty unquoted field, a value is quoted when
// it is empty or holds a comma, a quote, CR or LF (quotes doubled). Lines end with "\n".
std::string csv_field(const Cell& v);
std::string csv_line(const std::vector<Cell>& cells);
std::string csv_header(const std::vector<Column>& columns);
// One JSON object, keys in column order; skip (>= 0) leaves that column out. No final "\n".
// Numbers PostgreSQL prints as NaN or Infinity are written as strings (JSON has no such numbers).
std::string json_object(const std::vector<Column>& columns, const std::vector<Cell>& cells, int skip = -1);
std::string json_string(const std::string& s);

// The value of a Hive partition directory: characters other than letters, digits, '_' and '-'
// (and a '.' that starts the value) become %XX, so no value can climb out of the directory;
// NULL and '' become __HIVE_DEFAULT_PARTITION__, as Hive and Spark write them.
std::string hive_value(const Cell& v);
inline constexpr const char* kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";
// The date of a timestamp's text output ("2026-11-23 10:00:00" -> "2026-11-23"); anything else
// (NULL, infinity, a BC date) goes to the default partition.
std::string date_value(const Cell& timestamp);

// part-000123.csv; its temporary name while it is written: .part-000123.csv.tmp (a leading dot,
// so readers that list part-* or skip hidden files never see it).
std::string part_name(int64_t part, Format f);
std::string temp_name(int64_t part, Format f);

}  // namespace thelook::feed
