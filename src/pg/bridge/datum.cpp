#include "pg/bridge/datum.hpp"

extern "C" {
#include "common/pg_prng.h"
#include "pgtime.h"
}

namespace thelook::pg {

std::string arg_text(FunctionCallInfo fcinfo, int n, const char* if_null) {
    if (PG_ARGISNULL(n)) return if_null;
    const char* s = pg_guard([&] { return static_cast<const char*>(text_to_cstring(PG_GETARG_TEXT_PP(n))); });
    return s;
}

std::string arg_name(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return {};
    return NameStr(*PG_GETARG_NAME(n));
}

TextArgs text_args(const std::vector<std::optional<std::string>>& args) {
    const int n = static_cast<int>(args.size());
    TextArgs a{n, static_cast<Oid*>(palloc(sizeof(Oid) * (n + 1))), static_cast<Datum*>(palloc(sizeof(Datum) * (n + 1))),
               static_cast<char*>(palloc(n + 1))};
    for (int i = 0; i < n; ++i) {
        a.types[i] = TEXTOID;
        a.nulls[i] = args[i] ? ' ' : 'n';
        a.values[i] = args[i] ? text_datum(*args[i]) : 0;
    }
    return a;
}

namespace {
// One Unix day's UTC offset in a time zone, when no transition falls inside the day. A profile of
// generate_orders spent 5 % of its time in timestamptz_timestamp's broken-down-time round trip;
// an offset from the zone's own transition table (pg_next_dst_boundary, as PostgreSQL's
// DetermineTimeZoneOffset uses it) gives the same value. Days with a transition take the slow path.
struct DayOffset {
    int64 day = INT64_MIN;
    const pg_tz* zone = nullptr;
    bool uniform = false;
    int64 offset_micros = 0;
};
constexpr int kCachedDays = 4096;
DayOffset day_offsets[kCachedDays];  // per backend; entries are checked against the day and the zone

const DayOffset& day_offset(int64 day, const pg_tz* zone) {
    DayOffset& e = day_offsets[static_cast<uint64>(day) % kCachedDays];
    if (e.day == day && e.zone == zone) return e;
    e = DayOffset{day, zone, false, 0};
    // From one second before the day: the next transition is then at or after the day's start
    // whether pg_next_dst_boundary counts a transition at its argument or not.
    const pg_time_t before = static_cast<pg_time_t>(day) * SECS_PER_DAY - 1;
    long before_gmtoff = 0, after_gmtoff = 0;
    int before_isdst = 0, after_isdst = 0;
    pg_time_t boundary = 0;
    const int r = pg_next_dst_boundary(&before, &before_gmtoff, &before_isdst, &boundary, &after_gmtoff, &after_isdst, zone);
    if (r == 0 || (r == 1 && boundary >= before + 1 + SECS_PER_DAY)) {
        e.uniform = true;
        e.offset_micros = static_cast<int64>(before_gmtoff) * USECS_PER_SEC;
    }
    return e;
}
}  // namespace

Datum local_timestamp_datum(Micros t) {
    const TimestampTz ts = to_timestamptz(t);
    const int64 day = (t >= 0 ? t : t - (USECS_PER_DAY - 1)) / USECS_PER_DAY;
    if (session_timezone != nullptr) {
        const DayOffset& e = day_offset(day, session_timezone);
        if (e.uniform) {
            const Timestamp local = ts + e.offset_micros;
            if (IS_VALID_TIMESTAMP(local)) return TimestampGetDatum(local);
        }
    }
    return DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(ts));  // ereports when out of range
}

uint64 random_seed() {
    uint64 seed = 0;
    if (!pg_strong_random(&seed, sizeof seed)) seed = pg_prng_uint64(&pg_global_prng_state);
    return seed;
}

uint64 arg_seed(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? random_seed() : static_cast<uint64>(PG_GETARG_INT64(n));
}

double arg_interval_seconds(FunctionCallInfo fcinfo, int n, double if_null) {
    if (PG_ARGISNULL(n)) return if_null;
    const Interval* iv = PG_GETARG_INTERVAL_P(n);
    return static_cast<double>(iv->time) / USECS_PER_SEC +
           static_cast<double>(iv->day) * SECS_PER_DAY +
           static_cast<double>(iv->month) * DAYS_PER_MONTH * SECS_PER_DAY;
}

}  // namespace thelook::pg
