#include "pg/bridge/scenario_bridge.hpp"

#include <optional>

#include <cmath>

#include "core/bulk_generator.hpp"
#include "core/error.hpp"
#include "core/shopper_model.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/writers/table_rows.hpp"

extern "C" {
#include "pgtime.h"
}

namespace thelook::pg {

namespace {
// The time zone data are read from this year to this one (later instants keep the last offset).
constexpr pg_time_t kZoneFrom = 0;                   // 1970
constexpr pg_time_t kZoneUntil = 4102444800LL;        // 2100

std::optional<std::string> stored_scenario(const std::string& name) {
    const char* found = pg_guard([&]() -> const char* {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        Oid type = TEXTOID;
        Datum arg = text_datum(name);
        int rc = SPI_execute_with_args("SELECT definition::text FROM thelook.scenarios WHERE name = $1", 1, &type,
                                       &arg, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading thelook.scenarios failed: %s", SPI_result_code_string(rc));
        if (SPI_processed == 0) return nullptr;
        // Copied out of SPI's memory, which SPI_finish frees.
        return MemoryContextStrdup(CurTransactionContext, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
    });
    pg_guard([] { SPI_finish(); });
    if (!found) return std::nullopt;
    return std::string(found);
}
}  // namespace

ZoneRules zone_rules(const std::string& timezone) {
    ZoneRules rules;
    const bool known = pg_guard([&] {
        pg_tz* tz = pg_tzset(timezone.c_str());
        if (!tz) return false;
        pg_time_t t = kZoneFrom;
        long before = 0, after = 0;
        int before_dst = 0, after_dst = 0;
        pg_time_t boundary = 0;
        rules.offsets_seconds.clear();
        for (;;) {
            const int rc = pg_next_dst_boundary(&t, &before, &before_dst, &boundary, &after, &after_dst, tz);
            if (rules.offsets_seconds.empty()) rules.offsets_seconds.push_back(static_cast<int32_t>(before));
            if (rc != 1 || boundary > kZoneUntil) break;
            rules.transitions.push_back(static_cast<Micros>(boundary) * kMicrosPerSecond);
            rules.offsets_seconds.push_back(static_cast<int32_t>(after));
            t = boundary;
        }
        return true;
    });
    if (!known)
        throw Error(sqlstate::kInvalidParameterValue, "scenario.traffic.timezone: unknown time zone \"" + timezone + "\"",
                    "", "Use a name from pg_timezone_names, such as 'Europe/Berlin' or 'UTC'.");
    return rules;
}

ResolvedScenario parse_resolved(const std::string& name, const std::string& json) {
    ResolvedScenario r;
    r.name = name;
    r.json = json;
    r.scenario = parse_scenario(json);
    r.zone = zone_rules(r.scenario.traffic.timezone);
    // Builds the profile once to reject curves that are zero at every open hour.
    WeeklyProfile check(r.scenario.traffic, r.zone);
    return r;
}

ResolvedScenario reference_scenario() { return parse_resolved("reference", "{}"); }

ResolvedScenario resolve_scenario_argument(const std::string& argument) {
    const std::string json = resolve_scenario(argument, stored_scenario);
    std::string name = scenario_display_name(argument);
    if (name.size() >= 64) name = name.substr(0, 63);
    return parse_resolved(name, json);
}

}  // namespace thelook::pg

namespace thelook::pg {

// traffic_intensity(scenario, start_at, end_at, step, avg_qps, seed): per bucket, the mean of m(t)
// and the expected arrivals avg_qps * integral of m, incidents included (random ones as a
// back-fill with this seed and start draws them).
Datum traffic_intensity(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
        throw Error(sqlstate::kInvalidParameterValue, "parameters \"start_at\" and \"end_at\" must not be null", "",
                    "Pass a window such as now() - interval '7 days' and now().");
    const ResolvedScenario r = resolve_scenario_argument(arg_text(fcinfo, 0, "reference"));
    const Micros start = from_timestamptz(PG_GETARG_TIMESTAMPTZ(1)), end = from_timestamptz(PG_GETARG_TIMESTAMPTZ(2));
    const double step_seconds = arg_interval_seconds(fcinfo, 3, 3600);
    const double avg_qps = PG_ARGISNULL(4) ? 1.0 : PG_GETARG_FLOAT8(4);
    if (!(step_seconds >= 1) || !std::isfinite(step_seconds))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"step\" must be at least one second", "",
                    "Pass an interval such as '1 hour'.");
    if (end <= start || (end - start) / 1e6 / step_seconds > 1e7)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"end_at\" must be after \"start_at\", within 10 million steps", "",
                    "Pass a later end_at or a longer step.");
    check_positive_finite(avg_qps, "avg_qps");
    IncidentPlan incidents(r.scenario, start, Rng::derive_seed(PG_ARGISNULL(5) ? 0 : static_cast<uint64>(PG_GETARG_INT64(5)), kHistoryIncidentStream));
    const Intensity intensity(WeeklyProfile(r.scenario.traffic, r.zone), &incidents);
    SrfOutput out = begin_materialized_srf(fcinfo);
    const Micros step = static_cast<Micros>(step_seconds * 1e6);
    for (Micros a = start; a < end; a += step) {
        const Micros b = std::min(a + step, end);
        const double area = intensity.integral(a, b);
        pg_guard([&] {
            Datum v[4] = {TimestampTzGetDatum(to_timestamptz(a)), TimestampTzGetDatum(to_timestamptz(b)),
                          Float8GetDatum(area / (static_cast<double>(b - a) / 1e6)), Float8GetDatum(avg_qps * area)};
            bool n[4] = {false, false, false, false};
            tuplestore_putvalues(out.store, out.desc, v, n);
        });
    }
    return 0;
}

// product_popularity(scenario): per product of the installed catalogue, its rank and the chance that
// a man's or a woman's pick (an order item of the reference flow, a product page) is that product.
Datum product_popularity(FunctionCallInfo fcinfo) {
    const ResolvedScenario r = resolve_scenario_argument(arg_text(fcinfo, 0, "reference"));
    const Catalog& catalog = installed_catalog();
    const ProductPicker picker(catalog.products, r.scenario.shoppers.popularity);
    SrfOutput out = begin_materialized_srf(fcinfo);
    for (size_t i = 0; i < catalog.products.size(); ++i) {
        const double men = picker.probability(i, "M"), women = picker.probability(i, "F");
        const int32 rank = static_cast<int32>(picker.rank_of(i));
        pg_guard([&] {
            Datum v[4] = {Int64GetDatum(catalog.products[i].id), Int32GetDatum(rank), Float8GetDatum(men), Float8GetDatum(women)};
            bool n[4] = {false, false, false, false};
            tuplestore_putvalues(out.store, out.desc, v, n);
        });
    }
    return 0;
}

Datum resolve_scenario_sql(FunctionCallInfo fcinfo) {
    const ResolvedScenario r = resolve_scenario_argument(arg_text(fcinfo, 0, "reference"));
    return pg_guard([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(r.json.c_str())); });
}

}  // namespace thelook::pg
