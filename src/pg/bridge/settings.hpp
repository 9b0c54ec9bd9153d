// The thelook.* configuration parameters (GUCs).
#pragma once

namespace thelook::pg::settings {

extern int max_simulations;            // slots in shared memory (postmaster)
extern int max_iterations_per_transaction;
extern int max_transaction_span_ms;    // arrivals one transaction may hold
extern bool synchronous_commit;        // of the workers' own transactions
extern bool auto_resume;               // the launcher resumes simulations after a start
extern bool persist_progress;          // workers commit their progress with every transaction
extern bool direct_inserts;            // new rows to the heap and indexes, as COPY (upserts.cpp)
extern bool direct_picks;              // picks as index scans without the executor (index_picks.cpp)
extern bool keep_scans_open;           // the direct picks', moves' and takes' relations and scans kept open
extern bool direct_updates;            // lifecycle moves on the heap without the executor (order_moves.cpp)
extern bool direct_takes;              // inventory takes without the executor (item_take.cpp)
extern double catch_up_speed;          // on_resume 'catch_up': at most this many times avg_qps

// preloading: called from shared_preload_libraries (only then is thelook.max_simulations defined).
void define(bool preloading);

}  // namespace thelook::pg::settings
