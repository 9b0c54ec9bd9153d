#include "pg/feeds/file_feed.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/feed_format.hpp"
#include "core/file_faults.hpp"
#include "core/random.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/writers/table_rows.hpp"

extern "C" {
#include "storage/fd.h"
}

namespace thelook::pg {

namespace {

// The hint of every file-system error here: the server's own user writes the files.
constexpr const char* kFileAccessHint =
    "The feed's files are written by the server's operating-system user: check that it may write in the directory and that the disk has room.";

using feed::Cell;
using feed::Column;

const char* const kFeedTables[] = {"users", "orders", "order_items", "events"};
constexpr uint64_t kFeedFaultStream = 0xFEEDULL;
const char* const kManifest = "_manifest.jsonl";

struct Result {
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
};

Column::Json json_kind(Oid type) {
    switch (type) {
        case INT2OID: case INT4OID: case INT8OID: case FLOAT4OID: case FLOAT8OID: case NUMERICOID: case OIDOID:
            return Column::Json::Number;
        case BOOLOID:
            return Column::Json::Boolean;
        default:
            return Column::Json::String;
    }
}

// The rows of SPI_tuptable (SPI_processed of them): the result's columns and every row's values in
// their text output. Frees the table.
Result take_spi_rows() {
    const uint64 n = SPI_processed;
    const int ncols = SPI_tuptable ? SPI_tuptable->tupdesc->natts : 0;
    Result r;
    for (int c = 0; c < ncols; ++c) {
        const Form_pg_attribute a = TupleDescAttr(SPI_tuptable->tupdesc, c);
        r.columns.push_back({NameStr(a->attname), json_kind(a->atttypid)});
    }
    // Each column's output function looked up once (SPI_getvalue would look it up for every value).
    FmgrInfo* out = nullptr;
    char** cells = nullptr;
    pg_guard([&] {
        out = static_cast<FmgrInfo*>(palloc0(sizeof(FmgrInfo) * (ncols + 1)));
        cells = static_cast<char**>(palloc0(sizeof(char*) * (ncols + 1)));
        for (int c = 0; c < ncols; ++c) {
            Oid func;
            bool varlena;
            getTypeOutputInfo(TupleDescAttr(SPI_tuptable->tupdesc, c)->atttypid, &func, &varlena);
            fmgr_info(func, &out[c]);
        }
    });
    r.rows.resize(n);
    for (uint64 i = 0; i < n; ++i) {
        pg_guard([&] {
            for (int c = 0; c < ncols; ++c) {
                bool isnull;
                const Datum d = heap_getattr(SPI_tuptable->vals[i], c + 1, SPI_tuptable->tupdesc, &isnull);
                cells[c] = isnull ? nullptr : OutputFunctionCall(&out[c], d);
            }
        });
        r.rows[i].resize(ncols);
        for (int c = 0; c < ncols; ++c)
            if (cells[c]) {
                r.rows[i][c] = std::string(cells[c]);
                pfree(cells[c]);
            }
    }
    pg_guard([&] {
        if (SPI_tuptable) SPI_freetuptable(SPI_tuptable);
        pfree(out);
        pfree(cells);
    });
    return r;
}

// Runs sql through SPI (connected by the caller) with text arguments, cast in the SQL; returns the
// result's columns and every row's values in their text output.
Result query(const std::string& sql, const std::vector<Cell>& args, int expect) {
    pg_guard([&] {
        const TextArgs a = text_args(args);
        const int rc = SPI_execute_with_args(sql.c_str(), a.n, a.types, a.values, a.nulls, false, 0);
        if (rc != expect) elog(ERROR, "thelook: \"%s\" failed: %s", sql.c_str(), SPI_result_code_string(rc));
    });
    return take_spi_rows();
}

// A query's result read in parts of at most `rows` rows: a cursor of SPI (connected by the
// caller), closed when this goes out of scope. A query with a data-modifying WITH runs to the end
// at the first fetch, its result kept in a tuplestore (on disk beyond work_mem).
class QueryCursor {
public:
    QueryCursor(const std::string& sql, const std::vector<Cell>& args) {
        portal_ = pg_guard([&] {
            const TextArgs a = text_args(args);
            return SPI_cursor_open_with_args(nullptr, sql.c_str(), a.n, a.types, a.values, a.nulls, false, 0);
        });
    }
    QueryCursor(const QueryCursor&) = delete;
    QueryCursor& operator=(const QueryCursor&) = delete;
    ~QueryCursor() {
        // On an error the transaction's abort drops the portal: it is left to that. An error in the
        // close itself is left to it too (a destructor must not throw).
        if (std::uncaught_exceptions()) return;
        try {
            pg_guard([&] { SPI_cursor_close(portal_); });
        } catch (...) {
        }
    }
    Result fetch(int64 rows) {
        pg_guard([&] { SPI_cursor_fetch(portal_, true, rows); });
        return take_spi_rows();
    }

private:
    Portal portal_;
};

std::string quoted(const std::string& identifier) {
    return pg_guard([&] { return quote_identifier(identifier.c_str()); });
}

[[noreturn]] void bad_argument(const std::string& message, const std::string& hint) {
    throw Error(sqlstate::kInvalidParameterValue, message, "", hint);
}

// The directories of rel (a/b/c) under root, created as needed; a new directory's parent is
// fsynced so that the directory survives a crash with the files renamed into it.
void make_directories(const std::string& root, const std::string& rel) {
    std::string path = root;
    size_t from = 0;
    while (from <= rel.size()) {
        size_t slash = rel.find('/', from);
        if (slash == std::string::npos) slash = rel.size();
        const std::string parent = path;
        path += "/" + rel.substr(from, slash - from);
        pg_guard([&] {
            if (MakePGDirectory(path.c_str()) == 0)
                fsync_fname(parent.c_str(), true);
            else if (errno != EEXIST)
                ereport(ERROR, (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", path.c_str()), errhint("%s", kFileAccessHint)));
        });
        from = slash + 1;
    }
}

// The file appears whole or not at all: written and fsynced under temp, then renamed.
void write_file(const std::string& temp, const std::string& final_path, const std::string& text) {
    pg_guard([&] {
        FILE* f = AllocateFile(temp.c_str(), PG_BINARY_W);
        if (!f) ereport(ERROR, (errcode_for_file_access(), errmsg("could not open file \"%s\" for writing: %m", temp.c_str()), errhint("%s", kFileAccessHint)));
        if (fwrite(text.data(), 1, text.size(), f) != text.size() || fflush(f) != 0) {
            const int saved = errno;
            FreeFile(f);
            unlink(temp.c_str());
            errno = saved;
            ereport(ERROR, (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", temp.c_str()), errhint("%s", kFileAccessHint)));
        }
        if (FreeFile(f) != 0) ereport(ERROR, (errcode_for_file_access(), errmsg("could not close file \"%s\": %m", temp.c_str()), errhint("%s", kFileAccessHint)));
        durable_rename(temp.c_str(), final_path.c_str(), ERROR);  // fsyncs the file, renames, fsyncs the directory
    });
}

// Lines that a rolled-back call appended (its transaction failed after the function returned)
// are cut off: the manifest is as long as feed_state says, which commits with the files' rows.
void reconcile_manifest(const std::string& path, int64 recorded) {
    struct stat st;
    int64 size = 0;
    if (stat(path.c_str(), &st) == 0) size = st.st_size;
    if (size < recorded)
        throw Error(sqlstate::kDataCorrupted, "manifest \"" + path + "\" is shorter than recorded (" + std::to_string(size) + " < " +
                        std::to_string(recorded) + " bytes)",
                    "", "Restore the manifest, or end the feed with thelook.drop_feed() and start a new one in an empty directory.");
    if (size > recorded)
        pg_guard([&] {
            if (truncate(path.c_str(), recorded) != 0)
                ereport(ERROR, (errcode_for_file_access(), errmsg("could not truncate file \"%s\": %m", path.c_str()), errhint("%s", kFileAccessHint)));
            fsync_fname(path.c_str(), false);
        });
}

void append_manifest(const std::string& path, const std::string& lines) {
    pg_guard([&] {
        FILE* f = AllocateFile(path.c_str(), PG_BINARY_A);
        if (!f) ereport(ERROR, (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", path.c_str()), errhint("%s", kFileAccessHint)));
        if (fwrite(lines.data(), 1, lines.size(), f) != lines.size() || fflush(f) != 0 || pg_fsync(fileno(f)) != 0) {
            const int saved = errno;
            FreeFile(f);
            errno = saved;
            ereport(ERROR, (errcode_for_file_access(), errmsg("could not append to file \"%s\": %m", path.c_str()), errhint("%s", kFileAccessHint)));
        }
        if (FreeFile(f) != 0) ereport(ERROR, (errcode_for_file_access(), errmsg("could not close file \"%s\": %m", path.c_str()), errhint("%s", kFileAccessHint)));
    });
}

struct Arguments {
    std::string schema, directory, partition_by;
    feed::Format format = feed::Format::Csv;
    Cell tables;  // an array literal, or NULL: the feed's tables
    FileFaultsSection faults;
    int64 max_rows = -1;  // per table and call; -1: no limit
    uint64 seed = 0;
    bool include_existing = true;
};

void check_privileges() {
    const Oid user = GetUserId();
    if (pg_guard([&] { return superuser() || has_privs_of_role(user, ROLE_PG_WRITE_SERVER_FILES); })) return;
    const std::string role = pg_guard([&] { return static_cast<const char*>(GetUserNameFromId(user, false)); });
    throw Error(sqlstate::kInsufficientPrivilege, "permission denied to write feed files as role \"" + role + "\"",
                "thelook.write_feed writes files on the database server as its operating-system user, as COPY ... TO 'file' does, "
                "which needs superuser or the pg_write_server_files role.",
                "GRANT pg_write_server_files TO " + quoted(role) +
                    "; or write files on the client side with psql's \\copy (SELECT ...) TO 'file' instead.");
}

Arguments arguments(FunctionCallInfo fcinfo) {
    Arguments a;
    a.schema = arg_name(fcinfo, 0);
    if (a.schema.empty()) bad_argument("parameter \"schema\" must not be empty", "Pass a schema set up by thelook.setup(), such as 'demo'.");
    const std::string dir_hint = "Pass an absolute path on the database server, writable by its operating-system user, such as '/var/lib/postgresql/feeds/demo'.";
    if (PG_ARGISNULL(1)) bad_argument("parameter \"directory\" must not be null", dir_hint);
    a.directory = arg_text(fcinfo, 1, "");
    if (a.directory.empty() || a.directory[0] != '/')
        bad_argument("parameter \"directory\" must be an absolute path, not \"" + a.directory + "\"", dir_hint);
    while (a.directory.size() > 1 && a.directory.back() == '/') a.directory.pop_back();
    a.format = feed::parse_format(arg_text(fcinfo, 2, "csv"));
    if (!PG_ARGISNULL(3)) {
        Datum* elems = nullptr;
        bool* nulls = nullptr;
        int n = 0;
        pg_guard([&] { deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
        const std::string hint = "Use some of 'users', 'orders', 'order_items', 'events', each once.";
        if (n == 0) bad_argument("parameter \"tables\" must not be empty", hint);
        std::string list;
        for (int i = 0; i < n; ++i) {
            if (nulls[i]) bad_argument("parameter \"tables\" must not contain NULL", hint);
            const std::string t = pg_guard([&] { return static_cast<const char*>(TextDatumGetCString(elems[i])); });
            bool known = false;
            for (const char* k : kFeedTables) known = known || t == k;
            if (!known) bad_argument("parameter \"tables\": unknown table \"" + t + "\"", hint);
            if (("," + list + ",").find("," + t + ",") != std::string::npos)
                bad_argument("parameter \"tables\": table \"" + t + "\" is listed twice", hint);
            list += (list.empty() ? "" : ",") + t;
        }
        a.tables = "{" + list + "}";
    }
    a.partition_by = arg_text(fcinfo, 4, "date");
    if (a.partition_by != "date" && a.partition_by != "event_type")
        bad_argument("parameter \"partition_by\" must be 'date' or 'event_type', not '" + a.partition_by + "'",
                     "'date' partitions by the date of created_at; 'event_type' partitions events by their type (other tables by date).");
    if (!PG_ARGISNULL(5)) a.faults = resolve_scenario_argument(arg_text(fcinfo, 5, "reference")).scenario.faults.files;
    if (!PG_ARGISNULL(6)) {
        const int64 m = PG_GETARG_INT64(6);
        if (m <= 0) bad_argument("parameter \"max_rows\" must be positive", "Pass the most rows per table a call writes, or NULL for no limit.");
        a.max_rows = m;
    }
    a.seed = arg_seed(fcinfo, 7);
    a.include_existing = PG_ARGISNULL(8) || PG_GETARG_BOOL(8);
    return a;
}

struct WrittenFile {
    int64 part;
    std::string file, table, partition;
    int64 rows, bytes;
    std::vector<FileFault> faults;
};

const std::vector<Column> kFileColumns = {{"part", Column::Json::Number}, {"batch", Column::Json::Number}, {"file"},
                                          {"table_name"}, {"partition"}, {"format"}, {"rows", Column::Json::Number},
                                          {"bytes", Column::Json::Number}, {"faults", Column::Json::Number}};

// Rows a call holds in memory at a time (a part of its result, and the files made from it).
constexpr int64 kChunkRows = 100000;

// The partition a row's file goes to: event_type=<type> for events when the feed is partitioned
// by event type, else date=<created_at's date>.
struct PartitionKey {
    PartitionKey(const Arguments& a, const std::string& table)
        : by_type(a.partition_by == "event_type" && table == "events"), name(by_type ? "event_type" : "date"),
          column(by_type ? "event_type" : "created_at") {}

    // The rows of r (by index) in each partition, in their order.
    std::map<std::string, std::vector<size_t>> partitions(const Result& r) const {
        int key_column = -1;
        for (size_t c = 0; c < r.columns.size(); ++c)
            if (r.columns[c].name == column) key_column = static_cast<int>(c);
        std::map<std::string, std::vector<size_t>> out;
        const Cell none;
        for (size_t i = 0; i < r.rows.size(); ++i) {
            const Cell& v = key_column >= 0 ? r.rows[i][key_column] : none;
            out[name + "=" + (by_type ? feed::hive_value(v) : feed::date_value(v))].push_back(i);
        }
        return out;
    }

    bool by_type;
    std::string name, column;
};

// One file per partition of r, each renamed into place once written whole.
void write_parts(const Arguments& a, const std::string& table, const Result& r,
                 const std::map<std::string, std::vector<size_t>>& partitions, uint64 fault_seed, int64& next_part,
                 std::vector<WrittenFile>& out) {
    for (const auto& [partition, part_rows] : partitions) {
        const int64 part = next_part++;
        FeedFileBuilder b(a.format, r.columns, a.faults, Rng::derive_seed(fault_seed, static_cast<uint64>(part)));
        for (size_t i : part_rows) b.add(r.rows[i]);
        const std::string rel = "table=" + table + "/" + partition;
        make_directories(a.directory, rel);
        const std::string file = rel + "/" + feed::part_name(part, a.format);
        write_file(a.directory + "/" + rel + "/" + feed::temp_name(part, a.format), a.directory + "/" + file, b.text());
        out.push_back({part, file, table, partition, b.records(), static_cast<int64>(b.text().size()), b.faults()});
    }
}

// Writes the first `a.max_rows` of one table's logged rows by arrival (all with no limit), one
// file per partition for each kChunkRows of them, and deletes them from the logs in the same
// statement that reads them: a row is in exactly one call.
void export_table(const Arguments& a, const std::string& table, int64& next_part, int64 feed_seed, std::vector<WrittenFile>& out) {
    const std::string s = quoted(a.schema), row_type = s + "." + quoted(table);
    // The rows are in feed_log (as JSON, by the trigger) and, since 1.2, in the table's own log
    // (its columns, by a simulation writing directly); both numbered from one sequence, so the
    // first n by arrival are the first n of the two together. The own log has no index (it would
    // cost its writer a B-tree insertion per row): it is read once per call, by one statement,
    // whose result is read in parts. The statement's snapshot decides: a row committed later stays
    // for the next call whatever its seq. The own log's rows go through the table's row type by
    // name as the JSON ones do: a column added since reads as NULL.
    const std::string own_log = s + "." + quoted("feed_log_" + table);
    const bool has_own_log = query("SELECT to_regclass($1) IS NOT NULL", {own_log}, SPI_OK_SELECT).rows.at(0).at(0) == std::string("t");
    const std::string limit = a.max_rows < 0 ? "" : " LIMIT $2::bigint";
    const std::string json_seqs = "(SELECT seq FROM " + s + ".feed_log WHERE table_name = $1 ORDER BY seq" + limit + ")";
    const std::string last =
        has_own_log ? "(SELECT max(seq) FROM (SELECT seq FROM (" + json_seqs + " UNION ALL (SELECT seq FROM " + own_log +
                          ")) u ORDER BY seq" + limit + ") n)"
                    : "(SELECT max(seq) FROM " + json_seqs + " n)";
    std::string sql = "WITH m AS (SELECT " + last + " AS seq), d AS (DELETE FROM " + s +
                      ".feed_log WHERE table_name = $1 AND seq <= (SELECT seq FROM m) RETURNING seq, row)";
    if (has_own_log) sql += ", e AS (DELETE FROM " + own_log + " WHERE seq <= (SELECT seq FROM m) RETURNING *)";
    sql += " SELECT d.seq, r.* FROM d, jsonb_populate_record(NULL::" + row_type + ", d.row) r";
    if (has_own_log) sql += " UNION ALL SELECT e.seq, r.* FROM e, jsonb_populate_record(NULL::" + row_type + ", to_jsonb(e)) r";
    sql += " ORDER BY 1";
    QueryCursor rows(sql, {table, std::to_string(a.max_rows)});
    const PartitionKey key(a, table);
    const uint64 fault_seed = Rng::derive_seed(feed_seed, kFeedFaultStream);
    for (;;) {
        Result r = rows.fetch(kChunkRows);
        if (r.rows.empty()) return;
        r.columns.erase(r.columns.begin());  // seq: the order, not a column of the files
        for (auto& cells : r.rows) cells.erase(cells.begin());
        write_parts(a, table, r, key.partitions(r), fault_seed, next_part, out);
    }
}

}  // namespace

Datum write_feed(FunctionCallInfo fcinfo) {
    check_privileges();
    if (pg_guard([] { return IsTransactionBlock() || IsSubTransaction(); }))
        throw Error(sqlstate::kActiveSqlTransaction, "thelook.write_feed() cannot run inside a transaction block",
                    "Its files are on disk before its transaction commits: a rollback would leave files the manifest does not list.",
                    "Call it on its own (autocommit), as pg_cron does, or from a procedure that commits after each call.");
    const Arguments a = arguments(fcinfo);
    struct stat st;
    if (stat(a.directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(sqlstate::kUndefinedFile, "directory \"" + a.directory + "\" does not exist", "",
                    "Create it as the database server's operating-system user (the owner of the data directory), or pass another directory.");
    SrfOutput out = begin_materialized_srf(fcinfo);
    pg_guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    const Result state = query("SELECT next_part, next_batch, manifest_bytes, feed_seed, array_to_string(feed_tables, ',') "
                               "FROM thelook.feed_prepare($1::name, $2, $3::text[], $4::bigint, $5::boolean)",
                               {a.schema, a.directory, a.tables, std::to_string(static_cast<int64>(a.seed)),
                                std::string(a.include_existing ? "true" : "false")},
                               SPI_OK_SELECT);
    const auto& row = state.rows.at(0);
    int64 next_part = std::stoll(*row[0]);
    const int64 batch = std::stoll(*row[1]), manifest_bytes = std::stoll(*row[2]), feed_seed = std::stoll(*row[3]);
    const std::string s = quoted(a.schema);
    if (a.faults.any() &&
        query("SELECT to_regclass($1) IS NULL", {s + ".injected_faults"}, SPI_OK_SELECT).rows.at(0).at(0) == std::string("t"))
        throw Error(sqlstate::kUndefinedTable, "table " + s + ".injected_faults does not exist", "File faults are recorded there.",
                    "Run thelook.setup('" + a.schema + "') again: it adds the table.");
    const std::string manifest = a.directory + "/" + kManifest;
    reconcile_manifest(manifest, manifest_bytes);

    std::vector<WrittenFile> files;
    std::string tables = *row[4];
    for (size_t from = 0; from <= tables.size();) {
        size_t comma = tables.find(',', from);
        if (comma == std::string::npos) comma = tables.size();
        export_table(a, tables.substr(from, comma - from), next_part, feed_seed, files);
        from = comma + 1;
    }
    if (!files.empty()) {
        // The manifest's lines, and the same objects as JSON arrays for feed_files and the faults.
        std::string lines, file_list, fault_list;
        for (const WrittenFile& f : files) {
            const std::string entry =
                feed::json_object(kFileColumns, {std::to_string(f.part), std::to_string(batch), f.file, f.table, f.partition,
                                                 std::string(feed::format_name(a.format)), std::to_string(f.rows),
                                                 std::to_string(f.bytes), std::to_string(f.faults.size())});
            lines += entry + "\n";
            file_list += (file_list.empty() ? "" : ",") + entry;
            for (const FileFault& x : f.faults) {
                std::vector<Column> keys = {{"record", Column::Json::Number}};
                std::vector<Cell> values = {std::to_string(x.record)};
                if (!x.column.empty()) {
                    keys.push_back({"column"});
                    values.emplace_back(x.column);
                }
                fault_list += (fault_list.empty() ? "" : ",") +
                              feed::json_object({{"table_name"}, {"row_id"}, {"kind"}, {"detail"}},
                                                {"file:" + f.file, x.row_id, std::string(file_fault_kind_name(x.kind)),
                                                 feed::json_object(keys, values)});
            }
        }
        // Listed only now that every file of the call is in place; the lines and the rows below
        // commit (or are cut off by the next call) together.
        append_manifest(manifest, lines);
        query("INSERT INTO " + s + ".feed_files (part, batch, file, table_name, partition, format, rows, bytes, faults) "
              "SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(part bigint, batch bigint, file text, table_name text, "
              "partition text, format text, rows bigint, bytes bigint, faults int)",
              {"[" + file_list + "]"}, SPI_OK_INSERT);
        if (!fault_list.empty())
            query("INSERT INTO " + s + ".injected_faults (table_name, row_id, kind, detail) "
                  "SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(table_name text, row_id text, kind text, detail text)",
                  {"[" + fault_list + "]"}, SPI_OK_INSERT);
        query("UPDATE " + s + ".feed_state SET next_part = $1::bigint, next_batch = $2::bigint, manifest_bytes = $3::bigint, updated_at = now()",
              {std::to_string(next_part), std::to_string(batch + 1), std::to_string(manifest_bytes + static_cast<int64>(lines.size()))},
              SPI_OK_UPDATE);
    }
    pg_guard([] { SPI_finish(); });
    for (const WrittenFile& f : files) {
        pg_guard([&] {
            Datum v[3] = {text_datum(f.file), text_datum(f.table), Int64GetDatum(f.rows)};
            bool n[3] = {false, false, false};
            tuplestore_putvalues(out.store, out.desc, v, n);
        });
    }
    return 0;
}

}  // namespace thelook::pg
