// SpiPlan: the owner of one prepared statement kept across transactions. prepare() prepares and
// SPI_keepplan's it; the destructor SPI_freeplan's it. Not copyable, movable (the moved-from plan
// is empty), so a plan has exactly one owner: it cannot leak, nor be freed twice, nor be used
// after its owner is gone without a dangling pointer being written out by hand (get()).
//
//     SpiPlan plan_ = prepare("SELECT ... WHERE id = $1", {TEXTOID});  // inside SPI
//     pg_guard([&] { SPI_execute_plan(plan_.get(), &arg, nullptr, true, 1); });
//
// An empty SpiPlan (default-constructed) is a statement prepared on first use: test it with
// `if (!plan_)`.
#pragma once

#include <string>
#include <vector>

#include "pg/bridge/postgres.hpp"

namespace thelook::pg {

class SpiPlan {
public:
    SpiPlan() noexcept = default;
    ~SpiPlan();
    SpiPlan(const SpiPlan&) = delete;
    SpiPlan& operator=(const SpiPlan&) = delete;
    SpiPlan(SpiPlan&& other) noexcept : plan_(other.plan_) { other.plan_ = nullptr; }
    SpiPlan& operator=(SpiPlan&& other) noexcept;

    // Prepares sql with the given parameter types and keeps the plan. Inside an SPI connection;
    // throws PgError when the statement does not prepare.
    friend SpiPlan prepare(const std::string& sql, std::vector<Oid> types);

    // The plan, for SPI_execute_plan; owned by this object, valid while it lives.
    SPIPlanPtr get() const noexcept { return plan_; }
    explicit operator bool() const noexcept { return plan_ != nullptr; }

private:
    explicit SpiPlan(SPIPlanPtr plan) noexcept : plan_(plan) {}
    void free() noexcept;
    SPIPlanPtr plan_ = nullptr;
};

SpiPlan prepare(const std::string& sql, std::vector<Oid> types);

}  // namespace thelook::pg
