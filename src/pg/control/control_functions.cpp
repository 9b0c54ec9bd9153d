// The SQL functions that start, stop, resume, forget and change simulations. Each reads its
// arguments into a plain struct once, checks what the caller may see fail, writes the simulation's
// row or reserves its slot, and queues the rest for commit (pending_actions.hpp): nothing acts
// before the caller's transaction commits, nothing at all if it rolls back. The one exception is
// stop_simulation outside a transaction block (see stop_now).
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/location_filter.hpp"
#include "core/shopper_model.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/citus/shard_hash.hpp"
#include "pg/citus/shard_tables.hpp"
#include "pg/control/pending_actions.hpp"
#include "pg/control/preconditions.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation.hpp"
#include "pg/control/simulation_indexes.hpp"
#include "pg/control/simulation_store.hpp"
#include "pg/control/slot_protocol.hpp"

namespace thelook::pg {

namespace {

// The SQL API a C symbol serves (one symbol per version, as contrib's pg_stat_statements_1_x).
enum class Api { V1_0, V1_1, V1_2 };

// start_simulation(schema, avg_qps, max_iter, user_create_prob, user_update_prob,
//                  order_update_prob, ghost_create_prob, country, state, postal_code, seed,
//                  duration, heartbeat_interval, name, id_format [1.0 ends here], scenario,
//                  time_scale, simulated_start, on_resume, keep_events, keep_orders [1.1 ends
//                  here], shard, shards)
struct StartArgs {
    std::string schema, name;
    SimulationParams p;
    ResolvedScenario scenario;
    bool duration_given = false;
};

StartArgs read_start_args(FunctionCallInfo fcinfo, Api api) {
    for (int i = 0; i <= 6; ++i)
        if (PG_ARGISNULL(i))
            throw Error(sqlstate::kNullValueNotAllowed, "parameters of thelook.start_simulation must not be NULL", "",
                        "Leave a parameter out to get its default.");
    StartArgs a;
    SimulationParams& p = a.p;
    a.schema = arg_name(fcinfo, 0);
    p.avg_qps = PG_GETARG_FLOAT8(1);
    p.max_iter = PG_GETARG_INT64(2);
    p.user_create_prob = PG_GETARG_FLOAT8(3);
    p.user_update_prob = PG_GETARG_FLOAT8(4);
    p.order_update_prob = PG_GETARG_FLOAT8(5);
    p.ghost_create_prob = PG_GETARG_FLOAT8(6);
    p.country = arg_text(fcinfo, 7, "*");
    p.state = arg_text(fcinfo, 8, "*");
    p.postal_code = arg_text(fcinfo, 9, "*");
    p.seed = arg_seed(fcinfo, 10);
    p.duration_seconds = arg_interval_seconds(fcinfo, 11, 0);
    a.duration_given = !PG_ARGISNULL(11);
    p.heartbeat_interval_seconds = arg_interval_seconds(fcinfo, 12, 10);
    a.name = arg_text(fcinfo, 13, "");
    p.ids = parse_id_format(arg_text(fcinfo, 14, "uuid4"));
    if (api == Api::V1_0) {
        a.scenario = reference_scenario();
    } else {
        a.scenario = resolve_scenario_argument(arg_text(fcinfo, 15, "reference"));
        p.time_scale = PG_ARGISNULL(16) ? 1.0 : PG_GETARG_FLOAT8(16);
        p.simulated_start = PG_ARGISNULL(17) ? kNoTime : from_timestamptz(PG_GETARG_TIMESTAMPTZ(17));
        p.on_resume = parse_on_resume(arg_text(fcinfo, 18, "skip"));
        for (int arg : {19, 20}) {
            const char* what = arg == 19 ? "keep_events" : "keep_orders";
            if (PG_ARGISNULL(arg)) continue;
            const double seconds = arg_interval_seconds(fcinfo, arg, 0);
            if (!(seconds > 0))
                throw Error(sqlstate::kInvalidParameterValue, std::string("parameter \"") + what + "\" must be positive", "",
                            std::string("Pass NULL to keep every row, or an interval such as ") + what + " => '7 days'.");
            (arg == 19 ? p.keep_events_seconds : p.keep_orders_seconds) = seconds;
        }
    }
    if (api == Api::V1_2 && PG_NARGS() > 22) {
        if (PG_ARGISNULL(21) != PG_ARGISNULL(22))
            throw Error(sqlstate::kInvalidParameterValue, "parameters \"shard\" and \"shards\" go together",
                        std::string("Only \"") + (PG_ARGISNULL(21) ? "shards" : "shard") + "\" was given.",
                        "Pass both, such as shard => 0, shards => 4, or neither.");
        if (!PG_ARGISNULL(21)) {
            p.shard = PG_GETARG_INT32(21);
            p.shards = PG_GETARG_INT32(22);
        }
    }
    p.scenario_name = a.scenario.name;
    p.scenario_json = a.scenario.json;
    // The scenario's lifecycle section is the run's order_update_prob (an argument other than the
    // default must agree with it: a NOT NULL parameter with a default cannot say it was passed).
    p.order_update_prob = lifecycle_order_update_prob(a.scenario.scenario.lifecycle, p.order_update_prob,
                                                      p.order_update_prob != dist::kDefaultOrderUpdateProb);
    return a;
}

SlotFill fill_for(Oid role, const std::string& schema, const std::string& name, const SimulationParams& p) {
    SlotFill f;
    f.database = MyDatabaseId;
    f.role = role;
    f.schema = schema;
    f.name = name;
    f.params = p;
    pg_guard([&] {
        f.database_name = get_database_name(MyDatabaseId);
        const char* role_name = GetUserNameFromId(role, true);
        f.role_name = role_name ? role_name : "";
    });
    return f;
}

// An id for a new simulation: the next of this database's table, skipping any that a simulation
// started under the 1.0 functions still holds; without the table (the 1.0 SQL), from shared memory.
int32 new_id(SharedState* st, RunStore* store) {
    if (!store) {
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        int32 id;
        do id = st->next_id++;
        while (find_slot_of(st, MyDatabaseId, id));
        LWLockRelease(st->lock);
        return id;
    }
    for (;;) {
        const int32 candidate = store->next_id();
        LWLockAcquire(st->lock, LW_SHARED);
        const bool taken = find_slot_of(st, MyDatabaseId, candidate) != nullptr;
        LWLockRelease(st->lock);
        if (!taken) return candidate;
    }
}

Datum start(FunctionCallInfo fcinfo, Api api) {
    SharedState* st = require_shared_state();
    const StartArgs a = read_start_args(fcinfo, api);
    const SimulationParams& p = a.p;
    p.validate();
    check_scenario_fits(p);
    check_sharded(p, a.scenario.scenario);
    // Campaigns "at" a time and "after" the start meet once the start is known: now or simulated_start.
    check_campaign_shares(a.scenario.scenario.shoppers.campaigns,
                          p.simulated_start == kNoTime ? from_timestamptz(GetCurrentTimestamp()) : p.simulated_start,
                          "scenario.shoppers.campaigns");
    check_filter_fits(p.country, "country");
    check_filter_fits(p.state, "state");
    check_filter_fits(p.postal_code, "postal_code");
    if (a.duration_given && p.duration_seconds <= 0)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"duration\" must be positive", "",
                    "Pass NULL to run until stopped, or an interval such as '10 minutes'.");
    const Oid role = GetUserId();
    check_schema(a.schema, role);
    // On a Citus node: the simulation's shard must be this node's, of the tables' shard count.
    if (p.sharded()) (void)tables_for(a.schema, IdSpace(p.shard, p.shards, shard_hash));
    check_ground_truth_tables(a.scenario.scenario, a.schema, role);
    check_inventory_tables(a.scenario.scenario, a.schema);
    check_can_login(role);
    LocationSampler(installed_catalog().locations, p.country, p.state, p.postal_code);  // validates
    check_simulation_indexes(a.schema, p, a.scenario.scenario.faults.cdc);

