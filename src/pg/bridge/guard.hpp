// Crossing the C++ / PostgreSQL boundary safely in both directions:
//  - pg_guard(f) runs PostgreSQL code that may ereport(ERROR); the longjmp is caught right there
//    and rethrown as a C++ PgError, so it never skips a C++ destructor. f must not itself create
//    C++ objects with destructors (it works on data owned by the caller): build strings, vectors
//    and the like before the call and pass them in. A C++ exception that does escape f (bad_alloc,
//    a nested pg_guard's PgError) is safe: ErrorStacks puts PostgreSQL's error stacks back.
//  - entry<Body>(fcinfo) runs a C++ body for an SQL-callable function; any exception is turned
//    into ereport(ERROR) only after the C++ stack has unwound, keeping its SQLSTATE and hint.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <type_traits>

#include "core/error.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

// PostgreSQL's error-handling state, saved on construction and put back on destruction. PG_TRY
// restores PG_exception_stack only when its block ends normally or by longjmp; a C++ exception
// leaving the block would leave it pointing at a dead stack frame, and the next ERROR would jump
// there. With one of these alive around the PG_TRY, leaving by exception restores it too.
class ErrorStacks {
public:
    ErrorStacks() noexcept : exception_stack_(PG_exception_stack), context_stack_(error_context_stack) {}
    ~ErrorStacks() { restore(); }
    ErrorStacks(const ErrorStacks&) = delete;
    ErrorStacks& operator=(const ErrorStacks&) = delete;
    void restore() const noexcept {
        PG_exception_stack = exception_stack_;
        error_context_stack = context_stack_;
    }

private:
    sigjmp_buf* exception_stack_;
    ErrorContextCallback* context_stack_;
};

// A PostgreSQL error caught by pg_guard. It owns copies of the SQLSTATE, message, detail, hint and
// context: the ErrorData they came from lived in a memory context that the next transaction abort
// frees, so what() stays valid after AbortCurrentTransaction().
class PgError : public thelook::Error {
public:
    explicit PgError(const ErrorData& e);
    int sqlerrcode() const { return sqlerrcode_; }
    const std::string& context() const { return context_; }

private:
    int sqlerrcode_;
    std::string context_;
};

// Runs f; a PostgreSQL error raised in it is thrown as a PgError once PG_TRY has ended.
template <typename F>
void run_guarded(F& f) {
    const ErrorStacks saved;  // f may throw a C++ exception out of the PG_TRY block
    MemoryContext context = CurrentMemoryContext;
    ErrorData* volatile caught = nullptr;
    PG_TRY();
    { f(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        caught = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (caught) {
        PgError error(*caught);
        FreeErrorData(caught);
        throw error;
    }
}

template <typename F>
auto pg_guard(F&& f) -> decltype(f()) {
    using R = decltype(f());
    if constexpr (std::is_void_v<R>) {
        run_guarded(f);
    } else {
        static_assert(std::is_trivially_copyable_v<R>, "pg_guard returns plain values only");
        R result{};
        auto store = [&] { result = f(); };
        run_guarded(store);
        return result;
    }
}

// Raises the error that a C++ exception stands for. Call only with no C++ object alive on the
// stack between here and the caller's PostgreSQL frame. Fixed buffers: filling them cannot fail
// while the exception is being handled.
struct PendingError {
    bool set = false;
    char sqlstate[6] = "XX000";
    char message[1024] = "";
    char detail[1024] = "";
    char hint[1024] = "";
    char context[1024] = "";

    void capture(const thelook::Error& e) noexcept;
    void capture(SqlState sqlstate, const char* message) noexcept;
    [[noreturn]] void raise() const;
};

// Runs body; an exception leaving it is captured into *pending (body's C++ stack unwound).
template <typename F>
void capture_errors(PendingError* pending, F&& body) noexcept {
    try {
        body();
    } catch (const thelook::Error& e) {  // PgError too
        pending->capture(e);
    } catch (const std::bad_alloc&) {
        pending->capture(sqlstate::kOutOfMemory, "out of memory in thelook_datagen");
    } catch (const std::exception& e) {
        pending->capture(sqlstate::kInternal, e.what());
    } catch (...) {
        pending->capture(sqlstate::kInternal, "unexpected C++ exception in thelook_datagen");
    }
}

template <Datum (*Body)(FunctionCallInfo)>
Datum entry(FunctionCallInfo fcinfo) {
    PendingError pending;
    Datum result = 0;
    capture_errors(&pending, [&] { result = Body(fcinfo); });
    if (pending.set) pending.raise();
    return result;
}

}  // namespace thelook::pg

// Declares an SQL-callable function whose body is thelook::pg::BODY(FunctionCallInfo).
#define THELOOK_SQL_FUNCTION(sql_name, body)                                                      \
    extern "C" {                                                                                \
    PG_FUNCTION_INFO_V1(sql_name);                                                              \
    Datum sql_name(PG_FUNCTION_ARGS) { return thelook::pg::entry<thelook::pg::body>(fcinfo); } \
    }
