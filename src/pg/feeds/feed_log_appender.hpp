// A simulation's feed rows into a table's own log, <schema>.feed_log_<table>, as COPY FROM writes
// rows (table_multi_insert, one WAL record per page; then the log's indexes, its NOT NULL and
// CHECK constraints), each numbered with the next value of feed_log's sequence as the log's
// default would. The prepared INSERT ... SELECT FROM unnest(...) it replaces was half of the
// remaining cost of a feed (a tuplestore of the rows, a projection and a heap insert with its WAL
// record per row).
#pragma once

#include <string>

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// Appends rows (an array of the table's row type, row_type) to schema.log_table, the log's columns
// taken from the row's by name (seq from the sequence). Returns false, with nothing written, when
// the log must be written by INSERT: missing, not a plain heap table, triggers, rules, row-level
// security, generated columns, no INSERT privilege, no feed_log sequence. Inside a transaction.
bool append_to_own_log(const std::string& schema, const std::string& log_table, Datum rows, Oid row_type);

}  // namespace thelook::pg
