// Checks shared by the unit tests of the scenario's sections.
#pragma once

#include "catch.hpp"

#include <string>

#include "core/error.hpp"
#include "core/scenario.hpp"

namespace thelook::testing {

// parse_scenario(doc) throws thelook::Error 22023 whose message starts with "<path>: " (the exact
// path, not a prefix of a longer one), mentions `what`, and carries a hint.
inline void check_scenario_rejects(const std::string& doc, const std::string& path, const std::string& what = "") {
    INFO("document: " << doc);
    bool thrown = false;
    try {
        parse_scenario(doc);
    } catch (const Error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO("message: " << m);
        CHECK(e.sqlstate() == "22023");
        CHECK(m.rfind(path + ": ", 0) == 0);
        if (!what.empty()) CHECK(m.find(what) != std::string::npos);
        CHECK_FALSE(e.hint().empty());
    }
    INFO("expected 22023 at " << path);
    CHECK(thrown);
}

}  // namespace thelook::testing
