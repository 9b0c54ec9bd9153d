// The indexes a simulation's options need (retention's created_at, faults.cdc's look-ups). They are
// made by an explicit call, thelook.create_simulation_indexes(), never by start_simulation or
// alter_simulation: a CREATE INDEX in the caller's transaction would lock the table until it
// commits, and the worker's first insert would wait on it.
#pragma once

#include <string>

#include "core/cdc_faults.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// Throws 55000, with the call that makes them as the hint, when one is missing.
void check_simulation_indexes(const std::string& schema, const SimulationParams& p, const CdcFaults& faults);
// thelook.create_simulation_indexes(schema, scenario, retention) -> setof text: the indexes made
// (or already there), as the caller, in the caller's transaction.
Datum create_simulation_indexes(FunctionCallInfo fcinfo);

}  // namespace thelook::pg
