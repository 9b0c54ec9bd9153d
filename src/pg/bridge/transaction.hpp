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

}  // namespace thelook::pg
