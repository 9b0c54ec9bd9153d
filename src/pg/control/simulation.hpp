// Live simulations: SQL functions that start, stop and list them, and the background worker.
#pragma once

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

Datum start_simulation(FunctionCallInfo fcinfo);      // SQL 1.0 and 1.1
Datum start_simulation_1_2(FunctionCallInfo fcinfo);
Datum stop_simulation(FunctionCallInfo fcinfo);
Datum stop_all_simulations(FunctionCallInfo fcinfo);
Datum simulation_status(FunctionCallInfo fcinfo);
Datum simulation_node(FunctionCallInfo fcinfo);  // thelook.simulations.runs_on
Datum alter_simulation(FunctionCallInfo fcinfo);
Datum inject_incident(FunctionCallInfo fcinfo);
Datum resume_simulation(FunctionCallInfo fcinfo);
Datum forget_simulation(FunctionCallInfo fcinfo);

// The worker's body; its C entry point is thelook_worker_main.
void run_worker(int slot_index, int32 simulation_id);

}  // namespace thelook::pg
