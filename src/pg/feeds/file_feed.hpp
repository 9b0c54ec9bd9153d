// thelook.write_feed: the bridge of file feeds. It takes the rows a schema's capture trigger
// logged and committed, has the core format them (and damage the records the scenario's
// faults.files picks), writes each file under a temporary name and renames it into place, appends
// the manifest, and records files and faults in the schema, all in the caller's transaction.
#pragma once

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

Datum write_feed(FunctionCallInfo fcinfo);

}  // namespace thelook::pg
