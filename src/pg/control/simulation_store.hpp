// The table thelook.simulation_runs of a database: every simulation started there, its definition
// and its progress. Only the extension's functions and workers write it, with the privileges of
// the extension's owner (users get SELECT): the SQL functions check who may change what first,
// and a worker writes only its own row, and only while it is the row's latest incarnation.
//
// Who writes a row: start_simulation inserts it (in the caller's transaction: no worker exists
// before it commits); the worker of a simulation while it has one (its first transaction takes the
// row over, every batch commits its progress, its last transaction records how it ended); the
// control functions' desired states, written just before their transaction commits
// (pending_actions.hpp), never while the caller's transaction is open: a caller holding the row
// would stall the worker until the caller's transaction ends.
//
// Everything here needs a transaction and an SPI connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/postgres.hpp"
#include "pg/bridge/spi_plan.hpp"


namespace thelook::pg {

// The extension in the current database. ext is InvalidOid when it is not installed;
// has_runs_table is false under the 1.0 SQL (before ALTER EXTENSION UPDATE).
struct ExtensionInfo {
    Oid ext = InvalidOid, schema = InvalidOid, owner = InvalidOid;
    std::string schema_name;
    bool has_runs_table = false;
    bool has_held_table = false;  // thelook.held_events (1.2)
    bool has_shard_columns = false;  // simulation_runs.shard, shards (1.2)
};
ExtensionInfo extension_info();

// Worker ends without progress in a row after which a simulation stays failed.
constexpr int kMaxWorkerFailures = 5;

struct RunRow {
    int32 id = 0;
    std::string name, schema, owner_name;
    Oid owner = InvalidOid;
    std::string desired_state = "running", state = "running";
    std::optional<std::string> last_error;
    int32 failures = 0, incarnation = 0;
    SimulationParams params;
    Micros started_at = kNoTime, resumed_at = kNoTime, ended_at = kNoTime, simulated_time = kNoTime;
    int64 iterations = 0;
    double run_seconds = 0;
    std::string counters = "{}";
    std::string progress;  // empty: no batch committed yet
};

class RunStore {
public:
    explicit RunStore(const ExtensionInfo& ext);
    ~RunStore();
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    // The next id of the table's identity (not transactional, like any sequence).
    int32 next_id();
    void insert(const RunRow& row);
    // The row, locked FOR UPDATE when for_update.
    std::optional<RunRow> load(int32 id, bool for_update);
    // Every row, as the calling role (for thelook.simulations).
    std::vector<RunRow> load_all();

    // A worker takes the simulation on: incarnation + 1, state and desired state 'running',
    // resumed_at now (and started_at, for the first worker of a fresh start); failures + 1 (reset
    // to 1 when reset_failures), set back to 0 by its first batch. Updates row to match.
    void take_over(RunRow& row, bool reset_failures, bool fresh = false);
    // With a batch's rows: false when the row is gone or another worker took it over (then the
    // caller must roll the batch back).
    bool save_progress(int32 id, int32 incarnation, int64 iterations, double run_seconds, Micros simulated_time,
                       const std::string& counters, const std::string& progress);
    // Late events held back by the faults: with a batch's rows, those newly held (a JSON array of
    // held_event_to_json objects) and the seqs of those released (a bigint[] literal).
    bool has_held_table() const { return ext_.has_held_table; }
    void save_held(int32 id, const std::string& added, const std::string& released);
    std::vector<std::string> load_held(int32 id);  // the held objects, JSON text
    // After alter_simulation: the parameters it changes.
    bool save_params(int32 id, int32 incarnation, const SimulationParams& p);
    // How a simulation ended (or was stopped): state, desired state, last error (null keeps it),
    // ended_at now. incarnation -1 matches any. False when no row matched.
    bool set_state(int32 id, int32 incarnation, const char* state, const char* desired_state,
                   const char* last_error, bool clear_error = false);
    bool remove(int32 id);
    // A committed stop_simulation: desired state stopped; with no worker, the state too (a
    // worker records its own end).
    bool request_stop(int32 id, bool no_worker);
    // A committed resume_simulation: desired state running, failures forgiven.
    bool request_resume(int32 id);
    // ensure_simulation's lock (its SQL takes the same one): the calls that make a named simulation
    // one that should run wait for each other on (database, schema, name) until their
    // transactions end, so that two of them never both see none running.
    void lock_name(const std::string& schema, const std::string& name);
    // The lowest id but `except` of a simulation called name in schema that should run, read with
    // a new snapshot (after lock_name: what the lock's previous holder committed is seen).
    std::optional<int32> should_run_named(const std::string& schema, const std::string& name, int32 except);

private:
    ExtensionInfo ext_;
    std::string table_;
    const char* shard_columns() const;
    void run_prepared(SpiPlan& plan, const std::string& sql, int32 id, const std::string& text, int expected,
                      const char* what);
    SpiPlan save_;                       // save_progress's statement, prepared on first use
    SpiPlan held_delete_, held_insert_;  // save_held's, likewise
};

// Runs f(store, ext) inside an SPI connection of its own; store is null under the 1.0 SQL (no table).
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

// While alive, the session has the privileges of `role` and search_path pg_catalog, pg_temp, as
// a SECURITY DEFINER function with SET search_path would: the caller's search_path must not choose
// the functions, types or operators of a statement that runs as the extension's owner. An object,
// not a PG_TRY/PG_FINALLY bracket, so that leaving by any exception restores the caller's role:
// create it outside pg_guard and run the statements in pg_guard while it lives. InvalidOid: no
// change.
class ActingRole {
public:
    explicit ActingRole(Oid role);
    ~ActingRole();
    ActingRole(const ActingRole&) = delete;
    ActingRole& operator=(const ActingRole&) = delete;

private:
    bool active_ = false;
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
    int nest_level_ = 0;
};

}  // namespace thelook::pg
