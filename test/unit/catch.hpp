// Catch2 for the unit tests, whichever major version Debian ships: v2 (bookworm, one header
// <catch2/catch.hpp>) or v3 (trixie and sid: split headers and a library, libCatch2.a, that the
// Makefile links). The tests include this file and use Approx and ContainsSubstring unqualified.
#pragma once

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
using Catch::Matchers::ContainsSubstring;
#else
#include <catch2/catch.hpp>
inline auto ContainsSubstring(const std::string& s) { return Catch::Matchers::Contains(s); }
#endif
