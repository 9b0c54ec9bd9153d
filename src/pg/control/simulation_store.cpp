#include "pg/control/simulation_store.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"

namespace thelook::pg {

namespace {

using Cells = std::vector<std::optional<std::string>>;

// Runs sql with text parameters (cast in the SQL) and returns every row's columns as text. With
// `role` valid, as that role.
std::vector<Cells> run(const std::string& sql, const std::vector<std::optional<std::string>>& args, bool read_only,
                       Oid role, int expect) {
    const TextArgs a = pg_guard([&] { return text_args(args); });
    uint64 n = 0;
    int ncols = 0;
    {
        const ActingRole acting(role);
        pg_guard([&] {
            int rc = SPI_execute_with_args(sql.c_str(), a.n, a.types, a.values, a.nulls, read_only, 0);
            if (rc != expect) elog(ERROR, "thelook: \"%s\" failed: %s", sql.c_str(), SPI_result_code_string(rc));
            n = SPI_processed;
            ncols = SPI_tuptable ? SPI_tuptable->tupdesc->natts : 0;
        });
    }
    std::vector<Cells> rows(n);
    for (uint64 r = 0; r < n; ++r) {
        rows[r].resize(ncols);
        for (int c = 0; c < ncols; ++c) {
            const char* v = pg_guard([&] { return static_cast<const char*>(SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1)); });
            if (v) rows[r][c] = std::string(v);
        }
    }
    return rows;
}

std::optional<std::string> num(double v) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
}
std::optional<std::string> num(int64 v) { return std::to_string(v); }
std::optional<std::string> micros(Micros t) {
    if (t == kNoTime) return std::nullopt;
    return std::to_string(t);
}
// An interval in seconds; 0 (or less) is NULL.
std::optional<std::string> seconds_or_null(double s) {
    if (!(s > 0)) return std::nullopt;
    return num(s);
}

// A column's text as PostgreSQL prints it. Not std::stod/stoll: they throw std::out_of_range for a
// denormal such as 1e-320 (a valid float8 a user may pass as a probability), which would make every
// later read of the row fail.
Error unreadable(const std::string& text) {
    return Error(sqlstate::kDataCorrupted, "thelook.simulation_runs holds \"" + text + "\" where a number belongs",
                 "The row was changed by hand, or by another version.",
                 "Stop the simulation, forget it (thelook.forget_simulation) and start a new one: the rows it wrote stay.");
}
double to_double(const std::optional<std::string>& s, double if_null = 0) {
    if (!s) return if_null;
    char* end = nullptr;
    const double v = std::strtod(s->c_str(), &end);  // ERANGE on underflow: v is still the value
    if (end == s->c_str() || *end != '\0') throw unreadable(*s);
    return v;
}
int64 to_int(const std::optional<std::string>& s, int64 if_null = 0) {
    if (!s) return if_null;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s->c_str(), &end, 10);
    if (end == s->c_str() || *end != '\0' || errno == ERANGE) throw unreadable(*s);
    return v;
}
Micros to_micros(const std::optional<std::string>& s) { return s ? to_int(s) : kNoTime; }

