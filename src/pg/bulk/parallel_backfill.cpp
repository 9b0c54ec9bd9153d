#include "pg/bulk/parallel_backfill.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "core/error.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/background_worker.hpp"
#include "pg/bridge/guard.hpp"
#include "pg/bridge/scenario_bridge.hpp"

extern "C" {
#include "pgtime.h"
#include "port/atomics.h"
#include "storage/dsm.h"
#include "utils/resowner.h"
}

namespace thelook::pg {

namespace {

constexpr double kProgressEverySeconds = 3.0;
constexpr size_t kTextMax = 1024;
constexpr size_t kZoneMax = 256;

enum WorkerState : uint32 { kStarting = 0, kLoaded, kDone, kFailed, kStopped };

// One worker's report. state is written last (after a barrier): a reader that sees kDone or
// kFailed sees the fields it announces.
struct WorkerReport {
    pg_atomic_uint32 state;     // WorkerState
    pg_atomic_uint64 rows;      // written so far, for the caller's progress NOTICE
    pg_atomic_uint64 progress;  // share of its own slice of the window written, in millionths
    BackfillTotals totals;      // with kDone
    char sqlstate[6];           // with kFailed
    char message[kTextMax], detail[kTextMax], hint[kTextMax];
};

// The DSM segment: this header, then payload_size bytes of packed BackfillArgs. Written by the
// caller before the workers start, read-only afterwards, but for the atomics and each worker's
// own report.
struct SharedBackfill {
    Oid database, role;
    int32 workers;
    PGPROC* caller;  // its latch is set when a worker ends
    char timezone[kZoneMax];  // the caller's: rows hold local timestamps
    pg_atomic_uint32 loaded;  // workers that have read the database: none writes before all have
    pg_atomic_uint32 stop;    // 1: a worker failed or the caller gave up, the others stop
    WorkerReport reports[kMaxBackfillWorkers];
    uint32 payload_size;
    char payload[FLEXIBLE_ARRAY_MEMBER];
};

// BackfillArgs to bytes and back (the scenario as its resolved document, parsed again).
class Packer {
public:
    void i64(int64 v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void f8(double v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void text(const std::string& s) {
        i64(static_cast<int64>(s.size()));
        out_.append(s);
    }
    const std::string& bytes() const { return out_; }

private:
    std::string out_;
};

class Unpacker {
public:
    Unpacker(const char* p, size_t n) : p_(p), end_(p + n) {}
    int64 i64() {
        int64 v;
        take(&v, sizeof v);
        return v;
    }
    double f8() {
        double v;
        take(&v, sizeof v);
        return v;
    }
    std::string text() {
        const int64 n = i64();
        if (n < 0 || n > end_ - p_) throw Error(sqlstate::kInternal, "thelook backfill worker: bad arguments");
        std::string s(p_, static_cast<size_t>(n));
        p_ += n;
        return s;
    }

private:
    void take(void* v, size_t n) {
        if (static_cast<size_t>(end_ - p_) < n) throw Error(sqlstate::kInternal, "thelook backfill worker: bad arguments");
        memcpy(v, p_, n);
        p_ += n;
    }
    const char* p_;
    const char* end_;
};

std::string pack(const BackfillArgs& a) {
    Packer p;
    p.text(a.schema);
    p.i64(a.history.window.start);
    p.i64(a.history.window.end);
    p.f8(a.history.avg_qps);
    p.f8(a.history.user_create_prob);
    p.f8(a.history.ghost_create_prob);
    p.i64(a.history.init_num_users);
    p.i64(static_cast<int64>(a.history.seed));
    p.text(a.country);
    p.text(a.state);
    p.text(a.postal_code);
    p.text(a.id_format);
    p.text(a.scenario_name);
    p.text(a.scenario_json);
    p.i64(a.commit_rows);
    p.i64(a.workers);
    return p.bytes();
}

BackfillArgs unpack(const char* bytes, size_t n) {
    Unpacker u(bytes, n);
    BackfillArgs a;
    a.schema = u.text();
    a.history.window.start = u.i64();
    a.history.window.end = u.i64();
    a.history.avg_qps = u.f8();
    a.history.user_create_prob = u.f8();
    a.history.ghost_create_prob = u.f8();
    a.history.init_num_users = u.i64();
    a.history.seed = static_cast<uint64>(u.i64());
    a.country = u.text();
    a.state = u.text();
    a.postal_code = u.text();
    a.id_format = u.text();
    a.scenario_name = u.text();
    a.scenario_json = u.text();
    a.commit_rows = u.i64();
    a.workers = static_cast<int32>(u.i64());
    a.history.ids = parse_id_format(a.id_format);
    const ResolvedScenario scenario = parse_resolved(a.scenario_name, a.scenario_json);
    a.history.scenario = scenario.scenario;
    a.history.zone = scenario.zone;
    a.has_incidents = !scenario.scenario.incidents.empty() || !scenario.scenario.random_incidents.empty();
    a.has_faults = scenario.scenario.faults.injects_rows();
    return a;
}

// Thrown in a worker told to stop (another failed, or the caller gave up).
struct StopRequested {};

void copy_text(char* to, size_t size, const char* from) { strlcpy(to, from ? from : "", size); }

// ---- the caller ------------------------------------------------------------------------------

// The workers started; destroyed before they have all ended (an error, a cancel), it stops them.
class WorkerGroup {
public:
    explicit WorkerGroup(SharedBackfill* shared) : shared_(shared) {}
    ~WorkerGroup() {
        if (ended_) return;
        pg_atomic_write_u32(&shared_->stop, 1);
        for (BackgroundWorkerHandle* h : handles_) TerminateBackgroundWorker(h);
    }
    WorkerGroup(const WorkerGroup&) = delete;
    WorkerGroup& operator=(const WorkerGroup&) = delete;

    void start(dsm_segment* segment, int32 index) {
        BackgroundWorker w = thelook_worker("thelook_backfill_worker_main", "thelook backfill", BGW_NEVER_RESTART);
        snprintf(w.bgw_name, BGW_MAXLEN, "thelook backfill worker %d of %d", index + 1, shared_->workers);
        w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(segment));
        memcpy(w.bgw_extra, &index, sizeof index);
        w.bgw_notify_pid = MyProcPid;
        BackgroundWorkerHandle* handle = nullptr;
        const bool started = pg_guard([&] { return RegisterDynamicBackgroundWorker(&w, &handle); });
        if (!started)
            throw Error(sqlstate::kConfigurationLimitExceeded,
                        "no background worker slot free for back-fill worker " + std::to_string(index + 1) + " of " +
                            std::to_string(shared_->workers),
                        "max_worker_processes is " + std::to_string(max_worker_processes) +
                            ", shared with the simulations and parallel queries.",
                        "Pass fewer workers, or raise max_worker_processes (a server restart).");
        handles_.push_back(handle);
    }

    // Whether worker i has ended (its process gone).
    bool gone(int32 i) const {
        pid_t pid;
        const BgwHandleStatus status = pg_guard([&] { return GetBackgroundWorkerPid(handles_[i], &pid); });
        return status == BGWH_STOPPED || status == BGWH_POSTMASTER_DIED;
    }

    // Waits until every worker's process is gone (they stop at their next chunk when told to).
    void wait_all() {
        for (BackgroundWorkerHandle* h : handles_) pg_guard([&] { (void)WaitForBackgroundWorkerShutdown(h); });
        ended_ = true;
    }

private:
    SharedBackfill* shared_;
    std::vector<BackgroundWorkerHandle*> handles_;
    bool ended_ = false;
};

void refuse_parallel(const BackfillArgs& a) {
    if (check_backfill_schema(a))
        throw Error(sqlstate::kFeatureNotSupported, "a parallel back-fill cannot write into schema \"" + a.schema + "\", which has inventory",
                    "The history sells from the schema's stock and updates its rows from chunk to chunk; workers writing chunks side by side would each sell from a copy of it.",
                    "Pass workers => 1 for a schema set up with inventory.");
    const bool login = pg_guard([] {
        HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
        bool can = false;
        if (HeapTupleIsValid(tuple)) {
            can = ((Form_pg_authid)GETSTRUCT(tuple))->rolcanlogin;
            ReleaseSysCache(tuple);
        }
        return can;
    });
    if (!login)
        throw Error(sqlstate::kInsufficientPrivilege, "parameter \"workers\" needs a role that can log in",
                    "Parallel workers connect as the current role, " +
                        std::string(pg_guard([] { return GetUserNameFromId(GetUserId(), false); })) + ", which has NOLOGIN.",
                    "Pass workers => 1, or call it as a role with LOGIN.");
}

// The error of the first worker that failed, or of one that ended without a report.
Error worker_error(const SharedBackfill* shared, int32 failed, int32 vanished) {
    const std::string who = "back-fill worker " + std::to_string((failed >= 0 ? failed : vanished) + 1) + " of " +
                            std::to_string(shared->workers);
    if (failed < 0)
        return Error(sqlstate::kInternal, "thelook " + who + " ended without finishing", "The other workers were stopped.",
                     "See the server log for why (was it terminated?); the chunks committed so far stay.");
    const WorkerReport& r = shared->reports[failed];
    std::string detail = "In " + who + "; the other workers were stopped.";
    if (r.detail[0]) detail = std::string(r.detail) + " " + detail;
    return Error(SqlState::from_chars(r.sqlstate), r.message, detail, r.hint);
}

}  // namespace

void check_backfill_workers(int32 workers) {
    if (workers < 1 || workers > kMaxBackfillWorkers)
        throw Error(sqlstate::kInvalidParameterValue,
                    "parameter \"workers\" must be between 1 and " + std::to_string(kMaxBackfillWorkers),
                    "The value was " + std::to_string(workers) + ".",
                    "Pass the number of cores to use, such as 2; 1 runs the back-fill in this session.");
}

BackfillTotals run_parallel_backfill(const BackfillArgs& a) {
    refuse_parallel(a);
    const std::string payload = pack(a);
    // The workers see only what is committed (the schema set up in this CALL's transaction), and
    // nothing this session locked must stay locked while they write.
    pg_guard([] { SPI_commit(); });
    const Size size = offsetof(SharedBackfill, payload) + payload.size();
    dsm_segment* segment = pg_guard([&] { return dsm_create(size, 0); });
    auto* shared = static_cast<SharedBackfill*>(dsm_segment_address(segment));
    memset(static_cast<void*>(shared), 0, size);  // then the atomics initialised below
    shared->database = MyDatabaseId;
    shared->role = GetUserId();
    shared->workers = a.workers;
    shared->caller = MyProc;
    copy_text(shared->timezone, sizeof shared->timezone, pg_get_timezone_name(session_timezone));
    pg_atomic_init_u32(&shared->loaded, 0);
    pg_atomic_init_u32(&shared->stop, 0);
    for (WorkerReport& r : shared->reports) {
        pg_atomic_init_u32(&r.state, kStarting);
        pg_atomic_init_u64(&r.rows, 0);
        pg_atomic_init_u64(&r.progress, 0);
    }
    shared->payload_size = static_cast<uint32>(payload.size());
    memcpy(shared->payload, payload.data(), payload.size());

    WorkerGroup group(shared);
    for (int32 i = 0; i < a.workers; ++i) group.start(segment, i);
    const TimestampTz started = GetCurrentTimestamp();
    TimestampTz last_report = started;
    for (;;) {
        int32 done = 0, failed = -1, vanished = -1;
        for (int32 i = 0; i < a.workers; ++i) {
            WorkerReport& r = shared->reports[i];
            uint32 state = pg_atomic_read_u32(&r.state);
            if (state != kDone && state != kFailed && group.gone(i)) {
                pg_read_barrier();
                state = pg_atomic_read_u32(&r.state);  // it may have reported just before it went
                if (state != kDone && state != kFailed && vanished < 0) vanished = i;
            }
            pg_read_barrier();
            if (state == kDone) ++done;
            if (state == kFailed && failed < 0) failed = i;
        }
        if (done == a.workers) break;
        if (failed >= 0 || vanished >= 0) {
            pg_atomic_write_u32(&shared->stop, 1);
            group.wait_all();
            throw worker_error(shared, failed, vanished);
        }
        const TimestampTz now = GetCurrentTimestamp();
        if (static_cast<double>(now - last_report) / 1e6 >= kProgressEverySeconds) {
            last_report = now;
            int64 rows = 0;
            uint64 slices = 0;  // each worker's share of its own slice, in millionths
            for (int32 i = 0; i < a.workers; ++i) {
                rows += static_cast<int64>(pg_atomic_read_u64(&shared->reports[i].rows));
                slices += pg_atomic_read_u64(&shared->reports[i].progress);
            }
            report_backfill_progress(static_cast<double>(slices) / a.workers / 1e4, rows,
                                     static_cast<double>(now - started) / 1e6);
        }
        pg_guard([] {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        });
    }
    group.wait_all();
    BackfillTotals totals;
    for (int32 i = 0; i < a.workers; ++i) totals.add(shared->reports[i].totals);
    pg_guard([&] { dsm_detach(segment); });
    return totals;
}

// ---- a worker ----------------------------------------------------------------------------------

namespace {

void tell_caller(SharedBackfill* shared) { SetLatch(&shared->caller->procLatch); }

void set_state(WorkerReport* r, WorkerState s) {
    pg_write_barrier();  // what the state announces first
    pg_atomic_write_u32(&r->state, s);
}

void check_stop(const SharedBackfill* shared) {
    if (pg_atomic_read_u32(const_cast<pg_atomic_uint32*>(&shared->stop)) != 0) throw StopRequested{};
}

// Every worker reads the database (products, existing users) before any writes: otherwise one
// would load as existing users those another has just written, and its history would differ.
void wait_until_all_loaded(SharedBackfill* shared) {
    pg_atomic_fetch_add_u32(&shared->loaded, 1);
    while (pg_atomic_read_u32(&shared->loaded) < static_cast<uint32>(shared->workers)) {
        check_stop(shared);
        pg_guard([] {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        });
    }
}

// The worker's share of the history, in transactions of its own: the load in one, then one per
// commit_rows rows. Every C++ object of the worker lives inside this call.
void write_share(SharedBackfill* shared, int32 index) {
    WorkerReport* report = &shared->reports[index];
    pg_guard([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, "thelook backfill worker: reading the schema");
    });
    const BackfillArgs a = unpack(shared->payload, shared->payload_size);
    BackfillRun run(a);
    // SPI_commit wants no snapshot left active; SPI statements (the ground truth) want one outside
    // them, which in a CALL the portal holds: here the worker's own, taken again after each commit.
    const auto commit = [] {
        pg_guard([] {
            PopActiveSnapshot();
            SPI_commit();
            PushActiveSnapshot(GetTransactionSnapshot());
        });
    };
    commit();
    set_state(report, kLoaded);
    wait_until_all_loaded(shared);
    pg_guard([] { pgstat_report_activity(STATE_RUNNING, "thelook backfill worker: writing its chunks"); });
    const auto after_chunk = [&](const BackfillTotals& t, double progress) {
        pg_atomic_write_u64(&report->rows, static_cast<uint64>(t.rows()));
        pg_atomic_write_u64(&report->progress, static_cast<uint64>(progress * 1e6));
        check_stop(shared);
    };
    report->totals = run.run(ChunkShare{index, a.workers}, commit, after_chunk);
    pg_guard([] {
        PopActiveSnapshot();
        SPI_finish();
        CommitTransactionCommand();
        pgstat_report_stat(false);
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

}  // namespace

void run_backfill_worker(uint32 handle, int32 index) {
    // A resource owner for the segment's mapping, as a parallel worker has.
    CurrentResourceOwner = ResourceOwnerCreate(nullptr, "thelook backfill worker");
    dsm_segment* segment = dsm_attach(handle);
    if (!segment) return;  // the caller has gone already
    dsm_pin_mapping(segment);
    auto* shared = static_cast<SharedBackfill*>(dsm_segment_address(segment));
    if (index < 0 || index >= shared->workers) return;
    WorkerReport* report = &shared->reports[index];

    // Connect as the caller's role: its privileges are the worker's. No C++ object is alive
    // here, so these calls may raise errors freely (a FATAL here: the caller sees the worker gone).
    BackgroundWorkerInitializeConnectionByOid(shared->database, shared->role, 0);
    char appname[64];
    snprintf(appname, sizeof appname, "thelook backfill worker %d of %d", index + 1, shared->workers);
    SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);
    SetConfigOption("TimeZone", shared->timezone, PGC_USERSET, PGC_S_SESSION);

    PendingError failure;
    bool stopped = false;
    capture_errors(&failure, [&] {
        try {
            write_share(shared, index);
        } catch (const StopRequested&) {
            stopped = true;
        }
    });
    if (stopped || failure.set) {
        AbortCurrentTransaction();
        if (failure.set) {
            copy_text(report->sqlstate, sizeof report->sqlstate, failure.sqlstate);
            copy_text(report->message, sizeof report->message, failure.message);
            copy_text(report->detail, sizeof report->detail, failure.detail);
            copy_text(report->hint, sizeof report->hint, failure.hint);
            ereport(LOG, (errmsg("thelook backfill worker %d of %d failed: %s", index + 1, shared->workers, failure.message)));
        }
        set_state(report, failure.set ? kFailed : kStopped);
        pg_atomic_write_u32(&shared->stop, 1);
    } else {
        // Its rows and CPU time in the server log: what the bench and an operator compare with a
        // serial back-fill's (every worker also generates the chunks it does not write).
        struct rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
        ereport(LOG, (errmsg("thelook backfill worker %d of %d: wrote %lld rows, %.2f s of CPU", index + 1, shared->workers,
                             static_cast<long long>(report->totals.rows()), cpu)));
        set_state(report, kDone);
    }
    tell_caller(shared);
}

}  // namespace thelook::pg
