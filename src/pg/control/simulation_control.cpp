#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <csignal>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/location_filter.hpp"
#include "core/progress.hpp"
#include "core/shopper_model.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/writers/schema_writer.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation.hpp"
#include "pg/control/simulation_store.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

namespace {

const char* const kTables[] = {"users", "orders", "order_items", "events", "products", "dist_centers", "heartbeat"};

// The schema must exist and hold the seven tables, and the role must be able to write them.
void check_schema(const std::string& schema, Oid role) {
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    if (!OidIsValid(nsp))
        throw Error(sqlstate::kInvalidSchemaName, "schema \"" + schema + "\" does not exist", "",
                    "Create and fill it with SELECT thelook.setup('" + schema + "').");
    for (const char* table : kTables) {
        Oid rel = pg_guard([&] { return get_relname_relid(table, nsp); });
        if (!OidIsValid(rel))
            throw Error(sqlstate::kUndefinedTable, "relation \"" + schema + "." + table + "\" does not exist",
                        "A simulation needs the seven theLook tables.",
                        "Run SELECT thelook.setup('" + schema + "') first.");
        const bool writes = std::string(table) != "products" && std::string(table) != "dist_centers";
        AclMode needed = ACL_SELECT | (writes ? (ACL_INSERT | ACL_UPDATE) : 0);
        // pg_class_aclcheck() accepts any one of several bits; every one is needed here.
        bool allowed = pg_guard([&] { return pg_class_aclmask(rel, role, needed, ACLMASK_ALL) == needed; });
        if (!allowed)
            throw Error(sqlstate::kInsufficientPrivilege, "permission denied to simulate into \"" + schema + "." + table + "\"",
                        std::string("The simulation's worker runs as your role and needs SELECT") +
                            (writes ? ", INSERT and UPDATE" : "") + " on this table.",
                        "GRANT the privileges to your role, or start the simulation as a role that has them.");
    }
    bool usage = pg_guard([&] { return pg_namespace_aclcheck(nsp, role, ACL_USAGE) == ACLCHECK_OK; });
    if (!usage)
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied for schema \"" + schema + "\"", "",
                    "GRANT USAGE ON SCHEMA " + schema + " to your role.");
}

// A ground-truth table of the schema (setup() makes incidents and injected_faults since 1.1),
// writable by the role.
void check_ground_truth_table(const std::string& schema, Oid role, const char* table, const char* what) {
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    Oid rel = pg_guard([&] { return OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid; });
    const std::string name = schema + "." + table;
    if (!OidIsValid(rel))
        throw Error(sqlstate::kUndefinedTable, "relation \"" + name + "\" does not exist",
                    std::string(what) + " are recorded there as ground truth.",
                    "Run SELECT thelook.setup('" + schema + "') again: it adds the table to an existing schema.");
    bool allowed = pg_guard([&] { return pg_class_aclmask(rel, role, ACL_INSERT, ACLMASK_ALL) == ACL_INSERT; });
    if (!allowed)
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied to record " + std::string(table) + " in \"" + name + "\"", "",
                    "GRANT INSERT on it to your role.");
}

// The ground-truth tables a scenario writes to.
void check_ground_truth_tables(const Scenario& s, const std::string& schema, Oid role) {
    if (!s.incidents.empty() || !s.random_incidents.empty()) check_ground_truth_table(schema, role, "incidents", "Incidents");
    if (s.faults.any()) check_ground_truth_table(schema, role, "injected_faults", "The scenario's faults");
}

// A scenario with an "inventory" section needs the schema's inventory tables.
void check_inventory_tables(const Scenario& scenario, const std::string& schema) {
    if (!scenario.inventory.given) return;
    Oid nsp = pg_guard([&] { return get_namespace_oid(schema.c_str(), true); });
    Oid rel = pg_guard([&] { return OidIsValid(nsp) ? get_relname_relid("inventory_restocks", nsp) : InvalidOid; });
    if (!OidIsValid(rel))
        throw Error(sqlstate::kUndefinedTable, "relation \"" + schema + ".inventory_restocks\" does not exist",
                    "The scenario has an \"inventory\" section, and the schema has no inventory.",
                    "Run SELECT thelook.setup('" + schema + "', inventory => true) first.");
}

