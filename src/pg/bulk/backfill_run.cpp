#include "pg/bulk/backfill_run.hpp"

#include "core/distributions.hpp"
#include "core/error.hpp"
#include "core/location_filter.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bulk/bulk_insert.hpp"
#include "pg/citus/citus_tables.hpp"
#include "pg/writers/inventory_writer.hpp"
#include "pg/writers/schema_writer.hpp"

namespace thelook::pg {

namespace {

constexpr size_t kIterationsPerChunk = 2000;  // about 20,000 rows per chunk

// Loads existing users (up to kBackfillExistingUsersMax, oldest first) as buyers.
void load_buyers(const std::string& schema, Micros end, History* history) {
    const std::string sql = "SELECT id, city, state, postal_code, created_at::timestamptz, gender FROM " +
                            std::string(pg_guard([&] { return quote_identifier(schema.c_str()); })) +
                            ".users WHERE created_at IS NOT NULL AND created_at::timestamptz <= $1 "
                            "ORDER BY created_at, id LIMIT " + std::to_string(dist::kBackfillExistingUsersMax);
    const uint64 n = pg_guard([&] {
        Oid type = TIMESTAMPTZOID;
        Datum arg = TimestampTzGetDatum(to_timestamptz(end));
        int rc = SPI_execute_with_args(sql.c_str(), 1, &type, &arg, nullptr, true, 0);
        if (rc != SPI_OK_SELECT) elog(ERROR, "thelook backfill: reading users failed: %s", SPI_result_code_string(rc));
        return SPI_processed;
    });
    for (uint64 i = 0; i < n; ++i) {
        const char *id = nullptr, *city = nullptr, *state = nullptr, *postal = nullptr, *gender = nullptr;
        Datum created = 0;
        bool isnull = false;
        pg_guard([&] {
            HeapTuple t = SPI_tuptable->vals[i];
            TupleDesc d = SPI_tuptable->tupdesc;
            id = SPI_getvalue(t, d, 1);
            city = SPI_getvalue(t, d, 2);
            state = SPI_getvalue(t, d, 3);
            postal = SPI_getvalue(t, d, 4);
            created = SPI_getbinval(t, d, 5, &isnull);
            gender = SPI_getvalue(t, d, 6);
        });
        if (!id) continue;
        history->add_existing_user(Buyer{id, Place{city ? city : "", state ? state : "", postal ? postal : ""},
                                         from_timestamptz(DatumGetTimestampTz(created)), gender ? gender : ""});
    }
    pg_guard([] { SPI_freetuptable(SPI_tuptable); });
}

// Writes one chunk through the bulk appenders, in the live writer's table order.
void write_chunk(const std::string& schema, const HistoryChunk& chunk) {
    bool pushed = pg_guard([] {
        if (ActiveSnapshotSet()) return false;
        PushActiveSnapshot(GetTransactionSnapshot());
        return true;
    });
    TableAppender users(schema, BulkTable::Users), orders(schema, BulkTable::Orders),
        items(schema, BulkTable::OrderItems), events(schema, BulkTable::Events);
    if (!chunk.users.empty()) {
        users.open();
        users.append(chunk.users);
        users.close();
    }
    if (!chunk.orders.empty()) {
        orders.open();
        orders.append(chunk.orders);
        orders.close();
        items.open();
        items.append(chunk.items);
        items.close();
    }
    if (!chunk.events.empty()) {
        events.open();
        events.append(chunk.events);
        events.close();
    }
    pg_guard([&] {
        CommandCounterIncrement();
        if (pushed) PopActiveSnapshot();
    });
}

// A memory context for one chunk's PostgreSQL allocations, deleted with the run.
class ChunkContext {
public:
    ChunkContext()
        : context_(pg_guard([] {
              return AllocSetContextCreate(CurrentMemoryContext, "thelook backfill chunk", ALLOCSET_DEFAULT_SIZES);
          })) {}
    ~ChunkContext() { MemoryContextDelete(context_); }
    ChunkContext(const ChunkContext&) = delete;
    ChunkContext& operator=(const ChunkContext&) = delete;
    // Runs f with the context current; its allocations live until reset().
    template <typename F>
    void in(F&& f) {
        MemoryContext old = MemoryContextSwitchTo(context_);
        try {
            f();
        } catch (...) {
            MemoryContextSwitchTo(old);
            throw;
        }
        MemoryContextSwitchTo(old);
    }
    void reset() {
        pg_guard([&] { MemoryContextReset(context_); });
    }

private:
    MemoryContext context_;
};

}  // namespace

void BackfillTotals::add(const BackfillTotals& o) {
    iterations += o.iterations;
    users += o.users;
    orders += o.orders;
    items += o.items;
    events += o.events;
    inventory_items += o.inventory_items;
}

void report_backfill_progress(double percent, int64 rows, double seconds) {
    pg_guard([&] {
        ereport(NOTICE, (errmsg("thelook backfill: %.1f%% of the window, %lld rows, %.0f rows/s", percent,
                                static_cast<long long>(rows), seconds > 0 ? rows / seconds : 0.0)));
    });
}

void report_backfill_summary(const BackfillTotals& t, double seconds) {
    pg_guard([&] {
        ereport(NOTICE, (errmsg("thelook backfill: %lld iterations, %lld users, %lld orders, %lld order items, "
                                "%lld events in %.1f s (%.0f rows/s)",
                                static_cast<long long>(t.iterations), static_cast<long long>(t.users),
                                static_cast<long long>(t.orders), static_cast<long long>(t.items),
                                static_cast<long long>(t.events), seconds, seconds > 0 ? t.rows() / seconds : 0.0)));
    });
}

bool check_backfill_schema(const BackfillArgs& a) {
    refuse_citus_tables_for_backfill(a.schema);  // shell tables: rows written here would reach no shard
    for (BulkTable t : {BulkTable::Users, BulkTable::Orders, BulkTable::OrderItems, BulkTable::Events}) {
        TableAppender check(a.schema, t);
        check.open();
        check.close();
    }
    SchemaWriter writer(a.schema);
    if (a.has_incidents) writer.require_incidents_table();
    if (a.has_faults) writer.require_faults_table();
    if (!writer.has_products())
        throw Error(sqlstate::kInvalidParameterValue, "the products table of schema \"" + a.schema + "\" is empty",
                    "", "Run thelook.setup() for this schema.");
    return writer.has_inventory();
}

BackfillRun::BackfillRun(const BackfillArgs& a) : a_(a) {
    const Catalog& catalog = installed_catalog();
    sampler_ = std::make_unique<LocationSampler>(catalog.locations, a.country, a.state, a.postal_code);
    check_backfill_schema(a);  // so a wrong schema fails with a hint before any work
    writer_ = std::make_unique<SchemaWriter>(a.schema);
    products_ = writer_->load_products();
    if (a.has_incidents) writer_->require_incidents_table();
    if (a.has_faults) writer_->require_faults_table();
    history_ = std::make_unique<History>(catalog.names, products_, *sampler_, a.history);
    // A schema with inventory: the back-fill sells from its stock by the live rules (the book holds
    // it in memory and its changes are written with each chunk).
    if (writer_->has_inventory()) {
        stock_ = std::make_unique<StockBook>();
        writer_->inventory()->load(stock_.get());
        history_->set_stock(a.history.scenario.inventory, stock_.get());
    }
    load_buyers(a.schema, a.history.window.end, history_.get());
}

BackfillRun::~BackfillRun() = default;

BackfillTotals BackfillRun::run(ChunkShare share, const std::function<void()>& commit,
                                const std::function<void(const BackfillTotals&, double)>& after_chunk) {
    ChunkContext chunk_context;
    BackfillTotals totals;
    HistoryChunk chunk;
    int64 since_commit = 0;
    for (;;) {
        const double start = history_->progress();
        if (share.past(start) || !history_->next_chunk(kIterationsPerChunk, &chunk)) break;
        pg_guard([] { CHECK_FOR_INTERRUPTS(); });
        // Every run generates every chunk up to the end of its slice (the history's state carries
        // over), and drains the ground truth; only the chunk's owner writes them.
        std::vector<IncidentWindow> incidents = history_->take_incidents();
        const bool mine = share.owns(start);
        if (mine) {
            chunk_context.in([&] { write_chunk(a_.schema, chunk); });
            // Ground truth with the chunk holding the first rows each incident affects, and of the
            // chunk's faults.
            if (stock_) {  // its arrays in the chunk's context too
                const StockBook::Writes w = stock_->take_writes();
                chunk_context.in([&] { writer_->inventory()->write(w); });
                totals.inventory_items += static_cast<int64>(w.rows());
            }
            writer_->record_incidents(incidents, 0);
            if (!chunk.faults.empty()) {
                writer_->add(chunk.faults);
                writer_->flush();
            }
            chunk_context.reset();
            totals.iterations += chunk.iterations;
            totals.users += static_cast<int64>(chunk.users.size());
            totals.orders += static_cast<int64>(chunk.orders.size());
            totals.items += static_cast<int64>(chunk.items.size());
            totals.events += static_cast<int64>(chunk.events.size());
            since_commit += static_cast<int64>(chunk.rows());
            if (a_.commit_rows > 0 && since_commit >= a_.commit_rows) {
                commit();
                since_commit = 0;
            }
        } else if (stock_) {
            (void)stock_->take_writes();  // not reached: a parallel back-fill refuses inventory
        }
        after_chunk(totals, share.done(history_->progress()));
    }
    // What comes after the last arrival: the last share's, the one that generated it.
    if (share.last()) {
        std::vector<IncidentWindow> incidents = history_->take_incidents();
        writer_->record_incidents(incidents, 0);
        if (stock_) {
            // What is still in stock or on order at the window's end.
            const StockBook::Writes w = stock_->take_remaining();
            writer_->inventory()->write(w);
            totals.inventory_items += static_cast<int64>(w.rows());
        }
    }
    return totals;
}

}  // namespace thelook::pg
