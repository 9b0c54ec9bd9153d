#include "bulk_generator.hpp"

#include <algorithm>

#include "distributions.hpp"
#include "error.hpp"

namespace thelook {

Micros TimeWindow::spread(int64_t i, int64_t n) const {
    const double step = n > 1 ? static_cast<double>(end - start) / static_cast<double>(n - 1) : 0.0;
    return start + static_cast<Micros>(step * static_cast<double>(i));
}

namespace {
// The cancel / return sessions of an order whose timeline has reached that end, at that time.
void append_exit_sessions(EntityGenerator& gen, const Purchase& p, const OrderTimeline& timeline,
                          const std::string& user_id, const Place& place, std::vector<Event>* out, Rng& rng) {
    const OrderStatus s = p.order.status;
    if (s != OrderStatus::Cancelled && s != OrderStatus::Returned) return;
    std::vector<ItemRef> refs;
    for (const auto& item : p.items) refs.push_back(ItemRef{item.id, item.product_id});
    const Micros at = s == OrderStatus::Returned ? timeline.returned_at : timeline.cancelled_at;
    auto exits = gen.exit_sessions(refs, user_id, place, s == OrderStatus::Returned, at, rng);
    out->insert(out->end(), std::make_move_iterator(exits.begin()), std::make_move_iterator(exits.end()));
}
}  // namespace

OrderSet::OrderSet(const NameLists& names, const std::vector<Product>& products,
                   const LocationSampler& locations, uint64_t seed, int64_t users, TimeWindow window,
                   Micros as_of)
    : seed_(seed), order_seed_(Rng::derive_seed(seed, kOrderStream)), products_(products), users_(users), window_(window),
      as_of_(as_of), user_gen_(names, products, locations, seed), order_gen_(names, products, locations, seed) {
    if (users < 1)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"users\" must be at least 1", "",
                    "Pass the n of the generate_users call whose users place these orders.");
    if (as_of < window.end)
        throw Error(sqlstate::kInvalidParameterValue, "parameter \"as_of\" is before \"end_at\"", "",
                    "Pass an as_of at or after the last order's creation time, or leave it NULL.");
}

void check_data_set_scenario(const Scenario& scenario, DataSet set, const std::string& function) {
    auto refuse = [&](const std::string& path, const std::string& why, const std::string& hint) {
        throw Error(sqlstate::kFeatureNotSupported, function + " cannot apply " + path, why, hint);
    };
    if (scenario.inventory.given)
        refuse("scenario.inventory", "A data set has no stock to sell from: stock-outs, lost sales and restocks need the schema's inventory tables.",
               "Leave the section out for " + function + ", or run thelook.start_simulation on a schema set up with inventory => true.");
    if (scenario.faults.cdc.any())
        refuse("scenario.faults.cdc", "The CDC faults change rows written earlier (deletions, purges, re-keys, a large transaction); a data set only returns rows.",
               "Leave the section out for " + function + ", or run thelook.start_simulation, which applies it.");
    if (scenario.faults.late_events.share > 0)
        refuse("scenario.faults.late_events", "A late event is written after its created_at; the rows of a data set have no order of arrival.",
               "Leave the section out for " + function + ", or run thelook.start_simulation, which applies it.");
    if (scenario.faults.files.any())
        refuse("scenario.faults.files", "File faults damage the records of a file feed; a data set returns rows.",
               "Pass the section to thelook.write_feed instead.");
    if (scenario.lifecycle.given)
        refuse("scenario.lifecycle", "The live lifecycle moves a random open order on per iteration of a run; order i of a data set is drawn alone, with its own timeline.",
               "Leave the section out for " + function + " (its orders follow the timelines of docs/bulk.md), or use thelook.backfill, which applies it.");
    if (set == DataSet::Orders && !scenario.shoppers.campaigns.empty())
        refuse("scenario.shoppers.campaigns", "A campaign's order comes from a visit that it brought; order i of a data set has no walked visit.",
               "Leave the campaigns out for " + function + " (generate_sessions applies them), or use thelook.backfill.");
}