    SlotFill fill = fill_for(role, a.schema, a.name, p);
    fill.fresh = true;
    const int32 id = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store && api != Api::V1_0)
            throw Error(sqlstate::kObjectNotInPrerequisiteState, "thelook.simulation_runs does not exist", "The extension's objects are incomplete.",
                        "Run ALTER EXTENSION thelook_datagen UPDATE, or DROP and CREATE the extension.");
        const int32 new_run = new_id(st, store);
        fill.persisted = store != nullptr;
        if (store) {
            // The row is the caller's: it commits with the caller's transaction, or never exists.
            RunRow row;
            row.id = new_run;
            row.name = a.name;
            row.schema = a.schema;
            row.owner = role;
            row.params = p;
            row.incarnation = 0;
            row.started_at = from_timestamptz(GetCurrentTimestamp());
            store->insert(row);
        }
        return new_run;
    });
    ControlAction launch;
    launch.kind = ControlAction::Kind::Launch;
    launch.id = id;
    launch.slot = reserve_slot(st, id, fill);
    defer(std::move(launch));
    return Int32GetDatum(id);
}

bool held_by_me(const Found& live) { return live.state == SimState::Reserved && live.reserved_by == MyProcPid; }

// stop_simulation / stop_all_simulations outside a transaction block: the statement is its own
// transaction, so the stop is asked for at once and the call waits until the worker has gone (as
// it always did). The worker records the stop in its row; if it could not, the row is written
// here, once no worker can be waiting for it. True when it was running, restarting or interrupted.
bool stop_now(SharedState* st, int32 id, const Found& live) {
    bool was_live = false, recorded = false;
    if (live.slot && is_active(live.state)) {
        was_live = true;
        recorded = stop_and_wait(st, live.slot, id);
        if (!live.persisted) return true;
    }
    if (recorded) return true;
    const bool updated = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store) return false;
        auto row = store->load(id, false);
        if (!row || (row->desired_state != "running" && !was_live)) return false;
        return store->request_stop(id, true);
    });
    // The slot was read before the row: a resume that committed in between (the row says running,
    // and the UPDATE above may have waited for its worker to take the row over) has a slot this
    // call did not signal. The stop is asked of it at commit, as inside a block; without this the
    // worker ran on under a row whose desired state is stopped.
    if (updated && !stop_pending(id)) {
        ControlAction stop;
        stop.kind = ControlAction::Kind::Stop;
        stop.id = id;
        defer(std::move(stop));
    }
    return was_live || updated;
}