void check_scenario_fits(const SimulationParams& p) {
    if (p.scenario_json.size() >= static_cast<size_t>(kScenarioMax))
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"scenario\" is too large for a running simulation",
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
        throw Error(sqlstate::kInsufficientPrivilege, "role \"" + std::string(pg_guard([&] { return GetUserNameFromId(role, false); })) +
                                 "\" cannot log in, so a simulation worker cannot connect as it",
                    "", "Start the simulation as a role with LOGIN, or ALTER ROLE ... LOGIN.");
}

void check_filter_fits(const std::string& value, const char* parameter) {
    if (value.size() >= static_cast<size_t>(kFilterMax))
        throw Error(sqlstate::kInvalidParameterValue, std::string("parameter \"") + parameter + "\" is too long",
                    "At most " + std::to_string(kFilterMax - 1) + " bytes are kept.", "Pass fewer values.");
}


bool may_control(Oid role) {
    return pg_guard([&] { return superuser() || has_privs_of_role(GetUserId(), role); });
}

void sleep_10ms() {
    pg_guard([] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    });
}

bool same_simulation(const SimulationSlot* slot, int32 id) {
    return slot->id == id && slot->database_oid == MyDatabaseId && slot->state != SimState::Free;
}

Error no_such_simulation(int32 id) {
    return Error(sqlstate::kUndefinedObject, "simulation " + std::to_string(id) + " does not exist", "",
                 "SELECT id, state FROM thelook.simulations lists the simulations.");
}

// What the SQL functions see of a simulation: its live slot (if any) and its row (if any).
struct Found {
    SimulationSlot* slot = nullptr;  // any state but Free
    SimState state = SimState::Free;
    Oid role = InvalidOid;
    bool persisted = false, fresh = false;
};

Found find_live(SharedState* st, int32 id) {
    Found f;
    if (!st) return f;
    LWLockAcquire(st->lock, LW_SHARED);
    f.slot = find_slot_of(st, MyDatabaseId, id);
    if (f.slot) {
        f.state = f.slot->state;
        f.role = f.slot->role_oid;
        f.persisted = f.slot->persisted;
        f.fresh = f.slot->fresh;
    }
    LWLockRelease(st->lock);
    return f;
}

// Runs f(store) inside an SPI connection of its own; store is null under the 1.0 SQL.
template <typename F>
auto with_store(F f) -> decltype(f(static_cast<RunStore*>(nullptr), ExtensionInfo{})) {
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    const ExtensionInfo ext = extension_info();
    std::unique_ptr<RunStore> store;
    if (ext.has_runs_table) store = std::make_unique<RunStore>(ext);
    auto result = f(store.get(), ext);
    store.reset();
    pg_guard([] { SPI_finish(); });
    return result;
}

// Asks a simulation's worker to stop and waits (up to 5 s, then SIGTERM) until it is gone. The
// worker marks its slot ended while it is still exiting, so the wait goes on (up to 2 s more)
// until the postmaster has reaped the process: a caller that checks the pid afterwards finds no
// process. Returns whether the worker recorded the stop in the simulation's row itself.
bool request_stop_and_wait(SharedState* st, SimulationSlot* slot, int32 id) {
    pid_t pid = 0;
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (same_simulation(slot, id) && is_active(slot->state)) {
        slot->stop_requested = true;
        slot->stop_reason = StopReason::Requested;
        if (slot->state == SimState::Running) slot->state = SimState::Stopping;
        if (slot->latch) SetLatch(slot->latch);
        pid = slot->pid;
    }
    LWLockRelease(st->lock);
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 10) {
        LWLockAcquire(st->lock, LW_SHARED);
        const bool done = !same_simulation(slot, id) || !is_active(slot->state);
        if (slot->pid > 0) pid = slot->pid;
        LWLockRelease(st->lock);
        if (done) break;
        if (waited_ms == 5000 && pid > 0) kill(pid, SIGTERM);
        sleep_10ms();
    }
    for (int waited_ms = 0; pid > 0 && waited_ms < 2000; waited_ms += 10) {
        if (kill(pid, 0) != 0 && errno == ESRCH) break;
        sleep_10ms();
    }
    LWLockAcquire(st->lock, LW_SHARED);
    const bool recorded = same_simulation(slot, id) && slot->stop_recorded;
    LWLockRelease(st->lock);
    return recorded;
}