void check_backfill_scenario(const Scenario& scenario) {
    auto refuse = [&](const std::string& path, const std::string& why) {
        throw Error(sqlstate::kFeatureNotSupported, "thelook.backfill cannot apply " + path, why,
                    "Leave the section out for the back-fill (or base its scenario on one without it), and run "
                    "thelook.start_simulation with a time_scale over the window, which applies it.");
    };
    if (scenario.faults.cdc.any())
        refuse("scenario.faults.cdc", "The CDC faults change rows written earlier (deletions, purges, re-keys, a large transaction) in the run's own transactions; a back-fill writes its history in bulk.");
    if (scenario.faults.late_events.share > 0)
        refuse("scenario.faults.late_events", "A late event is written after rows created later than it; a back-fill writes its window in time order, as one delivery.");
}

Purchase& OrderSet::order(int64_t i, bool with_events, bool with_items) {
    with_items = with_items || with_events;  // the exit sessions name their items
    order_gen_.set_item_ids(with_items);
    order_gen_.recycle(std::move(purchase_.events));  // the last order's, written by now (see order())
    Rng& rng = order_gen_.rng();
    rng.reseed(Rng::derive_seed(order_seed_, static_cast<uint64_t>(i)));
    int64_t u = rng.uniform_int(0, users_ - 1);
    Micros created = kNoTime;
    if (shape_) {
        // By the scenario's shape: the time first, over the whole window, then the buyer among the
        // users who signed up by then (generate_users spreads them evenly over the window).
        created = shape_->quantile(rng.uniform());
        const double step = users_ > 1 ? static_cast<double>(window_.end - window_.start) / static_cast<double>(users_ - 1) : 0.0;
        const int64_t signed_up_by =
            step > 0 ? std::min<int64_t>(users_, static_cast<int64_t>(static_cast<double>(created - window_.start) / step) + 1) : users_;
        u = rng.uniform_int(0, std::max<int64_t>(signed_up_by, 1) - 1);
    }
    // The buyer exactly as generate_users(users, seed, ...) makes row u (its id, gender and place).
    user_gen_.rng().reseed(Rng::derive_seed(seed_, static_cast<uint64_t>(u)));
    const Micros signed_up = window_.spread(u, users_);
    const UserKey buyer = user_gen_.new_user_key();
    // Without a scenario the order comes after its buyer signed up, uniformly up to the window's end.
    if (!shape_) created = signed_up + static_cast<Micros>(rng.uniform() * static_cast<double>(window_.end - signed_up));
    created = std::max(created, signed_up);
    const Place place = place_of(*buyer.location);
    // From a stream of its own: the orders that do not fail are those of the data set without the
    // incident.
    const double failing = incidents_ ? intensity_.checkout_failure(created) : 0.0;
    if (failing > 0 && Rng(Rng::derive_seed(Rng::derive_seed(seed_, kCheckoutFailureStream), static_cast<uint64_t>(i))).bernoulli(failing)) {
        purchase_ = Purchase{};
        if (with_events) purchase_.events = order_gen_.failed_checkout(buyer.id, place, created);
        if (faults_ && with_events) {
            faults_->reseed(Rng::derive_seed(Rng::derive_seed(seed_, kFaultStream), static_cast<uint64_t>(i)));
            truth_.clear();
            purchase_.events = faults_->deliver(std::move(purchase_.events), created, &truth_, false);
        }
        return purchase_;
    }
    purchase_ = order_gen_.new_purchase(buyer.id, place, created, with_events, buyer.gender);
    const OrderTimeline timeline = draw_timeline(created, rng);
    play_out(purchase_, timeline, as_of_);
    if (with_events) append_exit_sessions(order_gen_, purchase_, timeline, buyer.id, place, &purchase_.events, order_gen_.rng());
    if (faults_) {
        // The order and its items first, so that their faults do not depend on with_events.
        faults_->reseed(Rng::derive_seed(Rng::derive_seed(seed_, kFaultStream), static_cast<uint64_t>(i)));
        truth_.clear();
        faults_->corrupt(purchase_.order, &truth_);
        // The items' faults draw after the order's, from this order's stream: skipping them
        // leaves the order as it was.
        if (with_items)
            for (OrderItem& item : purchase_.items) faults_->corrupt(item, &truth_);
        if (with_events) purchase_.events = faults_->deliver(std::move(purchase_.events), created, &truth_, false);
    }
    return purchase_;
}

SessionSet::SessionSet(const NameLists& names, const std::vector<Product>& products,
                       const LocationSampler& locations, uint64_t seed, int64_t n, TimeWindow window)
    : seed_(seed), stream_seed_(Rng::derive_seed(seed, kSessionStream)), products_(products), n_(n), window_(window),
      gen_(names, products, locations, seed) {}

