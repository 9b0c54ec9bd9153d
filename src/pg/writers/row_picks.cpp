// SchemaWriter's picks: a random user or open order by an index probe, the buffered rows of the
// transaction counting as written.
#include <set>

#include "pg/bridge/datum.hpp"
#include "pg/bridge/settings.hpp"
#include "pg/writers/index_picks.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

namespace {
const char* copy_value(int col) {
    return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);
}
// Whether the first of `buffered` at or after key (wrapping around) comes at or before the table's
// pick (found: the table's first row at or after key, or its first row when none is). A tie is
// the buffered row's: the table holds an older row of that id (a seed run again over its own
// rows), and the pick must read the row as the transaction leaves it, not as it was before, or
// the rows would depend on where the transactions happened to end.
bool buffered_wins(const std::set<std::string>& buffered, const std::string& key, bool found,
                   const std::string& table_id) {
    if (buffered.empty()) return false;
    auto ge = buffered.lower_bound(key);
    if (found && table_id >= key) return ge != buffered.end() && *ge <= table_id;
    if (ge != buffered.end()) return true;
    return !found || *buffered.begin() <= table_id;
}
}  // namespace

bool SchemaWriter::pick_user(const std::string& key, PickedUser* out) {
    const bool found = query_user(key, out);
    if (!buffered_wins(buffered_users_, key, found, found ? out->id : std::string())) return found;
    flush();  // the buffered user is the pick: write it, then read it as the table has it
    return query_user(key, out);
}

bool SchemaWriter::pick_open_order(const std::string& key, PickedOrder* out) {
    const bool found = query_open_order(key, out);
    if (!buffered_wins(buffered_orders_, key, found, found ? out->id : std::string())) return found;
    flush();
    return query_open_order(key, out);
}

namespace {

// A pick by its prepared SELECT (... WHERE id >= $1 ... LIMIT 1): the first row's ncols values, or false.
bool select_pick(SPIPlanPtr plan, const std::string& key, int ncols, const char* v[], const char* what) {
    return pg_guard([&] {
        Datum arg = text_datum(key);
        int rc = SPI_execute_plan(plan, &arg, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: picking %s failed: %s", what, SPI_result_code_string(rc));
        if (SPI_processed == 0) return false;
        for (int c = 0; c < ncols; ++c) v[c] = copy_value(c + 1);
        return true;
    });
}

}  // namespace

// The transaction's snapshot, moved on to see its own writes so far (see_own_writes): an order
// moved earlier in the transaction is seen in its new status, a flushed user is found. Read from
// the index directly (index_picks.cpp) unless off or the table needs the SELECT: the same row.
bool SchemaWriter::query_user(const std::string& key, PickedUser* out) {
    const char* v[5] = {};  // id, city, state, postal_code, gender
    IndexPicks::Result direct = IndexPicks::Result::Unavailable;
    if (settings::direct_picks) direct = index_picks_->user(key, v);
    bool found = direct == IndexPicks::Result::Found;
    if (direct == IndexPicks::Result::Unavailable) {
        found = select_pick(pick_user_.get(), key, 5, v, "a user");
    }
    if (!found) return false;
    out->id = v[0];
    out->place = Place{v[1] ? v[1] : "", v[2] ? v[2] : "", v[3] ? v[3] : ""};
    out->gender = v[4] ? v[4] : "";
    return true;
}

std::string SchemaWriter::oldest_open_order_id() {
    const char* id = pg_guard([&]() -> const char* {
        int rc = SPI_execute_plan(oldest_open_.get(), nullptr, nullptr, true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: reading the oldest open order failed: %s", SPI_result_code_string(rc));
        return SPI_processed == 0 ? nullptr : copy_value(1);
    });
    return id ? id : "";
}

bool SchemaWriter::query_open_order(const std::string& key, PickedOrder* out) {
    const char* v[6] = {};  // id, user_id, status, city, state, postal_code
    IndexPicks::Result direct = IndexPicks::Result::Unavailable;
    if (settings::direct_picks) direct = index_picks_->open_order(key, v);
    bool found = direct == IndexPicks::Result::Found;
    if (direct == IndexPicks::Result::Unavailable) {
        found = select_pick(pick_order_.get(), key, 6, v, "an order");
    }
    if (!found) return false;
    out->id = v[0];
    out->user_id = v[1] ? v[1] : "";
    if (!parse_status(v[2] ? v[2] : "", &out->status)) return false;
    out->place = Place{v[3] ? v[3] : "", v[4] ? v[4] : "", v[5] ? v[5] : ""};
    return true;
}
}  // namespace thelook::pg
