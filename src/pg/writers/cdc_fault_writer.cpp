// The CDC faults' statements (SchemaWriter's delete_account, purge_anonymous_events, rekey_event):
// each deletes or re-keys rows and lists every one of them in the schema's injected_faults within
// the same statement (a data-modifying WITH), so the ground truth commits with the change itself.
#include "core/cdc_faults.hpp"
#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

namespace {
// WITH d AS (<deleting or updating statement> RETURNING id) INSERT INTO injected_faults ... FROM d;
// $1 is the statement's own argument, the ground truth's simulation id is always $3.
std::string listed(const std::string& schema, const std::string& statement, const char* table, const char* kind,
                   const std::string& row_id, const std::string& detail) {
    return "WITH d AS (" + statement + ") INSERT INTO " + qualified(schema, "injected_faults") +
           " (simulation_id, table_name, row_id, kind, detail) SELECT $3, '" + table + "', " + row_id + ", '" + kind +
           "', " + detail + " FROM d";
}
}  // namespace

std::vector<FaultIndex> fault_indexes(const CdcFaults& faults) {
    std::vector<FaultIndex> out;
    if (faults.account_deletions_per_hour > 0) {
        out.push_back({"events_user_id_idx", "events", "(user_id)"});
        out.push_back({"orders_user_id_idx", "orders", "(user_id)"});
    }
    if (faults.purge_anonymous_sessions_after_seconds > 0)
        out.push_back({"events_anonymous_created_at_idx", "events", "(created_at) WHERE user_id IS NULL"});
    return out;
}

void SchemaWriter::require_fault_support(const CdcFaults& faults) {
    if (!has_faults_table_) {
        require_table("injected_faults", "The scenario has faults.cdc, whose ground truth is recorded there.");
        has_faults_table_ = true;
    }
    // Its look-up indexes (fault_indexes) are made by thelook.create_simulation_indexes(), checked
    // by start_simulation / alter_simulation: never a CREATE INDEX here, which would lock the
    // table against everybody's writes for the worker's transaction. Without them (dropped since),
    // the look-ups are slower, not wrong.
    (void)faults;
}

