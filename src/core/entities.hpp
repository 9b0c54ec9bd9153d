// The rows the generator produces, one struct per table. Timestamps are microseconds since the
// Unix epoch (UTC); kNoTime marks a NULL timestamp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace thelook {

using Micros = int64_t;
inline constexpr Micros kNoTime = INT64_MIN;
inline constexpr Micros kMicrosPerSecond = 1000000;

// Columns a bad record (src/core/faults.hpp) sets to NULL: bit i is column i of the table in the
// reference column order. 0 for every row the reference writes.
using NullColumns = uint32_t;

struct Location {
    std::string country, state, city, postal_code;
    double latitude = 0, longitude = 0;
    double population = 0;
};

struct User {
    std::string id, first_name, last_name, email;
    int age = 0;
    std::string gender;
    std::string street_address;
    const Location* location = nullptr;
    std::string traffic_source;
    Micros created_at = kNoTime, updated_at = kNoTime;
    NullColumns nulls = 0;
};

// Where a web session happens: the user's place (or a random one for anonymous visitors).
struct Place {
    std::string city, state, postal_code;
};

enum class OrderStatus { Processing, Shipped, Delivered, Returned, Cancelled };
const char* status_name(OrderStatus s);
bool parse_status(const std::string& text, OrderStatus* out);
inline bool is_final(OrderStatus s) { return s == OrderStatus::Returned || s == OrderStatus::Cancelled; }

// The timestamps an order shares with its items.
struct OrderTimes {
    Micros created_at = kNoTime, updated_at = kNoTime, shipped_at = kNoTime, delivered_at = kNoTime,
           returned_at = kNoTime, cancelled_at = kNoTime;
};

struct Order {
    std::string id, user_id;
    OrderStatus status = OrderStatus::Processing;
    int num_of_items = 0;
    OrderTimes times;
    NullColumns nulls = 0;
    std::string bad_status;  // a bad record's misspelt status, written instead of status
};

struct OrderItem {
    std::string id, order_id;
    int64_t product_id = 0;
    OrderStatus status = OrderStatus::Processing;
    int quantity = 0;
    double sale_price = 0;
    OrderTimes times;
    NullColumns nulls = 0;
};

struct Event {
    std::string id;
    std::string user_id;  // empty = NULL (anonymous session)
    int sequence_number = 0;
    std::string session_id, ip_address, city, state, postal_code, browser, traffic_source, uri,
        event_type;
    Micros created_at = kNoTime;
    NullColumns nulls = 0;
};

// An order as created by one purchase: the order, its items, and their purchase sessions.
struct Purchase {
    Order order;
    std::vector<OrderItem> items;
    std::vector<Event> events;
};

}  // namespace thelook
