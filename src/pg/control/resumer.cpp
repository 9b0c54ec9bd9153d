#include "pg/control/launcher.hpp"

#include <string>

#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/bridge/transaction.hpp"
#include "pg/control/simulation_store.hpp"
#include "pg/control/slot_protocol.hpp"

// The resumer: one per database, started by the launcher after a server start; it claims a slot
// for every simulation of its database whose desired state is running.
namespace thelook::pg {

namespace {


// Claims slots for the simulations of this database that should run; returns how many.
int claim_simulations(Oid database) {
    SharedState* st = shared_state();
    const ExtensionInfo ext = extension_info();
    if (ext.ext == InvalidOid || !ext.has_runs_table) return 0;
    RunStore store(ext);
    const std::vector<RunRow> rows = store.load_all();
    const std::string database_name = pg_guard([&] { return static_cast<const char*>(get_database_name(database)); });
    int claimed = 0;
    for (const RunRow& row : rows) {
        if (row.desired_state != "running") {
            // A stop committed before the restart whose worker went with the server before it
            // wrote the row's state: no worker of this server run has the simulation (the
            // resumer runs before any is started for this database but by a start or resume,
            // which sets the desired state to running), so the row is written here.
            if (row.state == "running") {
                LWLockAcquire(st->lock, LW_SHARED);
                const SimulationSlot* live = find_slot_of(st, database, row.id);
                const bool active = live && (is_active(live->state) || live->state == SimState::Reserved);
                LWLockRelease(st->lock);
                if (!active) store.set_state(row.id, -1, "stopped", "stopped", nullptr);
            }
            continue;
        }
        const bool can_login = pg_guard([&] {
            HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(row.owner));
            if (!HeapTupleIsValid(tuple)) return false;
            const bool login = ((Form_pg_authid)GETSTRUCT(tuple))->rolcanlogin;
            ReleaseSysCache(tuple);
            return login;
        });
        if (!can_login) {
            // Never resumed as anyone else: it fails, and says why.
            store.set_state(row.id, -1, "failed", "stopped",
                            ("its role (" + row.owner_name + ") does not exist any more or cannot log in").c_str());
            continue;
        }
        SlotFill fill;
        fill.database = database;
        fill.role = row.owner;
        fill.database_name = database_name;
        fill.role_name = row.owner_name;
        fill.schema = row.schema;
        fill.name = row.name;
        fill.params = row.params;
        if (row.started_at != kNoTime) fill.started_at = to_timestamptz(row.started_at);
        // Never started (its start committed just before a crash): it starts now, as asked.
        fill.fresh = row.incarnation == 0;
        LWLockAcquire(st->lock, LW_EXCLUSIVE);
        SimulationSlot* existing = find_slot_of(st, database, row.id);
        int index = -1;
        if (!existing || (!is_active(existing->state) && existing->state != SimState::Reserved)) {
            index = existing ? static_cast<int>(existing - st->slots) : free_slot(st);
            if (index >= 0) {
                SimulationSlot* slot = &st->slots[index];
                slot->id = row.id;
                fill_slot(slot, fill);
                slot->state = SimState::Restarting;
                slot->launch_requested = fill.fresh;
                slot->restart_at = GetCurrentTimestamp();
                ++claimed;
            }
        }
        LWLockRelease(st->lock);
        if (index < 0 && !existing)
            pg_guard([&] {
                ereport(WARNING, (errmsg("thelook: no slot free to resume simulation %d of database \"%s\"", row.id,
                                         database_name.c_str()),
                                  errhint("Raise thelook.max_simulations (and restart).")));
            });
    }
    return claimed;
}


}  // namespace

void run_resumer(Oid database) {
    BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
    pgstat_report_appname("thelook resumer");
    // It runs as the bootstrap superuser: nothing in the database may choose what it calls.
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);
    char failure[kErrorMax] = "";
    int claimed = 0;
    // Every C++ object lives inside this block: the warning below is raised after they are gone.
    try {
        Transaction tx("thelook resumer: reading thelook.simulation_runs");
        claimed = claim_simulations(database);
        tx.commit();
    } catch (const std::exception& e) {  // the transaction was aborted as tx went
        strlcpy(failure, e.what(), sizeof failure);
    }
    if (failure[0]) {
        ereport(WARNING, (errmsg("thelook resumer: could not resume the simulations of database %u: %s", database, failure)));
        return;
    }
    if (claimed > 0) {
        ereport(LOG, (errmsg("thelook resumer: %d simulation(s) of database %u to resume", claimed, database)));
        wake_launcher();
    }
}


}  // namespace thelook::pg
