#include <cerrno>
#include <csignal>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/location_filter.hpp"
#include "core/simulation_params.hpp"
#include "pg/scenario_bridge.hpp"
#include "pg/catalog_files.hpp"
#include "pg/datum.hpp"
#include "pg/shared_state.hpp"
#include "pg/simulation.hpp"
#include "pg/table_rows.hpp"

namespace thelook::pg {

namespace {

const char* const kTables[] = {"users", "orders", "order_items", "events", "products", "dist_centers", "heartbeat"};

// The schema must exist and hold the seven tables, and the role must be able to write them.
void check_schema(const std::string& schema, Oid role) {
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    if (!OidIsValid(nsp))
        throw Error("3F000", "schema \"" + schema + "\" does not exist", "",
                    "Create and fill it with SELECT thelook.setup('" + schema + "').");
    for (const char* table : kTables) {
        Oid rel = pg_guard([&] { return get_relname_relid(table, nsp); });
        if (!OidIsValid(rel))
            throw Error("42P01", "relation \"" + schema + "." + table + "\" does not exist",
                        "A simulation needs the seven theLook tables.",
                        "Run SELECT thelook.setup('" + schema + "') first.");
        const bool writes = std::string(table) != "products" && std::string(table) != "dist_centers";
        AclMode needed = ACL_SELECT | (writes ? (ACL_INSERT | ACL_UPDATE) : 0);
        // pg_class_aclcheck() accepts any one of several bits; every one is needed here.
        bool allowed = pg_guard([&] { return pg_class_aclmask(rel, role, needed, ACLMASK_ALL) == needed; });
        if (!allowed)
            throw Error("42501", "permission denied to simulate into \"" + schema + "." + table + "\"",
                        std::string("The simulation's worker runs as your role and needs SELECT") +
                            (writes ? ", INSERT and UPDATE" : "") + " on this table.",
                        "GRANT the privileges to your role, or start the simulation as a role that has them.");
    }
    bool usage = pg_guard([&] { return pg_namespace_aclcheck(nsp, role, ACL_USAGE) == ACLCHECK_OK; });
    if (!usage)
        throw Error("42501", "permission denied for schema \"" + schema + "\"", "",
                    "GRANT USAGE ON SCHEMA " + schema + " to your role.");
}

// The schema's incidents table (setup() makes it since 1.1), writable by the role.
void check_incidents_table(const std::string& schema, Oid role) {
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    Oid rel = pg_guard([&] { return OidIsValid(nsp) ? get_relname_relid("incidents", nsp) : InvalidOid; });
    if (!OidIsValid(rel))
        throw Error("42P01", "relation \"" + schema + ".incidents\" does not exist",
                    "Incidents are recorded there as ground truth.",
                    "Run SELECT thelook.setup('" + schema + "') again: it adds the table to an existing schema.");
    bool allowed = pg_guard([&] { return pg_class_aclmask(rel, role, ACL_INSERT, ACLMASK_ALL) == ACL_INSERT; });
    if (!allowed)
        throw Error("42501", "permission denied to record incidents in \"" + schema + ".incidents\"", "",
                    "GRANT INSERT on it to your role.");
}

void check_scenario_fits(const SimulationParams& p) {
    if (p.scenario_json.size() >= static_cast<size_t>(kScenarioMax))
        throw Error("22023", "parameter \"scenario\" is too large for a running simulation",
                    "It has " + std::to_string(p.scenario_json.size()) + " bytes once resolved; at most " +
                        std::to_string(kScenarioMax - 1) + " are kept.",
                    "Shorten the document.");
}

void check_can_login(Oid role) {
    bool can_login = pg_guard([&] {
        HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for role %u", role);
        bool login = ((Form_pg_authid) GETSTRUCT(tuple))->rolcanlogin;
        ReleaseSysCache(tuple);
        return login;
    });
    if (!can_login)
        throw Error("42501", "role \"" + std::string(pg_guard([&] { return GetUserNameFromId(role, false); })) +
                                 "\" cannot log in, so a simulation worker cannot connect as it",
                    "", "Start the simulation as a role with LOGIN, or ALTER ROLE ... LOGIN.");
}

void copy_filter(char* dst, const std::string& value, const char* parameter) {
    if (value.size() >= static_cast<size_t>(kFilterMax))
        throw Error("22023", std::string("parameter \"") + parameter + "\" is too long",
                    "At most " + std::to_string(kFilterMax - 1) + " bytes are kept.", "Pass fewer values.");
    strlcpy(dst, value.c_str(), kFilterMax);
}

// A free slot, or else the one whose simulation ended longest ago. Under the lock.
int find_slot(SharedState* st) {
    int best = -1;
    for (int i = 0; i < st->slot_count; ++i) {
        const SimulationSlot& s = st->slots[i];
        if (s.state == SimState::Free) return i;
        if (!is_active(s.state) && (best < 0 || s.ended_at < st->slots[best].ended_at)) best = i;
    }
    return best;
}

SimulationSlot* find_by_id(SharedState* st, int32 id) {
    for (int i = 0; i < st->slot_count; ++i)
        if (st->slots[i].state != SimState::Free && st->slots[i].id == id) return &st->slots[i];
    return nullptr;
}

bool may_control(const SimulationSlot& slot) {
    return pg_guard([&] { return superuser() || has_privs_of_role(GetUserId(), slot.role_oid); });
}

void sleep_10ms() {
    pg_guard([] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    });
}

// Asks a simulation to stop and waits (up to 5 s, then SIGTERM) until its worker is gone.
// The worker marks its slot ended while it is still exiting, so the wait goes on (up to
// 2 s more) until the postmaster has reaped the process: a caller that checks the pid
// afterwards finds no process.
void request_stop_and_wait(SharedState* st, SimulationSlot* slot, int32 id) {
    pid_t pid = 0;
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (slot->id == id && is_active(slot->state)) {
        slot->stop_requested = true;
        if (slot->state == SimState::Running) slot->state = SimState::Stopping;
        if (slot->latch) SetLatch(slot->latch);
        pid = slot->pid;
    }
    LWLockRelease(st->lock);
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 10) {
        LWLockAcquire(st->lock, LW_SHARED);
        const bool done = slot->id != id || !is_active(slot->state);
        if (slot->pid > 0) pid = slot->pid;
        LWLockRelease(st->lock);
        if (done) break;
        if (waited_ms == 5000 && pid > 0) kill(pid, SIGTERM);
        sleep_10ms();
    }
    for (int waited_ms = 0; pid > 0 && waited_ms < 2000; waited_ms += 10) {
        if (kill(pid, 0) != 0 && errno == ESRCH) return;
        sleep_10ms();
    }
}

}  // namespace

