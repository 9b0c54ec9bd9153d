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

// Which chunks a run writes: of count runs, run index writes the chunks that start in the
// index-th of count equal slices of the window (by simulated time). Contiguous slices, rather than
// every count-th chunk, keep two workers apart in the indexes whose keys grow with time (the ids,
// the timestamps): with alternate chunks both inserted at the right edge of the same B-trees, and
// waited for each other's buffer locks there (LWLock:BufferContent was a tenth of their samples).
struct ChunkShare {
    int32 index = 0, count = 1;
    // The slice a chunk starting at `progress` (share of the window generated, 0..1) falls in.
    int32 slice(double progress) const {
        const auto k = static_cast<int32>(progress * count);
        return k < 0 ? 0 : (k >= count ? count - 1 : k);
    }
    bool owns(double progress) const { return slice(progress) == index; }
    // Whether the run is done: its slice is behind it (the last run goes to the window's end).
    bool past(double progress) const { return index < count - 1 && slice(progress) > index; }
    bool last() const { return index == count - 1; }
    // Share of this run's own slice done, 0..1, for the caller's progress.
    double done(double progress) const {
        const double d = progress * count - index;
        return d < 0 ? 0 : (d > 1 ? 1 : d);
    }
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

    // Writes share's chunks (generating those before them, and stopping after its slice); calls
    // commit() after each chunk that brings the uncommitted rows to a.commit_rows (when
    // a.commit_rows > 0) and after_chunk(totals so far, share of its slice done) after every chunk,
    // owned or not (it may throw to stop the run).
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
