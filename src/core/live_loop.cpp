#include "live_loop.hpp"

#include <algorithm>

#include "order_lifecycle.hpp"

namespace thelook {

void LiveLoop::iteration(Micros t, double checkout_failure, ShopStore& store) {
    // Per iteration, as a back-fill delivers them: what a sale finds does not depend on how
    // iterations are grouped into transactions.
    deliver_restocks(t, store);
    if (faults_) {
        // Late events due by now arrive first.
        std::vector<FaultRecord> truth;
        std::vector<Event> due = faults_->release(t, &truth);
        if (!due.empty()) store.add(due);
        if (!truth.empty()) store.add(truth);
    }
    if (model_ && model_->sessions())
        session_iteration(t, checkout_failure, *model_, store);
    else
        purchase_iteration(t, checkout_failure, model_, store);
    if (cdc_.faults().any()) cdc_faults(t, store);
}

// Every row the iteration writes goes through these: with the scenario's row faults on, through
// the injector first, with its ground truth.
bool LiveLoop::injecting() const { return faults_ && faults_->section().injects_rows(); }

void LiveLoop::write(ShopStore& store, User u) {
    std::vector<FaultRecord> truth;
    if (injecting()) faults_->corrupt(u, &truth);
    store.add(u);
    if (!truth.empty()) store.add(truth);
}

void LiveLoop::write(ShopStore& store, Purchase p, Micros t) {
    std::vector<FaultRecord> truth;
    if (injecting()) {
        faults_->corrupt(p.order, &truth);
        for (OrderItem& i : p.items) faults_->corrupt(i, &truth);
        p.events = faults_->deliver(std::move(p.events), t, &truth);
    }
    store.add(p);
    if (!truth.empty()) store.add(truth);
}

void LiveLoop::write(ShopStore& store, std::vector<Event> events, Micros t) {
    if (!injecting()) {
        store.add(events);
        return;
    }
    std::vector<FaultRecord> truth;
    events = faults_->deliver(std::move(events), t, &truth);
    if (!events.empty()) store.add(events);  // all of them may be held back as late
    if (!truth.empty()) store.add(truth);
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
        write(store, u);
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
        write(store, gen_.failed_checkout(user.id, user.place, t), t);
    else {
        Purchase p = gen_.new_purchase(user.id, user.place, t, true, user.gender);
        if (inventory_ && store.has_inventory()) take_stock(gen_, *inventory_, p, user.id, true, t, store);
        if (p.items.empty()) write(store, std::move(p.events), t);  // every item was out of stock: no order
        else write(store, std::move(p), t);
    }
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
    WalkedSession s = model.walk(rng, v, t, gen_.id_rule());
    if (s.purchased && checkout_failure > 0 && rng.bernoulli(checkout_failure)) {
        s.events.resize(s.events.size() - s.cart.size());  // the purchase events: the checkout fails
        s.purchased = false;
    }
    // At checkout: a cart product out of stock is a lost sale (no purchase event, no item).
    if (s.purchased && inventory_ && store.has_inventory()) take_cart_stock(gen_, *inventory_, s, v.user_id, t, store);
    if (s.purchased) {
        std::string buyer = v.user_id;
        if (buyer.empty()) {
            User u = gen_.new_user(t);
            u.location = anonymous_at;  // signs up where the visit came from
            buyer = u.id;
            write(store, u);
            for (size_t i = s.checkout_event; i < s.events.size(); ++i) s.events[i].user_id = buyer;
        }
        Purchase p = gen_.order_from_cart(buyer, s.cart, s.campaign ? s.campaign->name : "", t);
        p.events = std::move(s.events);
        write(store, std::move(p), t);
    } else {
        write(store, std::move(s.events), t);
    }
    side_tasks(t, false, store);
}

void LiveLoop::deliver_restocks(Micros t, ShopStore& store) {
    if (inventory_ && store.has_inventory()) deliver_due_restocks(gen_, *inventory_, t, store);
}

// After the visit: a new user, an anonymous session (the reference model only: the session model
// has anonymous visits of its own), one lifecycle step of a random open order.
void LiveLoop::side_tasks(Micros t, bool ghost, ShopStore& store) {
    Rng& rng = gen_.rng();
    if (rng.bernoulli(p_.user_create_prob)) write(store, gen_.new_user(t));
    if (ghost && rng.bernoulli(p_.ghost_create_prob)) write(store, gen_.ghost_session(t), t);
    if (rng.bernoulli(p_.order_update_prob)) {
        PickedOrder order;
        if (store.pick_open_order(open_order_probe(t), &order)) {
            OrderStatus status = order.status;
            OrderTimes changed;
            if (advance(status, changed, t, rng)) {
                std::vector<ItemRef> items = store.update_order(order.id, order.status, status, changed);
                if (status == OrderStatus::Returned && inventory_ && store.has_inventory())
                    for (const ItemRef& item : items)
                        if (inventory_->returns_to_stock(item.id)) {
                            const Product& product = gen_.product_by_id(item.product_id);
                            if (product.distribution_center_id != 0) store.return_to_stock(product, t);  // 0: no such product
                        }
                if (status == OrderStatus::Cancelled || status == OrderStatus::Returned)
                    write(store, gen_.exit_sessions(items, order.user_id, order.place, status == OrderStatus::Returned, t), t);
            }
        }
    }
}

// Where to look for an open order (order_lifecycle.hpp): version-4 ids are spread evenly over the
// key space, so a random key picks uniformly; version-7 ids by a random time between the oldest
// open order and now; until the older version-4 ids are gone, those are picked as before.
std::string LiveLoop::open_order_probe(Micros t) { return thelook::open_order_probe(gen_.rng(), p_.ids, oldest_open_millis_, t); }

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