// start_simulation(schema, avg_qps, max_iter, user_create_prob, user_update_prob,
//                  order_update_prob, ghost_create_prob, country, state, postal_code, seed,
//                  duration, heartbeat_interval, name, id_format)
Datum start_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    for (int i = 0; i <= 6; ++i)
        if (PG_ARGISNULL(i))
            throw Error("22004", "parameters of thelook.start_simulation must not be NULL", "",
                        "Leave a parameter out to get its default.");
    const std::string schema = arg_name(fcinfo, 0);
    SimulationParams p;
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
    p.heartbeat_interval_seconds = arg_interval_seconds(fcinfo, 12, 10);
    const std::string name = arg_text(fcinfo, 13, "");
    p.ids = parse_id_format(arg_text(fcinfo, 14, "uuid4"));
    // A 1.0 definition (before ALTER EXTENSION UPDATE) passes 15 arguments.
    const bool v11 = PG_NARGS() > 17;
    const ResolvedScenario scenario = v11 ? resolve_scenario_argument(arg_text(fcinfo, 15, "reference")) : reference_scenario();
    p.scenario_name = scenario.name;
    p.scenario_json = scenario.json;
    p.time_scale = !v11 || PG_ARGISNULL(16) ? 1.0 : PG_GETARG_FLOAT8(16);
    p.simulated_start = !v11 || PG_ARGISNULL(17) ? kNoTime : from_timestamptz(PG_GETARG_TIMESTAMPTZ(17));
    p.validate();
    check_scenario_fits(p);
    if (!PG_ARGISNULL(11) && p.duration_seconds <= 0)
        throw Error("22023", "parameter \"duration\" must be positive", "",
                    "Pass NULL to run until stopped, or an interval such as '10 minutes'.");
    const Oid role = GetUserId();
    check_schema(schema, role);
    if (!scenario.scenario.incidents.empty() || !scenario.scenario.random_incidents.empty())
        check_incidents_table(schema, role);
    check_can_login(role);
    LocationSampler(installed_catalog().locations, p.country, p.state, p.postal_code);  // validates

    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    strlcpy(worker.bgw_library_name, "thelook_datagen", BGW_MAXLEN);
    strlcpy(worker.bgw_function_name, "thelook_worker_main", BGW_MAXLEN);
    strlcpy(worker.bgw_type, "thelook simulation", BGW_MAXLEN);
    worker.bgw_notify_pid = MyProcPid;

    int32 id = 0;
    int index = -1;
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    index = find_slot(st);
    if (index >= 0) {
        SimulationSlot* slot = &st->slots[index];
        id = st->next_id++;
        memset(reinterpret_cast<char*>(slot) + offsetof(SimulationSlot, state), 0, offsetof(SimulationSlot, mutex));
        slot->state = SimState::Starting;
        slot->id = id;
        slot->database_oid = MyDatabaseId;
        slot->role_oid = role;
        slot->started_at = GetCurrentTimestamp();
        slot->avg_qps = p.avg_qps;
        slot->max_iter = p.max_iter;
        slot->user_create_prob = p.user_create_prob;
        slot->user_update_prob = p.user_update_prob;
        slot->order_update_prob = p.order_update_prob;
        slot->ghost_create_prob = p.ghost_create_prob;
        slot->duration_seconds = p.duration_seconds;
        slot->heartbeat_seconds = p.heartbeat_interval_seconds;
        slot->ids = p.ids;
        slot->seed = p.seed;
        slot->time_scale = p.time_scale;
        slot->simulated_start = p.simulated_start;
        strlcpy(NameStr(slot->scenario_name), p.scenario_name.c_str(), NAMEDATALEN);
        strlcpy(slot->scenario_json, p.scenario_json.c_str(), kScenarioMax);
        strlcpy(NameStr(slot->schema), schema.c_str(), NAMEDATALEN);
        strlcpy(NameStr(slot->name), name.c_str(), NAMEDATALEN);
        SpinLockAcquire(&slot->mutex);
        slot->iterations = slot->scheduled = slot->transactions = slot->max_rows_per_transaction = 0;
        for (int t = 0; t < kTableCount; ++t) slot->inserted[t] = slot->updated[t] = 0;
        slot->consecutive_errors = 0;
        slot->total_errors = 0;
        slot->simulated_now = 0;
        slot->incidents_recorded = 0;
        slot->last_error[0] = '\0';
        SpinLockRelease(&slot->mutex);
    }
    LWLockRelease(st->lock);
    if (index < 0)
        throw Error("53400", "too many simulations are running",
                    "thelook.max_simulations allows " + std::to_string(st->slot_count) + ".",
                    "Stop one with thelook.stop_simulation(id), or raise thelook.max_simulations and restart.");
    SimulationSlot* slot = &st->slots[index];
    try {
        copy_filter(slot->country, p.country, "country");
        copy_filter(slot->state_filter, p.state, "state");
        copy_filter(slot->postal_code, p.postal_code, "postal_code");
        pg_guard([&] {
            strlcpy(NameStr(slot->database), get_database_name(MyDatabaseId), NAMEDATALEN);
            strlcpy(NameStr(slot->role), GetUserNameFromId(role, false), NAMEDATALEN);
        });
    } catch (...) {
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        slot->state = SimState::Free;
        LWLockRelease(st->lock);
        throw;
    }

    snprintf(worker.bgw_name, BGW_MAXLEN, "thelook simulation %d", id);
    worker.bgw_main_arg = Int32GetDatum(index);
    memcpy(worker.bgw_extra, &id, sizeof id);
    BackgroundWorkerHandle* handle = nullptr;
    pid_t pid = 0;
    bool started = pg_guard([&] {
        if (!RegisterDynamicBackgroundWorker(&worker, &handle)) return false;
        return WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED;
    });
    if (!started) {
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        slot->state = SimState::Failed;
        slot->ended_at = GetCurrentTimestamp();
        strlcpy(slot->last_error, "could not start a background worker", kErrorMax);
        LWLockRelease(st->lock);
        throw Error("53000", "could not start a background worker for the simulation",
                    "All background worker slots may be in use.",
                    "Raise max_worker_processes (and restart), or stop other simulations.");
    }
    return Int32GetDatum(id);
}

