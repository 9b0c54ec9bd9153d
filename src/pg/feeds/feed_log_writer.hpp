// The live writer's side of a file feed's capture: when it appends a feed's table directly (no
// trigger fires, bulk/bulk_insert.hpp), it logs the rows into the schema's feed_log itself, as
// thelook.feed_capture() would have: one log row per inserted row, to_jsonb of the row as
// inserted (floats in full precision), in insertion order. The rows arrive as one array per
// table, so a flush costs one prepared statement per table instead of the trigger's PL/pgSQL call,
// its transition table and its EXECUTE format(...) parsed and planned each time; and the table
// itself keeps the direct path instead of INSERT ... ON CONFLICT.
#pragma once

#include <string>

#include "pg/bridge/postgres.hpp"
#include "pg/bridge/spi_plan.hpp"

namespace thelook::pg {

class FeedLogWriter {
public:
    explicit FeedLogWriter(std::string schema) : schema_(std::move(schema)) {}

    // Logs rows (an array of table's row type, array_type) into schema.feed_log under table_name.
    // Inside an SPI connection, in the transaction that inserted the rows.
    void log(int table, const char* table_name, Datum rows, Oid array_type);

private:
    static constexpr int kTables = 4;  // BulkTable's values
    std::string schema_;
    // One statement per table, prepared on first use (a feed starts while a simulation runs) and
    // again if the table's row type changes (the table dropped and made again).
    SpiPlan plans_[kTables];
    Oid plan_types_[kTables] = {};
};

}  // namespace thelook::pg