// Inside a transaction block: the stop is queued for commit and the call returns at once (it
// cannot wait for a stop that its own transaction has not committed yet).
bool stop_at_commit(int32 id, const Found& live) {
    bool will_stop = (live.slot && is_active(live.state)) || held_by_me(live);
    if (!will_stop)
        will_stop = with_store([&](RunStore* store, const ExtensionInfo&) {
            if (!store) return false;
            auto row = store->load(id, false);
            return row && row->desired_state == "running";
        });
    if (will_stop && !stop_pending(id)) {
        ControlAction stop;
        stop.kind = ControlAction::Kind::Stop;
        stop.id = id;
        defer(std::move(stop));
    }
    return will_stop;
}

bool stop_one(SharedState* st, int32 id, const Found& live) {
    return IsTransactionBlock() ? stop_at_commit(id, live) : stop_now(st, id, live);
}

// The simulation `id` for a change: it must exist, run (or be about to) and be the caller's to
// control. Returns its slot.
SimulationSlot* controllable(SharedState* st, int32 id) {
    const Found live = find_live(st, id);
    Oid role = live.role;
    if (!live.slot) {
        auto row = with_store([&](RunStore* store, const ExtensionInfo&) {
            return store ? store->load(id, false) : std::nullopt;
        });
        if (!row) throw no_such_simulation(id);
        role = row->owner;
    }
    if (!may_control(role))
        throw not_permitted("change", id);
    const bool starting = live.fresh && (live.state == SimState::Starting ||
                                         (live.state == SimState::Restarting && live.launch_requested));
    if (!live.slot || !(live.state == SimState::Running || starting || held_by_me(live)) || stop_pending(id))
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is not running",
                    live.slot && is_active(live.state) ? "Its worker is being started again." : "",
                    live.slot && is_active(live.state) ? "Try again in a few seconds."
                                                       : "Resume it with thelook.resume_simulation(), or start a new one.");
    return live.slot;
}

}  // namespace