Datum stop_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    const int32 id = PG_GETARG_INT32(0);
    LWLockAcquire(st->lock, LW_SHARED);
    SimulationSlot* slot = find_by_id(st, id);
    const bool active = slot && is_active(slot->state);
    LWLockRelease(st->lock);
    if (!slot)
        throw Error("42704", "simulation " + std::to_string(id) + " does not exist", "",
                    "SELECT id, state FROM thelook.simulations lists the simulations.");
    if (!may_control(*slot))
        throw Error("42501", "permission denied to stop simulation " + std::to_string(id),
                    "Only the role that started a simulation, its members, or a superuser may stop it.", "");
    if (!active) return BoolGetDatum(false);
    request_stop_and_wait(st, slot, id);
    return BoolGetDatum(true);
}

Datum stop_all_simulations(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    int32 stopped = 0;
    for (int i = 0; i < st->slot_count; ++i) {
        SimulationSlot* slot = &st->slots[i];
        LWLockAcquire(st->lock, LW_SHARED);
        const bool active = is_active(slot->state);
        const int32 id = slot->id;
        LWLockRelease(st->lock);
        if (!active || !may_control(*slot)) continue;
        request_stop_and_wait(st, slot, id);
        ++stopped;
    }
    return Int32GetDatum(stopped);
}