// Microseconds since the Unix epoch in SQL, exactly.
std::string from_micros(const std::string& param) {
    return "('1970-01-01 00:00:00+00'::timestamptz + (" + param + ")::bigint * interval '1 microsecond')";
}
std::string to_micros_sql(const std::string& column) {
    return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

const char* kColumns =
    "id, name, schema, owner::oid, owner::text, desired_state, state, last_error, failures, incarnation, "
    "avg_qps, max_iter, user_create_prob, user_update_prob, order_update_prob, ghost_create_prob, "
    "filter_country, filter_state, filter_postal_code, seed, extract(epoch FROM duration), "
    "extract(epoch FROM heartbeat_interval), id_format, scenario, scenario_definition::text, time_scale, "
    "(extract(epoch FROM simulated_start) * 1000000)::bigint, on_resume, extract(epoch FROM keep_events), "
    "extract(epoch FROM keep_orders), (extract(epoch FROM started_at) * 1000000)::bigint, "
    "(extract(epoch FROM resumed_at) * 1000000)::bigint, (extract(epoch FROM ended_at) * 1000000)::bigint, "
    "iterations, run_seconds, (extract(epoch FROM simulated_time) * 1000000)::bigint, counters::text, "
    "progress::text";
// Under the 1.1 SQL (before ALTER EXTENSION UPDATE) the table has no shard columns: every
// simulation there is unsharded.
const char* kShardColumns = ", shard, shards";
const char* kNoShardColumns = ", 0, 1";

RunRow row_of(const Cells& c) {
    RunRow r;
    int i = 0;
    r.id = static_cast<int32>(to_int(c[i++]));
    r.name = c[i++].value_or("");
    r.schema = c[i++].value_or("");
    r.owner = static_cast<Oid>(to_int(c[i++]));
    r.owner_name = c[i++].value_or("");
    r.desired_state = c[i++].value_or("stopped");
    r.state = c[i++].value_or("stopped");
    r.last_error = c[i++];
    r.failures = static_cast<int32>(to_int(c[i++]));
    r.incarnation = static_cast<int32>(to_int(c[i++]));
    SimulationParams& p = r.params;
    p.avg_qps = to_double(c[i++]);
    p.max_iter = to_int(c[i++], -1);
    p.user_create_prob = to_double(c[i++]);
    p.user_update_prob = to_double(c[i++]);
    p.order_update_prob = to_double(c[i++]);
    p.ghost_create_prob = to_double(c[i++]);
    p.country = c[i++].value_or("*");
    p.state = c[i++].value_or("*");
    p.postal_code = c[i++].value_or("*");
    p.seed = static_cast<uint64_t>(to_int(c[i++]));
    p.duration_seconds = to_double(c[i++]);
    p.heartbeat_interval_seconds = to_double(c[i++]);
    p.ids = parse_id_format(c[i++].value_or("uuid4"));
    p.scenario_name = c[i++].value_or("reference");
    p.scenario_json = c[i++].value_or("{}");
    p.time_scale = to_double(c[i++], 1);
    p.simulated_start = to_micros(c[i++]);
    p.on_resume = parse_on_resume(c[i++].value_or("skip"));
    p.keep_events_seconds = to_double(c[i++]);
    p.keep_orders_seconds = to_double(c[i++]);
    r.started_at = to_micros(c[i++]);
    r.resumed_at = to_micros(c[i++]);
    r.ended_at = to_micros(c[i++]);
    r.iterations = to_int(c[i++]);
    r.run_seconds = to_double(c[i++]);
    r.simulated_time = to_micros(c[i++]);
    r.counters = c[i++].value_or("{}");
    r.progress = c[i++].value_or("");
    p.shard = static_cast<int>(to_int(c[i++]));
    p.shards = static_cast<int>(to_int(c[i++], 1));
    return r;
}

}  // namespace

ActingRole::ActingRole(Oid role) {
    if (!OidIsValid(role)) return;
    pg_guard([&] {
        GetUserIdAndSecContext(&saved_user_, &saved_context_);
        nest_level_ = NewGUCNestLevel();
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                true, 0, false);
        SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
    });
    active_ = true;
}

ActingRole::~ActingRole() {
    if (!active_) return;
    SetUserIdAndSecContext(saved_user_, saved_context_);
    // Puts search_path back; an error here (a GUC hook) is left to the transaction's abort, which
    // restores both anyway.
    try {
        pg_guard([&] { AtEOXact_GUC(true, nest_level_); });
    } catch (...) {
    }
}

ExtensionInfo extension_info() {
    ExtensionInfo info;
    auto rows = run("SELECT e.oid, e.extnamespace, e.extowner, n.nspname, "
                    "EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace = e.extnamespace "
                    "AND c.relname = 'simulation_runs' AND c.relkind = 'r'), "
                    "EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace = e.extnamespace "
                    "AND c.relname = 'held_events' AND c.relkind = 'r'), "
                    "EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
                    "WHERE c.relnamespace = e.extnamespace AND c.relname = 'simulation_runs' AND a.attname = 'shards' "
                    "AND NOT a.attisdropped) "
                    "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'thelook_datagen'",
                    {}, true, InvalidOid, SPI_OK_SELECT);
    if (rows.empty()) return info;
    info.ext = static_cast<Oid>(to_int(rows[0][0]));
    info.schema = static_cast<Oid>(to_int(rows[0][1]));
    info.owner = static_cast<Oid>(to_int(rows[0][2]));
    info.schema_name = rows[0][3].value_or("");
    info.has_runs_table = rows[0][4] && *rows[0][4] == "t";
    info.has_held_table = rows[0][5] && *rows[0][5] == "t";
    info.has_shard_columns = rows[0][6] && *rows[0][6] == "t";
    return info;
}

