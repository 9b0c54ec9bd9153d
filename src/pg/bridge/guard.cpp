#include "pg/bridge/guard.hpp"

#include <cstring>

namespace thelook::pg {

namespace {
void copy_text(char* dst, size_t size, const char* src) noexcept {
    strlcpy(dst, src ? src : "", size);
}
}  // namespace

void PendingError::capture(const thelook::Error& e) noexcept {
    set = true;
    copy_text(sqlstate, sizeof sqlstate, e.sqlstate().size() == 5 ? e.sqlstate().c_str() : "XX000");
    copy_text(message, sizeof message, e.what());
    copy_text(detail, sizeof detail, e.detail().c_str());
    copy_text(hint, sizeof hint, e.hint().c_str());
}

void PendingError::capture(const char* state, const char* msg) noexcept {
    set = true;
    copy_text(sqlstate, sizeof sqlstate, state);
    copy_text(message, sizeof message, msg);
}

void PendingError::raise() const {
    if (pg) ReThrowError(pg);
    ereport(ERROR, (errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])),
                    errmsg_internal("%s", message), detail[0] ? errdetail_internal("%s", detail) : 0,
                    hint[0] ? errhint("%s", hint) : 0));
    pg_unreachable();
}

}  // namespace thelook::pg
