#include "pg/bulk/bulk_functions.hpp"

#include <string>
#include <vector>

#include "core/bulk_generator.hpp"
#include "core/entity_generator.hpp"
#include "core/error.hpp"
#include "core/simulation_params.hpp"
#include "pg/bridge/catalog_files.hpp"
#include "pg/bridge/datum.hpp"
#include "pg/bridge/scenario_bridge.hpp"
#include "pg/writers/table_rows.hpp"

namespace thelook::pg {

namespace {

constexpr size_t kRowsPerGuard = 1024;

struct Window {
    Micros start, end;
};

// start_at / end_at arguments: both NULL = the transaction's start time for every row.
Window arg_window(FunctionCallInfo fcinfo, int start_arg, int end_arg) {
    const Micros now = from_timestamptz(GetCurrentTransactionStartTimestamp());
    Window w{now, now};
    if (!PG_ARGISNULL(start_arg)) w.start = from_timestamptz(PG_GETARG_TIMESTAMPTZ(start_arg));
    if (!PG_ARGISNULL(end_arg)) w.end = from_timestamptz(PG_GETARG_TIMESTAMPTZ(end_arg));
    if (!PG_ARGISNULL(start_arg) && PG_ARGISNULL(end_arg) && w.start > now) w.end = w.start;
    if (w.end < w.start)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"end_at\" is before \"start_at\"", "",
                    "Pass an end_at later than start_at.");
    return w;
}

struct Sharding {
    int32 shard, shards;
    bool owns(int64 i) const { return i % shards == shard; }
};

Sharding arg_sharding(FunctionCallInfo fcinfo, int shard_arg, int shards_arg) {
    Sharding s{PG_ARGISNULL(shard_arg) ? 0 : PG_GETARG_INT32(shard_arg),
               PG_ARGISNULL(shards_arg) ? 1 : PG_GETARG_INT32(shards_arg)};
    if (s.shards < 1)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"shards\" must be at least 1", "",
                    "Pass shards => 1 for the whole data set.");
    if (s.shard < 0 || s.shard >= s.shards)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"shard\" must be between 0 and shards - 1",
                    "shard was " + std::to_string(s.shard) + " and shards " + std::to_string(s.shards) + ".",
                    "Number the shards 0, 1, ..., shards - 1.");
    return s;
}

int64 arg_count(FunctionCallInfo fcinfo, int n) {
    int64 count = PG_ARGISNULL(n) ? 0 : PG_GETARG_INT64(n);
    if (count < 0)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"n\" must not be negative",
                    "The value was " + std::to_string(count) + ".", "Pass the number of rows to generate.");
    return count;
}

// The scenario argument n (absent from a 1.0 definition): shapes when orders and sessions come.
// Each section applies or is refused (check_data_set_scenario), never ignored.
template <typename Set>
void apply_scenario(FunctionCallInfo fcinfo, int n, Set& set, DataSet kind, const char* function) {
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return;
    const ResolvedScenario r = resolve_scenario_argument(arg_text(fcinfo, n, "reference"));
    check_data_set_scenario(r.scenario, kind, function);
    set.set_scenario(r.scenario, r.zone);
}

// Arguments shared by generate_users and generate_sessions:
// (n, seed, country, state, postal_code, start_at, end_at, shard, shards).
struct EntityArgs {
    int64 n;
    uint64 seed;
    std::string country, state, postal_code;
    Window window;
    Sharding sharding;
};

EntityArgs entity_args(FunctionCallInfo fcinfo) {
    return EntityArgs{arg_count(fcinfo, 0),          arg_seed(fcinfo, 1),          arg_text(fcinfo, 2, "*"),
                      arg_text(fcinfo, 3, "*"),       arg_text(fcinfo, 4, "*"),     arg_window(fcinfo, 5, 6),
                      arg_sharding(fcinfo, 7, 8)};
}

}  // namespace

// One of the catalogue's lists as rows.
template <typename T, typename RowFn>
Datum catalog_rows(FunctionCallInfo fcinfo, const std::vector<T> Catalog::*list, RowFn row_fn) {
    const Catalog& catalog = installed_catalog();
    SrfOutput out = begin_materialized_srf(fcinfo);
    pg_guard([&] { put_rows(out, catalog.*list, row_fn); });
    return 0;
}

Datum products(FunctionCallInfo fcinfo) { return catalog_rows(fcinfo, &Catalog::products, product_row); }
Datum dist_centers(FunctionCallInfo fcinfo) { return catalog_rows(fcinfo, &Catalog::dist_centers, dist_center_row); }
Datum locations(FunctionCallInfo fcinfo) { return catalog_rows(fcinfo, &Catalog::locations, location_row); }