std::vector<Event> SessionSet::session(int64_t i) {
    gen_.rng().reseed(Rng::derive_seed(stream_seed_, static_cast<uint64_t>(i)));
    // With a shape: midpoints of n equal shares of the traffic, never at a closed window's edge.
    const Micros end = shape_ ? shape_->quantile((static_cast<double>(i) + 0.5) / static_cast<double>(n_))
                              : window_.spread(i, n_);
    std::vector<Event> events;
    if (!model_ || !model_->sessions()) {
        events = gen_.ghost_session(end);
    } else {
        Visitor v;
        v.place = place_of(gen_.random_location());
        WalkedSession s = model_->walk(gen_.rng(), v, end, gen_.id_format());
        if (s.purchased) s.events.resize(s.events.size() - s.cart.size());
        events = std::move(s.events);
    }
    if (faults_) {
        faults_->reseed(Rng::derive_seed(Rng::derive_seed(seed_, kFaultStream + 1), static_cast<uint64_t>(i)));
        truth_.clear();
        events = faults_->deliver(std::move(events), end, &truth_, false);
    }
    return events;
}

namespace {
// The window's cumulative intensity; null for the reference (flat) shape, which keeps the
// reference arithmetic.
std::unique_ptr<const CumulativeIntensity> shape_of(const Scenario& scenario, const ZoneRules& zone, uint64_t seed,
                                                    TimeWindow window) {
    IncidentPlan incidents(scenario, window.start, Rng::derive_seed(seed, kHistoryIncidentStream));
    const Intensity intensity(WeeklyProfile(scenario.traffic, zone), &incidents);
    if (intensity.flat()) return nullptr;
    return std::make_unique<const CumulativeIntensity>(intensity, window.start, window.end);
}
}  // namespace

void OrderSet::set_scenario(const Scenario& scenario, const ZoneRules& zone) {
    shape_ = shape_of(scenario, zone, seed_, window_);
    // The same plan as shape_of's (same stream): its checkout failures.
    incidents_ = std::make_unique<IncidentPlan>(scenario, window_.start, Rng::derive_seed(seed_, kHistoryIncidentStream));
    if (incidents_->empty())
        incidents_.reset();
    else
        intensity_ = Intensity(WeeklyProfile(scenario.traffic, zone), incidents_.get());
    model_ = std::make_unique<const ShopperModel>(scenario.shoppers, products_, window_.start);
    order_gen_.set_model(model_.get());  // popular products and prices; the orders' sessions stay scripted
    faults_.reset();
    if (scenario.faults.injects_rows()) faults_ = std::make_unique<FaultInjector>(scenario.faults, 0, order_gen_.id_format());
}

void SessionSet::set_scenario(const Scenario& scenario, const ZoneRules& zone) {
    shape_ = shape_of(scenario, zone, seed_, window_);
    model_ = std::make_unique<const ShopperModel>(scenario.shoppers, products_, window_.start);
    gen_.set_model(model_.get());
    faults_.reset();
    if (scenario.faults.injects_rows()) faults_ = std::make_unique<FaultInjector>(scenario.faults, 0, gen_.id_format());
}

void HistoryChunk::clear() {
    users.clear();
    orders.clear();
    items.clear();
    events.clear();
    faults.clear();
    iterations = 0;
}

History::History(const NameLists& names, const std::vector<Product>& products, const LocationSampler& locations,
                 const HistoryParams& params)
    : p_(params), gen_(names, products, locations, Rng::derive_seed(params.seed, kHistoryStream)),
      incidents_(params.scenario, params.window.start, Rng::derive_seed(params.seed, kHistoryIncidentStream)),
      intensity_(WeeklyProfile(params.scenario.traffic, params.zone), &incidents_),
      model_(params.scenario.shoppers, products, params.window.start),
      schedule_(params.avg_qps, params.window.start, Rng::derive_seed(params.seed, kHistoryScheduleStream), &intensity_),
      initial_left_(params.init_num_users), now_(params.window.start),
      lifecycle_rng_(Rng::derive_seed(params.seed, kHistoryLifecycleStream)) {
    gen_.set_id_format(params.ids);
    gen_.set_model(&model_);
    if (params.scenario.faults.injects_rows())
        faults_ = std::make_unique<FaultInjector>(params.scenario.faults, Rng::derive_seed(params.seed, kFaultStream), params.ids);
    // The live loop's order lifecycle, at the scenario's order_update_prob (or a live run's default).
    const double p = params.scenario.lifecycle.given ? params.scenario.lifecycle.order_update_prob : dist::kDefaultOrderUpdateProb;
    lifecycle_ = std::make_unique<LiveTimelines>(p, params.ids, intensity_, params.avg_qps, params.window.start, params.window.end);
}

