// File feeds: CSV and JSON Lines text (quoting, escaping, NULLs), Hive partition values, file
// names, the scenario's faults.files section (every error path), and the fault builder: damaged
// records at the configured rates (4 sigma) with exact ground truth.
#include <cmath>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/feed_format.hpp"
#include "core/file_faults.hpp"
#include "core/scenario.hpp"
#include "fixtures.hpp"

using namespace thelook;
using namespace thelook::feed;
using nlohmann::json;

namespace {

// The error of parsing doc, as "sqlstate|message|hint-present".
std::string rejection(const std::string& doc) {
    try {
        parse_scenario(doc);
    } catch (const Error& e) {
        return e.sqlstate() + "|" + e.what() + (e.hint().empty() ? "|no hint" : "|hint");
    }
    return "accepted";
}

void check_rejects(const std::string& doc, const std::string& path) {
    INFO("document: " << doc);
    const std::string r = rejection(doc);
    INFO("rejection: " << r);
    CHECK(r.rfind("22023|" + path + ": ", 0) == 0);
    CHECK(r.size() > 5);
    CHECK(r.compare(r.size() - 5, 5, "|hint") == 0);
}

std::vector<Column> columns() {
    return {{"id"}, {"name"}, {"age", Column::Json::Number}, {"price", Column::Json::Number}, {"ok", Column::Json::Boolean}};
}

// A CSV line's fields (quotes as COPY writes them; no newline inside fields here).
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') { out.back() += '"'; ++i; }
        else if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("csv fields are quoted as COPY (FORMAT csv) quotes them", "[feeds]") {
    CHECK(csv_field(std::nullopt) == "");
    CHECK(csv_field(std::string("")) == "\"\"");
    CHECK(csv_field(std::string("plain text")) == "plain text");
    CHECK(csv_field(std::string("a,b")) == "\"a,b\"");
    CHECK(csv_field(std::string("say \"hi\"")) == "\"say \"\"hi\"\"\"");
    CHECK(csv_field(std::string("two\nlines")) == "\"two\nlines\"");
    CHECK(csv_field(std::string("cr\r")) == "\"cr\r\"");
    CHECK(csv_line({std::string("1"), std::nullopt, std::string("")}) == "1,,\"\"\n");
    CHECK(csv_header(columns()) == "id,name,age,price,ok\n");
}

TEST_CASE("json lines escape strings, keep numbers and booleans bare, write null", "[feeds]") {
    CHECK(json_string("a\"b\\c\n\t\x01") == "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    CHECK(json_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
    const std::vector<Cell> row = {std::string("x1"), std::nullopt, std::string("42"), std::string("NaN"), std::string("t")};
    const std::string o = json_object(columns(), row);
    CHECK(o == "{\"id\":\"x1\",\"name\":null,\"age\":42,\"price\":\"NaN\",\"ok\":true}");
    const json parsed = json::parse(o);
    CHECK(parsed["age"] == 42);
    CHECK(json_object(columns(), row, 2) == "{\"id\":\"x1\",\"name\":null,\"price\":\"NaN\",\"ok\":true}");
}

TEST_CASE("hive partition values cannot leave their directory", "[feeds]") {
    CHECK(hive_value(std::string("purchase")) == "purchase");
    CHECK(hive_value(std::nullopt) == kHiveDefaultPartition);
    CHECK(hive_value(std::string("")) == kHiveDefaultPartition);
    CHECK(hive_value(std::string("../etc")) == "%2E.%2Fetc");
    CHECK(hive_value(std::string("a/b c=d")) == "a%2Fb%20c%3Dd");
    CHECK(date_value(std::string("2026-11-23 10:00:00.5")) == "2026-11-23");
    CHECK(date_value(std::string("2026-11-23")) == "2026-11-23");
    CHECK(date_value(std::nullopt) == kHiveDefaultPartition);
    CHECK(date_value(std::string("infinity")) == kHiveDefaultPartition);
    CHECK(date_value(std::string("0044-03-15 00:00:00 BC")) == kHiveDefaultPartition);
    CHECK(date_value(std::string("12026-01-01 00:00:00")) == kHiveDefaultPartition);
    CHECK(part_name(123, Format::Csv) == "part-000123.csv");
    CHECK(part_name(12345678, Format::Jsonl) == "part-12345678.jsonl");
    CHECK(temp_name(7, Format::Csv) == ".part-000007.csv.tmp");
}

TEST_CASE("format names", "[feeds]") {
    CHECK(parse_format("csv") == Format::Csv);
    CHECK(parse_format("jsonl") == Format::Jsonl);
    CHECK_THROWS_AS(parse_format("parquet"), Error);
}

TEST_CASE("faults.files: parsed, and every bad value rejected with its path", "[feeds][scenario]") {
    const Scenario s = parse_scenario(R"({"faults": {"files": {"truncated_line_rate": 0.01, "missing_column_rate": 0.02}}})");
    CHECK(s.faults.files.truncated_line_rate == 0.01);
    CHECK(s.faults.files.missing_column_rate == 0.02);
    CHECK_FALSE(parse_scenario("{}").faults.files.any());
    CHECK_FALSE(parse_scenario(R"({"faults": null})").faults.files.any());
    check_rejects(R"({"faults": 1})", "scenario.faults");
    check_rejects(R"({"faults": {"disks": {}}})", "scenario.faults.disks");
    check_rejects(R"({"faults": {"files": []}})", "scenario.faults.files");
    check_rejects(R"({"faults": {"files": {"torn_rate": 0.1}}})", "scenario.faults.files.torn_rate");
    check_rejects(R"({"faults": {"files": {"truncated_line_rate": -0.1}}})", "scenario.faults.files.truncated_line_rate");
    check_rejects(R"({"faults": {"files": {"truncated_line_rate": "0.1"}}})", "scenario.faults.files.truncated_line_rate");
    check_rejects(R"({"faults": {"files": {"missing_column_rate": 1.5}}})", "scenario.faults.files.missing_column_rate");
    check_rejects(R"({"faults": {"files": {"type_mismatch_rate": true}}})", "scenario.faults.files.type_mismatch_rate");
    check_rejects(R"({"faults": {"files": {"truncated_line_rate": 0.6, "missing_column_rate": 0.6}}})", "scenario.faults.files");
    check_rejects(R"({"faults": {"files": {"truncated_line_rate": 0.4, "missing_column_rate": 0.4, "type_mismatch_rate": 0.4}}})",
                  "scenario.faults.files");
    CHECK(parse_scenario(R"({"faults": {"files": {"type_mismatch_rate": 0.5}}})").faults.files.type_mismatch_rate == 0.5);
}

TEST_CASE("a file without faults is the header and one line a row", "[feeds]") {
    FeedFileBuilder csv(Format::Csv, columns(), {}, 1);
    csv.add({std::string("a"), std::string("x,y"), std::string("3"), std::nullopt, std::string("f")});
    CHECK(csv.text() == "id,name,age,price,ok\na,\"x,y\",3,,f\n");
    CHECK(csv.records() == 1);
    CHECK(csv.faults().empty());
    FeedFileBuilder jl(Format::Jsonl, columns(), {}, 1);
    jl.add({std::string("a"), std::string("x"), std::string("3"), std::nullopt, std::string("f")});
    CHECK(jl.text() == "{\"id\":\"a\",\"name\":\"x\",\"age\":3,\"price\":null,\"ok\":false}\n");
}

// Each damaged record is exactly the ground truth's: a truncated JSON line does not parse and is
// a proper prefix of the full line; a truncated CSV line is a proper prefix and still one line; a
// missing column is exactly that key or field gone; a type mismatch is one numeric column's value
// turned into the string "n/a". Rates within 4 sigma; undamaged lines exact.
TEST_CASE("file faults: rates within 4 sigma, ground truth exact", "[feeds]") {
    const int n = 40000;
    const double t = 0.03, m = 0.05, x = 0.04;
    for (Format f : {Format::Csv, Format::Jsonl}) {
        INFO(format_name(f));
        FeedFileBuilder b(f, columns(), FileFaultsSection{t, m, x}, 99);
        FeedFileBuilder clean(f, columns(), {}, 99);
        std::vector<std::vector<Cell>> rows;
        for (int i = 0; i < n; ++i) {
            rows.push_back({"id-" + std::to_string(i), std::string(i % 7 ? "name, \"q\" caf\xc3\xa9" : ""),
                            std::to_string(i % 90), std::string("12.5"), std::string("t")});
            b.add(rows.back());
            clean.add(rows.back());
        }
        const auto got = lines(b.text()), full = lines(clean.text());
        const size_t offset = f == Format::Csv ? 1 : 0;
        REQUIRE(got.size() == n + offset);
        std::map<int64_t, FileFault> truth;
        for (const FileFault& x : b.faults()) truth.emplace(x.record, x);
        CHECK(truth.size() == b.faults().size());
        int truncated = 0, missing = 0, mismatched = 0;
        for (int i = 0; i < n; ++i) {
            const std::string& line = got[i + offset];
            const std::string& want = full[i + offset];
            auto it = truth.find(i + 1);
            if (it == truth.end()) {
                CHECK(line == want);
                continue;
            }
            CHECK(it->second.row_id == "id-" + std::to_string(i));
            if (it->second.kind == FileFaultKind::TruncatedLine) {
                ++truncated;
                CHECK(line.size() < want.size());
                CHECK(!line.empty());
                CHECK(want.compare(0, line.size(), line) == 0);
                if (f == Format::Jsonl) CHECK(json::parse(line, nullptr, false).is_discarded());
            } else if (it->second.kind == FileFaultKind::TypeMismatch) {
                ++mismatched;
                CHECK((it->second.column == "age" || it->second.column == "price"));
                if (f == Format::Jsonl) {
                    json o = json::parse(line), w = json::parse(want);
                    CHECK(o[it->second.column] == "n/a");
                    o.erase(it->second.column);
                    w.erase(it->second.column);
                    CHECK(o == w);
                } else {
                    auto fields = csv_fields(line), all = csv_fields(want);
                    const size_t k = it->second.column == "age" ? 2 : 3;
                    CHECK(fields[k] == "n/a");
                    all[k] = "n/a";
                    CHECK(fields == all);
                }
            } else {
                ++missing;
                if (f == Format::Jsonl) {
                    const json o = json::parse(line);
                    CHECK(o.size() == 4);
                    CHECK_FALSE(o.contains(it->second.column));
                    CHECK(it->second.column != "id");
                } else {
                    auto fields = csv_fields(line), all = csv_fields(want);
                    REQUIRE(fields.size() == 4);
                    size_t k = 0;
                    while (columns()[k].name != it->second.column) ++k;
                    CHECK(k > 0);
                    all.erase(all.begin() + static_cast<long>(k));
                    CHECK(fields == all);
                }
            }
        }
        auto within = [&](int count, double p) { return std::abs(count - n * p) <= 4 * std::sqrt(n * p * (1 - p)); };
        CHECK(within(truncated, t));
        CHECK(within(missing, m));
        CHECK(within(mismatched, x));
        // The same seed replays the same file.
        FeedFileBuilder again(f, columns(), FileFaultsSection{t, m, x}, 99);
        for (const auto& r : rows) again.add(r);
        CHECK(again.text() == b.text());
    }
}

// A truncated line stays one record for a reader: never cut inside a CSV quoted field (which may
// hold a newline) nor inside a UTF-8 character; every cut is a proper prefix.
TEST_CASE("truncation keeps quotes balanced and UTF-8 whole", "[feeds]") {
    const std::vector<Column> cols = {{"id"}, {"note"}, {"city"}};
    for (Format f : {Format::Csv, Format::Jsonl}) {
        INFO(format_name(f));
        FeedFileBuilder b(f, cols, FileFaultsSection{1.0, 0.0, 0.0}, 5);
        const int n = 2000;
        for (int i = 0; i < n; ++i)
            b.add({"r" + std::to_string(i), std::string("two\nlines, \"quoted\""), std::string("K\xc3\xb8" "benhavn \xe2\x82\xac")});
        REQUIRE(b.faults().size() == n);
        std::string text = b.text();
        if (f == Format::Csv) text = text.substr(text.find('\n') + 1);  // the header
        // Records end at a newline outside CSV quotes (JSON escapes newlines: each line is one).
        int records = 0;
        bool quoted = false;
        std::string record;
        for (char c : text) {
            if (c == '"' && f == Format::Csv) quoted = !quoted;
            if (c == '\n' && !quoted) {
                ++records;
                // No UTF-8 sequence cut: the record's last lead byte has all its continuation bytes.
                size_t k = record.size();
                while (k > 0 && (static_cast<unsigned char>(record[k - 1]) & 0xC0) == 0x80) --k;
                if (k > 0) {
                    const unsigned char lead = static_cast<unsigned char>(record[k - 1]);
                    const size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
                    CHECK(record.size() - k == need);
                }
                record.clear();
            } else {
                record += c;
            }
        }
        CHECK_FALSE(quoted);
        CHECK(records == n);
    }
}
