#include "pg/bridge/datum.hpp"

extern "C" {
#include "common/pg_prng.h"
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
