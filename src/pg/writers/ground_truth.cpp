// SchemaWriter's ground truth: incidents and injected faults recorded in the schema's incidents and
// injected_faults tables, in the transaction of the rows they affect.
#include "core/error.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

// Tables of ground truth are prepared on first use: schemas set up by an earlier version have
// none until setup() runs again.
void SchemaWriter::require_table(const char* table, const char* why) {
    const bool exists = pg_guard([&] {
        Oid nsp = get_namespace_oid(schema_.c_str(), true);
        return OidIsValid(nsp) && OidIsValid(get_relname_relid(table, nsp));
    });
    if (!exists)
        throw Error(sqlstate::kUndefinedTable, "relation \"" + schema_ + "." + table + "\" does not exist", why,
                    "Run SELECT thelook.setup('" + schema_ + "') again: it adds the table to an existing schema.");
}

void SchemaWriter::require_incidents_table() {
    if (insert_incident_) return;
    require_table("incidents", "The scenario has incidents, and they are recorded there as ground truth.");
    insert_incident_ = prepare("INSERT INTO " + qualified(schema_, "incidents") +
                                   " (simulation_id, kind, magnitude, started_at, ended_at, origin) "
                                   "VALUES ($1, $2, $3, $4, $5, $6)",
                               {INT4OID, TEXTOID, FLOAT8OID, TIMESTAMPOID, TIMESTAMPOID, TEXTOID});
}

void SchemaWriter::require_faults_table() {
    if (insert_faults_) return;
    require_table("injected_faults", "The scenario injects faults, and they are listed there as ground truth.");
    insert_faults_ = prepare("INSERT INTO " + qualified(schema_, "injected_faults") +
                                 " (simulation_id, table_name, row_id, kind, detail) "
                                 "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
                             {INT4OID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID});
}

// Ground truth, one statement for the transaction's rows. Inside pg_guard.
void SchemaWriter::write_truth() {
    const int n = static_cast<int>(truth_.size());
    Datum* cols[4];
    for (auto& c : cols) c = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    for (int r = 0; r < n; ++r) {
        const FaultRecord& f = truth_[r];
        cols[0][r] = text_datum(f.table);
        cols[1][r] = text_datum(f.row_id);
        cols[2][r] = text_datum(f.kind);
        cols[3][r] = text_datum(f.detail);
    }
    Datum args[5] = {Int32GetDatum(simulation_id_)};
    for (int c = 0; c < 4; ++c) args[c + 1] = PointerGetDatum(construct_array(cols[c], n, TEXTOID, -1, false, TYPALIGN_INT));
    const char nulls[5] = {simulation_id_ == 0 ? 'n' : ' ', ' ', ' ', ' ', ' '};
    int rc = SPI_execute_plan(insert_faults_.get(), args, nulls, false, 0);
    if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording injected faults failed: %s", SPI_result_code_string(rc));
}

void SchemaWriter::record_incidents(const std::vector<IncidentWindow>& incidents, int32 simulation_id) {
    if (incidents.empty()) return;
    require_incidents_table();
    for (const IncidentWindow& w : incidents) {
        if (!w.target.empty()) {
            record_targeted_incident(w, simulation_id);
            continue;
        }
        pg_guard([&] {
            Datum args[6] = {Int32GetDatum(simulation_id), CStringGetTextDatum(incident_kind_name(w.kind)),
                             Float8GetDatum(w.magnitude), local_timestamp_datum(w.start),
                             local_timestamp_datum(w.end), CStringGetTextDatum(w.origin)};
            const char nulls[6] = {simulation_id == 0 ? 'n' : ' ', ' ', ' ', ' ', ' ', ' '};
            int rc = SPI_execute_plan(insert_incident_.get(), args, nulls, false, 0);
            if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording an incident failed: %s", SPI_result_code_string(rc));
        });
    }
}

// A supply problem's target goes into incidents.target (a column setup() adds since inventory).
void SchemaWriter::record_targeted_incident(const IncidentWindow& w, int32 simulation_id) {
    if (!insert_targeted_incident_)
        insert_targeted_incident_ = prepare("INSERT INTO " + qualified(schema_, "incidents") +
                                                " (simulation_id, kind, magnitude, started_at, ended_at, origin, target) "
                                                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                            {INT4OID, TEXTOID, FLOAT8OID, TIMESTAMPOID, TIMESTAMPOID, TEXTOID, TEXTOID});
    const std::string target = w.target.describe();  // not inside pg_guard: a longjmp would skip its destructor
    pg_guard([&] {
        Datum args[7] = {Int32GetDatum(simulation_id), CStringGetTextDatum(incident_kind_name(w.kind)),
                         Float8GetDatum(w.magnitude), local_timestamp_datum(w.start), local_timestamp_datum(w.end),
                         CStringGetTextDatum(w.origin), text_datum(target)};
        const char nulls[7] = {simulation_id == 0 ? 'n' : ' ', ' ', ' ', ' ', ' ', ' ', ' '};
        int rc = SPI_execute_plan(insert_targeted_incident_.get(), args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "thelook: recording an incident failed: %s", SPI_result_code_string(rc));
    });
}

}  // namespace thelook::pg