// The simulation `id` for a change: it must exist, be running and be the caller's to control.
SimulationSlot* controllable(SharedState* st, int32 id) {
    LWLockAcquire(st->lock, LW_SHARED);
    SimulationSlot* slot = find_by_id(st, id);
    const bool active = slot && is_active(slot->state);
    LWLockRelease(st->lock);
    if (!slot)
        throw Error("42704", "simulation " + std::to_string(id) + " does not exist", "",
                    "SELECT id, state FROM thelook.simulations lists the simulations.");
    if (!may_control(*slot))
        throw Error("42501", "permission denied to change simulation " + std::to_string(id),
                    "Only the role that started a simulation, its members, or a superuser may change it.", "");
    if (!active)
        throw Error("55000", "simulation " + std::to_string(id) + " is not running", "",
                    "Start a new one with thelook.start_simulation().");
    return slot;
}

// alter_simulation(id, avg_qps, scenario, time_scale, user_create_prob, user_update_prob,
//                  order_update_prob, ghost_create_prob): NULL keeps a value.
Datum alter_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    if (PG_ARGISNULL(0)) throw Error("22004", "parameter \"id\" must not be NULL", "", "Pass a simulation id.");
    const int32 id = PG_GETARG_INT32(0);
    SimulationSlot* slot = controllable(st, id);
    SimulationParams p;
    std::string schema;
    LWLockAcquire(st->lock, LW_SHARED);
    p.avg_qps = slot->avg_qps;
    p.user_create_prob = slot->user_create_prob;
    p.user_update_prob = slot->user_update_prob;
    p.order_update_prob = slot->order_update_prob;
    p.ghost_create_prob = slot->ghost_create_prob;
    p.time_scale = slot->time_scale;
    const Oid role = slot->role_oid;
    LWLockRelease(st->lock);
    schema = NameStr(slot->schema);
    if (!PG_ARGISNULL(1)) p.avg_qps = PG_GETARG_FLOAT8(1);
    std::optional<ResolvedScenario> scenario;
    if (!PG_ARGISNULL(2)) scenario = resolve_scenario_argument(arg_text(fcinfo, 2, ""));
    if (!PG_ARGISNULL(3)) p.time_scale = PG_GETARG_FLOAT8(3);
    if (!PG_ARGISNULL(4)) p.user_create_prob = PG_GETARG_FLOAT8(4);
    if (!PG_ARGISNULL(5)) p.user_update_prob = PG_GETARG_FLOAT8(5);
    if (!PG_ARGISNULL(6)) p.order_update_prob = PG_GETARG_FLOAT8(6);
    if (!PG_ARGISNULL(7)) p.ghost_create_prob = PG_GETARG_FLOAT8(7);
    if (scenario) {
        p.scenario_json = scenario->json;
        check_scenario_fits(p);
        if (!scenario->scenario.incidents.empty() || !scenario->scenario.random_incidents.empty())
            check_incidents_table(schema, role);
    }
    p.validate();
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    const bool still = slot->id == id && is_active(slot->state);
    if (still) {
        slot->avg_qps = p.avg_qps;
        slot->user_create_prob = p.user_create_prob;
        slot->user_update_prob = p.user_update_prob;
        slot->order_update_prob = p.order_update_prob;
        slot->ghost_create_prob = p.ghost_create_prob;
        slot->time_scale = p.time_scale;
        if (scenario) {
            strlcpy(NameStr(slot->scenario_name), scenario->name.c_str(), NAMEDATALEN);
            strlcpy(slot->scenario_json, scenario->json.c_str(), kScenarioMax);
        }
        slot->generation += 1;
        if (slot->latch) SetLatch(slot->latch);
    }
    LWLockRelease(st->lock);
    return BoolGetDatum(still);
}

