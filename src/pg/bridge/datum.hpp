// Conversions between the core's values and Datums. Everything here may palloc, so call it from
// inside pg_guard (or from code with no C++ objects alive).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// Microseconds between the Unix epoch (the core's) and PostgreSQL's 2000-01-01 epoch.
constexpr int64 kUnixToPgEpochMicros =
    static_cast<int64>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC;

inline TimestampTz to_timestamptz(Micros t) { return static_cast<TimestampTz>(t - kUnixToPgEpochMicros); }
inline Micros from_timestamptz(TimestampTz t) { return static_cast<Micros>(t) + kUnixToPgEpochMicros; }

inline Datum text_datum(const std::string& s) {
    return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

// A timestamptz as the session's local "timestamp without time zone" (what now()::timestamp gives).
// The same value as timestamptz_timestamp, without its round trip through a broken-down time for
// each call: the session time zone's offset is cached per day that has no transition (datum.cpp).
Datum local_timestamp_datum(Micros t);

// Argument access for SQL functions (guarded: detoasting may fail).
std::string arg_text(FunctionCallInfo fcinfo, int n, const char* if_null);
std::string arg_name(FunctionCallInfo fcinfo, int n);
// A seed argument; NULL draws a fresh random seed.
uint64 arg_seed(FunctionCallInfo fcinfo, int n);
// An interval argument in seconds; NULL gives if_null.
double arg_interval_seconds(FunctionCallInfo fcinfo, int n, double if_null);
uint64 random_seed();

// SPI_execute_with_args' arrays for text arguments (NULL where unset; the SQL casts them), palloc'd.
struct TextArgs {
    int n;
    Oid* types;
    Datum* values;
    char* nulls;
};
TextArgs text_args(const std::vector<std::optional<std::string>>& args);

}  // namespace thelook::pg
