#include "live_loop.hpp"

#include <algorithm>
#include <set>

#include "order_lifecycle.hpp"

namespace thelook {

void LiveLoop::iteration(Micros t, double checkout_failure, ShopStore& store) {
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
        if (inventory_ && store.has_inventory()) take_stock(p, user.id, true, t, store);
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
    WalkedSession s = model.walk(rng, v, t, gen_.id_format());
    if (s.purchased && checkout_failure > 0 && rng.bernoulli(checkout_failure)) {
        s.events.resize(s.events.size() - s.cart.size());  // the purchase events: the checkout fails
        s.purchased = false;
    }
    if (s.purchased && inventory_ && store.has_inventory()) {
        // At checkout: a cart product out of stock is a lost sale (no purchase event, no item).
        Purchase probe;
        for (const Product* product : s.cart) {
            OrderItem item;
            item.product_id = product->id;
            probe.items.push_back(item);
        }
        probe.events = std::move(s.events);
        take_stock(probe, v.user_id, false, t, store);
        s.events = std::move(probe.events);
        std::vector<const Product*> kept;
        for (const OrderItem& item : probe.items) kept.push_back(&gen_.product_by_id(item.product_id));
        s.cart = std::move(kept);
        s.purchased = !s.cart.empty();
    }
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

// Each item takes one unsold inventory item of its product. An item with none is a lost sale: it
// leaves the order; its session (session_per_item: the reference's one session per item) keeps its
// browsing pages and loses its cart and purchase pages; in a shopper's one session, one purchase
// event goes per lost item. A sale that leaves the level below the minimum orders a restock.
// Returns the number of lost items; p.order.num_of_items is updated.
int LiveLoop::take_stock(Purchase& p, const std::string& user_id, bool session_per_item, Micros t, ShopStore& store) {
    std::vector<std::string> sessions;  // of the items, in order (session_per_item)
    for (const Event& e : p.events)
        if (sessions.empty() || sessions.back() != e.session_id) sessions.push_back(e.session_id);
    std::vector<OrderItem> kept;
    std::set<std::string> lost_sessions;
    int lost = 0;
    for (size_t i = 0; i < p.items.size(); ++i) {
        const Product& product = gen_.product_by_id(p.items[i].product_id);
        const int64_t level = store.take_item(product, t);
        if (level < 0) {
            ++lost;
            const std::string session = session_per_item ? (i < sessions.size() ? sessions[i] : "")
                                                         : (p.events.empty() ? "" : p.events.front().session_id);
            lost_sessions.insert(session);
            store.record_lost_sale(product, user_id, session, t);
        } else {
            kept.push_back(p.items[i]);
        }
        if (inventory_->restock_due(std::max<int64_t>(level, 0)))
            store.order_restock(product, t, inventory_->arrival(gen_.rng(), t), inventory_->restock_quantity());
    }
    if (lost == 0) return 0;
    p.items = std::move(kept);
    p.order.num_of_items = static_cast<int>(p.items.size());
    std::vector<Event> events;
    int purchases_to_drop = session_per_item ? 0 : lost;
    for (size_t k = p.events.size(); k-- > 0;) {
        Event& e = p.events[k];
        if (session_per_item && lost_sessions.count(e.session_id) && (e.event_type == "cart" || e.event_type == "purchase")) continue;
        if (!session_per_item && purchases_to_drop > 0 && e.event_type == "purchase") {
            --purchases_to_drop;
            continue;
        }
        events.push_back(std::move(e));
    }
    std::reverse(events.begin(), events.end());
    p.events = std::move(events);
    return lost;
}

void LiveLoop::deliver_restocks(Micros t, ShopStore& store) {
    if (!inventory_ || !store.has_inventory()) return;
    for (const DueRestock& r : store.due_restocks(t)) {
        const Product& product = gen_.product_by_id(r.product_id);
        const Micros held = inventory_->held_until(product, t);
        if (held != kNoTime) store.hold_restock(r, held);
        else store.deliver_restock(r, product, t);
    }
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
