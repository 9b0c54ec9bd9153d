#include "pg/bridge/settings.hpp"

#include "pg/bridge/postgres.hpp"

namespace thelook::pg::settings {

int max_simulations = 16;
int max_iterations_per_transaction = 200;
int max_transaction_span_ms = 100;
bool synchronous_commit = false;
bool auto_resume = true;
bool persist_progress = true;
bool direct_inserts = true;
bool direct_picks = true;
bool keep_scans_open = true;
bool direct_updates = true;
bool direct_takes = true;
double catch_up_speed = 10;

void define(bool preloading) {
    // PostgreSQL refuses (with FATAL, ending the session) to define a PGC_POSTMASTER setting
    // once the server runs, as when CREATE EXTENSION loads the library into a backend of a server
    // that does not preload it. The slots it sizes exist only with the preload anyway.
    if (preloading)
        DefineCustomIntVariable(
            "thelook.max_simulations", "Maximum number of simulations (running or ended) kept at once.",
            "Each takes a slot in shared memory and, while running, a background worker: raise "
            "max_worker_processes along with it.",
            &max_simulations, 16, 1, 1024, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "thelook.max_iterations_per_transaction",
        "Most iterations a simulation commits in one transaction.",
        "At high rates several due iterations share a transaction; this bounds its size.",
        &max_iterations_per_transaction, 200, 1, 100000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "thelook.max_transaction_span", "Longest stretch of arrivals one transaction may hold.",
        "Arrivals further apart than this go into separate transactions.", &max_transaction_span_ms,
        100, 1, 60000, PGC_SUSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.synchronous_commit", "Whether simulation workers wait for their commits to be flushed.",
        "Off by default: generated data loses nothing of value in a crash, and a worker keeps its "
        "rate far more easily. Logical decoding sees the same transactions either way.",
        &synchronous_commit, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.auto_resume", "Whether the launcher resumes simulations after the server starts and restarts workers that die.",
        "On: after a start, a crash or an immediate shutdown, every simulation whose desired state is running "
        "continues from its last committed transaction. Off: they stay interrupted until "
        "thelook.resume_simulation(id), or until this is turned on again (reload).",
        &auto_resume, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.persist_progress", "Whether simulation workers commit their progress with every transaction.",
        "For benchmarks only: off saves progress only when a worker starts and ends, so a simulation "
        "interrupted by a crash resumes from an older position and writes some iterations again.",
        &persist_progress, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.direct_inserts", "Whether simulations write their new rows to the heap and indexes directly, as COPY FROM does.",
        "On: a transaction's new rows go to each table as the back-fill's do, and through INSERT ... ON CONFLICT "
        "only when a key already exists or the table needs INSERT (triggers, rules, row-level security, "
        "partitions, Citus). Off: always through INSERT ... ON CONFLICT. The rows, their order and their "
        "transactions are the same either way.",
        &direct_inserts, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.direct_picks", "Whether simulations pick a random user or open order by reading the index directly.",
        "On: each pick is an index scan under the transaction's snapshot, without the executor, and a "
        "SELECT only where the table needs one (row-level security, no SELECT privilege, Citus, not the "
        "index setup() made). Off: always a SELECT. The rows picked are the same either way.",
        &direct_picks, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.keep_scans_open", "Whether a simulation keeps the tables and index scans of its picks, lifecycle moves and inventory takes open from one to the next.",
        "On: the direct picks and moves open their tables, indexes, executor state and index scans once, and "
        "rescan them for each pick or move until the transaction writes its buffered rows; the direct takes "
        "open the inventory table, its indexes and executor state at a transaction's first take and close "
        "them at its end. Off: each pick, move and take opens and closes them. The rows picked and the "
        "changes made are the same either way.",
        &keep_scans_open, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.direct_updates", "Whether simulations move orders and their items along their lifecycle on the heap directly.",
        "On: each move is an index look-up and heap update without the executor, and an UPDATE only where the "
        "table needs one (triggers, rules, row-level security, no UPDATE or SELECT privilege, Citus, not the "
        "indexes setup() made) or another transaction changed the order first. Off: always the UPDATEs. The "
        "changes, their order and their transactions are the same either way.",
        &direct_updates, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "thelook.direct_takes", "Whether simulations take an inventory item by reading the index and updating the row directly.",
        "On: each item sold is an index scan of the unsold items, a row lock that skips locked items and a heap "
        "update, without the executor, and the take statement only where the table needs it (triggers, rules, "
        "row-level security, no SELECT or UPDATE privilege, Citus, not the index setup() made). Off: always the "
        "statement. The items taken, the levels and the changes logical decoding sees are the same either way.",
        &direct_takes, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable(
        "thelook.catch_up_speed", "How fast a simulation with on_resume => 'catch_up' writes the arrivals it missed.",
        "At most this many times its avg_qps, until it has caught up with its schedule.", &catch_up_speed, 10, 1,
        1e6, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("thelook");
}

}  // namespace thelook::pg::settings
