// One unit of work of a background process (a simulation worker, the launcher, a resumer), in
// the bracket worker_spi uses: a transaction, an SPI connection, an active snapshot and the
// activity shown in pg_stat_activity. commit() ends it; destroyed without a commit (an exception
// left the scope, or commit() itself failed), it aborts. So no path can leave a transaction open
// or forget its SPI connection.
//
//     Transaction tx("thelook simulation: heartbeat");
//     ... statements through pg_guard ...
//     tx.commit();
//
// Only for processes that own their transactions: an SQL function runs in its caller's.
#pragma once

#include "pg/bridge/postgres.hpp"

extern "C" {
#include "utils/resowner.h"
}

namespace thelook::pg {

class Transaction {
public:
    explicit Transaction(const char* activity);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Throws PgError when the commit fails; the transaction is then aborted by the destructor.
    void commit();
    // Ends it now (e.g. before a retry that starts another); the destructor then does nothing.
    void abort() noexcept;
    bool open() const { return open_; }

private:
    bool open_ = false;
};

// Runs f in an internal subtransaction, as a PL/pgSQL block with an EXCEPTION clause does: when f
// returns, the subtransaction is released (its changes join the enclosing transaction's); when it
// throws, it is rolled back (its changes undone) and the exception goes on to the caller. Either
// way the caller's memory context and resource owner are put back. f is C++ code whose calls into
// PostgreSQL go through pg_guard; whatever PostgreSQL resources it holds when it throws (relations,
// pins, locks) are released by the rollback, so it must not release them again afterwards.
struct SubtransactionScope {
    MemoryContext context;
    ResourceOwner owner;
};
SubtransactionScope begin_subtransaction();
void end_subtransaction(const SubtransactionScope& scope, bool release);

template <typename F>
void in_subtransaction(F&& f) {
    const SubtransactionScope scope = begin_subtransaction();
    try {
        f();
    } catch (...) {
        end_subtransaction(scope, false);
        throw;
    }
    end_subtransaction(scope, true);
}

}  // namespace thelook::pg
