// The one description of this extension's background workers (launcher, resumer, simulation,
// back-fill): every one connects to a database, starts after recovery and runs a function of this
// library. Callers add their name, argument, notify pid and restart policy.
#pragma once

#include "pg/bridge/postgres.hpp"  // postmaster/bgworker.h

namespace thelook::pg {

// restart_seconds: BGW_NEVER_RESTART, or how long the postmaster waits to restart it should it die.
inline BackgroundWorker thelook_worker(const char* function, const char* type, int restart_seconds) {
    BackgroundWorker w;
    memset(&w, 0, sizeof w);
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    w.bgw_start_time = BgWorkerStart_RecoveryFinished;
    w.bgw_restart_time = restart_seconds;
    strlcpy(w.bgw_library_name, "thelook_datagen", BGW_MAXLEN);
    strlcpy(w.bgw_function_name, function, BGW_MAXLEN);
    strlcpy(w.bgw_type, type, BGW_MAXLEN);
    strlcpy(w.bgw_name, type, BGW_MAXLEN);
    return w;
}

}  // namespace thelook::pg
