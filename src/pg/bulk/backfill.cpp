#include "pg/bulk/backfill.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/bulk_generator.hpp"
#include "core/distributions.hpp"
#include "core/error.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/bulk/backfill_run.hpp"
#include "pg/bulk/parallel_backfill.hpp"
#include "pg/writers/table_rows.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace thelook::pg {

namespace {

constexpr double kProgressEverySeconds = 3.0;

// Arguments shared by the function and the procedure, in this order:
// schema, start_at, end_at, avg_qps, seed, user_create_prob, ghost_create_prob, init_num_users,
// country, state, postal_code [, commit_rows], id_format, scenario [, workers].
void check_probability(double p, const char* name) {
    if (!(p >= 0.0 && p <= 1.0))
        throw Error(sqlstate::kInvalidParameterValue, std::string("parameter \"") + name + "\" must be between 0 and 1",
                    "The value was " + std::to_string(p) + ".", "Pass a probability such as 0.05.");
}

BackfillArgs parse_args(FunctionCallInfo fcinfo, bool procedure) {
    BackfillArgs a;
    a.schema = PG_ARGISNULL(0) ? std::string() : arg_name(fcinfo, 0);
    if (a.schema.empty())
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"schema\" must not be empty", "",
                    "Pass the schema that thelook.setup() created, such as 'demo'.");
    if (PG_ARGISNULL(1))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"start_at\" must not be null", "",
                    "Pass where the history begins, such as now() - interval '30 days'.");
    const Micros now = from_timestamptz(GetCurrentTransactionStartTimestamp());
    a.history.window.start = from_timestamptz(PG_GETARG_TIMESTAMPTZ(1));
    a.history.window.end = PG_ARGISNULL(2) ? now : from_timestamptz(PG_GETARG_TIMESTAMPTZ(2));
    if (a.history.window.end <= a.history.window.start)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"end_at\" must be after \"start_at\"", "",
                    "Pass a window such as start_at => now() - interval '30 days', end_at => now().");
    if (a.history.window.end > now)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"end_at\" is in the future", "",
                    "A back-fill writes history: pass an end_at no later than now(); a simulation writes the rest.");
    a.history.avg_qps = PG_ARGISNULL(3) ? dist::kDefaultAvgQps : PG_GETARG_FLOAT8(3);
    if (!(a.history.avg_qps > 0.0 && std::isfinite(a.history.avg_qps)))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"avg_qps\" must be positive",
                    "The value was " + std::to_string(a.history.avg_qps) + ".",
                    "Pass the average number of purchases per second, such as 20.");
    a.history.seed = arg_seed(fcinfo, 4);
    a.history.user_create_prob = PG_ARGISNULL(5) ? dist::kDefaultUserCreateProb : PG_GETARG_FLOAT8(5);
    a.history.ghost_create_prob = PG_ARGISNULL(6) ? dist::kDefaultGhostCreateProb : PG_GETARG_FLOAT8(6);
    check_probability(a.history.user_create_prob, "user_create_prob");
    check_probability(a.history.ghost_create_prob, "ghost_create_prob");
    a.history.init_num_users = PG_ARGISNULL(7) ? 0 : PG_GETARG_INT64(7);
    if (a.history.init_num_users < 0)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"init_num_users\" must not be negative", "",
                    "Pass the number of users who exist when the history begins, such as 1000.");
    a.country = arg_text(fcinfo, 8, "*");
    a.state = arg_text(fcinfo, 9, "*");
    a.postal_code = arg_text(fcinfo, 10, "*");
    a.id_format = arg_text(fcinfo, procedure ? 12 : 11, "uuid4");
    a.history.ids = parse_id_format(a.id_format);
    // The scenario comes last (absent from a 1.0 definition, before ALTER EXTENSION UPDATE).
    const int scenario_arg = procedure ? 13 : 12;
    const ResolvedScenario scenario = PG_NARGS() > scenario_arg
                                          ? resolve_scenario_argument(arg_text(fcinfo, scenario_arg, "reference"))
                                          : reference_scenario();
    check_backfill_scenario(scenario.scenario);
    a.history.scenario = scenario.scenario;
    a.history.zone = scenario.zone;
    a.has_incidents = !scenario.scenario.incidents.empty() || !scenario.scenario.random_incidents.empty();
    a.has_faults = scenario.scenario.faults.injects_rows();
    a.scenario_name = scenario.name;
    a.scenario_json = scenario.json;
    if (procedure) {
        a.commit_rows = PG_ARGISNULL(11) ? 1000000 : PG_GETARG_INT64(11);
        if (a.commit_rows < 1)
            throw Error(sqlstate::kInvalidParameterValue, "parameter \"commit_rows\" must be at least 1", "",
                        "Pass the number of rows to write between commits, such as 1000000.");
        // workers comes after the scenario (absent from a 1.1 definition).
        a.workers = PG_NARGS() > 14 && !PG_ARGISNULL(14) ? PG_GETARG_INT32(14) : 1;
        check_backfill_workers(a.workers);
    }
    // Expected rows, to refuse a window that cannot be meant (and would run for days).
    const double seconds = static_cast<double>(a.history.window.end - a.history.window.start) / 1e6;
    if (seconds * a.history.avg_qps > 1e10)
        throw Error(sqlstate::kInvalidParameterValue, "the back-fill would make more than 10 billion purchases",
                    "avg_qps times the window's length in seconds is " + std::to_string(seconds * a.history.avg_qps) + ".",
                    "Lower avg_qps or shorten the window.");
    return a;
}

