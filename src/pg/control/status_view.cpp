// thelook.simulation_status(), the rows of the view thelook.simulations: each row of
// thelook.simulation_runs, with the live slot's counters while a worker runs it, and any slot
// without a row (started under the 1.0 functions).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/writers/table_rows.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation.hpp"
#include "pg/control/simulation_store.hpp"
#include "pg/citus/citus_tables.hpp"

namespace thelook::pg {

namespace {

// The columns of thelook.simulation_status (1.1 and 1.2; 1.0's are a prefix): the row below builds
// exactly these, and a result descriptor with more is refused (check_row_shape).
constexpr int kStatusColumns = 44;

// One row of thelook.simulations, in plain values.
struct StatusRow {
    int32 id = 0;
    std::string name, database, schema, role, state, last_error, desired_state, scenario, id_format, on_resume;
    bool has_last_error = false;
    pid_t pid = 0;
    Micros started_at = kNoTime, ended_at = kNoTime, resumed_at = kNoTime, simulated_time = kNoTime;
    double avg_qps = 0, achieved_qps = 0, time_scale = 1, keep_events = 0, keep_orders = 0;
    int64 max_iter = -1, seed = 0, iterations = 0;
    int32 consecutive_errors = 0, failures = 0;
    SimulationCounters c;
};

void from_slot(const SimulationSlot& s, Micros now, StatusRow* r) {
    r->id = s.id;
    r->name = NameStr(s.name);
    r->schema = NameStr(s.schema);
    r->role = NameStr(s.role);
    r->pid = s.pid;
    // A committed start waits for the launcher as Restarting; to its caller it is starting.
    r->state = s.state == SimState::Restarting && s.launch_requested && s.fresh ? "starting" : state_name(s.state);
    r->desired_state = is_active(s.state) || s.state == SimState::Reserved ? "running" : "stopped";
    r->started_at = from_timestamptz(s.started_at);
    if (!is_active(s.state)) r->ended_at = from_timestamptz(s.ended_at);
    if (s.resumed_at) r->resumed_at = from_timestamptz(s.resumed_at);
    r->avg_qps = s.avg_qps;
    r->max_iter = s.max_iter;
    r->seed = static_cast<int64>(s.seed);
    r->iterations = s.live.iterations;
    const Micros until = is_active(s.state) ? now : from_timestamptz(s.ended_at);
    const double run = s.run_base_seconds +
                       (s.run_started_at ? static_cast<double>(until - from_timestamptz(s.run_started_at)) / 1e6
                                         : static_cast<double>(until - from_timestamptz(s.started_at)) / 1e6);
    r->achieved_qps = run > 0 ? static_cast<double>(s.live.iterations) / run : 0.0;
    r->c = s.live.counters;
    r->consecutive_errors = static_cast<int32>(s.live.counters.consecutive_errors);
    r->has_last_error = s.last_error[0] != '\0';
    r->last_error = s.last_error;
    r->id_format = id_format_name(s.ids);
    r->scenario = NameStr(s.scenario_name);
    r->time_scale = s.time_scale;
    r->simulated_time = s.live.simulated_now == 0 ? kNoTime : s.live.simulated_now;
    r->on_resume = on_resume_name(s.on_resume);
    r->keep_events = s.keep_events_seconds;
    r->keep_orders = s.keep_orders_seconds;
    r->failures = s.failures;
}

void from_row(const RunRow& row, const std::string& database, StatusRow* r) {
    r->id = row.id;
    r->name = row.name;
    r->database = database;
    r->schema = row.schema;
    r->role = row.owner_name;
    r->state = row.state;
    r->desired_state = row.desired_state;
    r->started_at = row.started_at;
    r->ended_at = row.ended_at;
    r->resumed_at = row.resumed_at;
    r->avg_qps = row.params.avg_qps;
    r->max_iter = row.params.max_iter;
    r->seed = static_cast<int64>(row.params.seed);
    r->iterations = row.iterations;
    r->achieved_qps = row.run_seconds > 0 ? static_cast<double>(row.iterations) / row.run_seconds : 0.0;
    r->c = counters_from_json(row.counters);
    r->consecutive_errors = static_cast<int32>(r->c.consecutive_errors);
    r->has_last_error = row.last_error.has_value();
    r->last_error = row.last_error.value_or("");
    r->id_format = id_format_name(row.params.ids);
    r->scenario = row.params.scenario_name;
    r->time_scale = row.params.time_scale;
    r->simulated_time = row.simulated_time;
    r->on_resume = on_resume_name(row.params.on_resume);
    r->keep_events = row.params.keep_events_seconds;
    r->keep_orders = row.params.keep_orders_seconds;
    r->failures = row.failures;
}

Datum interval_datum(double seconds) {
    Interval* iv = static_cast<Interval*>(palloc0(sizeof(Interval)));
    iv->time = static_cast<TimeOffset>(std::llround(seconds * 1e6));
    return IntervalPGetDatum(iv);
}

}  // namespace

Datum simulation_status(FunctionCallInfo fcinfo) {
    // Without the preload no simulation runs: the rows of the table (none, unless the server
    // preloaded the library before), not an error, so that monitoring queries and
    // ensure_simulation() work the same on every server.
    SharedState* st = shared_state();
    const std::vector<RunRow> rows = with_store([&](RunStore* store, const ExtensionInfo&) {
        return store ? store->load_all() : std::vector<RunRow>{};
    });
    const std::string database = pg_guard([] { return static_cast<const char*>(get_database_name(MyDatabaseId)); });
    const Micros now = from_timestamptz(GetCurrentTimestamp());
    std::vector<StatusRow> out;
    std::vector<int32> listed;
    auto slot_copy = [&](int i, SimulationSlot* s) { copy_slot(st, i, s); };
    // The slot of each (this database, id), by index.
    std::vector<std::pair<int32, int>> slots;
    if (st) {
        LWLockAcquire(st->lock, LW_SHARED);
        for (int i = 0; i < st->slot_count; ++i)
            if (st->slots[i].state != SimState::Free && st->slots[i].database_oid == MyDatabaseId)
                slots.emplace_back(st->slots[i].id, i);
        LWLockRelease(st->lock);
    }
    auto slot_index = [&](int32 id) {
        for (const auto& [sid, i] : slots)
            if (sid == id) return i;
        return -1;
    };
    auto slot_buffer = std::make_unique<SimulationSlot>();
    for (const RunRow& row : rows) {
        StatusRow r;
        from_row(row, database, &r);
        const int i = slot_index(row.id);
        if (i >= 0) {
            SimulationSlot& s = *slot_buffer;
            slot_copy(i, &s);
            if (s.id == row.id && (is_active(s.state) || s.state == SimState::Reserved)) {
                from_slot(s, now, &r);
                r.database = database;
                r.desired_state = "running";
                if (!r.has_last_error && row.last_error) {
                    r.has_last_error = true;
                    r.last_error = *row.last_error;
                }
            } else if (s.id == row.id && row.desired_state == "running" && s.state == SimState::Failed) {
                r.state = "failed";
                r.has_last_error = s.last_error[0] != '\0';
                r.last_error = s.last_error;
            } else if (row.desired_state == "running") {
                r.state = "interrupted";
            } else if (row.state == "running") {
                // Stopped, and its row not written yet (the worker ended before it could; the
                // resumer writes it after a restart): the slot says how it ended.
                r.state = s.state == SimState::Failed || s.state == SimState::Finished ? state_name(s.state) : "stopped";
            }
        } else if (row.desired_state == "running") {
            r.state = "interrupted";
        } else if (row.state == "running") {
            r.state = "stopped";
        }
        out.push_back(r);
        listed.push_back(row.id);
    }
    // Simulations with a slot and no row: started under the 1.0 functions, or starting.
    for (const auto& [id, i] : slots) {
        if (std::find(listed.begin(), listed.end(), id) != listed.end()) continue;
        SimulationSlot& s = *slot_buffer;
        slot_copy(i, &s);
        if (s.state == SimState::Free || s.id != id) continue;
        if (s.persisted && !is_active(s.state)) continue;  // its row was forgotten
        // Reserved by an open transaction: another's (its row is not visible), or a start of ours
        // whose row is gone with a rolled-back savepoint.
        if (s.state == SimState::Reserved && (s.persisted || s.reserved_by != MyProcPid)) continue;
        StatusRow r;
        from_slot(s, now, &r);
        r.database = database;
        out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const StatusRow& a, const StatusRow& b) { return a.id < b.id; });