RunStore::RunStore(const ExtensionInfo& ext) : ext_(ext) {
    table_ = pg_guard([&] { return quote_identifier(ext.schema_name.c_str()); }) + std::string(".simulation_runs");
}

RunStore::~RunStore() = default;

const char* RunStore::shard_columns() const { return ext_.has_shard_columns ? kShardColumns : kNoShardColumns; }

int32 RunStore::next_id() {
    auto rows = run("SELECT nextval(pg_catalog.pg_get_serial_sequence($1, 'id'))", {table_}, false, ext_.owner,
                    SPI_OK_SELECT);
    return static_cast<int32>(to_int(rows.at(0)[0]));
}

void RunStore::insert(const RunRow& r) {
    const SimulationParams& p = r.params;
    std::vector<std::optional<std::string>> a = {
        num(int64{r.id}), r.name.empty() ? std::nullopt : std::optional<std::string>(r.name), r.schema,
        num(int64{r.owner}), num(int64{r.incarnation}),
        num(p.avg_qps), num(p.max_iter), num(p.user_create_prob), num(p.user_update_prob),
        num(p.order_update_prob), num(p.ghost_create_prob), p.country, p.state, p.postal_code,
        num(static_cast<int64>(p.seed)), seconds_or_null(p.duration_seconds), num(p.heartbeat_interval_seconds),
        id_format_name(p.ids), p.scenario_name, p.scenario_json, num(p.time_scale), micros(p.simulated_start),
        on_resume_name(p.on_resume), seconds_or_null(p.keep_events_seconds), seconds_or_null(p.keep_orders_seconds),
        micros(r.started_at)};
    if (p.sharded() && !ext_.has_shard_columns)
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "thelook.simulation_runs has no shard columns",
                    "Sharded simulations are new in 1.2.", "Run ALTER EXTENSION thelook_datagen UPDATE.");
    std::string shard_columns, shard_values;
    if (ext_.has_shard_columns) {
        a.push_back(num(int64{p.shard}));
        a.push_back(num(int64{p.shards}));
        shard_columns = ", shard, shards";
        shard_values = ", $27::int, $28::int";
    }
    run("INSERT INTO " + table_ +
            " (id, name, schema, owner, incarnation, avg_qps, max_iter, user_create_prob, user_update_prob, "
            "order_update_prob, ghost_create_prob, filter_country, filter_state, filter_postal_code, seed, duration, "
            "heartbeat_interval, id_format, scenario, scenario_definition, time_scale, simulated_start, on_resume, "
            "keep_events, keep_orders, started_at, resumed_at, updated_at" + shard_columns + ") VALUES ($1::int, $2, $3::name, "
            "$4::oid::regrole, $5::int, $6::float8, $7::bigint, $8::float8, $9::float8, $10::float8, $11::float8, "
            "$12, $13, $14, $15::bigint, make_interval(secs => $16::float8), make_interval(secs => $17::float8), "
            "$18, $19, $20::jsonb, $21::float8, " + from_micros("$22") + ", $23, make_interval(secs => $24::float8), "
            "make_interval(secs => $25::float8), " + from_micros("$26") + ", " + from_micros("$26") + ", now()" + shard_values + ")",
        a, false, ext_.owner, SPI_OK_INSERT);
}

std::optional<RunRow> RunStore::load(int32 id, bool for_update) {
    auto rows = run(std::string("SELECT ") + kColumns + shard_columns() + " FROM " + table_ + " WHERE id = $1::int" +
                        (for_update ? " FOR UPDATE" : ""),
                    {num(int64{id})}, !for_update, for_update ? ext_.owner : InvalidOid, SPI_OK_SELECT);
    if (rows.empty()) return std::nullopt;
    return row_of(rows[0]);
}

std::vector<RunRow> RunStore::load_all() {
    auto rows = run(std::string("SELECT ") + kColumns + shard_columns() + " FROM " + table_ + " ORDER BY id", {}, true, InvalidOid,
                    SPI_OK_SELECT);
    std::vector<RunRow> out;
    out.reserve(rows.size());
    for (const auto& c : rows) out.push_back(row_of(c));
    return out;
}