// The serial back-fill in the caller's transaction; may_commit: commit every a.commit_rows rows.
BackfillTotals run_backfill(const BackfillArgs& a, bool may_commit) {
    BackfillRun run(a);
    const TimestampTz started = GetCurrentTimestamp();
    TimestampTz last_report = started;
    const auto commit = [may_commit] {
        if (may_commit) pg_guard([] { SPI_commit(); });
    };
    const auto report = [&](const BackfillTotals& totals, double progress) {
        const TimestampTz now = GetCurrentTimestamp();
        if (static_cast<double>(now - last_report) / 1e6 < kProgressEverySeconds) return;
        last_report = now;
        report_backfill_progress(100.0 * progress, totals.rows(), static_cast<double>(now - started) / 1e6);
    };
    return run.run(ChunkShare{}, commit, report);
}

}  // namespace

Datum backfill(FunctionCallInfo fcinfo) {
    const BackfillArgs a = parse_args(fcinfo, false);
    TupleDesc desc = nullptr;
    pg_guard([&] {
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "thelook backfill: return type must be a row type");
        desc = BlessTupleDesc(desc);
    });
    const TimestampTz started = GetCurrentTimestamp();
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    const BackfillTotals t = run_backfill(a, false);
    pg_guard([] { SPI_finish(); });
    const double secs = static_cast<double>(GetCurrentTimestamp() - started) / 1e6;
    return pg_guard([&] {
        Datum values[8] = {Int64GetDatum(t.iterations), Int64GetDatum(t.users), Int64GetDatum(t.orders),
                           Int64GetDatum(t.items), Int64GetDatum(t.events), Int64GetDatum(t.rows()),
                           Float8GetDatum(secs), Float8GetDatum(secs > 0 ? t.rows() / secs : 0.0)};
        bool nulls[8] = {false, false, false, false, false, false, false, false};
        check_row_shape(desc->natts, 8, "thelook.backfill's result");
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}

Datum backfill_in_chunks(FunctionCallInfo fcinfo) {
    const BackfillArgs a = parse_args(fcinfo, true);
    const bool nonatomic = fcinfo->context && IsA(fcinfo->context, CallContext) &&
                           !reinterpret_cast<CallContext*>(fcinfo->context)->atomic;
    if (a.workers > 1 && !nonatomic)
        throw Error(sqlstate::kActiveSqlTransaction, "parameter \"workers\" needs a CALL outside a transaction block",
                    "Parallel workers see only what is committed, and the procedure commits before it starts them.",
                    "CALL thelook.backfill_in_chunks(...) on its own, or pass workers => 1.");
    const TimestampTz started = GetCurrentTimestamp();
    pg_guard([&] {
        if (SPI_connect_ext(nonatomic ? SPI_OPT_NONATOMIC : 0) != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        if (!nonatomic && a.workers == 1)
            ereport(NOTICE, (errmsg("thelook backfill: running inside a transaction block, so committing once at its end")));
    });
    const BackfillTotals t = a.workers > 1 ? run_parallel_backfill(a) : run_backfill(a, nonatomic);
    pg_guard([] { SPI_finish(); });
    const double secs = static_cast<double>(GetCurrentTimestamp() - started) / 1e6;
    report_backfill_summary(t, secs);
    PG_RETURN_VOID();
}

}  // namespace thelook::pg
