// thelook.backfill() (one transaction) and CALL thelook.backfill_in_chunks() (commits every
// commit_rows rows): the history a simulation would have written over a window, written with
// COPY-like bulk appends.
#pragma once

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

Datum backfill(FunctionCallInfo fcinfo);
Datum backfill_in_chunks(FunctionCallInfo fcinfo);

}  // namespace thelook::pg
