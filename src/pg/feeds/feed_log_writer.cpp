#include "pg/feeds/feed_log_writer.hpp"

#include "pg/bridge/guard.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace thelook::pg {

void FeedLogWriter::log(int table, const char* table_name, Datum rows, Oid array_type) {
    if (table < 0 || table >= kTables) throw Error(sqlstate::kInternal, "feed log: no table " + std::to_string(table));
    SpiPlan& plan = plans_[table];
    if (!plan || plan_types_[table] != array_type) {
        const std::string s = pg_guard([&] { return quote_identifier(schema_.c_str()); });
        // The trigger's statement, on the rows passed in instead of its transition table.
        plan = prepare("INSERT INTO " + s + ".feed_log (table_name, row) SELECT $1, pg_catalog.to_jsonb(r) FROM pg_catalog.unnest($2) r",
                       {TEXTOID, array_type});
        plan_types_[table] = array_type;
    }
    pg_guard([&] {
        // feed_capture() runs with extra_float_digits = 1 (its SET clause): floats in full
        // precision whatever this session's setting. The same here, undone when the statement
        // ends (an error undoes it with the (sub)transaction's abort).
        const int nest = NewGUCNestLevel();
        set_config_option("extra_float_digits", "1", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        Datum args[2] = {CStringGetTextDatum(table_name), rows};
        const int rc = SPI_execute_plan(plan.get(), args, nullptr, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: feed log insert failed: %s", SPI_result_code_string(rc));
        AtEOXact_GUC(true, nest);
    });
}

}  // namespace thelook::pg