// Stops simulation id (the caller may control it). True when it was running, restarting or
// interrupted; false when it had ended.
bool stop_one(SharedState* st, int32 id, const Found& live) {
    bool was_live = false, recorded = false;
    if (live.slot && is_active(live.state)) {
        was_live = true;
        bool claimed = false;
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        if (same_simulation(live.slot, id) && live.slot->state == SimState::Restarting) {
            // No worker: the launcher must not start one. The row is the caller's to write.
            live.slot->state = SimState::Stopped;
            live.slot->ended_at = GetCurrentTimestamp();
            claimed = true;
        }
        LWLockRelease(st->lock);
        if (!claimed) recorded = request_stop_and_wait(st, live.slot, id);
        if (!live.persisted) return true;
    }
    if (recorded) return true;
    // The worker is gone (or there was none) and did not record the stop: record it here, in the
    // caller's transaction.
    const bool updated = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store) return false;
        auto row = store->load(id, false);
        if (!row || (row->desired_state != "running" && !was_live)) return false;
        return store->set_state(id, -1, row->state == "running" ? "stopped" : row->state.c_str(), "stopped", nullptr);
    });
    return was_live || updated;
}

// Starts the worker of slot `index` and waits until it runs; on failure marks the slot failed.
void launch(SharedState* st, int index, int32 id) {
    BackgroundWorkerHandle* handle = nullptr;
    pid_t pid = 0;
    bool started = pg_guard([&] {
        if (!register_simulation_worker(index, id, &handle)) return false;
        return WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED;
    });
    if (!started) {
        SimulationSlot* slot = &st->slots[index];
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        if (same_simulation(slot, id)) {
            slot->state = SimState::Failed;
            slot->ended_at = GetCurrentTimestamp();
            strlcpy(slot->last_error, "could not start a background worker", kErrorMax);
        }
        LWLockRelease(st->lock);
        throw Error(sqlstate::kInsufficientResources, "could not start a background worker for the simulation",
                    "All background worker slots may be in use.",
                    "Raise max_worker_processes (and restart), or stop other simulations.");
    }
}

// The index of a slot for simulation (this database, id), marked Starting; throws 53400 when all
// are taken by live simulations.
int claim_slot(SharedState* st, int32 id, Oid role) {
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    int index = -1;
    if (SimulationSlot* old = find_slot_of(st, MyDatabaseId, id); old && !is_active(old->state))
        index = static_cast<int>(old - st->slots);
    if (index < 0) index = free_slot(st);
    if (index >= 0) reset_slot(&st->slots[index], MyDatabaseId, id, role);
    LWLockRelease(st->lock);
    if (index < 0)
        throw Error(sqlstate::kConfigurationLimitExceeded, "too many simulations are running",
                    "thelook.max_simulations allows " + std::to_string(st->slot_count) + ".",
                    "Stop one with thelook.stop_simulation(id), or raise thelook.max_simulations and restart.");
    return index;
}

void release_slot(SharedState* st, int index) {
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    st->slots[index].state = SimState::Free;
    LWLockRelease(st->lock);
}

void fill_names(SimulationSlot* slot, const std::string& schema, const std::string& name, Oid role) {
    pg_guard([&] {
        strlcpy(NameStr(slot->database), get_database_name(MyDatabaseId), NAMEDATALEN);
        const char* role_name = GetUserNameFromId(role, true);
        strlcpy(NameStr(slot->role), role_name ? role_name : "", NAMEDATALEN);
    });
    strlcpy(NameStr(slot->schema), schema.c_str(), NAMEDATALEN);
    strlcpy(NameStr(slot->name), name.c_str(), NAMEDATALEN);
}

