#include "pg/bulk/backfill.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/bulk_generator.hpp"
#include "core/distributions.hpp"
#include "core/error.hpp"
#include "core/simulation_params.hpp"
#include "pg/bulk/bulk_insert.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/writers/inventory_writer.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/citus/citus_tables.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/writers/table_rows.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace thelook::pg {

namespace {

constexpr size_t kIterationsPerChunk = 2000;  // about 20,000 rows per chunk
constexpr double kProgressEverySeconds = 3.0;

// Arguments shared by the function and the procedure, in this order:
// schema, start_at, end_at, avg_qps, seed, user_create_prob, ghost_create_prob, init_num_users,
// country, state, postal_code [, commit_rows].
struct BackfillArgs {
    std::string schema;
    HistoryParams history;
    std::string country, state, postal_code;
    int64 commit_rows = 0;  // 0: never commit
    bool has_incidents = false;
    bool has_faults = false;
};

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
    a.history.ids = parse_id_format(arg_text(fcinfo, procedure ? 12 : 11, "uuid4"));
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
    if (procedure) {
        a.commit_rows = PG_ARGISNULL(11) ? 1000000 : PG_GETARG_INT64(11);
        if (a.commit_rows < 1)
            throw Error(sqlstate::kInvalidParameterValue, "parameter \"commit_rows\" must be at least 1", "",
                        "Pass the number of rows to write between commits, such as 1000000.");
    }
    // Expected rows, to refuse a window that cannot be meant (and would run for days).
    const double seconds = static_cast<double>(a.history.window.end - a.history.window.start) / 1e6;
    if (seconds * a.history.avg_qps > 1e10)
        throw Error(sqlstate::kInvalidParameterValue, "the back-fill would make more than 10 billion purchases",
                    "avg_qps times the window's length in seconds is " + std::to_string(seconds * a.history.avg_qps) + ".",
                    "Lower avg_qps or shorten the window.");
    return a;
}

struct Totals {
    int64 iterations = 0, users = 0, orders = 0, items = 0, events = 0, inventory_items = 0;
    int64 rows() const { return users + orders + items + events + inventory_items; }
};

