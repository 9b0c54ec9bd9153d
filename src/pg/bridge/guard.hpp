// Crossing the C++ / PostgreSQL boundary safely in both directions:
//  - pg_guard(f) runs PostgreSQL code that may ereport(ERROR); the longjmp is caught right there
//    and rethrown as a C++ PgError, so it never skips a C++ destructor. f must not itself create
//    C++ objects with destructors (it works on data owned by the caller).
//  - entry<Body>(fcinfo) runs a C++ body for an SQL-callable function; any exception is turned
//    into ereport(ERROR) only after the C++ stack has unwound, keeping its SQLSTATE and hint.
#pragma once

#include <exception>
#include <new>
#include <type_traits>

#include "core/error.hpp"
#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) : edata_(edata) {}
    ErrorData* edata() const { return edata_; }
    const char* what() const noexcept override { return edata_->message ? edata_->message : "error"; }

private:
    ErrorData* edata_;  // palloc'd in the memory context that was current when pg_guard ran
};

// Runs f, catching a PostgreSQL error; returns it (copied into the caller's memory context) or null.
template <typename F>
ErrorData* run_catching(F& f) {
    MemoryContext context = CurrentMemoryContext;
    ErrorData* volatile edata = nullptr;
    PG_TRY();
    { f(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        edata = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    return edata;
}

template <typename F>
auto pg_guard(F&& f) -> decltype(f()) {
    using R = decltype(f());
    if constexpr (std::is_void_v<R>) {
        if (ErrorData* edata = run_catching(f)) throw PgError(edata);
    } else {
        static_assert(std::is_trivially_copyable_v<R>, "pg_guard returns plain values only");
        R result{};
        auto store = [&] { result = f(); };
        if (ErrorData* edata = run_catching(store)) throw PgError(edata);
        return result;
    }
}

// Raises the error that a C++ exception stands for. Call only with no C++ object alive on the
// stack between here and the caller's PostgreSQL frame.
struct PendingError {
    ErrorData* pg = nullptr;
    bool set = false;
    char sqlstate[6] = "XX000";
    char message[1024] = "";
    char detail[1024] = "";
    char hint[1024] = "";

    void capture(const thelook::Error& e) noexcept;
    void capture(const char* sqlstate, const char* message) noexcept;
    [[noreturn]] void raise() const;
};

template <Datum (*Body)(FunctionCallInfo)>
Datum entry(FunctionCallInfo fcinfo) {
    PendingError pending;
    Datum result = 0;
    try {
        result = Body(fcinfo);
    } catch (const PgError& e) {
        pending.pg = e.edata();
    } catch (const thelook::Error& e) {
        pending.capture(e);
    } catch (const std::bad_alloc&) {
        pending.capture("53200", "out of memory in thelook_datagen");
    } catch (const std::exception& e) {
        pending.capture("XX000", e.what());
    } catch (...) {
        pending.capture("XX000", "unexpected C++ exception in thelook_datagen");
    }
    if (pending.pg || pending.set) pending.raise();
    return result;
}

}  // namespace thelook::pg

// Declares an SQL-callable function whose body is thelook::pg::BODY(FunctionCallInfo).
#define THELOOK_SQL_FUNCTION(sql_name, body)                                                      \
    extern "C" {                                                                                \
    PG_FUNCTION_INFO_V1(sql_name);                                                              \
    Datum sql_name(PG_FUNCTION_ARGS) { return thelook::pg::entry<thelook::pg::body>(fcinfo); } \
    }
