// SimulationParams::validate: defaults pass, every invalid value is named in a 22023 error.
#include <functional>
#include <limits>

#include "core/simulation_params.hpp"
#include "fixtures.hpp"

using namespace thelook;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

struct Invalid {
    const char* parameter;  // as named in the error
    std::function<void(SimulationParams&)> set;
};
}  // namespace

TEST_CASE("SimulationParams: the defaults are the reference defaults and validate", "[params]") {
    const SimulationParams p;
    CHECK(p.avg_qps == dist::kDefaultAvgQps);
    CHECK(p.max_iter == -1);
    CHECK(p.user_create_prob == dist::kDefaultUserCreateProb);
    CHECK(p.user_update_prob == dist::kDefaultUserUpdateProb);
    CHECK(p.order_update_prob == dist::kDefaultOrderUpdateProb);
    CHECK(p.ghost_create_prob == dist::kDefaultGhostCreateProb);
    CHECK(p.country == "*");
    CHECK(p.state == "*");
    CHECK(p.postal_code == "*");
    CHECK_NOTHROW(p.validate());
}

TEST_CASE("SimulationParams: boundary values are accepted", "[params]") {
    SimulationParams p;
    p.max_iter = 1;
    p.user_create_prob = 0;
    p.user_update_prob = 1;
    p.order_update_prob = 0;
    p.ghost_create_prob = 1;
    p.duration_seconds = 0;
    p.heartbeat_interval_seconds = 0;
    p.avg_qps = 1e-6;
    CHECK_NOTHROW(p.validate());
    p.max_iter = std::numeric_limits<int64_t>::max();
    p.avg_qps = 1e6;
    p.duration_seconds = 86400;
    p.heartbeat_interval_seconds = 0.5;
    CHECK_NOTHROW(p.validate());
}

TEST_CASE("SimulationParams: each invalid value throws 22023 naming the parameter", "[params]") {
    std::vector<Invalid> cases = {
        {"avg_qps", [](SimulationParams& p) { p.avg_qps = 0; }},
        {"avg_qps", [](SimulationParams& p) { p.avg_qps = -1; }},
        {"avg_qps", [](SimulationParams& p) { p.avg_qps = kNaN; }},
        {"avg_qps", [](SimulationParams& p) { p.avg_qps = kInf; }},
        {"avg_qps", [](SimulationParams& p) { p.avg_qps = -kInf; }},
        {"max_iter", [](SimulationParams& p) { p.max_iter = 0; }},
        {"max_iter", [](SimulationParams& p) { p.max_iter = -2; }},
        {"max_iter", [](SimulationParams& p) { p.max_iter = std::numeric_limits<int64_t>::min(); }},
        {"duration", [](SimulationParams& p) { p.duration_seconds = -1; }},
        {"duration", [](SimulationParams& p) { p.duration_seconds = kNaN; }},
        {"duration", [](SimulationParams& p) { p.duration_seconds = kInf; }},
        {"heartbeat_interval", [](SimulationParams& p) { p.heartbeat_interval_seconds = -0.001; }},
        {"heartbeat_interval", [](SimulationParams& p) { p.heartbeat_interval_seconds = kNaN; }},
    };
    const std::pair<const char*, double SimulationParams::*> probabilities[] = {
        {"user_create_prob", &SimulationParams::user_create_prob},
        {"user_update_prob", &SimulationParams::user_update_prob},
        {"order_update_prob", &SimulationParams::order_update_prob},
        {"ghost_create_prob", &SimulationParams::ghost_create_prob},
    };
    for (const auto& prob : probabilities)
        for (double bad : {-0.01, 1.01, -kInf, kInf, kNaN})
            cases.push_back({prob.first, [member = prob.second, bad](SimulationParams& p) { p.*member = bad; }});

    for (const auto& c : cases) {
        SimulationParams p;
        c.set(p);
        INFO("parameter " << c.parameter);
        fixtures::check_error([&] { p.validate(); }, sqlstate::kInvalidParameterValue,
                              std::string("\"") + c.parameter + "\"");
    }
}

TEST_CASE("check_probability and check_positive_finite", "[params]") {
    CHECK_NOTHROW(check_probability(0.0, "p"));
    CHECK_NOTHROW(check_probability(1.0, "p"));
    fixtures::check_error([] { check_probability(1.5, "my_prob"); }, sqlstate::kInvalidParameterValue, "my_prob");
    CHECK_NOTHROW(check_positive_finite(0.001, "r"));
    fixtures::check_error([] { check_positive_finite(0.0, "my_rate"); }, sqlstate::kInvalidParameterValue, "my_rate");
}

TEST_CASE("parse_id_format: uuid4, uuid7, and a 22023 error naming id_format otherwise", "[params]") {
    CHECK(parse_id_format("uuid4") == IdFormat::Uuid4);
    CHECK(parse_id_format("uuid7") == IdFormat::Uuid7);
    CHECK(SimulationParams().ids == IdFormat::Uuid4);
    for (IdFormat f : {IdFormat::Uuid4, IdFormat::Uuid7}) CHECK(parse_id_format(id_format_name(f)) == f);
    for (const char* bad : {"", "UUID7", "uuid8", "uuid7 "})
        fixtures::check_error([&] { parse_id_format(bad); }, sqlstate::kInvalidParameterValue, "id_format");
}
