#include "pg/bridge/guard.hpp"

#include <cstring>

namespace thelook::pg {

namespace {
void copy_text(char* dst, size_t size, const char* src) noexcept {
    strlcpy(dst, src ? src : "", size);
}
std::string or_empty(const char* s) { return s ? s : ""; }
}  // namespace

PgError::PgError(const ErrorData& e)
    : thelook::Error(SqlState::from_chars(unpack_sql_state(e.sqlerrcode)), e.message ? e.message : "error",
                     or_empty(e.detail), or_empty(e.hint)),
      sqlerrcode_(e.sqlerrcode), context_(or_empty(e.context)) {}

void PendingError::capture(const thelook::Error& e) noexcept {
    set = true;
    copy_text(sqlstate, sizeof sqlstate, e.code().c_str());
    copy_text(message, sizeof message, e.what());
    copy_text(detail, sizeof detail, e.detail().c_str());
    copy_text(hint, sizeof hint, e.hint().c_str());
    if (const auto* pg = dynamic_cast<const PgError*>(&e)) copy_text(context, sizeof context, pg->context().c_str());
}

void PendingError::capture(SqlState state, const char* msg) noexcept {
    set = true;
    copy_text(sqlstate, sizeof sqlstate, state.c_str());
    copy_text(message, sizeof message, msg);
}

void PendingError::raise() const {
    ereport(ERROR, (errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])),
                    errmsg_internal("%s", message), detail[0] ? errdetail_internal("%s", detail) : 0,
                    hint[0] ? errhint("%s", hint) : 0, context[0] ? errcontext("%s", context) : 0));
    pg_unreachable();
}

}  // namespace thelook::pg
