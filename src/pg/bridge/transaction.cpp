#include "pg/bridge/transaction.hpp"

#include "pg/bridge/guard.hpp"

namespace thelook::pg {

Transaction::Transaction(const char* activity) {
    pg_guard([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
    });
    open_ = true;
    try {
        pg_guard([&] {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            PushActiveSnapshot(GetTransactionSnapshot());
            pgstat_report_activity(STATE_RUNNING, activity);
        });
    } catch (...) {
        abort();
        throw;
    }
}

Transaction::~Transaction() { abort(); }

void Transaction::commit() {
    pg_guard([] {
        SPI_finish();
        PopActiveSnapshot();
        CommitTransactionCommand();
    });
    open_ = false;
    pg_guard([] {
        pgstat_report_stat(false);
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

void Transaction::abort() noexcept {
    if (!open_) return;
    open_ = false;
    // The abort releases the SPI connection and the snapshot with the transaction. An error while
    // aborting leaves nothing better to do than to carry on: the next StartTransactionCommand
    // reports the state it finds.
    try {
        pg_guard([] {
            AbortCurrentTransaction();
            pgstat_report_activity(STATE_IDLE, nullptr);
        });
    } catch (...) {
    }
}


SubtransactionScope begin_subtransaction() {
    SubtransactionScope scope{CurrentMemoryContext, CurrentResourceOwner};
    pg_guard([&] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(scope.context);
    });
    return scope;
}

void end_subtransaction(const SubtransactionScope& scope, bool release) {
    pg_guard([&] {
        if (release)
            ReleaseCurrentSubTransaction();
        else
            RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(scope.context);
        CurrentResourceOwner = scope.owner;
    });
}

}  // namespace thelook::pg