// Runs a CREATE INDEX as the caller in a subtransaction: a failure (the caller does not own the
// table) becomes `message` with the server's reason and `hint`.
void create_index_as_caller(const std::string& sql, const std::string& message, const std::string& hint) {
    ErrorData* failed = pg_guard([&]() -> ErrorData* {
        MemoryContext context = CurrentMemoryContext;
        ResourceOwner owner = CurrentResourceOwner;
        ErrorData* volatile edata = nullptr;
        BeginInternalSubTransaction(nullptr);
        PG_TRY();
        {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            int rc = SPI_execute(sql.c_str(), false, 0);
            if (rc != SPI_OK_UTILITY) elog(ERROR, "thelook: %s failed: %s", sql.c_str(), SPI_result_code_string(rc));
            SPI_finish();
            ReleaseCurrentSubTransaction();
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(context);
            edata = CopyErrorData();
            FlushErrorState();
            RollbackAndReleaseCurrentSubTransaction();
        }
        PG_END_TRY();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
        return edata;
    });
    if (failed)
        throw Error(failed->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE ? sqlstate::kInsufficientPrivilege : sqlstate::kObjectNotInPrerequisiteState, message,
                    failed->message ? failed->message : "", hint);
}

// Retention deletes by created_at: an index makes each small batch a range scan. Created by the
// caller (it must own the table), once.
void ensure_created_at_index(const std::string& schema, const char* table) {
    const std::string index = std::string(table) + "_created_at_idx";
    // Any btree index led by created_at will do (made by the table's owner, say).
    const std::string probe = "SELECT FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
                              "JOIN pg_catalog.pg_am a ON a.oid = c.relam JOIN pg_catalog.pg_attribute t "
                              "ON t.attrelid = i.indrelid AND t.attnum = i.indkey[0] WHERE i.indrelid = $1::regclass "
                              "AND a.amname = 'btree' AND t.attname = 'created_at' AND i.indpred IS NULL";
    const std::string relation = pg_guard([&] { return quote_identifier(schema.c_str()); }) + std::string(".") + table;
    const bool exists = pg_guard([&] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        Oid type = TEXTOID;
        Datum arg = text_datum(relation);
        int rc = SPI_execute_with_args(probe.c_str(), 1, &type, &arg, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: looking for an index failed: %s", SPI_result_code_string(rc));
        const bool found = SPI_processed > 0;
        SPI_finish();
        return found;
    });
    if (exists) return;
    const std::string sql = "CREATE INDEX IF NOT EXISTS " + index + " ON " +
                            pg_guard([&] { return quote_identifier(schema.c_str()); }) + "." + table + " (created_at)";
    create_index_as_caller(sql, "retention needs an index on \"" + schema + "." + table + "\" (created_at), and it could not be made",
                           "Create it as the table's owner: CREATE INDEX " + index + " ON " + schema + "." + table +
                               " (created_at); then start the simulation again.");
}

// faults.cdc's look-ups (cdc_fault_writer.cpp), made by the caller before the worker runs: made
// inside one of the worker's transactions, they would be invisible to plans made there.
void ensure_fault_indexes(const std::string& schema, const CdcFaults& faults) {
    for (const FaultIndex& ix : fault_indexes(faults)) {
        const bool exists = pg_guard([&] {
            return OidIsValid(get_relname_relid(ix.name, get_namespace_oid(schema.c_str(), false)));
        });
        if (exists) continue;
        const std::string on = qualified(schema, ix.table) + " " + ix.columns;
        create_index_as_caller("CREATE INDEX IF NOT EXISTS " + std::string(ix.name) + " ON " + on,
                               "faults.cdc needs an index on " + on + ", and it could not be made",
                               "Create it as the table's owner: CREATE INDEX " + std::string(ix.name) + " ON " + on +
                                   "; then start the simulation again.");
    }
}

}  // namespace