// Loads existing users (up to kBackfillExistingUsersMax, oldest first) as buyers.
void load_buyers(const std::string& schema, Micros end, History* history) {
    const std::string sql = "SELECT id, city, state, postal_code, created_at::timestamptz, gender FROM " +
                            std::string(pg_guard([&] { return quote_identifier(schema.c_str()); })) +
                            ".users WHERE created_at IS NOT NULL AND created_at::timestamptz <= $1 "
                            "ORDER BY created_at, id LIMIT " + std::to_string(dist::kBackfillExistingUsersMax);
    const uint64 n = pg_guard([&] {
        Oid type = TIMESTAMPTZOID;
        Datum arg = TimestampTzGetDatum(to_timestamptz(end));
        int rc = SPI_execute_with_args(sql.c_str(), 1, &type, &arg, nullptr, true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook backfill: reading users failed: %s", SPI_result_code_string(rc));
        return SPI_processed;
    });
    for (uint64 i = 0; i < n; ++i) {
        const char *id = nullptr, *city = nullptr, *state = nullptr, *postal = nullptr, *gender = nullptr;
        Datum created = 0;
        bool isnull = false;
        pg_guard([&] {
            HeapTuple t = SPI_tuptable->vals[i];
            TupleDesc d = SPI_tuptable->tupdesc;
            id = SPI_getvalue(t, d, 1);
            city = SPI_getvalue(t, d, 2);
            state = SPI_getvalue(t, d, 3);
            postal = SPI_getvalue(t, d, 4);
            created = SPI_getbinval(t, d, 5, &isnull);
            gender = SPI_getvalue(t, d, 6);
        });
        if (!id) continue;
        history->add_existing_user(Buyer{id, Place{city ? city : "", state ? state : "", postal ? postal : ""},
                                         from_timestamptz(DatumGetTimestampTz(created)), gender ? gender : ""});
    }
    pg_guard([] { SPI_freetuptable(SPI_tuptable); });
}

// Writes one chunk through the bulk appenders, in the live writer's table order.
void write_chunk(const std::string& schema, const HistoryChunk& chunk) {
    bool pushed = pg_guard([] {
        if (ActiveSnapshotSet()) return false;
        PushActiveSnapshot(GetTransactionSnapshot());
        return true;
    });
    TableAppender users(schema, BulkTable::Users), orders(schema, BulkTable::Orders),
        items(schema, BulkTable::OrderItems), events(schema, BulkTable::Events);
    if (!chunk.users.empty()) {
        users.open();
        users.append(chunk.users);
        users.close();
    }
    if (!chunk.orders.empty()) {
        orders.open();
        orders.append(chunk.orders);
        orders.close();
        items.open();
        items.append(chunk.items);
        items.close();
    }
    if (!chunk.events.empty()) {
        events.open();
        events.append(chunk.events);
        events.close();
    }
    pg_guard([&] {
        CommandCounterIncrement();
        if (pushed) PopActiveSnapshot();
    });
}

Totals run_backfill(FunctionCallInfo fcinfo, const BackfillArgs& a, bool may_commit) {
    const Catalog& catalog = installed_catalog();
    LocationSampler sampler(catalog.locations, a.country, a.state, a.postal_code);

    refuse_citus_tables_for_backfill(a.schema);  // shell tables: rows written here would reach no shard
    // Validate every table first, so a wrong schema fails with a hint before any work.
    for (BulkTable t : {BulkTable::Users, BulkTable::Orders, BulkTable::OrderItems, BulkTable::Events}) {
        TableAppender check(a.schema, t);
        check.open();
        check.close();
    }
    std::vector<Product> products;
    SchemaWriter writer(a.schema);
    products = writer.load_products();
    if (a.has_incidents) writer.require_incidents_table();
    if (a.has_faults) writer.require_faults_table();
    if (products.empty())
        throw Error(sqlstate::kInvalidParameterValue, "the products table of schema \"" + a.schema + "\" is empty",
                    "", "Run thelook.setup() for this schema.");
    History history(catalog.names, products, sampler, a.history);
    // A schema with inventory: the back-fill sells from its stock by the live rules (the book holds
    // it in memory and its changes are written with each chunk).
    std::unique_ptr<StockBook> stock;
    if (writer.has_inventory()) {
        stock = std::make_unique<StockBook>();
        writer.inventory()->load(stock.get());
        history.set_stock(a.history.scenario.inventory, stock.get());
    }
    load_buyers(a.schema, a.history.window.end, &history);

    MemoryContext chunk_context = pg_guard([] {
        return AllocSetContextCreate(CurrentMemoryContext, "thelook backfill chunk", ALLOCSET_DEFAULT_SIZES);
    });
    Totals totals;
    HistoryChunk chunk;
    const TimestampTz started = GetCurrentTimestamp();
    TimestampTz last_report = started;
    int64 since_commit = 0;
    while (history.next_chunk(kIterationsPerChunk, &chunk)) {
        pg_guard([] { CHECK_FOR_INTERRUPTS(); });
        MemoryContext old = MemoryContextSwitchTo(chunk_context);
        write_chunk(a.schema, chunk);
        MemoryContextSwitchTo(old);
        // Ground truth with the chunk holding the first rows each incident affects, and of the
        // chunk's faults.
        if (stock) {  // its arrays in the chunk's context too
            const StockBook::Writes w = stock->take_writes();
            old = MemoryContextSwitchTo(chunk_context);
            writer.inventory()->write(w);
            MemoryContextSwitchTo(old);
            totals.inventory_items += static_cast<int64>(w.rows());
        }
        writer.record_incidents(history.take_incidents(), 0);
        if (!chunk.faults.empty()) {
            writer.add(chunk.faults);
            writer.flush();
        }
        pg_guard([&] { MemoryContextReset(chunk_context); });
        totals.iterations += chunk.iterations;
        totals.users += static_cast<int64>(chunk.users.size());
        totals.orders += static_cast<int64>(chunk.orders.size());
        totals.items += static_cast<int64>(chunk.items.size());
        totals.events += static_cast<int64>(chunk.events.size());
        since_commit += static_cast<int64>(chunk.rows());
        if (may_commit && since_commit >= a.commit_rows) {
            pg_guard([] { SPI_commit(); });
            since_commit = 0;
        }
        const TimestampTz now = GetCurrentTimestamp();
        if (static_cast<double>(now - last_report) / 1e6 >= kProgressEverySeconds) {
            last_report = now;
            const double secs = static_cast<double>(now - started) / 1e6;
            const double percent = 100.0 * history.progress();
            const int64 rows = totals.rows();
            pg_guard([&] {
                ereport(NOTICE, (errmsg("thelook backfill: %.1f%% of the window, %lld rows, %.0f rows/s", percent,
                                        static_cast<long long>(rows), secs > 0 ? rows / secs : 0.0)));
            });
        }
    }
    writer.record_incidents(history.take_incidents(), 0);  // those after the last arrival
    if (stock) {
        // What is still in stock or on order at the window's end.
        const StockBook::Writes w = stock->take_remaining();
        writer.inventory()->write(w);
        totals.inventory_items += static_cast<int64>(w.rows());
    }
    pg_guard([&] { MemoryContextDelete(chunk_context); });
    return totals;
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
    const Totals t = run_backfill(fcinfo, a, false);
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
    const TimestampTz started = GetCurrentTimestamp();
    pg_guard([&] {
        if (SPI_connect_ext(nonatomic ? SPI_OPT_NONATOMIC : 0) != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        if (!nonatomic)
            ereport(NOTICE, (errmsg("thelook backfill: running inside a transaction block, so committing once at its end")));
    });
    const Totals t = run_backfill(fcinfo, a, nonatomic);
    pg_guard([] { SPI_finish(); });
    const double secs = static_cast<double>(GetCurrentTimestamp() - started) / 1e6;
    pg_guard([&] {
        ereport(NOTICE, (errmsg("thelook backfill: %lld iterations, %lld users, %lld orders, %lld order items, "
                                "%lld events in %.1f s (%.0f rows/s)",
                                static_cast<long long>(t.iterations), static_cast<long long>(t.users),
                                static_cast<long long>(t.orders), static_cast<long long>(t.items),
                                static_cast<long long>(t.events), secs, secs > 0 ? t.rows() / secs : 0.0)));
    });
    PG_RETURN_VOID();
}

}  // namespace thelook::pg