// inject_incident(id, kind, magnitude, duration, start_at) -> the incident's simulated start.
Datum inject_incident(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw Error("22004", "parameters \"id\" and \"kind\" must not be NULL", "",
                    "Pass a simulation id and a kind such as 'spike'.");
    const int32 id = PG_GETARG_INT32(0);
    SimulationSlot* slot = controllable(st, id);
    const IncidentEffect effect = incident_effect(arg_text(fcinfo, 1, ""), PG_ARGISNULL(2) ? NAN : PG_GETARG_FLOAT8(2),
                                                  "parameter \"kind\"", "parameter \"magnitude\"");
    const double duration = arg_interval_seconds(fcinfo, 3, 600);
    if (!(duration > 0) || !std::isfinite(duration))
        throw Error("22023", "parameter \"duration\" must be positive", "", "Pass an interval such as '10 minutes'.");
    LWLockAcquire(st->lock, LW_SHARED);
    const Oid role = slot->role_oid;
    const std::string schema = NameStr(slot->schema);
    const Micros wall0 = slot->clock_wall, sim0 = slot->clock_sim;
    const double scale = slot->time_scale;
    LWLockRelease(st->lock);
    check_incidents_table(schema, role);
    const Micros wall_now = from_timestamptz(GetCurrentTimestamp());
    const Micros sim_now = wall0 == 0 ? wall_now : sim0 + static_cast<Micros>(static_cast<double>(wall_now - wall0) * scale);
    const Micros start = PG_ARGISNULL(4) ? sim_now : from_timestamptz(PG_GETARG_TIMESTAMPTZ(4));
    if (start < sim_now - 1000000)
        throw Error("22023", "parameter \"start_at\" is in the simulation's past",
                    "The simulated clock of simulation " + std::to_string(id) + " is past it.",
                    "Leave start_at out to start the incident now, or pass a later simulated time.");
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    const bool still = slot->id == id && is_active(slot->state);
    const bool full = slot->injected_count >= kInjectedMax;
    if (still && !full) {
        slot->injected[slot->injected_count] =
            InjectedIncident{static_cast<int>(effect.kind), effect.magnitude, effect.recovery_magnitude,
                             effect.recovery_seconds, start, duration};
        slot->injected_count += 1;
        slot->generation += 1;
        if (slot->latch) SetLatch(slot->latch);
    }
    LWLockRelease(st->lock);
    if (!still)
        throw Error("55000", "simulation " + std::to_string(id) + " is not running", "", "Start a new one first.");
    if (full)
        throw Error("54000", "simulation " + std::to_string(id) + " already has " + std::to_string(kInjectedMax) +
                                 " injected incidents",
                    "", "Put recurring incidents in the scenario (\"random_incidents\"), or start a new simulation.");
    return TimestampTzGetDatum(to_timestamptz(start));
}