// start_simulation(schema, avg_qps, max_iter, user_create_prob, user_update_prob,
//                  order_update_prob, ghost_create_prob, country, state, postal_code, seed,
//                  duration, heartbeat_interval, name, id_format, scenario, time_scale,
//                  simulated_start, on_resume, keep_events, keep_orders)
// The 1.0 definition (before ALTER EXTENSION UPDATE) passes the first 15 arguments; its
// simulations have no row in thelook.simulation_runs (there is none) and end with the server.
Datum start_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    for (int i = 0; i <= 6; ++i)
        if (PG_ARGISNULL(i))
            throw Error(sqlstate::kNullValueNotAllowed, "parameters of thelook.start_simulation must not be NULL", "",
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
    const bool v11 = PG_NARGS() >= 21;
    const ResolvedScenario scenario = v11 ? resolve_scenario_argument(arg_text(fcinfo, 15, "reference")) : reference_scenario();
    p.scenario_name = scenario.name;
    p.scenario_json = scenario.json;
    p.time_scale = !v11 || PG_ARGISNULL(16) ? 1.0 : PG_GETARG_FLOAT8(16);
    p.simulated_start = !v11 || PG_ARGISNULL(17) ? kNoTime : from_timestamptz(PG_GETARG_TIMESTAMPTZ(17));
    if (v11) {
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
    p.validate();
    check_scenario_fits(p);
    // Campaigns "at" a time and "after" the start meet once the start is known: now or simulated_start.
    check_campaign_shares(scenario.scenario.shoppers.campaigns,
                          p.simulated_start == kNoTime ? from_timestamptz(GetCurrentTimestamp()) : p.simulated_start,
                          "scenario.shoppers.campaigns");
    check_filter_fits(p.country, "country");
    check_filter_fits(p.state, "state");
    check_filter_fits(p.postal_code, "postal_code");
    if (!PG_ARGISNULL(11) && p.duration_seconds <= 0)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"duration\" must be positive", "",
                    "Pass NULL to run until stopped, or an interval such as '10 minutes'.");
    const Oid role = GetUserId();
    check_schema(schema, role);
    check_ground_truth_tables(scenario.scenario, schema, role);
    check_inventory_tables(scenario.scenario, schema);
    check_can_login(role);
    LocationSampler(installed_catalog().locations, p.country, p.state, p.postal_code);  // validates
    if (p.keep_events_seconds > 0) ensure_created_at_index(schema, "events");
    if (p.keep_orders_seconds > 0) ensure_created_at_index(schema, "orders");
    ensure_fault_indexes(schema, scenario.scenario.faults.cdc);

    // A persisted simulation takes the next id of this database's table, skipping any that a
    // simulation started under the 1.0 functions still holds.
    int32 id = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store) return int32{0};
        for (;;) {
            const int32 candidate = store->next_id();
            LWLockAcquire(st->lock, LW_SHARED);
            const bool taken = find_slot_of(st, MyDatabaseId, candidate) != nullptr;
            LWLockRelease(st->lock);
            if (!taken) return candidate;
        }
    });
    const bool persisted = id != 0;
    if (!persisted) {
        if (v11)
            throw Error(sqlstate::kObjectNotInPrerequisiteState, "thelook.simulation_runs does not exist", "The extension's objects are incomplete.",
                        "Run ALTER EXTENSION thelook_datagen UPDATE, or DROP and CREATE the extension.");
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        do id = st->next_id++;
        while (find_slot_of(st, MyDatabaseId, id));
        LWLockRelease(st->lock);
    }
    const int index = claim_slot(st, id, role);
    SimulationSlot* slot = &st->slots[index];
    try {
        fill_names(slot, schema, name, role);
    } catch (...) {
        release_slot(st, index);
        throw;
    }
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    set_params(slot, p);
    slot->persisted = persisted;
    slot->fresh = true;
    LWLockRelease(st->lock);
    launch(st, index, id);
    return Int32GetDatum(id);
}

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
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied to stop simulation " + std::to_string(id),
                    "Only the role that started a simulation, its members, or a superuser may stop it.", "");
    return BoolGetDatum(stop_one(st, id, live));
}

