#include "stock_book.hpp"

#include <algorithm>
#include <set>

namespace thelook {

int take_stock(EntityGenerator& gen, const Inventory& inventory, Purchase& p, const std::string& user_id,
               bool session_per_item, Micros t, InventoryStore& store) {
    std::vector<std::string> sessions;  // of the items, in order (session_per_item)
    for (const Event& e : p.events)
        if (sessions.empty() || sessions.back() != e.session_id) sessions.push_back(e.session_id);
    std::vector<OrderItem> kept;
    std::set<std::string> lost_sessions;
    int lost = 0;
    for (size_t i = 0; i < p.items.size(); ++i) {
        const Product& product = gen.product_by_id(p.items[i].product_id);
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
        if (inventory.restock_due(std::max<int64_t>(level, 0)))
            store.order_restock(product, t, inventory.arrival(gen.rng(), t), inventory.restock_quantity());
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

void take_cart_stock(EntityGenerator& gen, const Inventory& inventory, WalkedSession& s, const std::string& user_id,
                     Micros t, InventoryStore& store) {
    Purchase probe;
    for (const Product* product : s.cart) {
        OrderItem item;
        item.product_id = product->id;
        probe.items.push_back(item);
    }
    probe.events = std::move(s.events);
    take_stock(gen, inventory, probe, user_id, false, t, store);
    s.events = std::move(probe.events);
    std::vector<const Product*> kept;
    for (const OrderItem& item : probe.items) kept.push_back(&gen.product_by_id(item.product_id));
    s.cart = std::move(kept);
    s.purchased = !s.cart.empty();
}

void deliver_due_restocks(EntityGenerator& gen, const Inventory& inventory, Micros t, InventoryStore& store) {
    for (const DueRestock& r : store.due_restocks(t)) {
        const Product& product = gen.product_by_id(r.product_id);
        const Micros held = inventory.held_until(product, t);
        if (held != kNoTime) store.hold_restock(r, held);
        else store.deliver_restock(r, product, t);
    }
}

void StockBook::add_item(int64_t product_id, int64_t distribution_center_id, int64_t id, Micros created_at) {
    shelves_[Key{product_id, distribution_center_id}].items.push_back(Item{id, created_at});
}

void StockBook::add_pending(const Restock& r) {
    const Key k{r.product_id, r.distribution_center_id};
    if (pending_.count(k)) return;  // the unique index allows one; keep the first
    pending_[k] = r;
    due_.emplace(r.arrives_at, k);
}

// The live statement's rule: the lowest id unsold with created_at <= t; the level counts every
// unsold item of the product at its centre.
int64_t StockBook::take_item(const Product& p, Micros t) {
    auto it = shelves_.find(Key{p.id, p.distribution_center_id});
    if (it == shelves_.end()) return -1;
    Shelf& s = it->second;
    size_t i = s.head;
    while (i < s.items.size() && s.items[i].created_at > t) ++i;
    if (i == s.items.size()) return -1;
    const Item item = s.items[i];
    if (i == s.head)
        ++s.head;
    else
        s.items.erase(s.items.begin() + static_cast<std::ptrdiff_t>(i));
    if (s.head > 64 && s.head * 2 > s.items.size()) {
        s.items.erase(s.items.begin(), s.items.begin() + static_cast<std::ptrdiff_t>(s.head));
        s.head = 0;
    }
    if (item.id != 0)
        writes_.sold.emplace_back(item.id, t);
    else
        writes_.items.push_back(NewItem{p.id, p.distribution_center_id, item.created_at, t});
    return static_cast<int64_t>(s.level());
}

void StockBook::order_restock(const Product& p, Micros t, Micros arrives_at, int quantity) {
    Restock r;
    r.id = 0;
    r.product_id = p.id;
    r.distribution_center_id = p.distribution_center_id;
    r.ordered_at = t;
    r.arrives_at = arrives_at;
    r.quantity = quantity;
    add_pending(r);
}

void StockBook::record_lost_sale(const Product& p, const std::string& user_id, const std::string& session_id, Micros t) {
    writes_.lost.push_back(LostSale{p.id, p.distribution_center_id, user_id, session_id, t});
    ++lost_total_;
}

// As the live statement: by arrival time, at most 64.
std::vector<DueRestock> StockBook::due_restocks(Micros t) {
    std::vector<DueRestock> out;
    for (auto it = due_.begin(); it != due_.end() && it->first <= t && out.size() < 64; ++it) {
        const Restock& r = pending_.at(it->second);
        out.push_back(DueRestock{r.id, r.product_id, r.distribution_center_id, r.arrives_at, r.quantity});
    }
    return out;
}

namespace {
template <typename Map, typename K>
void erase_due(Map& due, Micros at, const K& key) {
    auto range = due.equal_range(at);
    for (auto it = range.first; it != range.second; ++it)
        if (it->second == key) {
            due.erase(it);
            return;
        }
}
}  // namespace

void StockBook::deliver_restock(const DueRestock& d, const Product&, Micros at) {
    const Key k{d.product_id, d.distribution_center_id};
    auto it = pending_.find(k);
    if (it == pending_.end()) return;
    Restock r = it->second;
    erase_due(due_, r.arrives_at, k);
    pending_.erase(it);
    Shelf& s = shelves_[k];
    r.arrived_at = at;
    r.old_level = static_cast<int>(s.level());
    r.new_level = r.old_level + r.quantity;
    for (int i = 0; i < r.quantity; ++i) s.items.push_back(Item{0, at});
    writes_.restocks.push_back(r);
    ++delivered_total_;
}

void StockBook::hold_restock(const DueRestock& d, Micros until) {
    const Key k{d.product_id, d.distribution_center_id};
    auto it = pending_.find(k);
    if (it == pending_.end()) return;
    erase_due(due_, it->second.arrives_at, k);
    it->second.arrives_at = until;
    it->second.changed = true;
    due_.emplace(until, k);
}

void StockBook::return_to_stock(const Product& p, Micros at) {
    shelves_[Key{p.id, p.distribution_center_id}].items.push_back(Item{0, at});
}

StockBook::Writes StockBook::take_writes() {
    Writes out = std::move(writes_);
    writes_ = Writes{};
    return out;
}

StockBook::Writes StockBook::take_remaining() {
    Writes out = take_writes();
    for (const auto& kv : shelves_)
        for (size_t i = kv.second.head; i < kv.second.items.size(); ++i)
            if (kv.second.items[i].id == 0)
                out.items.push_back(NewItem{kv.first.first, kv.first.second, kv.second.items[i].created_at, kNoTime});
    for (const auto& kv : pending_)
        if (kv.second.id == 0 || kv.second.changed) out.restocks.push_back(kv.second);
    return out;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
