// The live writer's side of a file feed's capture: when it appends a feed's table directly (no
// trigger fires, bulk/bulk_insert.hpp), it logs the rows itself, one log row per inserted row, in
// insertion order, numbered from feed_log's sequence as the trigger's are. Into the table's own
// log, <schema>.feed_log_<table> (the table's columns, made by feed_prepare 1.2), when it exists:
// no JSON and no (table_name, seq) index, which were most of a simulation's time with a feed on;
// appended as COPY would (feed_log_appender.hpp), or by INSERT when the log needs it.
// Else into feed_log as thelook.feed_capture() would have (to_jsonb of the row, floats in full
// precision): a feed made by 1.1 before its first call since the update. One prepared statement
// per table and flush, instead of the trigger's PL/pgSQL call, its transition table and its
// EXECUTE format(...) parsed and planned each time; the table itself keeps the direct path
// instead of INSERT ... ON CONFLICT.
#pragma once

#include <string>

#include "pg/bridge/postgres.hpp"
#include "pg/bridge/spi_plan.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

class FeedLogWriter {
public:
    explicit FeedLogWriter(std::string schema) : schema_(std::move(schema)) {}

    // Logs rows (an array of the table's row type, array_type) of table (a BulkTable's value),
    // whose columns are spec's. Inside an SPI connection, in the transaction that inserted the rows.
    void log(int table, const TableSpec& spec, Datum rows, Oid array_type);

private:
    static constexpr int kTables = 4;  // BulkTable's values
    std::string schema_;
    // One statement per table, prepared on first use (a feed starts while a simulation runs) and
    // again if the table's row type changes (the table dropped and made again).
    SpiPlan plans_[kTables];
    Oid plan_types_[kTables] = {};
    bool as_json_[kTables] = {};  // the plan writes feed_log (no per-table log when prepared)
};

}  // namespace thelook::pg
