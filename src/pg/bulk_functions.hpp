// Set-returning functions: the catalogue and generated entities as rows.
#pragma once

#include "pg/postgres.hpp"

namespace thelook::pg {

Datum products(FunctionCallInfo fcinfo);
Datum dist_centers(FunctionCallInfo fcinfo);
Datum locations(FunctionCallInfo fcinfo);
Datum generate_users(FunctionCallInfo fcinfo);

}  // namespace thelook::pg
