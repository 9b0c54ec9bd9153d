#include "pg/bridge/spi_plan.hpp"

#include "pg/bridge/guard.hpp"

namespace thelook::pg {

SpiPlan::~SpiPlan() { free(); }

SpiPlan& SpiPlan::operator=(SpiPlan&& other) noexcept {
    if (this != &other) {
        free();
        plan_ = other.plan_;
        other.plan_ = nullptr;
    }
    return *this;
}

// SPI_freeplan needs no SPI connection: a kept plan lives under CacheMemoryContext.
void SpiPlan::free() noexcept {
    if (plan_) SPI_freeplan(plan_);
    plan_ = nullptr;
}

SpiPlan prepare(const std::string& sql, std::vector<Oid> types) {
    SPIPlanPtr plan = pg_guard([&] {
        SPIPlanPtr p = SPI_prepare(sql.c_str(), static_cast<int>(types.size()), types.data());
        if (p == nullptr)
            elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql.c_str(), SPI_result_code_string(SPI_result));
        SPI_keepplan(p);
        return p;
    });
    return SpiPlan(plan);
}

}  // namespace thelook::pg
