#include "live_loop.hpp"

#include <algorithm>

#include "order_lifecycle.hpp"

namespace thelook {

namespace {
// The store as the iteration sees it when faults are on: new rows pass through the injector on
// their way to the real store, with their ground truth. The iteration itself does not know.
class FaultingStore : public ShopStore {
public:
    FaultingStore(ShopStore& inner, FaultInjector& faults, Micros now) : inner_(inner), f_(faults), now_(now) {}
    bool pick_user(const std::string& key, PickedUser* out) override { return inner_.pick_user(key, out); }
    bool pick_open_order(const std::string& key, PickedOrder* out) override { return inner_.pick_open_order(key, out); }
    void update_user_address(const std::string& user_id, const Address& a, Micros now) override {
        inner_.update_user_address(user_id, a, now);
    }
    std::vector<ItemRef> update_order(const std::string& order_id, OrderStatus from, OrderStatus to,
                                      const OrderTimes& changed) override {
        return inner_.update_order(order_id, from, to, changed);
    }
    void add(const User& u) override {
        User row = u;
        std::vector<FaultRecord> truth;
        f_.corrupt(row, &truth);
        inner_.add(row);
        if (!truth.empty()) inner_.add(truth);
    }
    void add(const Purchase& p) override {
        Purchase row = p;
        std::vector<FaultRecord> truth;
        f_.corrupt(row.order, &truth);
        for (OrderItem& i : row.items) f_.corrupt(i, &truth);
        row.events = f_.deliver(std::move(row.events), now_, &truth);
        inner_.add(row);
        if (!truth.empty()) inner_.add(truth);
    }
    void add(const std::vector<Event>& events) override {
        std::vector<FaultRecord> truth;
        std::vector<Event> rows = f_.deliver(events, now_, &truth);
        if (!rows.empty()) inner_.add(rows);
        if (!truth.empty()) inner_.add(truth);
    }
    void add(const std::vector<FaultRecord>& truth) override { inner_.add(truth); }
    int64_t delete_account(const std::string& user_probe) override { return inner_.delete_account(user_probe); }
    int64_t purge_anonymous_events(Micros cutoff, int64_t limit) override {
        return inner_.purge_anonymous_events(cutoff, limit);
    }
    bool rekey_event(const std::string& probe, const std::string& new_id) override {
        return inner_.rekey_event(probe, new_id);
    }

private:
    ShopStore& inner_;
    FaultInjector& f_;
    Micros now_;
};
}  // namespace

void LiveLoop::iteration(Micros t, double checkout_failure, ShopStore& store) {
    if (faults_) {
        // Late events due by now arrive first.
        std::vector<FaultRecord> truth;
        std::vector<Event> due = faults_->release(t, &truth);
        if (!due.empty()) store.add(due);
        if (!truth.empty()) store.add(truth);
        if (faults_->section().injects_rows()) {
            FaultingStore faulting(store, *faults_, t);
            run(t, checkout_failure, faulting);
            return;
        }
    }
    run(t, checkout_failure, store);
}

void LiveLoop::run(Micros t, double checkout_failure, ShopStore& store) {
    if (model_ && model_->sessions())
        session_iteration(t, checkout_failure, *model_, store);
    else
        purchase_iteration(t, checkout_failure, model_, store);
    if (cdc_.faults().any()) cdc_faults(t, store);
}

// After the iteration's own rows: the CDC faults that fall due (none unless the scenario asks).
void LiveLoop::cdc_faults(Micros t, ShopStore& store) {
    const CdcDecision d = cdc_.decide(t, gen_.rng(), p_.ids);
    for (const std::string& probe : d.user_probes) store.delete_account(probe);
    if (d.purge) store.purge_anonymous_events(d.purge_cutoff, kPurgeLimit);
    if (d.rekey_event) store.rekey_event(d.event_probe, d.new_event_id);
    if (d.large_transaction_orders > 0) store.large_transaction(d.large_transaction_orders, t);
}

// A random existing user, who moves first with user_update_prob; with no user yet, the first one
// signs up.
PickedUser LiveLoop::known_user(Micros t, ShopStore& store) {
    Rng& rng = gen_.rng();
    PickedUser user;
    if (!store.pick_user(uuid_v4(rng), &user)) {
        User u = gen_.new_user(t);
        user = PickedUser{u.id, place_of(*u.location), u.gender};
        store.add(u);
    } else if (rng.bernoulli(p_.user_update_prob)) {
        Address a = gen_.new_address();
        store.update_user_address(user.id, a, t);
        user.place = place_of(*a.location);
    }
    return user;
}

// The reference: a purchase by a random user, who may move first.
void LiveLoop::purchase_iteration(Micros t, double checkout_failure, const ShopperModel*, ShopStore& store) {
    Rng& rng = gen_.rng();
    const PickedUser user = known_user(t, store);
    // Drawn only while a checkout failure is in force, so that the reference stream is unchanged.
    if (checkout_failure > 0 && rng.bernoulli(checkout_failure))
        store.add(gen_.failed_checkout(user.id, user.place, t));
    else
        store.add(gen_.new_purchase(user.id, user.place, t, true, user.gender));
    side_tasks(t, true, store);
}

// The session model: one visit, known (a random user, who may move first) or anonymous; a visit
// that reaches purchase makes the order of its cart. An anonymous buyer signs up at checkout.
void LiveLoop::session_iteration(Micros t, double checkout_failure, const ShopperModel& model, ShopStore& store) {
    Rng& rng = gen_.rng();
    Visitor v;
    const Location* anonymous_at = nullptr;
    if (rng.bernoulli(model.known_share())) {
        const PickedUser user = known_user(t, store);
        v = Visitor{user.id, user.gender, user.place};
    } else {
        anonymous_at = &gen_.random_location();
        v.place = place_of(*anonymous_at);
    }
    WalkedSession s = model.walk(rng, v, t, gen_.id_format());
    if (s.purchased && checkout_failure > 0 && rng.bernoulli(checkout_failure)) {
        s.events.resize(s.events.size() - s.cart.size());  // the purchase events: the checkout fails
        s.purchased = false;
    }
    if (s.purchased) {
        std::string buyer = v.user_id;
        if (buyer.empty()) {
            User u = gen_.new_user(t);
            u.location = anonymous_at;  // signs up where the visit came from
            buyer = u.id;
            store.add(u);
            for (size_t i = s.checkout_event; i < s.events.size(); ++i) s.events[i].user_id = buyer;
        }
        Purchase p = gen_.order_from_cart(buyer, s.cart, s.campaign ? s.campaign->name : "", t);
        p.events = std::move(s.events);
        store.add(p);
    } else {
        store.add(s.events);
    }
    side_tasks(t, false, store);
}

// After the visit: a new user, an anonymous session (the reference model only: the session model
// has anonymous visits of its own), one lifecycle step of a random open order.
void LiveLoop::side_tasks(Micros t, bool ghost, ShopStore& store) {
    Rng& rng = gen_.rng();
    if (rng.bernoulli(p_.user_create_prob)) store.add(gen_.new_user(t));
    if (ghost && rng.bernoulli(p_.ghost_create_prob)) store.add(gen_.ghost_session(t));
    if (rng.bernoulli(p_.order_update_prob)) {
        PickedOrder order;
        if (store.pick_open_order(open_order_probe(t), &order)) {
            OrderStatus status = order.status;
            OrderTimes changed;
            if (advance(status, changed, t, rng)) {
                std::vector<ItemRef> items = store.update_order(order.id, order.status, status, changed);
                if (status == OrderStatus::Cancelled || status == OrderStatus::Returned)
                    store.add(gen_.exit_sessions(items, order.user_id, order.place, status == OrderStatus::Returned, t));
            }
        }
    }
}

// Where to look for an open order: the first open order at or after a random key. Version-4 ids
// are spread evenly over the key space, so a random version-4 key picks uniformly. Version-7 ids
// sit in a narrow band of it, so the probe is a random time between the oldest open order and
// now instead; until the older version-4 ids are gone, those are picked as before.
std::string LiveLoop::open_order_probe(Micros t) {
    Rng& rng = gen_.rng();
    if (p_.ids == IdFormat::Uuid4 || oldest_open_millis_ < 0) return uuid_v4(rng);
    const int64_t now_millis = t / 1000;
    return uuid_v7_floor(rng.uniform_int(oldest_open_millis_, std::max(oldest_open_millis_, now_millis)));
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