// The 1.0 and 1.1 definitions share this symbol (their frozen scripts name it): 1.0 passes 15
// arguments, 1.1 21. Version 1.2 and later have their own symbols.
Datum start_simulation(FunctionCallInfo fcinfo) { return start(fcinfo, PG_NARGS() >= 21 ? Api::V1_1 : Api::V1_0); }
Datum start_simulation_1_2(FunctionCallInfo fcinfo) { return start(fcinfo, Api::V1_2); }

Datum stop_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    const int32 id = PG_GETARG_INT32(0);
    const Found live = find_live(st, id);
    Oid role = live.role;
    if (!live.slot || !is_active(live.state)) {
        auto row = with_store([&](RunStore* store, const ExtensionInfo&) {
            return store ? store->load(id, false) : std::nullopt;
        });
        if (row) role = row->owner;
        else if (!live.slot) throw no_such_simulation(id);
    }
    if (!may_control(role))
        throw not_permitted("stop", id);
    return BoolGetDatum(stop_one(st, id, live));
}

Datum stop_all_simulations(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    int32 stopped = 0;
    std::vector<int32> ids;
    for (int i = 0; i < st->slot_count; ++i) {
        LWLockAcquire(st->lock, LW_SHARED);
        const SimulationSlot& s = st->slots[i];
        const bool mine = (is_active(s.state) || (s.state == SimState::Reserved && s.reserved_by == MyProcPid)) &&
                          s.database_oid == MyDatabaseId;
        const int32 id = s.id;
        const Oid role = s.role_oid;
        LWLockRelease(st->lock);
        if (mine && may_control(role)) ids.push_back(id);
    }
    // And the interrupted ones: rows that should run but have no worker.
    auto rows = with_store([&](RunStore* store, const ExtensionInfo&) {
        return store ? store->load_all() : std::vector<RunRow>{};
    });
    for (const RunRow& r : rows)
        if (r.desired_state == "running" && may_control(r.owner) &&
            std::find(ids.begin(), ids.end(), r.id) == ids.end())
            ids.push_back(r.id);
    for (int32 id : ids)
        if (stop_one(st, id, find_live(st, id))) ++stopped;
    return Int32GetDatum(stopped);
}

Datum resume_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    const int32 id = PG_GETARG_INT32(0);
    Found live = find_live(st, id);
    auto row = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store)
            throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulations are kept only since version 1.1 of the extension", "",
                        "Run ALTER EXTENSION thelook_datagen UPDATE.");
        return store->load(id, false);
    });
    if (!row) {
        if (live.slot) throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " was started under the 1.0 functions and cannot be resumed",
                                   "It was never kept in thelook.simulation_runs.", "Start a new one with thelook.start_simulation().");
        throw no_such_simulation(id);
    }
    if (!may_control(row->owner))
        throw not_permitted("resume", id);
    if (!row->name.empty()) {
        // A name that should run belongs to one simulation (ensure_simulation relies on it):
        // under ensure_simulation's lock, refuse to resume a second one. The lock may have waited
        // for a transaction that changed this simulation too: read it again.
        const std::string name = row->name, schema = row->schema;
        auto other = with_store([&](RunStore* store, const ExtensionInfo&) {
            store->lock_name(schema, name);
            auto o = store->should_run_named(schema, name, id);
            row = store->load(id, true);  // FOR UPDATE: a new snapshot, and no concurrent resume of it
            return o;
        });
        if (!row) throw no_such_simulation(id);
        // One already to run (interrupted: ensure_simulation resumes those) adds no second.
        if (other && row->desired_state != "running")
            throw Error(sqlstate::kDuplicateObject,
                        "simulation " + std::to_string(*other) + " of name \"" + name + "\" in schema \"" + row->schema + "\" is already to run",
                        "Simulation " + std::to_string(id) + " has the same name; one name runs as one simulation at a time.",
                        "Stop simulation " + std::to_string(*other) + " first, or start this one again under another name.");
        live = find_live(st, id);
    }
    if ((live.slot && is_active(live.state)) || held_by_me(live)) {
        if (live.state == SimState::Restarting) {
            ControlAction kick;
            kick.kind = ControlAction::Kind::Kick;
            kick.id = id;
            defer(std::move(kick));
        }
        return BoolGetDatum(false);
    }
    const bool exists = pg_guard([&] { return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(row->owner)); });
    if (!exists)
        throw Error(sqlstate::kUndefinedObject, "the role of simulation " + std::to_string(id) + " does not exist any more", "",
                    "Start a new simulation with thelook.start_simulation().");
    check_can_login(row->owner);
    SlotFill fill = fill_for(row->owner, row->schema, row->name, row->params);
    fill.resume_requested = true;
    if (row->started_at != kNoTime) fill.started_at = to_timestamptz(row->started_at);
    ControlAction launch;
    launch.kind = ControlAction::Kind::Launch;
    launch.id = id;
    launch.resume = true;
    launch.slot = reserve_slot(st, id, fill);
    defer(std::move(launch));
    return BoolGetDatum(true);
}