void History::add_existing_user(Buyer b) {
    if (b.created_at <= p_.window.start) {
        if (pool_.size() < dist::kBackfillUserPoolMax) pool_.push_back(std::move(b));
    } else if (future_.size() < dist::kBackfillExistingUsersMax) {
        future_.push_back(std::move(b));
    }
}

const Buyer& History::sign_up(Micros t, HistoryChunk* out, const Location* where) {
    User u = gen_.new_user(t);
    if (where) u.location = where;  // an anonymous visitor signs up where the visit came from
    Buyer b{u.id, place_of(*u.location), t, u.gender};
    size_t at = pool_.size();
    if (pool_.size() < dist::kBackfillUserPoolMax)
        pool_.push_back(std::move(b));
    else  // keep a uniform sample of a bounded size
        pool_[at = static_cast<size_t>(gen_.rng().uniform_int(0, static_cast<int64_t>(pool_.size()) - 1))] = std::move(b);
    out->users.push_back(std::move(u));
    return pool_[at];
}

void History::set_stock(const InventorySection& section, InventoryStore* store) {
    inventory_ = std::make_unique<Inventory>(section, &incidents_);
    stock_ = store;
}

// Before the iteration at t (and at the window's end): the returned items back in stock by then,
// each from its return, and the restocks due.
void History::restock(Micros t) {
    take_returns(t);
    deliver_due_restocks(gen_, *inventory_, t, *stock_);
}

void History::take_returns(Micros t) {
    while (!returns_.empty() && returns_.begin()->first <= t) {
        stock_->return_to_stock(gen_.product_by_id(returns_.begin()->second), returns_.begin()->first);
        returns_.erase(returns_.begin());
    }
}

// An order as of the window's end: the steps the live loop would make of it, drawn at creation
// (live_timeline.hpp), played out; a cancel or return visit at its step, and a return's items back
// in stock by the scenario's share at the return. Both draw from a stream of their own, so that
// the rest of the history does not depend on the lifecycle (its chance, the id format's picks).
void History::add_order(Purchase p, const Buyer& buyer, Micros t, HistoryChunk* out) {
    ++orders_;
    const double orders_per_iteration = static_cast<double>(orders_) / static_cast<double>(iterations_ + 1);
    const OrderTimeline timeline = lifecycle_->draw(p.order.id, t, orders_per_iteration, lifecycle_rng_);
    play_out(p, timeline, p_.window.end);
    if (stock_)
        for (const OrderItem& item : p.items)
            if (item.status == OrderStatus::Returned && item.times.returned_at != kNoTime && inventory_->returns_to_stock(item.id))
                returns_.emplace(item.times.returned_at, item.product_id);
    for (auto& e : p.events) out->events.push_back(std::move(e));
    append_exit_sessions(gen_, p, timeline, buyer.id, buyer.place, &out->events, lifecycle_rng_);
    out->orders.push_back(std::move(p.order));
    for (auto& item : p.items) out->items.push_back(std::move(item));
}

void History::iteration(Micros t, HistoryChunk* out) {
    Rng& rng = gen_.rng();
    while (!future_.empty() && future_.front().created_at <= t) {
        if (pool_.size() < dist::kBackfillUserPoolMax) pool_.push_back(std::move(future_.front()));
        future_.pop_front();
    }
    if (stock_) restock(t);
    if (model_.sessions()) {
        session_iteration(t, out);
        return;
    }
    if (pool_.empty()) sign_up(t, out);  // as in the live loop: the first buyer signs up
    const Buyer buyer = pool_[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(pool_.size()) - 1))];
    const double failing = intensity_.checkout_failure(t);
    if (failing > 0 && rng.bernoulli(failing)) {  // drawn only then: the reference stream is unchanged
        for (auto& e : gen_.failed_checkout(buyer.id, buyer.place, t)) out->events.push_back(std::move(e));
        side_tasks(t, out);
        return;
    }
    Purchase p = gen_.new_purchase(buyer.id, buyer.place, t, true, buyer.gender);
    if (stock_) take_stock(gen_, *inventory_, p, buyer.id, true, t, *stock_);
    if (p.items.empty())  // every item was out of stock: no order
        for (auto& e : p.events) out->events.push_back(std::move(e));
    else
        add_order(std::move(p), buyer, t, out);
    side_tasks(t, out);
}

