// CALL thelook.backfill_in_chunks(..., workers => N): one history written by N background workers.
// Each worker generates the whole history from the seed and writes the chunks k with
// k mod N == its number (backfill_run.hpp), committing its own; so the tables end up with exactly
// the rows the serial back-fill writes. The caller commits before it starts them (it holds no lock
// they could wait on), and the workers read what the history depends on (products, existing users)
// before any of them writes. They run as the calling role; the first error in one stops the others
// and is raised in the caller with its SQLSTATE.
#pragma once

#include "pg/bulk/backfill_run.hpp"

namespace thelook::pg {

// Throws 22023 unless 1 <= workers <= kMaxBackfillWorkers.
inline constexpr int32 kMaxBackfillWorkers = 16;
void check_backfill_workers(int32 workers);

// In a nonatomic CALL with SPI connected: commits, starts a.workers workers, waits for them, and
// returns their totals together. Refuses (0A000) what cannot be written in parallel.
BackfillTotals run_parallel_backfill(const BackfillArgs& a);

// The workers' main (bgw_main_arg: the DSM handle; bgw_extra: the worker's number).
void run_backfill_worker(uint32 handle, int32 index);

}  // namespace thelook::pg
