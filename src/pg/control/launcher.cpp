#include "pg/control/launcher.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/background_worker.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/bridge/transaction.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation_store.hpp"
#include "pg/control/slot_protocol.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "nodes/pg_list.h"
}

namespace thelook::pg {

namespace {

// ---- the launcher ----------------------------------------------------------------------------

void on_launcher_exit(int code, Datum arg) {
    SharedState* st = shared_state();
    LWLockReleaseAll();
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (st->launcher_pid == MyProcPid) {
        st->launcher_pid = 0;
        st->launcher_latch = nullptr;
    }
    LWLockRelease(st->lock);
}

// The launcher's catalog reads, each in a Transaction of its own (the unit of work the worker and
// the resumer use). read runs inside pg_guard: plain PostgreSQL code, no C++ object. False when
// the read failed; the error is logged and the caller tries again later. The launcher is
// connected to no database: it reads shared catalogs only.
template <typename Read>
bool read_catalog(const char* activity, Read read) {
    char failure[kErrorMax] = "";
    try {
        Transaction tx(activity);
        pg_guard(read);
        tx.commit();
        return true;
    } catch (const std::exception& e) {  // the transaction was aborted as tx went
        strlcpy(failure, e.what(), sizeof failure);
    }
    ereport(WARNING, (errmsg("%s failed: %s", activity, failure)));
    return false;
}

// The databases a resumer may connect to, read from the shared catalog pg_database. Allocated in
// TopMemoryContext; the caller frees the list. False when pg_database could not be read.
bool connectable_databases(List** out) {
    List* databases = NIL;
    const bool read = read_catalog("thelook launcher: reading pg_database", [&] {
        Relation rel = table_open(DatabaseRelationId, AccessShareLock);
        TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
        HeapTuple tuple;
        while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
            Form_pg_database db = (Form_pg_database)GETSTRUCT(tuple);
            // Templates are copied by CREATE DATABASE: a simulation defined there is not resumed in
            // the template itself (nor can it be: copying needs no one connected).
            if (!db->datallowconn || db->datistemplate || db->datconnlimit == -2) continue;
            MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
            databases = lappend_oid(databases, db->oid);
            MemoryContextSwitchTo(old);
        }
        table_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    if (!read) {
        list_free(databases);
        databases = NIL;
    }
    *out = databases;
    return read;
}

// pg_authid is a shared catalog: readable without a database. False when it could not be read.
bool role_can_log_in(Oid role, bool* login) {
    *login = false;
    return read_catalog("thelook launcher: reading pg_authid", [&] {
        HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
        if (HeapTupleIsValid(tuple)) {
            *login = ((Form_pg_authid)GETSTRUCT(tuple))->rolcanlogin;
            ReleaseSysCache(tuple);
        }
    });
}

bool database_exists(Oid database, bool* exists) {
    List* databases = NIL;
    const bool read = connectable_databases(&databases);
    *exists = list_member_oid(databases, database);
    list_free(databases);
    return read;
}

// One resumer per database, one at a time: each claims slots for its database's simulations.
// False when a resumer could not be started (no background worker slot): try again later.
bool resume_all() {
    bool complete = true;
    List* databases = NIL;
    if (!connectable_databases(&databases)) return false;
    ListCell* cell;
    foreach (cell, databases) {
        const Oid database = lfirst_oid(cell);
        BackgroundWorker worker = thelook_worker("thelook_resumer_main", "thelook resumer", BGW_NEVER_RESTART);
        snprintf(worker.bgw_name, BGW_MAXLEN, "thelook resumer for database %u", database);
        worker.bgw_main_arg = ObjectIdGetDatum(database);
        worker.bgw_notify_pid = MyProcPid;
        BackgroundWorkerHandle* handle = nullptr;
        if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
            ereport(WARNING, (errmsg("thelook launcher: no background worker slot free to resume the simulations of database %u",
                                     database),
                              errhint("Raise max_worker_processes; the launcher tries again in 10 seconds.")));
            complete = false;
            continue;
        }
        (void)WaitForBackgroundWorkerShutdown(handle);
        pfree(handle);
    }
    list_free(databases);
    return complete;
}

// A slot the launcher could not start a worker for (yet): tried again in 10 seconds, unless it was
// given to another simulation meanwhile.
void retry_later(SimulationSlot* slot, int32 id, Oid database, bool requested, TimestampTz now, const char* why) {
    SharedState* st = shared_state();
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    if (slot->id == id && slot->database_oid == database && slot->state == SimState::Starting) {
        slot->state = SimState::Restarting;
        slot->restart_at = now + 10 * USECS_PER_SEC;
        slot->launch_requested = requested;
        strlcpy(slot->last_error, why, kErrorMax);
    }
    LWLockRelease(st->lock);
}

// Starts the workers of slots whose restart time has come; gives up on those that failed too often.
// Returns the next restart time (or a second from now).
TimestampTz supervise() {
    SharedState* st = shared_state();
    const TimestampTz now = GetCurrentTimestamp();
    TimestampTz next = now + USECS_PER_SEC;
    for (int i = 0; i < st->slot_count; ++i) {
        SimulationSlot* slot = &st->slots[i];
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        if (slot->state != SimState::Restarting || slot->restart_at > now) {
            if (slot->state == SimState::Restarting) next = std::min(next, slot->restart_at);
            LWLockRelease(st->lock);
            continue;
        }
        const int32 id = slot->id;
        const Oid database = slot->database_oid;
        const Oid role = slot->role_oid;
        // The row counts attempts too, and fails the simulation after kMaxWorkerFailures; this
        // catches workers that die before they reach it (e.g. at connection).
        const int32 give_up = kMaxWorkerFailures + 1;
        // A committed start or resume runs whatever auto_resume says; a worker that died is
        // restarted only under auto_resume.
        const bool requested = slot->launch_requested;
        if ((!settings::auto_resume && !requested) || slot->failures >= give_up) {
            if (slot->failures >= give_up) {
                char why[kErrorMax];
                snprintf(why, sizeof why, "its worker ended %d times in a row without progress; last error: %s",
                         slot->failures, slot->last_error);
                strlcpy(slot->last_error, why, sizeof slot->last_error);
                slot->state = SimState::Failed;
            } else {
                slot->state = SimState::Stopped;  // interrupted: resumed when auto_resume is turned on
            }
            slot->ended_at = now;
            LWLockRelease(st->lock);
            continue;
        }
        slot->state = SimState::Starting;
        slot->stop_requested = false;
        if (!requested) {  // a restart: the worker resumes from the row
            slot->fresh = false;
            slot->resume_requested = false;
        }
        slot->launch_requested = false;
        slot->last_error[0] = '\0';
        LWLockRelease(st->lock);

        bool exists = false, login = false;
        if (!database_exists(database, &exists) || (exists && !role_can_log_in(role, &login))) {
            retry_later(slot, id, database, requested, now, "the launcher could not read the system catalogs (see the server log)");
            continue;
        }
        if (!exists) {
            LWLockAcquire(st->lock, LW_EXCLUSIVE);
            if (slot->id == id && slot->database_oid == database) slot->state = SimState::Free;
            LWLockRelease(st->lock);
            continue;
        }
        if (!login) {
            LWLockAcquire(st->lock, LW_EXCLUSIVE);
            if (slot->id == id && slot->database_oid == database) {
                slot->state = SimState::Failed;
                slot->ended_at = now;
                char why[kErrorMax];
                snprintf(why, sizeof why, "its role (%s) does not exist any more or cannot log in", NameStr(slot->role));
                strlcpy(slot->last_error, why, sizeof slot->last_error);
            }
            LWLockRelease(st->lock);
            continue;
        }
        BackgroundWorkerHandle* handle = nullptr;
        if (register_simulation_worker(i, id, &handle)) {
            pfree(handle);
            ereport(LOG, (errmsg("thelook launcher: %s simulation %d of database %u", requested ? "starting" : "restarting",
                                 id, database)));
            continue;
        }
        retry_later(slot, id, database, requested, now, "no background worker slot free: raise max_worker_processes");
    }
    return next;
}

}  // namespace

void register_launcher() {
    if (IsBinaryUpgrade) return;
    BackgroundWorker worker = thelook_worker("thelook_launcher_main", "thelook launcher", 5);  // 5 s after it dies
    RegisterBackgroundWorker(&worker);
}

void run_launcher() {
    SharedState* st = shared_state();
    if (!st) return;
    LWLockAcquire(st->lock, LW_EXCLUSIVE);
    st->launcher_pid = MyProcPid;
    st->launcher_latch = MyLatch;
    LWLockRelease(st->lock);
    before_shmem_exit(on_launcher_exit, 0);
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("thelook launcher");
    ereport(LOG, (errmsg("thelook launcher started (auto_resume %s)", settings::auto_resume ? "on" : "off")));
    bool resumed = false;  // since auto_resume was last turned on
    TimestampTz retry_at = 0;
    while (!ShutdownRequestPending) {
        if (settings::auto_resume && !resumed && GetCurrentTimestamp() >= retry_at) {
            resumed = resume_all();
            if (!resumed) retry_at = GetCurrentTimestamp() + 10 * USECS_PER_SEC;
        }
        if (!settings::auto_resume) resumed = false;
        const TimestampTz next = supervise();
        const long ms = std::max<long>(1, std::min<long>(1000, (next - GetCurrentTimestamp() + 999) / 1000));
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
    }
    proc_exit(0);
}

}  // namespace thelook::pg
