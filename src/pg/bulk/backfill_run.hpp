// One back-fill's history written into a schema: what thelook.backfill(), backfill_in_chunks()
// and each of its parallel workers (parallel_backfill.hpp) run. A run generates the whole history
// from the seed and writes the chunks its share owns, so that N runs with shares 0..N-1 of N
// write together exactly the rows one run with the whole share writes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/bulk_generator.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook {
class LocationSampler;
}

namespace thelook::pg {

class SchemaWriter;

// The arguments after defaults and validation (backfill.cpp parses them from SQL; a parallel
// worker gets them through shared memory).
struct BackfillArgs {
    std::string schema;
    HistoryParams history;
    std::string country, state, postal_code;
    std::string id_format = "uuid4";
    std::string scenario_name, scenario_json;  // resolved: a worker parses the document again
    int64 commit_rows = 0;                     // 0: never commit
    int32 workers = 1;
    bool has_incidents = false;
    bool has_faults = false;
};

struct BackfillTotals {
    int64 iterations = 0, users = 0, orders = 0, items = 0, events = 0, inventory_items = 0;
    int64 rows() const { return users + orders + items + events + inventory_items; }
    void add(const BackfillTotals& o);
};

// Which chunks a run writes: chunk k (the k-th of next_chunk, from 0) when k mod count == index.
struct ChunkShare {
    int32 index = 0, count = 1;
    bool owns(int64 chunk) const { return chunk % count == index; }
};

// Refuses what a back-fill cannot write into (Citus tables, a table the bulk path refuses, a
// schema without products or the ground-truth tables the scenario needs) with a hint, before any
// work. Needs SPI and a transaction. Returns whether the schema has inventory.
bool check_backfill_schema(const BackfillArgs& a);

class BackfillRun {
public:
    // Loads the products, the stock (a schema with inventory) and the existing users: what the
    // history depends on in the database. Needs SPI, a transaction and an active snapshot.
    explicit BackfillRun(const BackfillArgs& a);
    ~BackfillRun();
    BackfillRun(const BackfillRun&) = delete;
    BackfillRun& operator=(const BackfillRun&) = delete;

    // Writes share's chunks; calls commit() after each chunk that brings the uncommitted rows to
    // a.commit_rows (when a.commit_rows > 0) and after_chunk(totals so far, share of the window
    // done) after every chunk, owned or not (it may throw to stop the run).
    BackfillTotals run(ChunkShare share, const std::function<void()>& commit,
                       const std::function<void(const BackfillTotals&, double)>& after_chunk);

private:
    const BackfillArgs& a_;
    std::unique_ptr<LocationSampler> sampler_;
    std::vector<Product> products_;
    std::unique_ptr<SchemaWriter> writer_;
    std::unique_ptr<StockBook> stock_;
    std::unique_ptr<History> history_;
};

// The NOTICEs a back-fill reports: progress (every few seconds) and its summary at the end.
void report_backfill_progress(double percent, int64 rows, double seconds);
void report_backfill_summary(const BackfillTotals& t, double seconds);

}  // namespace thelook::pg
