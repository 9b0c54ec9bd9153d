// File-level faults of a file feed (the scenario's "faults.files" section) and the builder that
// writes one feed file's text, deciding which records it damages. The ground truth of every
// damaged record (file, record number, kind, column) comes out of the same builder, so what a
// reader finds and what is recorded cannot disagree.
//
//   "faults": {"files": {"truncated_line_rate": 0.001, "missing_column_rate": 0.001,
//                        "type_mismatch_rate": 0.001}}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "feed_format.hpp"
#include "random.hpp"

namespace thelook {

// Shares of a file's records damaged on purpose; each off (0) by default, at most one fault a
// record, so the sum is at most 1.
struct FileFaultsSection {
    double truncated_line_rate = 0;   // the record's line cut short (JSONL: no longer valid JSON)
    double missing_column_rate = 0;   // one column (never the id) left out: a field or a key fewer
    double type_mismatch_rate = 0;    // one numeric column's value replaced by the text "n/a"
    bool any() const { return truncated_line_rate > 0 || missing_column_rate > 0 || type_mismatch_rate > 0; }
};

// Throws 22023 naming the path (e.g. scenario.faults.files.truncated_line_rate).
FileFaultsSection parse_file_faults(const nlohmann::json& section, const std::string& path);

enum class FileFaultKind { TruncatedLine, MissingColumn, TypeMismatch };
const char* file_fault_kind_name(FileFaultKind k);  // "truncated_line", "missing_column", "type_mismatch"
// What a type_mismatch puts where a number belongs.
inline constexpr const char* kTypeMismatchValue = "n/a";

struct FileFault {
    int64_t record;     // 1-based, data records only (a CSV file's header is not one)
    FileFaultKind kind;
    std::string row_id;  // the id column's value
    std::string column;  // missing_column: the column left out; type_mismatch: the column changed
};

// One feed file's text. Records are damaged by draws from rng (seed it per file, so a feed
// replays); column 0 must be the id.
class FeedFileBuilder {
public:
    FeedFileBuilder(feed::Format format, std::vector<feed::Column> columns, const FileFaultsSection& faults, uint64_t seed);
    void add(const std::vector<feed::Cell>& cells);
    const std::string& text() const { return text_; }
    int64_t records() const { return records_; }
    const std::vector<FileFault>& faults() const { return faults_; }

private:
    std::string truncate(const std::string& line);

    feed::Format format_;
    std::vector<feed::Column> columns_;
    std::vector<int> numeric_;  // the numeric columns but the id: where a type_mismatch may go
    FileFaultsSection rates_;
    Rng rng_;
    std::string text_;
    int64_t records_ = 0;
    std::vector<FileFault> faults_;
};

}  // namespace thelook
