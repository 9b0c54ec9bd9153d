// What keeps simulations alive across restarts and worker deaths, when the library is preloaded:
//  - the launcher, a static background worker (as pg_cron's): after every start of the server
//    (clean, after an immediate shutdown, after a crash) and whenever thelook.auto_resume is turned
//    on, it starts a resumer in every database that accepts connections; it starts the workers of
//    committed starts and resumes (pending_actions.hpp) and restarts, with back-off, the workers
//    that die (slots in state Restarting): it is the one process that starts workers (launcher.cpp);
//  - a resumer connects to one database (as the bootstrap superuser, to read the table; it never
//    runs a simulation), and when thelook_datagen is installed there, claims a slot for every
//    simulation whose desired state is running. The launcher then starts their workers, each as
//    the simulation's own role (resumer.cpp).
//  - the drop watch: DROP EXTENSION thelook_datagen, or DROP SCHEMA of a simulated schema, stops
//    the simulations concerned when the dropping transaction commits (drop_watch.cpp).
#pragma once

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

void register_launcher();          // from _PG_init, when preloading (launcher.cpp)
void install_drop_watch();         // likewise (drop_watch.cpp)
void run_launcher();               // the body of thelook_launcher_main (launcher.cpp)
void run_resumer(Oid database);    // the body of thelook_resumer_main (resumer.cpp)

}  // namespace thelook::pg
