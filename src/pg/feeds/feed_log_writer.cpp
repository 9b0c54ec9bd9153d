#include "pg/feeds/feed_log_writer.hpp"

#include "pg/bridge/guard.hpp"
#include "pg/feeds/feed_log_appender.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
}

namespace thelook::pg {

void FeedLogWriter::log(int table, const TableSpec& spec, Datum rows, Oid array_type) {
    if (table < 0 || table >= kTables) throw Error(sqlstate::kInternal, "feed log: no table " + std::to_string(table));
    SpiPlan& plan = plans_[table];
    if (!plan || plan_types_[table] != array_type) {
        const std::string log_table = std::string("feed_log_") + spec.name;
        const std::string s = pg_guard([&] { return quote_identifier(schema_.c_str()); });
        const bool own_log = pg_guard([&] {
            return OidIsValid(RangeVarGetRelid(makeRangeVar(pstrdup(schema_.c_str()), pstrdup(log_table.c_str()), -1), NoLock, true));
        });
        std::string sql;
        if (own_log) {
            // seq from the log's default (feed_log's sequence), the columns by name.
            std::string names, values;
            for (int c = 0; c < spec.ncolumns; ++c) {
                names += std::string(c ? ", " : "") + spec.columns[c].name;
                values += std::string(c ? ", " : "") + "r." + spec.columns[c].name;
            }
            sql = "INSERT INTO " + s + "." + log_table + " (" + names + ") SELECT " + values + " FROM pg_catalog.unnest($1) r";
        } else {
            // The trigger's statement, on the rows passed in instead of its transition table.
            sql = "INSERT INTO " + s + ".feed_log (table_name, row) SELECT '" + spec.name +
                  "', pg_catalog.to_jsonb(r) FROM pg_catalog.unnest($1) r";
        }
        plan = prepare(sql, {array_type});
        plan_types_[table] = array_type;
        as_json_[table] = !own_log;
    }
    const bool as_json = as_json_[table];
    if (!as_json) {
        const Oid row_type = pg_guard([&] { return get_element_type(array_type); });
        if (append_to_own_log(schema_, std::string("feed_log_") + spec.name, rows, row_type)) return;
    }
    pg_guard([&] {
        // feed_capture() runs with extra_float_digits = 1 (its SET clause): floats in full
        // precision in the JSON whatever this session's setting. The same here, undone when the
        // statement ends (an error undoes it with the (sub)transaction's abort).
        const int nest = as_json ? NewGUCNestLevel() : 0;
        if (as_json) set_config_option("extra_float_digits", "1", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        Datum args[1] = {rows};
        const int rc = SPI_execute_plan(plan.get(), args, nullptr, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: feed log insert failed: %s", SPI_result_code_string(rc));
        if (as_json) AtEOXact_GUC(true, nest);
    });
}

}  // namespace thelook::pg