Datum forget_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = shared_state();
    const int32 id = PG_GETARG_INT32(0);
    const Found live = find_live(st, id);
    if ((live.slot && is_active(live.state)) || live.state == SimState::Reserved)
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is running", "",
                    "Stop it with thelook.stop_simulation(" + std::to_string(id) + ") first.");
    const bool removed = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store) return false;
        auto row = store->load(id, true);
        if (!row) return false;
        if (!may_control(row->owner))
            throw not_permitted("forget", id);
        if (row->desired_state == "running")
            throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is to be resumed",
                        "Its desired state is running: it is interrupted, and resumes when a worker can run it.",
                        "Stop it with thelook.stop_simulation(" + std::to_string(id) + ") first.");
        return store->remove(id);
    });
    if (removed && live.slot) {
        ControlAction forget;
        forget.kind = ControlAction::Kind::Forget;
        forget.id = id;
        defer(std::move(forget));
    }
    return BoolGetDatum(removed);
}

// alter_simulation(id, avg_qps, scenario, time_scale, user_create_prob, user_update_prob,
//                  order_update_prob, ghost_create_prob): NULL keeps a value.
Datum alter_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    if (PG_ARGISNULL(0)) throw Error(sqlstate::kNullValueNotAllowed, "parameter \"id\" must not be NULL", "", "Pass a simulation id.");
    const int32 id = PG_GETARG_INT32(0);
    SimulationSlot* slot = controllable(st, id);
    LWLockAcquire(st->lock, LW_SHARED);
    SimulationParams p = params_of(slot);
    const Oid role = slot->role_oid;
    const std::string schema = NameStr(slot->schema);
    LWLockRelease(st->lock);
    if (const SimulationParams* earlier = pending_params(id)) p = *earlier;  // this transaction's last alter
    if (!PG_ARGISNULL(1)) p.avg_qps = PG_GETARG_FLOAT8(1);
    std::optional<ResolvedScenario> scenario;
    if (!PG_ARGISNULL(2)) scenario = resolve_scenario_argument(arg_text(fcinfo, 2, ""));
    if (!PG_ARGISNULL(3)) p.time_scale = PG_GETARG_FLOAT8(3);
    if (!PG_ARGISNULL(4)) p.user_create_prob = PG_GETARG_FLOAT8(4);
    if (!PG_ARGISNULL(5)) p.user_update_prob = PG_GETARG_FLOAT8(5);
    if (!PG_ARGISNULL(6)) p.order_update_prob = PG_GETARG_FLOAT8(6);
    if (!PG_ARGISNULL(7)) p.ghost_create_prob = PG_GETARG_FLOAT8(7);
    // The lifecycle section of the scenario the run will have (the new one, or its own) sets
    // order_update_prob; a passed order_update_prob must agree with it.
    const LifecycleSection lifecycle = scenario ? scenario->scenario.lifecycle : parse_scenario(p.scenario_json).lifecycle;
    p.order_update_prob = lifecycle_order_update_prob(lifecycle, p.order_update_prob, !PG_ARGISNULL(6));
    if (scenario) {
        p.scenario_name = scenario->name;
        p.scenario_json = scenario->json;
        check_scenario_fits(p);
        check_sharded(p, scenario->scenario);
        check_ground_truth_tables(scenario->scenario, schema, role);
        check_simulation_indexes(schema, SimulationParams{}, scenario->scenario.faults.cdc);
        check_inventory_tables(scenario->scenario, schema);
    }
    p.validate();
    ControlAction alter;
    alter.kind = ControlAction::Kind::Alter;
    alter.id = id;
    alter.params = p;
    defer(std::move(alter));
    return BoolGetDatum(true);
}

