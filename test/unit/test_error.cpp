// The error type the core raises: its SQLSTATE is a checked five-character code.
#include "fixtures.hpp"

#include "core/error.hpp"

using namespace thelook;

TEST_CASE("SqlState: named constants, codes from PostgreSQL, anything else is XX000", "[error]") {
    static_assert(sqlstate::kInvalidParameterValue == make_sqlstate("22023"), "constexpr comparison");
    CHECK(std::string(sqlstate::kUndefinedTable.c_str()) == "42P01");
    CHECK(SqlState::from_chars("57014") == make_sqlstate("57014"));
    CHECK(SqlState::from_chars("5701") == sqlstate::kInternal);     // too short
    CHECK(SqlState::from_chars("57a14") == sqlstate::kInternal);    // lower case is not a SQLSTATE
    CHECK(SqlState::from_chars(nullptr) == sqlstate::kInternal);
    CHECK_THROWS(make_sqlstate("2202x"));                           // a constant must be valid
}

TEST_CASE("Error owns its SQLSTATE, message, detail and hint", "[error]") {
    std::string message = "parameter \"n\" must not be negative";
    Error e(sqlstate::kInvalidParameterValue, message, "The value was -1.", "Pass a count.");
    message.assign(message.size(), 'x');  // the caller's buffer changes: the error keeps its copy
    CHECK(e.code() == sqlstate::kInvalidParameterValue);
    CHECK(e.sqlstate() == "22023");
    CHECK(std::string(e.what()) == "parameter \"n\" must not be negative");
    CHECK(e.detail() == "The value was -1.");
    CHECK(e.hint() == "Pass a count.");
}