Datum stop_all_simulations(FunctionCallInfo fcinfo) {
    SharedState* st = require_shared_state();
    int32 stopped = 0;
    std::vector<int32> ids;
    for (int i = 0; i < st->slot_count; ++i) {
        LWLockAcquire(st->lock, LW_SHARED);
        const SimulationSlot& s = st->slots[i];
        const bool mine = s.state != SimState::Free && is_active(s.state) && s.database_oid == MyDatabaseId;
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
    const Found live = find_live(st, id);
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
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied to resume simulation " + std::to_string(id),
                    "Only the role that started a simulation, its members, or a superuser may resume it.", "");
    if (live.slot && is_active(live.state)) {
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        if (same_simulation(live.slot, id) && live.slot->state == SimState::Restarting) {
            live.slot->restart_at = GetCurrentTimestamp();
            live.slot->failures = 0;
        }
        LWLockRelease(st->lock);
        wake_launcher();
        return BoolGetDatum(false);
    }
    const bool exists = pg_guard([&] { return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(row->owner)); });
    if (!exists)
        throw Error(sqlstate::kUndefinedObject, "the role of simulation " + std::to_string(id) + " does not exist any more", "",
                    "Start a new simulation with thelook.start_simulation().");
    check_can_login(row->owner);
    const int index = claim_slot(st, id, row->owner);
    SimulationSlot* slot = &st->slots[index];
    try {
        fill_names(slot, row->schema, row->name, row->owner);
    } catch (...) {
        release_slot(st, index);
        throw;
    }
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    set_params(slot, row->params);
    slot->persisted = true;
    slot->fresh = false;
    slot->resume_requested = true;
    LWLockRelease(st->lock);
    launch(st, index, id);
    return BoolGetDatum(true);
}

Datum forget_simulation(FunctionCallInfo fcinfo) {
    SharedState* st = shared_state();
    const int32 id = PG_GETARG_INT32(0);
    const Found live = find_live(st, id);
    if (live.slot && is_active(live.state))
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is running", "",
                    "Stop it with thelook.stop_simulation(" + std::to_string(id) + ") first.");
    const bool removed = with_store([&](RunStore* store, const ExtensionInfo&) {
        if (!store) return false;
        auto row = store->load(id, true);
        if (!row) return false;
        if (!may_control(row->owner))
            throw Error(sqlstate::kInsufficientPrivilege, "permission denied to forget simulation " + std::to_string(id),
                        "Only the role that started a simulation, its members, or a superuser may.", "");
        if (row->desired_state == "running")
            throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is to be resumed",
                        "Its desired state is running: it is interrupted, and resumes when a worker can run it.",
                        "Stop it with thelook.stop_simulation(" + std::to_string(id) + ") first.");
        return store->remove(id);
    });
    if (removed && live.slot) {
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        if (same_simulation(live.slot, id) && !is_active(live.slot->state)) live.slot->state = SimState::Free;
        LWLockRelease(st->lock);
    }
    return BoolGetDatum(removed);
}

// The simulation `id` for a change: it must exist, be running and be the caller's to control.
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
        throw Error(sqlstate::kInsufficientPrivilege, "permission denied to change simulation " + std::to_string(id),
                    "Only the role that started a simulation, its members, or a superuser may change it.", "");
    if (!live.slot || !(live.state == SimState::Running || (live.state == SimState::Starting && live.fresh)))
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is not running",
                    live.slot && is_active(live.state) ? "Its worker is being started again." : "",
                    live.slot && is_active(live.state) ? "Try again in a few seconds."
                                                       : "Resume it with thelook.resume_simulation(), or start a new one.");
    return live.slot;
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
        check_ground_truth_tables(scenario->scenario, schema, role);
        ensure_fault_indexes(schema, scenario->scenario.faults.cdc);
        check_inventory_tables(scenario->scenario, schema);
    }
    p.validate();
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    const bool still = same_simulation(slot, id) && is_active(slot->state);
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
    LWLockRelease(st->lock);
    check_ground_truth_table(schema, role, "incidents", "Incidents");
    const Micros wall_now = from_timestamptz(GetCurrentTimestamp());
    const Micros sim_now = wall0 == 0 ? wall_now : sim0 + static_cast<Micros>(static_cast<double>(wall_now - wall0) * scale);
    const Micros start = PG_ARGISNULL(4) ? sim_now : from_timestamptz(PG_GETARG_TIMESTAMPTZ(4));
    if (start < sim_now - 1000000)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"start_at\" is in the simulation's past",
                    "The simulated clock of simulation " + std::to_string(id) + " is past it.",
                    "Leave start_at out to start the incident now, or pass a later simulated time.");
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    const bool still = same_simulation(slot, id) && is_active(slot->state);
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
        throw Error(sqlstate::kObjectNotInPrerequisiteState, "simulation " + std::to_string(id) + " is not running", "", "Start a new one first.");
    if (full)
        throw Error(sqlstate::kProgramLimitExceeded, "simulation " + std::to_string(id) + " already has " + std::to_string(kInjectedMax) +
                                 " injected incidents",
                    "", "Put recurring incidents in the scenario (\"random_incidents\"), or start a new simulation.");
    return TimestampTzGetDatum(to_timestamptz(start));
}