int64 SchemaWriter::run_fault_plan(const SpiPlan& plan, Datum* args, const char* nulls, const char* what) {
    return pg_guard([&] {
        int rc = SPI_execute_plan(plan.get(), args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: %s failed: %s", what, SPI_result_code_string(rc));
        return static_cast<int64>(SPI_processed);
    });
}

int64_t SchemaWriter::delete_account(const std::string& user_probe) {
    const std::string events = qualified(schema_, "events"), orders = qualified(schema_, "orders"),
                      items = qualified(schema_, "order_items"), users = qualified(schema_, "users");
    CdcFaults needs;
    needs.account_deletions_per_hour = 1;
    require_fault_support(needs);
    if (!account_events_) {
        const std::vector<Oid> types = {TEXTOID, TEXTOID, INT4OID};
        // $2: the detail, "user <id>". Children first: a consumer that keeps referential
        // integrity never sees an item without its order, an order without its user. Items by
        // "= ANY (ARRAY(...))": index probes by order, where a join may plan a scan of every item.
        // The orders are locked before their items, as every other writer of both does (the
        // simulation's lifecycle step, large_transaction): items first could deadlock with them.
        account_events_ = prepare(listed(schema_, "DELETE FROM " + events + " WHERE user_id = $1 RETURNING id", "events",
                                         kFaultAccountDeleted, "id", "$2"), types);
        account_items_ = prepare(listed(schema_, "DELETE FROM " + items + " WHERE order_id = ANY (ARRAY(SELECT id FROM " + orders +
                                                     " WHERE user_id = $1 FOR UPDATE)) RETURNING id",
                                        "order_items", kFaultAccountDeleted, "id", "$2"), types);
        account_orders_ = prepare(listed(schema_, "DELETE FROM " + orders + " WHERE user_id = $1 RETURNING id", "orders",
                                         kFaultAccountDeleted, "id", "$2"), types);
        account_user_ = prepare(listed(schema_, "DELETE FROM " + users + " WHERE id = $1 RETURNING id", "users",
                                       kFaultAccountDeleted, "id", "$2"), types);
    }
    // The user's rows buffered in this transaction go first, then the user as the table has it.
    flush();
    PickedUser user;
    if (!pick_user(user_probe, &user)) return 0;
    const std::string detail = "user " + user.id;
    Datum args[3];
    const char nulls[3] = {' ', ' ', simulation_id_ == 0 ? 'n' : ' '};
    pg_guard([&] {
        args[0] = text_datum(user.id);
        args[1] = text_datum(detail);
        args[2] = Int32GetDatum(simulation_id_);
    });
    const int64 n_events = run_fault_plan(account_events_, args, nulls, "deleting an account's events");
    const int64 n_items = run_fault_plan(account_items_, args, nulls, "deleting an account's order items");
    const int64 n_orders = run_fault_plan(account_orders_, args, nulls, "deleting an account's orders");
    const int64 n_users = run_fault_plan(account_user_, args, nulls, "deleting an account");
    counts_.deleted[kEvents] += n_events;
    counts_.deleted[kOrderItems] += n_items;
    counts_.deleted[kOrders] += n_orders;
    counts_.deleted[kUsers] += n_users;
    see_own_writes();
    return n_events + n_items + n_orders + n_users;
}

int64_t SchemaWriter::purge_anonymous_events(Micros cutoff, int64_t limit) {
    const std::string events = qualified(schema_, "events");
    CdcFaults needs;
    needs.purge_anonymous_sessions_after_seconds = 1;
    require_fault_support(needs);
    if (!purge_events_)
        purge_events_ = prepare(listed(schema_,
                                       "DELETE FROM " + events + " WHERE id IN (SELECT id FROM " + events +
                                           " WHERE user_id IS NULL AND created_at < $1 ORDER BY created_at, id LIMIT $2)"
                                           " RETURNING id, session_id",
                                       "events", kFaultSessionPurged, "id", "'session ' || session_id"),
                                {TIMESTAMPOID, INT8OID, INT4OID});
    // This transaction's rows first: which events go must not depend on how the iterations were
    // grouped into transactions (a resumed simulation purges what the uninterrupted one did).
    flush();
    Datum args[3];
    const char nulls[3] = {' ', ' ', simulation_id_ == 0 ? 'n' : ' '};
    pg_guard([&] {
        args[0] = local_timestamp_datum(cutoff);
        args[1] = Int64GetDatum(limit);
        args[2] = Int32GetDatum(simulation_id_);
    });
    const int64 n = run_fault_plan(purge_events_, args, nulls, "purging anonymous events");
    counts_.deleted[kEvents] += n;
    if (n > 0) see_own_writes();
    return n;
}

// A new id already taken (a seed's ids written by an earlier run into the same schema) re-keys
// nothing rather than failing the transaction.
bool SchemaWriter::rekey_event(const std::string& probe, const std::string& new_id) {
    const std::string events = qualified(schema_, "events");
    require_fault_support(CdcFaults{});  // the probe uses the primary key
    if (!rekey_event_)
        rekey_event_ = prepare(listed(schema_,
                                      "UPDATE " + events + " e SET id = $2 FROM ((SELECT id FROM " + events +
                                          " WHERE id >= $1 ORDER BY id LIMIT 1) UNION ALL (SELECT id FROM " + events +
                                          " ORDER BY id LIMIT 1) LIMIT 1) old WHERE e.id = old.id AND NOT EXISTS (SELECT FROM " + events +
                                          " WHERE id = $2) RETURNING old.id",
                                      "events", kFaultPkUpdate, "$2", "'from ' || d.id"),
                               {TEXTOID, TEXTOID, INT4OID});
    flush();  // as purge_anonymous_events: the event probed for is the same however iterations were grouped
    Datum args[3];
    const char nulls[3] = {' ', ' ', simulation_id_ == 0 ? 'n' : ' '};
    pg_guard([&] {
        args[0] = text_datum(probe);
        args[1] = text_datum(new_id);
        args[2] = Int32GetDatum(simulation_id_);
    });
    const int64 n = run_fault_plan(rekey_event_, args, nulls, "re-keying an event");
    counts_.updated[kEvents] += n;
    if (n > 0) see_own_writes();
    return n > 0;
}

// The scenario's periodic batch shipment (thelook.large_transaction's statements, at simulated
// time t): the oldest Processing orders, skipping any another transaction holds, and their items.
int64_t SchemaWriter::large_transaction(int64_t orders, Micros t) {
    require_fault_support(CdcFaults{});
    if (!large_pick_) {
        const std::string o = qualified(schema_, "orders"), i = qualified(schema_, "order_items");
        const std::string ship = " SET status = 'Shipped', shipped_at = $2, updated_at = $2 ";
        large_pick_ = prepare("SELECT coalesce(array_agg(id), '{}') FROM (SELECT id FROM " + o +
                                  " WHERE status = 'Processing' ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) x",
                              {INT8OID});
        large_orders_ = prepare("UPDATE " + o + ship + "WHERE id = ANY ($1)", {TEXTARRAYOID, TIMESTAMPOID});
        large_items_ = prepare("UPDATE " + i + ship + "WHERE order_id = ANY ($1)", {TEXTARRAYOID, TIMESTAMPOID});
        large_truth_ = prepare("INSERT INTO " + qualified(schema_, "injected_faults") +
                                   " (simulation_id, table_name, row_id, kind, detail) VALUES ($1, 'orders', "
                                   "txid_current()::text, '" + kFaultLargeTransaction + "', $2)",
                               {INT4OID, TEXTOID});
    }
    flush();  // this transaction's new orders are among the candidates
    int64 n_orders = 0, n_items = 0;
    pg_guard([&] {
        Datum limit = Int64GetDatum(orders);
        int rc = SPI_execute_plan(large_pick_.get(), &limit, nullptr, false, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook: picking orders to ship failed: %s", SPI_result_code_string(rc));
        bool isnull = false;
        Datum ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        ids = PointerGetDatum(DatumGetArrayTypePCopy(ids));
        Datum args[2] = {ids, local_timestamp_datum(t)};
        rc = SPI_execute_plan(large_orders_.get(), args, nullptr, false, 0);
        if (rc != SPI_OK_UPDATE) elog(ERROR, "thelook: shipping orders failed: %s", SPI_result_code_string(rc));
        n_orders = static_cast<int64>(SPI_processed);
        rc = SPI_execute_plan(large_items_.get(), args, nullptr, false, 0);
        if (rc != SPI_OK_UPDATE) elog(ERROR, "thelook: shipping order items failed: %s", SPI_result_code_string(rc));
        n_items = static_cast<int64>(SPI_processed);
    });
    const std::string detail = std::to_string(n_orders) + " orders, " + std::to_string(n_items) + " items shipped";
    pg_guard([&] {
        Datum args[2] = {Int32GetDatum(simulation_id_), text_datum(detail)};
        const char nulls[2] = {simulation_id_ == 0 ? 'n' : ' ', ' '};
        int rc = SPI_execute_plan(large_truth_.get(), args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording a large transaction failed: %s", SPI_result_code_string(rc));
    });
    counts_.updated[kOrders] += n_orders;
    counts_.updated[kOrderItems] += n_items;
    see_own_writes();
    return n_orders + n_items;
}

}  // namespace thelook::pg
