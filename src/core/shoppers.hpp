// Shoppers (scenario section "shoppers"): sessions that walk a transition matrix of pages until
// they leave, campaigns that bring and attribute sessions, products chosen by popularity, and
// prices with promotions and member discounts. The defaults keep the reference behaviour: the
// reference's scripted sessions, uniform product choice, sale_price = retail_price.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "entities.hpp"

namespace thelook {

// The states of a session. Custom page-view states (users' own) follow kFirstCustomState.
enum SessionState : int {
    kStart = 0,   // before the first page (a row only: where sessions enter)
    kHome, kDepartment, kCategory, kProduct, kSearch, kCart, kCheckout, kPurchase, kExit,
    kFirstCustomState
};
const char* session_state_name(int state);  // built-in states only

// A transition matrix over the states: rows[from][to], each row summing to 1. Purchase and exit
// have no row (a purchase ends the session).
struct TransitionMatrix {
    std::vector<std::vector<double>> rows;
};

struct CustomPage {
    std::string name;          // the state's and the event's name
    std::string uri_template;  // "{department}", "{category}", "{product_id}", "{brand}" are filled in
};

struct Campaign {
    std::string name;
    std::string channel;          // traffic_source of its sessions: Email, Adwords, Facebook, YouTube, Organic
    Micros at = kNoTime;          // window: at (absolute) or after a duration from the start
    double after_seconds = -1;
    double duration_seconds = 0;
    double share = 0.3;           // share of all sessions during the window that the campaign brings
    std::string landing = "/home";
    double discount = 0;          // on its sessions' purchases, 0..1
    std::string matrix;           // empty: the active matrix
};

struct Promotion {
    std::string category, brand;  // either or both; empty = any
    std::string campaign;         // or: purchases of that campaign's sessions only
    double discount = 0;          // 0..1
    Micros at = kNoTime;
    double after_seconds = -1;
    double duration_seconds = 0;  // 0 with no at/after: always
};

struct Popularity {
    bool enabled = false;         // false: uniform choice (the reference)
    double zipf_exponent = 1.0;   // weight of the product of rank r is 1 / r^exponent
    uint64_t ranking_seed = 1;    // the fixed ranking: a permutation of the catalogue from this seed
    double gender_affinity = 0.5; // probability that a buyer's product is of the buyer's department
    std::map<std::string, double> category_weights;  // multiply a category's products' weights
};

struct ShopperSection {
    bool sessions = false;        // false: the reference's scripted sessions
    std::string matrix = "default";
    std::map<std::string, TransitionMatrix> matrices;  // built-ins and the document's own
    std::vector<CustomPage> pages;
    double known_share = 0.55;    // sessions by a known (logged-in) user; the rest are anonymous
    int max_pages = 60;           // a session is cut (exits) after this many pages
    std::vector<Campaign> campaigns;
    Popularity popularity;
    double member_share = 0, member_discount = 0;
    std::vector<Promotion> promotions;

    int state_count() const { return kFirstCustomState + static_cast<int>(pages.size()); }
    // The state of a name (built-in or custom), or -1.
    int state_of(const std::string& name) const;
    std::string state_name(int state) const;
};

}  // namespace thelook