// generate_users(n, seed, country, state, postal_code, start_at, end_at, shard, shards).
// Row i is drawn from its own stream derive_seed(seed, i), so shards are disjoint slices of one
// data set and their union equals the unsharded output.
Datum generate_users(FunctionCallInfo fcinfo) {
    const EntityArgs a = entity_args(fcinfo);
    const int64 n = a.n;
    const uint64 seed = a.seed;
    const Window window = a.window;
    const Sharding sharding = a.sharding;
    const Catalog& catalog = installed_catalog();
    LocationSampler sampler(catalog.locations, a.country, a.state, a.postal_code);
    EntityGenerator gen(catalog.names, catalog.products, sampler, seed);

    SrfOutput out = begin_materialized_srf(fcinfo);
    std::vector<User> batch;
    batch.reserve(kRowsPerGuard);
    const double step = n > 1 ? static_cast<double>(window.end - window.start) / static_cast<double>(n - 1) : 0.0;
    for (int64 i = 0; i < n; ++i) {
        if (!sharding.owns(i)) continue;
        gen.rng().reseed(Rng::derive_seed(seed, static_cast<uint64>(i)));
        batch.push_back(gen.new_user(window.start + static_cast<Micros>(step * static_cast<double>(i))));
        if (batch.size() == kRowsPerGuard || i == n - 1) {
            pg_guard([&] {
                CHECK_FOR_INTERRUPTS();
                put_rows(out, batch, user_row);
            });
            batch.clear();
        }
    }
    if (!batch.empty()) pg_guard([&] { put_rows(out, batch, user_row); });
    return 0;
}

namespace {

// Arguments of generate_orders / generate_order_items / generate_events:
// (n, seed, users, country, state, postal_code, start_at, end_at, as_of, shard, shards, id_format).
enum class OrderPart { Orders, Items, Events };

Datum generate_order_part(FunctionCallInfo fcinfo, OrderPart part) {
    const int64 n = arg_count(fcinfo, 0);
    const uint64 seed = arg_seed(fcinfo, 1);
    const int64 users = PG_ARGISNULL(2) ? 1000 : PG_GETARG_INT64(2);
    const std::string country = arg_text(fcinfo, 3, "*"), state = arg_text(fcinfo, 4, "*"),
                      postal_code = arg_text(fcinfo, 5, "*");
    const Window window = arg_window(fcinfo, 6, 7);
    const Micros as_of = PG_ARGISNULL(8) ? window.end : from_timestamptz(PG_GETARG_TIMESTAMPTZ(8));
    const Sharding sharding = arg_sharding(fcinfo, 9, 10);
    const Catalog& catalog = installed_catalog();
    LocationSampler sampler(catalog.locations, country, state, postal_code);
    OrderSet set(catalog.names, catalog.products, sampler, seed, users, TimeWindow{window.start, window.end}, as_of);
    set.set_id_format(parse_id_format(arg_text(fcinfo, 11, "uuid4")));
    apply_scenario(fcinfo, 12, set, DataSet::Orders,
                   part == OrderPart::Orders ? "generate_orders" : part == OrderPart::Items ? "generate_order_items" : "generate_events");

    SrfOutput out = begin_materialized_srf(fcinfo);
    // Each order's rows go to the tuplestore as soon as they are made, from the order itself:
    // batching 1024 orders moved each row again, freed thousands of strings at once (malloc's slow
    // paths) and read them back from outside the cache (put_texts' copies were 4 % of
    // generate_events). The next order() reuses the events (EventPool).
    size_t since_check = 0;
    for (int64 i = sharding.shard; i < n; i += sharding.shards) {
        const Purchase& p = set.order(i, part == OrderPart::Events, part != OrderPart::Orders);
        const bool check = ++since_check == kRowsPerGuard;
        if (check) since_check = 0;
        pg_guard([&] {
            if (check) CHECK_FOR_INTERRUPTS();
            switch (part) {
                case OrderPart::Orders:
                    if (!p.order.id.empty()) put_row(out, p.order, order_row);  // empty: its checkout failed
                    break;
                case OrderPart::Items:
                    put_rows(out, p.items, order_item_row);
                    break;
                case OrderPart::Events:
                    put_rows(out, p.events, event_row);
                    break;
            }
        });
    }
    return 0;
}

}  // namespace

Datum generate_orders(FunctionCallInfo fcinfo) { return generate_order_part(fcinfo, OrderPart::Orders); }
Datum generate_order_items(FunctionCallInfo fcinfo) { return generate_order_part(fcinfo, OrderPart::Items); }
Datum generate_events(FunctionCallInfo fcinfo) { return generate_order_part(fcinfo, OrderPart::Events); }

// generate_sessions(n, seed, country, state, postal_code, start_at, end_at, shard, shards):
// anonymous sessions, session i from its own stream, ending at evenly spread times.
Datum generate_sessions(FunctionCallInfo fcinfo) {
    const EntityArgs a = entity_args(fcinfo);
    const int64 n = a.n;
    const uint64 seed = a.seed;
    const Window window = a.window;
    const Sharding sharding = a.sharding;
    const Catalog& catalog = installed_catalog();
    LocationSampler sampler(catalog.locations, a.country, a.state, a.postal_code);
    SessionSet set(catalog.names, catalog.products, sampler, seed, n, TimeWindow{window.start, window.end});
    apply_scenario(fcinfo, 9, set, DataSet::Sessions, "generate_sessions");

    SrfOutput out = begin_materialized_srf(fcinfo);
    // Each session's events to the tuplestore as made, then back to the set for the next sessions
    // (see generate_order_part).
    size_t pending = 0;
    for (int64 i = sharding.shard; i < n; i += sharding.shards) {
        std::vector<Event> events = set.session(i);
        pending += events.size();
        const bool check = pending >= kRowsPerGuard;
        if (check) pending = 0;
        pg_guard([&] {
            if (check) CHECK_FOR_INTERRUPTS();
            put_rows(out, events, event_row);
        });
        set.recycle(std::move(events));
    }
    return 0;
}

}  // namespace thelook::pg
