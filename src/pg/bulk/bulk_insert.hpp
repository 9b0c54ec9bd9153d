// COPY-like appends to a theLook table: rows go to the heap in batches through table_multi_insert
// (one WAL record per page, a bulk-insert buffer ring) and to every index through
// ExecInsertIndexTuples, with NOT NULL / CHECK constraints checked as COPY FROM does. Unique
// violations raise the usual 23505. Tables with row triggers, row-level security or partitions
// are refused with a hint (COPY-like paths do not fire our way around them).
#pragma once

#include <string>
#include <vector>

#include "core/entities.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

enum class BulkTable { Users, Orders, OrderItems, Events };

// Appends rows to schema.table; open() and close() bracket one transaction's use.
class TableAppender {
public:
    TableAppender(std::string schema, BulkTable table) : schema_(std::move(schema)), table_(table) {}

    void open();  // locks the table (RowExclusiveLock) and checks privileges and shape
    void append(const std::vector<User>& rows);
    void append(const std::vector<Order>& rows);
    void append(const std::vector<OrderItem>& rows);
    void append(const std::vector<Event>& rows);
    void close();  // flushes; the lock stays until the transaction ends

private:
    template <typename T, typename RowFn>
    void append_rows(const std::vector<T>& rows, RowFn row_fn);

    std::string schema_;
    BulkTable table_;
    Relation rel_ = nullptr;
    EState* estate_ = nullptr;
    ResultRelInfo* rri_ = nullptr;
    BulkInsertStateData* bistate_ = nullptr;
    TupleTableSlot** slots_ = nullptr;
    MemoryContext batch_context_ = nullptr;
    int map_[16] = {};  // our column i -> attribute index in the table
    int natts_ = 0;
    bool check_constraints_ = false;
};

}  // namespace thelook::pg