// inject_incident(id, kind, magnitude, duration, start_at) -> the incident's simulated start.
Datum inject_incident(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw Error(sqlstate::kNullValueNotAllowed, "parameters \"id\" and \"kind\" must not be NULL", "",
                    "Pass a simulation id and a kind such as 'spike'.");
    const int32 id = PG_GETARG_INT32(0);
    SimulationSlot* slot = controllable(st, id);
    const IncidentEffect effect = incident_effect(arg_text(fcinfo, 1, ""), PG_ARGISNULL(2) ? NAN : PG_GETARG_FLOAT8(2),
                                                  "parameter \"kind\"", "parameter \"magnitude\"");
    const double duration = arg_interval_seconds(fcinfo, 3, 600);
    if (!(duration > 0) || !std::isfinite(duration))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"duration\" must be positive", "", "Pass an interval such as '10 minutes'.");
    LWLockAcquire(st->lock, LW_SHARED);
    const Oid role = slot->role_oid;
    const std::string schema = NameStr(slot->schema);
    const Micros wall0 = slot->clock_wall, sim0 = slot->clock_sim;
    const double scale = slot->time_scale;
    const int32 injected = slot->injected_count;
    const bool sharded = slot->shards > 1;
    LWLockRelease(st->lock);
    if (sharded)
        throw Error(sqlstate::kFeatureNotSupported, "simulation " + std::to_string(id) + " is sharded: it takes no injected incidents",
                    "An incident's row in the incidents table is no shard's.",
                    "Inject it into an unsharded simulation, or put the traffic change in the scenario's traffic profile.");
    check_ground_truth_table(schema, role, "incidents", "Incidents");
    const Micros wall_now = from_timestamptz(GetCurrentTimestamp());
    const Micros sim_now = wall0 == 0 ? wall_now : sim0 + static_cast<Micros>(static_cast<double>(wall_now - wall0) * scale);
    const Micros start_at = PG_ARGISNULL(4) ? sim_now : from_timestamptz(PG_GETARG_TIMESTAMPTZ(4));
    if (start_at < sim_now - 1000000)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"start_at\" is in the simulation's past",
                    "The simulated clock of simulation " + std::to_string(id) + " is past it.",
                    "Leave start_at out to start the incident now, or pass a later simulated time.");
    if (injected + injections_pending(id) >= kInjectedMax)
        throw Error(sqlstate::kProgramLimitExceeded, "simulation " + std::to_string(id) + " already has " + std::to_string(kInjectedMax) +
                                 " injected incidents",
                    "", "Put recurring incidents in the scenario (\"random_incidents\"), or start a new simulation.");
    ControlAction inject;
    inject.kind = ControlAction::Kind::Inject;
    inject.id = id;
    inject.incident = InjectedIncident{static_cast<int>(effect.kind), effect.magnitude, effect.recovery_magnitude,
                                       effect.recovery_seconds, start_at, duration};
    defer(std::move(inject));
    return TimestampTzGetDatum(to_timestamptz(start_at));
}

}  // namespace thelook::pg