void RunStore::take_over(RunRow& row, bool reset_failures, bool fresh) {
    auto rows = run("UPDATE " + table_ +
                        " SET incarnation = incarnation + 1, state = 'running', desired_state = 'running', "
                        "failures = CASE WHEN $2::bool THEN 1 ELSE failures + 1 END, resumed_at = now(), "
                        "started_at = CASE WHEN $3::bool THEN now() ELSE started_at END, "
                        "ended_at = NULL, updated_at = now() WHERE id = $1::int RETURNING incarnation, failures, "
                        + to_micros_sql("resumed_at") + ", " + to_micros_sql("started_at"),
                    {num(int64{row.id}), std::string(reset_failures ? "t" : "f"), std::string(fresh ? "t" : "f")},
                    false, ext_.owner, SPI_OK_UPDATE_RETURNING);
    if (rows.empty()) throw Error(sqlstate::kUndefinedObject, "simulation " + std::to_string(row.id) + " does not exist any more",
                                  "Its row in thelook.simulation_runs was deleted meanwhile.",
                                  "Start a new one with thelook.start_simulation().");
    row.incarnation = static_cast<int32>(to_int(rows[0][0]));
    row.failures = static_cast<int32>(to_int(rows[0][1]));
    row.resumed_at = to_micros(rows[0][2]);
    row.started_at = to_micros(rows[0][3]);
    row.state = row.desired_state = "running";
}

bool RunStore::save_progress(int32 id, int32 incarnation, int64 iterations, double run_seconds,
                             Micros simulated_time, const std::string& counters, const std::string& progress) {
    // The one statement of every transaction: prepared once, typed parameters.
    if (!save_) {
        const std::string sql = "UPDATE " + table_ +
                                " SET iterations = $3, run_seconds = $4, simulated_time = $5, counters = $6::jsonb, "
                                "progress = $7::jsonb, failures = 0, updated_at = now() "
                                "WHERE id = $1 AND incarnation = $2";
        save_ = prepare(sql, {INT4OID, INT4OID, INT8OID, FLOAT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID});
    }
    Datum args[7];
    pg_guard([&] {
        const Datum values[7] = {Int32GetDatum(id),
                                 Int32GetDatum(incarnation),
                                 Int64GetDatum(iterations),
                                 Float8GetDatum(run_seconds),
                                 TimestampTzGetDatum(to_timestamptz(simulated_time)),
                                 text_datum(counters),
                                 text_datum(progress)};
        memcpy(args, values, sizeof args);
    });
    const ActingRole acting(ext_.owner);
    const uint64 n = pg_guard([&] {
        int rc = SPI_execute_plan(save_.get(), args, nullptr, false, 0);
        if (rc != SPI_OK_UPDATE) elog(ERROR, "thelook: saving progress failed: %s", SPI_result_code_string(rc));
        return static_cast<uint64>(SPI_processed);
    });
    return n == 1;
}

// A statement of (simulation id, text) run with the batch's rows, prepared on first use: planning
// it again in every transaction cost a simulation with late events about 4 % of its time.
void RunStore::run_prepared(SpiPlan& plan, const std::string& sql, int32 id, const std::string& text, int expected,
                            const char* what) {
    if (!plan) plan = prepare(sql, {INT4OID, TEXTOID});
    Datum args[2];
    pg_guard([&] {
        args[0] = Int32GetDatum(id);
        args[1] = text_datum(text);
    });
    const ActingRole acting(ext_.owner);
    pg_guard([&] {
        const int rc = SPI_execute_plan(plan.get(), args, nullptr, false, 0);
        if (rc != expected) elog(ERROR, "thelook: %s failed: %s", what, SPI_result_code_string(rc));
    });
}

void RunStore::save_held(int32 id, const std::string& added, const std::string& released) {
    const std::string held = pg_guard([&] { return quote_identifier(ext_.schema_name.c_str()); }) + std::string(".held_events");
    if (released != "{}")
        run_prepared(held_delete_, "DELETE FROM " + held + " WHERE simulation_id = $1 AND seq = ANY ($2::bigint[])", id,
                     released, SPI_OK_DELETE, "deleting released held events");
    if (added != "[]")
        run_prepared(held_insert_,
                     "INSERT INTO " + held + " (simulation_id, seq, due_at, held) SELECT $1, (e->>'seq')::bigint, "
                     "pg_catalog.to_timestamp((e->>'due')::float8 / 1e6), e FROM pg_catalog.jsonb_array_elements($2::jsonb) e",
                     id, added, SPI_OK_INSERT, "saving held events");
}