    SrfOutput srf = begin_materialized_srf(fcinfo);
    pg_guard([&] {
        MemoryContext caller = MemoryContextSwitchTo(srf.row_context);
        // The descriptor may have fewer columns (an older SQL version's prefix), never more.
        check_row_shape(srf.desc->natts, kStatusColumns, "thelook.simulation_status's result");
        for (const StatusRow& r : out) {
            Datum v[kStatusColumns];
            bool n[kStatusColumns] = {};
            int c = 0;
            // Every column goes through here: one more than kStatusColumns is an error, not a
            // write past the arrays.
            auto put = [&](Datum d, bool null = false) {
                if (c >= kStatusColumns) elog(ERROR, "thelook: simulation_status builds more than %d columns", kStatusColumns);
                n[c] = null;
                v[c++] = null ? 0 : d;
            };
            auto text = [&](const std::string& s, bool null = false) { put(null ? 0 : text_datum(s), null); };
            auto time = [&](Micros t) { put(t == kNoTime ? 0 : TimestampTzGetDatum(to_timestamptz(t)), t == kNoTime); };
            put(Int32GetDatum(r.id));
            text(r.name, r.name.empty());
            text(r.database);
            text(r.schema);
            text(r.role);
            put(Int32GetDatum(r.pid), r.pid == 0);
            text(r.state);
            time(r.started_at);
            time(r.ended_at);
            put(Float8GetDatum(r.avg_qps));
            put(Int64GetDatum(r.max_iter), r.max_iter < 0);
            put(Int64GetDatum(r.seed));
            put(Int64GetDatum(r.c.scheduled));
            put(Int64GetDatum(r.iterations));
            put(Float8GetDatum(r.achieved_qps));
            for (int64 x : {r.c.users_inserted, r.c.users_updated, r.c.orders_inserted, r.c.orders_updated,
                            r.c.order_items_inserted, r.c.order_items_updated, r.c.events_inserted, r.c.heartbeats,
                            r.c.transactions, r.c.max_rows_per_transaction})
                put(Int64GetDatum(x));
            put(Int32GetDatum(r.consecutive_errors));
            put(Int64GetDatum(r.c.total_errors));
            text(r.last_error, !r.has_last_error);
            text(r.id_format);
            text(r.scenario);
            put(Float8GetDatum(r.time_scale));
            time(r.simulated_time);
            put(Int64GetDatum(r.c.incidents));
            text(r.desired_state);
            put(Int32GetDatum(r.failures));
            time(r.resumed_at);
            put(Int64GetDatum(r.c.skipped));
            text(r.on_resume);
            for (double keep : {r.keep_events, r.keep_orders}) {
                put(keep > 0 ? interval_datum(keep) : 0, !(keep > 0));
            }
            put(Int64GetDatum(r.c.orders_deleted));
            put(Int64GetDatum(r.c.order_items_deleted));
            put(Int64GetDatum(r.c.events_deleted));
            put(Int64GetDatum(r.c.lost_sales));
            if (c != kStatusColumns) elog(ERROR, "thelook: simulation_status built %d of its %d columns", c, kStatusColumns);
            tuplestore_putvalues(srf.store, srf.desc, v, n);
            MemoryContextReset(srf.row_context);
        }
        MemoryContextSwitchTo(caller);
    });
    return 0;
}

// Every simulation a database lists runs on the node it was started on: this one.
Datum simulation_node(FunctionCallInfo fcinfo) {
    const std::string label = this_node_label();
    return pg_guard([&] { return text_datum(label); });
}

}  // namespace thelook::pg