// The session model, as the live loop runs it: a known buyer of the pool or an anonymous visitor
// (who signs up at checkout when the visit ends in a purchase).
void History::session_iteration(Micros t, HistoryChunk* out) {
    Rng& rng = gen_.rng();
    Visitor v;
    const Location* anonymous_at = nullptr;
    if (rng.bernoulli(model_.known_share())) {
        if (pool_.empty()) sign_up(t, out);
        const Buyer& b = pool_[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(pool_.size()) - 1))];
        v = Visitor{b.id, b.gender, b.place};
    } else {
        anonymous_at = &gen_.random_location();
        v.place = place_of(*anonymous_at);
    }
    WalkedSession s = model_.walk(rng, v, t, p_.ids);
    const double failing = intensity_.checkout_failure(t);
    if (s.purchased && failing > 0 && rng.bernoulli(failing)) {
        s.events.resize(s.events.size() - s.cart.size());
        s.purchased = false;
    }
    // At checkout: a cart product out of stock is a lost sale (no purchase event, no item).
    if (s.purchased && stock_) take_cart_stock(gen_, *inventory_, s, v.user_id, t, *stock_);
    if (!s.purchased) {
        for (auto& e : s.events) out->events.push_back(std::move(e));
        if (rng.bernoulli(p_.user_create_prob)) sign_up(t, out);
        ++out->iterations;
        ++iterations_;
        return;
    }
    Buyer buyer{v.user_id, v.place, t, v.gender};
    if (buyer.id.empty()) {
        buyer = sign_up(t, out, anonymous_at);
        for (size_t i = s.checkout_event; i < s.events.size(); ++i) s.events[i].user_id = buyer.id;
    }
    Purchase p = gen_.order_from_cart(buyer.id, s.cart, s.campaign ? s.campaign->name : "", t);
    p.events = std::move(s.events);
    add_order(std::move(p), buyer, t, out);
    if (rng.bernoulli(p_.user_create_prob)) sign_up(t, out);
    ++out->iterations;
    ++iterations_;
}

void History::side_tasks(Micros t, HistoryChunk* out) {
    Rng& rng = gen_.rng();
    if (rng.bernoulli(p_.user_create_prob)) sign_up(t, out);
    if (rng.bernoulli(p_.ghost_create_prob))
        for (auto& e : gen_.ghost_session(t)) out->events.push_back(std::move(e));
    ++out->iterations;
    ++iterations_;
}

std::vector<IncidentWindow> History::take_incidents() {
    std::vector<IncidentWindow> started = incidents_.take_started(now_);
    // Nothing after the window happened yet.
    started.erase(std::remove_if(started.begin(), started.end(),
                                 [&](const IncidentWindow& w) { return w.start > p_.window.end; }),
                  started.end());
    return started;
}

bool History::next_chunk(size_t max_iterations, HistoryChunk* out) {
    out->clear();
    if (initial_left_ > 0) {
        const int64_t n = std::min<int64_t>(initial_left_, static_cast<int64_t>(max_iterations));
        for (int64_t i = 0; i < n; ++i) sign_up(p_.window.start, out);
        initial_left_ -= n;
        inject_faults(out);
        return true;
    }
    std::vector<Micros> due = schedule_.take_due(p_.window.end, max_iterations, INT64_MAX);
    if (due.empty()) {
        // The returns up to the window's end happened; restocks due after the last arrival
        // arrive with the next iteration (the live run's).
        if (stock_) take_returns(p_.window.end);
        now_ = p_.window.end;
        return false;
    }
    for (Micros t : due) iteration(t, out);
    now_ = due.back();
    inject_faults(out);
    return true;
}

// After the chunk is generated, so that what the rows imply for later rows (a buyer's id, an
// order's items) comes from the rows as they were meant to be.
void History::inject_faults(HistoryChunk* out) {
    if (faults_) faults_->corrupt_all(out->users, out->orders, out->items, out->events, &out->faults);
}

double History::progress() const {
    const Micros span = p_.window.end - p_.window.start;
    return span <= 0 ? 1.0 : static_cast<double>(now_ - p_.window.start) / static_cast<double>(span);
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