Datum simulation_status(FunctionCallInfo fcinfo) {
    // Without the preload no simulation can exist: an empty list, not an error, so that
    // monitoring queries and ensure_simulation() work the same on every server.
    SharedState* st = shared_state();
    SrfOutput out = begin_materialized_srf(fcinfo);
    if (!st) return 0;
    pg_guard([&] {
        const TimestampTz now = GetCurrentTimestamp();
        for (int i = 0; i < st->slot_count; ++i) {
            LWLockAcquire(st->lock, LW_SHARED);
            SimulationSlot s;
            memcpy(&s, &st->slots[i], offsetof(SimulationSlot, mutex));
            LWLockRelease(st->lock);
            if (s.state == SimState::Free) continue;
            SimulationSlot* live = &st->slots[i];
            SpinLockAcquire(&live->mutex);
            memcpy(reinterpret_cast<char*>(&s) + offsetof(SimulationSlot, iterations),
                   reinterpret_cast<char*>(live) + offsetof(SimulationSlot, iterations),
                   sizeof(SimulationSlot) - offsetof(SimulationSlot, iterations));
            SpinLockRelease(&live->mutex);

            Datum v[34];
            bool n[34] = {};
            int c = 0;
            v[c++] = Int32GetDatum(s.id);
            n[c] = NameStr(s.name)[0] == '\0';
            v[c++] = CStringGetTextDatum(NameStr(s.name));
            v[c++] = CStringGetTextDatum(NameStr(s.database));
            v[c++] = CStringGetTextDatum(NameStr(s.schema));
            v[c++] = CStringGetTextDatum(NameStr(s.role));
            n[c] = s.pid == 0;
            v[c++] = Int32GetDatum(s.pid);
            v[c++] = CStringGetTextDatum(state_name(s.state));
            v[c++] = TimestampTzGetDatum(s.started_at);
            n[c] = is_active(s.state);
            v[c++] = TimestampTzGetDatum(s.ended_at);
            v[c++] = Float8GetDatum(s.avg_qps);
            n[c] = s.max_iter < 0;
            v[c++] = Int64GetDatum(s.max_iter);
            v[c++] = Int64GetDatum(static_cast<int64>(s.seed));
            v[c++] = Int64GetDatum(s.scheduled);
            v[c++] = Int64GetDatum(s.iterations);
            const TimestampTz until = is_active(s.state) ? now : s.ended_at;
            const double secs = static_cast<double>(until - s.started_at) / USECS_PER_SEC;
            v[c++] = Float8GetDatum(secs > 0 ? static_cast<double>(s.iterations) / secs : 0.0);
            v[c++] = Int64GetDatum(s.inserted[kUsers]);
            v[c++] = Int64GetDatum(s.updated[kUsers]);
            v[c++] = Int64GetDatum(s.inserted[kOrders]);
            v[c++] = Int64GetDatum(s.updated[kOrders]);
            v[c++] = Int64GetDatum(s.inserted[kOrderItems]);
            v[c++] = Int64GetDatum(s.updated[kOrderItems]);
            v[c++] = Int64GetDatum(s.inserted[kEvents]);
            v[c++] = Int64GetDatum(s.updated[kHeartbeat]);
            v[c++] = Int64GetDatum(s.transactions);
            v[c++] = Int64GetDatum(s.max_rows_per_transaction);
            v[c++] = Int32GetDatum(s.consecutive_errors);
            v[c++] = Int64GetDatum(s.total_errors);
            n[c] = s.last_error[0] == '\0';
            v[c++] = CStringGetTextDatum(s.last_error);
            v[c++] = CStringGetTextDatum(id_format_name(s.ids));
            v[c++] = CStringGetTextDatum(NameStr(s.scenario_name));
            v[c++] = Float8GetDatum(s.time_scale);
            n[c] = s.simulated_now == 0;
            v[c++] = TimestampTzGetDatum(to_timestamptz(s.simulated_now));
            v[c++] = Int64GetDatum(s.incidents_recorded);
            tuplestore_putvalues(out.store, out.desc, v, n);
        }
    });
    return 0;
}

}  // namespace thelook::pg
