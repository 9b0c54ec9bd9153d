#pragma once

#include <stdexcept>
#include <string>

namespace thelook {

// A SQLSTATE: five characters of [0-9A-Z]. Errors take this type, not a string, so a code is one of
// the named constants below (a typo'd literal does not compile as an Error's first argument).
class SqlState {
public:
    constexpr const char* c_str() const { return code_; }
    constexpr bool operator==(const SqlState& o) const {
        for (int i = 0; i < 5; ++i)
            if (code_[i] != o.code_[i]) return false;
        return true;
    }
    constexpr bool operator!=(const SqlState& o) const { return !(*this == o); }
    // From a code that PostgreSQL reported (the bridge's PgError); anything else is XX000.
    static SqlState from_chars(const char* five);

private:
    friend constexpr SqlState make_sqlstate(const char (&)[6]);
    constexpr SqlState() = default;
    char code_[6] = {'X', 'X', '0', '0', '0', '\0'};
};

constexpr SqlState make_sqlstate(const char (&code)[6]) {
    SqlState s;
    for (int i = 0; i < 5; ++i) {
        const char c = code[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) throw std::logic_error("bad SQLSTATE");
        s.code_[i] = c;
    }
    return s;
}

inline SqlState SqlState::from_chars(const char* five) {
    SqlState s;
    for (int i = 0; i < 5; ++i) {
        const char c = five ? five[i] : '\0';
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return SqlState();
        s.code_[i] = c;
    }
    return s;
}

// The SQLSTATEs the extension raises (PostgreSQL's errcodes.txt names).
namespace sqlstate {
inline constexpr SqlState kFeatureNotSupported = make_sqlstate("0A000");
inline constexpr SqlState kNullValueNotAllowed = make_sqlstate("22004");
inline constexpr SqlState kInvalidParameterValue = make_sqlstate("22023");
inline constexpr SqlState kInvalidTextRepresentation = make_sqlstate("22P02");
inline constexpr SqlState kActiveSqlTransaction = make_sqlstate("25001");
inline constexpr SqlState kInvalidSchemaName = make_sqlstate("3F000");
inline constexpr SqlState kInsufficientPrivilege = make_sqlstate("42501");
inline constexpr SqlState kUndefinedObject = make_sqlstate("42704");
inline constexpr SqlState kDuplicateObject = make_sqlstate("42710");
inline constexpr SqlState kDatatypeMismatch = make_sqlstate("42804");
inline constexpr SqlState kUndefinedTable = make_sqlstate("42P01");
inline constexpr SqlState kInsufficientResources = make_sqlstate("53000");
inline constexpr SqlState kOutOfMemory = make_sqlstate("53200");
inline constexpr SqlState kConfigurationLimitExceeded = make_sqlstate("53400");
inline constexpr SqlState kProgramLimitExceeded = make_sqlstate("54000");
inline constexpr SqlState kObjectNotInPrerequisiteState = make_sqlstate("55000");
inline constexpr SqlState kObjectInUse = make_sqlstate("55006");
inline constexpr SqlState kUndefinedFile = make_sqlstate("58P01");
inline constexpr SqlState kInternal = make_sqlstate("XX000");
inline constexpr SqlState kDataCorrupted = make_sqlstate("XX001");
}  // namespace sqlstate

// A user-facing error raised by the core. The bridge turns it into ereport(ERROR) with the
// SQLSTATE, message, detail and hint it carries, after the C++ stack has unwound. It owns its
// strings: nothing in it points into memory that PostgreSQL may free.
class Error : public std::runtime_error {
public:
    Error(SqlState sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), sqlstate_(sqlstate), detail_(std::move(detail)), hint_(std::move(hint)) {}

    SqlState code() const { return sqlstate_; }
    std::string sqlstate() const { return sqlstate_.c_str(); }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }

private:
    SqlState sqlstate_;
    std::string detail_;
    std::string hint_;
};

}  // namespace thelook
