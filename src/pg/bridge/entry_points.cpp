// Every C entry point of the library: one-line forwarders to C++ bodies through the guard.
#include "pg/bulk/backfill.hpp"
#include "pg/bulk/bulk_functions.hpp"
#include "pg/bulk/parallel_backfill.hpp"
#include "pg/feeds/file_feed.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/control/launcher.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/control/shared_state.hpp"
#include "pg/control/simulation.hpp"
#include "pg/control/simulation_indexes.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void) {
    thelook::pg::settings::define(process_shared_preload_libraries_in_progress);
    if (process_shared_preload_libraries_in_progress) {
        thelook::pg::install_shmem_hooks();
        thelook::pg::register_launcher();
        thelook::pg::install_drop_watch();
    }
}

PGDLLEXPORT void thelook_worker_main(Datum arg);
void thelook_worker_main(Datum arg) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    int32 id = 0;
    memcpy(&id, MyBgworkerEntry->bgw_extra, sizeof id);
    thelook::pg::run_worker(DatumGetInt32(arg), id);
}

PGDLLEXPORT void thelook_launcher_main(Datum arg);
void thelook_launcher_main(Datum arg) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    // A shutdown request ends the launcher's loop (proc_exit(0)): die() would log a FATAL line at
    // every server stop.
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    thelook::pg::run_launcher();
}

PGDLLEXPORT void thelook_backfill_worker_main(Datum arg);
void thelook_backfill_worker_main(Datum arg) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    int32 index = -1;
    memcpy(&index, MyBgworkerEntry->bgw_extra, sizeof index);
    thelook::pg::run_backfill_worker(DatumGetUInt32(arg), index);
}

PGDLLEXPORT void thelook_resumer_main(Datum arg);
void thelook_resumer_main(Datum arg) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    thelook::pg::run_resumer(DatumGetObjectId(arg));
}
}

THELOOK_SQL_FUNCTION(thelook_start_simulation, start_simulation)
THELOOK_SQL_FUNCTION(thelook_start_simulation_1_2, start_simulation_1_2)
THELOOK_SQL_FUNCTION(thelook_create_simulation_indexes, create_simulation_indexes)
THELOOK_SQL_FUNCTION(thelook_stop_simulation, stop_simulation)
THELOOK_SQL_FUNCTION(thelook_stop_all_simulations, stop_all_simulations)
THELOOK_SQL_FUNCTION(thelook_simulation_status, simulation_status)  // SQL 1.0 and 1.1
THELOOK_SQL_FUNCTION(thelook_simulation_node, simulation_node)
THELOOK_SQL_FUNCTION(thelook_alter_simulation, alter_simulation)
THELOOK_SQL_FUNCTION(thelook_resolve_scenario, resolve_scenario_sql)
THELOOK_SQL_FUNCTION(thelook_traffic_intensity, traffic_intensity)
THELOOK_SQL_FUNCTION(thelook_product_popularity, product_popularity)
THELOOK_SQL_FUNCTION(thelook_inject_incident, inject_incident)
THELOOK_SQL_FUNCTION(thelook_resume_simulation, resume_simulation)
THELOOK_SQL_FUNCTION(thelook_forget_simulation, forget_simulation)
THELOOK_SQL_FUNCTION(thelook_products, products)
THELOOK_SQL_FUNCTION(thelook_dist_centers, dist_centers)
THELOOK_SQL_FUNCTION(thelook_locations, locations)
THELOOK_SQL_FUNCTION(thelook_generate_users, generate_users)
THELOOK_SQL_FUNCTION(thelook_generate_orders, generate_orders)
THELOOK_SQL_FUNCTION(thelook_generate_order_items, generate_order_items)
THELOOK_SQL_FUNCTION(thelook_generate_events, generate_events)
THELOOK_SQL_FUNCTION(thelook_generate_sessions, generate_sessions)
THELOOK_SQL_FUNCTION(thelook_backfill, backfill)
THELOOK_SQL_FUNCTION(thelook_backfill_in_chunks, backfill_in_chunks)
THELOOK_SQL_FUNCTION(thelook_write_feed, write_feed)