namespace {

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
    r->state = state_name(s.state);
    r->desired_state = is_active(s.state) ? "running" : "stopped";
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
            if (s.id == row.id && is_active(s.state)) {
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
            }
        } else if (row.desired_state == "running") {
            r.state = "interrupted";
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
        StatusRow r;
        from_slot(s, now, &r);
        r.database = database;
        out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const StatusRow& a, const StatusRow& b) { return a.id < b.id; });

    SrfOutput srf = begin_materialized_srf(fcinfo);
    pg_guard([&] {
        MemoryContext caller = MemoryContextSwitchTo(srf.row_context);
        for (const StatusRow& r : out) {
            Datum v[44];
            bool n[44] = {};
            int c = 0;
            auto text = [&](const std::string& s, bool null = false) {
                n[c] = null;
                v[c++] = null ? 0 : text_datum(s);
            };
            auto time = [&](Micros t) {
                n[c] = t == kNoTime;
                v[c++] = t == kNoTime ? 0 : TimestampTzGetDatum(to_timestamptz(t));
            };
            v[c++] = Int32GetDatum(r.id);
            text(r.name, r.name.empty());
            text(r.database);
            text(r.schema);
            text(r.role);
            n[c] = r.pid == 0;
            v[c++] = Int32GetDatum(r.pid);
            text(r.state);
            time(r.started_at);
            time(r.ended_at);
            v[c++] = Float8GetDatum(r.avg_qps);
            n[c] = r.max_iter < 0;
            v[c++] = Int64GetDatum(r.max_iter);
            v[c++] = Int64GetDatum(r.seed);
            v[c++] = Int64GetDatum(r.c.scheduled);
            v[c++] = Int64GetDatum(r.iterations);
            v[c++] = Float8GetDatum(r.achieved_qps);
            for (int64 x : {r.c.users_inserted, r.c.users_updated, r.c.orders_inserted, r.c.orders_updated,
                            r.c.order_items_inserted, r.c.order_items_updated, r.c.events_inserted, r.c.heartbeats,
                            r.c.transactions, r.c.max_rows_per_transaction})
                v[c++] = Int64GetDatum(x);
            v[c++] = Int32GetDatum(r.consecutive_errors);
            v[c++] = Int64GetDatum(r.c.total_errors);
            text(r.last_error, !r.has_last_error);
            text(r.id_format);
            text(r.scenario);
            v[c++] = Float8GetDatum(r.time_scale);
            time(r.simulated_time);
            v[c++] = Int64GetDatum(r.c.incidents);
            text(r.desired_state);
            v[c++] = Int32GetDatum(r.failures);
            time(r.resumed_at);
            v[c++] = Int64GetDatum(r.c.skipped);
            text(r.on_resume);
            for (double keep : {r.keep_events, r.keep_orders}) {
                n[c] = !(keep > 0);
                v[c] = keep > 0 ? interval_datum(keep) : 0;
                ++c;
            }
            v[c++] = Int64GetDatum(r.c.orders_deleted);
            v[c++] = Int64GetDatum(r.c.order_items_deleted);
            v[c++] = Int64GetDatum(r.c.events_deleted);
            v[c++] = Int64GetDatum(r.c.lost_sales);
            tuplestore_putvalues(srf.store, srf.desc, v, n);
            MemoryContextReset(srf.row_context);
        }
        MemoryContextSwitchTo(caller);
    });
    return 0;
}

}  // namespace thelook::pg
