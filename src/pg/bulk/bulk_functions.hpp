// Set-returning functions: the catalogue and generated entities as rows.
#pragma once

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

Datum products(FunctionCallInfo fcinfo);
Datum dist_centers(FunctionCallInfo fcinfo);
Datum locations(FunctionCallInfo fcinfo);
Datum generate_users(FunctionCallInfo fcinfo);
Datum generate_orders(FunctionCallInfo fcinfo);
Datum generate_order_items(FunctionCallInfo fcinfo);
Datum generate_events(FunctionCallInfo fcinfo);
Datum generate_sessions(FunctionCallInfo fcinfo);

}  // namespace thelook::pg