std::vector<std::string> RunStore::load_held(int32 id) {
    const std::string held = pg_guard([&] { return quote_identifier(ext_.schema_name.c_str()); }) + std::string(".held_events");
    std::vector<std::string> out;
    for (const Cells& row : run("SELECT held::text FROM " + held + " WHERE simulation_id = $1::int ORDER BY seq",
                                {num(int64{id})}, true, ext_.owner, SPI_OK_SELECT))
        out.push_back(row.at(0).value_or("{}"));
    return out;
}

bool RunStore::save_params(int32 id, int32 incarnation, const SimulationParams& p) {
    auto rows = run("UPDATE " + table_ +
                        " SET avg_qps = $3::float8, user_create_prob = $4::float8, user_update_prob = $5::float8, "
                        "order_update_prob = $6::float8, ghost_create_prob = $7::float8, time_scale = $8::float8, "
                        "scenario = $9, scenario_definition = $10::jsonb, updated_at = now() "
                        "WHERE id = $1::int AND incarnation = $2::int RETURNING id",
                    {num(int64{id}), num(int64{incarnation}), num(p.avg_qps), num(p.user_create_prob),
                     num(p.user_update_prob), num(p.order_update_prob), num(p.ghost_create_prob), num(p.time_scale),
                     p.scenario_name, p.scenario_json},
                    false, ext_.owner, SPI_OK_UPDATE_RETURNING);
    return rows.size() == 1;
}

bool RunStore::set_state(int32 id, int32 incarnation, const char* state, const char* desired_state,
                         const char* last_error, bool clear_error) {
    auto rows = run("UPDATE " + table_ +
                        " SET state = $3, desired_state = $4, last_error = CASE WHEN $6::bool THEN NULL ELSE "
                        "coalesce($5, last_error) END, ended_at = CASE WHEN $3 = 'running' THEN NULL ELSE now() END, "
                        "updated_at = now() WHERE id = $1::int AND ($2::int < 0 OR incarnation = $2::int) RETURNING id",
                    {num(int64{id}), num(int64{incarnation}), std::string(state), std::string(desired_state),
                     last_error ? std::optional<std::string>(last_error) : std::nullopt,
                     std::string(clear_error ? "t" : "f")},
                    false, ext_.owner, SPI_OK_UPDATE_RETURNING);
    return !rows.empty();
}

bool RunStore::request_stop(int32 id, bool no_worker) {
    auto rows = run("UPDATE " + table_ +
                        " SET desired_state = 'stopped', state = CASE WHEN $2::bool AND state = 'running' THEN "
                        "'stopped' ELSE state END, ended_at = CASE WHEN $2::bool AND state = 'running' THEN now() "
                        "ELSE ended_at END, updated_at = now() WHERE id = $1::int RETURNING id",
                    {num(int64{id}), std::string(no_worker ? "t" : "f")}, false, ext_.owner,
                    SPI_OK_UPDATE_RETURNING);
    return !rows.empty();
}

bool RunStore::request_resume(int32 id) {
    auto rows = run("UPDATE " + table_ +
                        " SET desired_state = 'running', failures = 0, updated_at = now() WHERE id = $1::int "
                        "RETURNING id",
                    {num(int64{id})}, false, ext_.owner, SPI_OK_UPDATE_RETURNING);
    return !rows.empty();
}

void RunStore::lock_name(const std::string& schema, const std::string& name) {
    run("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('thelook_datagen.ensure_simulation'), "
        "pg_catalog.hashtext(pg_catalog.current_database() OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) $1::text "
        "OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) $2::text))",
        {schema, name}, false, InvalidOid, SPI_OK_SELECT);
}

std::optional<int32> RunStore::should_run_named(const std::string& schema, const std::string& name, int32 except) {
    // Not read-only: SPI takes a new snapshot, later than the wait for lock_name.
    auto rows = run("SELECT min(id) FROM " + table_ +
                        " WHERE schema = $1::name AND name = $2::text AND desired_state = 'running' AND id <> $3::int",
                    {schema, name, num(int64{except})}, false, InvalidOid, SPI_OK_SELECT);
    if (rows.empty() || !rows[0][0]) return std::nullopt;
    return static_cast<int32>(to_int(rows[0][0]));
}

bool RunStore::remove(int32 id) {
    auto rows = run("DELETE FROM " + table_ + " WHERE id = $1::int RETURNING id", {num(int64{id})}, false, ext_.owner,
                    SPI_OK_DELETE_RETURNING);
    return !rows.empty();
}

}  // namespace thelook::pg
