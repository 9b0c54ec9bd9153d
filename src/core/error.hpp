#pragma once

#include <stdexcept>
#include <string>

namespace thelook {

// A user-facing error raised by the core. The bridge turns it into ereport(ERROR) with the
// SQLSTATE, message, detail and hint it carries, after the C++ stack has unwound.
class Error : public std::runtime_error {
public:
    Error(std::string sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)), detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    const std::string& sqlstate() const { return sqlstate_; }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }

private:
    std::string sqlstate_;  // five characters, e.g. "22023"
    std::string detail_;
    std::string hint_;
};

namespace sqlstate {
inline constexpr const char* kInvalidParameterValue = "22023";
inline constexpr const char* kInvalidTextRepresentation = "22P02";
inline constexpr const char* kUndefinedFile = "58P01";
inline constexpr const char* kDataCorrupted = "XX001";
inline constexpr const char* kInternal = "XX000";
}  // namespace sqlstate

}  // namespace thelook
