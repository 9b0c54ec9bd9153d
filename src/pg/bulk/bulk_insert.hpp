// COPY-like appends to a theLook table: rows go to the heap in batches through table_multi_insert
// (one WAL record per page) and to every index through ExecInsertIndexTuples, with NOT NULL /
// CHECK constraints checked as COPY FROM does. Unique violations raise the usual 23505. The
// back-fill (open()) refuses with a hint the tables this cannot write as INSERT would (INSERT
// triggers, rules, row-level security, partitions, generated columns); the live writer
// (try_open()) writes those through INSERT instead, except a file feed's capture trigger: it
// opens such a table and keeps the inserted rows for the writer to log (feeds/feed_log_writer.hpp).
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
    // relation: the table's name when it is not theLook's (a Citus shard relation, shard_tables.hpp).
    TableAppender(std::string schema, BulkTable table, std::string relation = "")
        : schema_(std::move(schema)), table_(table), relation_(std::move(relation)) {}

    void open();  // locks the table (RowExclusiveLock) and checks privileges and shape
    // The live writer's open(): false, with nothing left open, when the table must be written by
    // INSERT (the executor): any of open()'s refusals, no INSERT privilege on the table (INSERT
    // then raises its own error, column privileges included), a table that is not a heap or is a
    // Citus table (a shell whose rows live in shards). A missing table is false too. No bulk-insert
    // buffer ring: a live table's pages stay in shared buffers, as INSERT leaves them. A table whose
    // only INSERT trigger is a file feed's capture trigger (enabled, fired as on an origin) opens:
    // the appender then keeps each appended row, for the caller to log as the trigger would have.
    bool try_open();
    // Whether the rows appended since the last captured_rows() must go to the schema's feed log.
    bool captures() const { return captures_; }
    // The rows appended since the last call, as they went into the table: an array of the table's
    // row type (row_array_type()), in insertion order, in the caller's memory context. Then forgets them.
    Datum captured_rows();
    Oid row_array_type() const { return row_array_type_; }
    void append(const std::vector<User>& rows);
    void append(const std::vector<Order>& rows);
    void append(const std::vector<OrderItem>& rows);
    void append(const std::vector<Event>& rows);
    void close();  // flushes; the lock stays until the transaction ends

private:
    enum class Problem { Ok, Missing, NotPlain, Rls, Triggers, Generated, Shape, NoPrivilege, NotHeap, Citus };
    Problem open_table(bool live, char* detail, size_t detail_size);
    template <typename T, typename RowFn>
    void append_rows(const std::vector<T>& rows, RowFn row_fn);

    std::string schema_;
    BulkTable table_;
    std::string relation_;
    Relation rel_ = nullptr;
    EState* estate_ = nullptr;
    ResultRelInfo* rri_ = nullptr;
    BulkInsertStateData* bistate_ = nullptr;
    TupleTableSlot** slots_ = nullptr;
    TupleDesc slot_desc_ = nullptr;
    MemoryContext batch_context_ = nullptr;
    int map_[16] = {};  // our column i -> attribute index in the table
    int natts_ = 0;
    int nslots_ = 0;  // slots_[0 .. nslots_) made so far: as many as the largest batch needed
    bool check_constraints_ = false;
    // Feed capture (try_open() only): the appended rows as composite datums, kept in capture_context_.
    bool captures_ = false;
    Oid row_type_ = InvalidOid, row_array_type_ = InvalidOid;
    MemoryContext capture_context_ = nullptr;
    Datum* captured_ = nullptr;
    int ncaptured_ = 0, captured_size_ = 0;
};

}  // namespace thelook::pg
