// A ShopStore that keeps what the live loop writes, for the unit tests of the live loop; users
// are picked by the key's first two hex digits.
#pragma once

#include <string>
#include <vector>

#include "core/live_loop.hpp"

namespace thelook::testing {

inline int key_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return 0;
}

struct FakeStore : ShopStore {
    std::vector<PickedUser> users;
    std::vector<User> added_users;
    std::vector<Purchase> purchases;
    std::vector<std::vector<Event>> event_batches;
    std::vector<FaultRecord> truth;
    int address_updates = 0;

    bool pick_user(const std::string& key, PickedUser* out) override {
        if (users.empty()) return false;
        *out = users[static_cast<size_t>(key_digit(key[0]) + 16 * key_digit(key[1])) % users.size()];
        return true;
    }
    bool pick_open_order(const std::string&, PickedOrder*) override { return false; }
    void update_user_address(const std::string&, const Address&, Micros) override { ++address_updates; }
    std::vector<ItemRef> update_order(const std::string&, OrderStatus, OrderStatus, const OrderTimes&) override { return {}; }
    void add(const User& u) override { added_users.push_back(u); }
    void add(const Purchase& p) override { purchases.push_back(p); }
    void add(const std::vector<Event>& events) override { event_batches.push_back(events); }
    void add(const std::vector<FaultRecord>& rows) override { truth.insert(truth.end(), rows.begin(), rows.end()); }
};

}  // namespace thelook::testing
