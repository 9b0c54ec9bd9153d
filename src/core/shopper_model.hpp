// The shopper model of a scenario at work: products chosen by popularity, prices with member and
// promotion discounts, campaigns that bring and attribute sessions, and sessions that walk the
// active transition matrix (shoppers.hpp holds the section it is built from).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "entities.hpp"
#include "id_space.hpp"
#include "random.hpp"
#include "shoppers.hpp"

namespace thelook {

// Product choice: uniform (the reference), or by popularity: Zipf weights over a fixed ranking of
// the catalogue, times category weights, times the buyer's gender affinity to the department.
class ProductPicker {
public:
    ProductPicker(const std::vector<Product>& products, const Popularity& popularity);
    // gender "M", "F", or "" (unknown: either, 50/50); category "" = any.
    const Product& pick(Rng& rng, const std::string& gender, const std::string& category = "") const;
    // The probability that pick(gender) returns product index i (for tests and documentation).
    double probability(size_t i, const std::string& gender) const;
    size_t rank_of(size_t i) const { return rank_.empty() ? i + 1 : rank_[i]; }

private:
    struct Index {
        std::vector<size_t> products;  // indexes into products_
        WeightedIndex weights;         // empty when uniform
    };
    const Index& index_for(int gender, const std::string& category) const;
    double weight(size_t i, int gender) const;

    const std::vector<Product>& products_;
    bool enabled_;
    std::vector<size_t> rank_;                 // 1-based rank of each product
    std::vector<double> base_;                 // Zipf x category weight
    Index all_[2];                             // per gender (0 = M, 1 = F)
    std::map<std::string, Index> by_category_[2];
    double affinity_;
    // [gender][1 = the gender's department, 0 = the others]: scales each side's weights so that
    // the gender's department gets exactly the affinity (1 when one side has no weight).
    double dept_factor_[2][2] = {{1, 1}, {1, 1}};
};

// sale_price of an item: retail_price, or with discounts retail_price x (1 - member) x
// (1 - the largest promotion in force) x (1 - the campaign's own), rounded to cents.
class Pricing {
public:
    Pricing(const ShopperSection& shoppers, Micros start);
    bool is_member(const std::string& user_id) const;
    double sale_price(const Product& p, const std::string& user_id, const std::string& campaign, Micros t) const;
    bool any() const { return member_share_ > 0 || !promotions_.empty() || has_campaign_discounts_; }

private:
    struct Window {
        Promotion promotion;
        Micros start = 0, end = 0;
        bool always = false;  // no window: in force at any time
    };
    double member_share_, member_discount_;
    std::vector<Window> promotions_;
    std::map<std::string, double> campaign_discounts_;
    bool has_campaign_discounts_ = false;
};

// A deterministic share in [0, 1) of a text (FNV-1a): which users are members.
double text_share(const std::string& text);

}  // namespace thelook

namespace thelook {

// Who is browsing: a known user (id, gender, place) or an anonymous visitor (empty id and gender).
struct Visitor {
    std::string user_id, gender;
    Place place;
};

struct WalkedSession {
    std::vector<Event> events;          // in order; with purchase events (one per item) when purchased
    std::vector<const Product*> cart;   // distinct products put in the cart, in order
    bool purchased = false;             // reached purchase with a non-empty cart
    size_t checkout_event = 0;          // index of the first checkout event (an anonymous buyer signs up there)
    const Campaign* campaign = nullptr; // the campaign the session came from, if any
};

class ShopperModel {
public:
    // start: where "after" windows of campaigns and promotions count from.
    ShopperModel(const ShopperSection& section, const std::vector<Product>& products, Micros start);
    // Its campaign windows and walked sessions point into its own copy of the section.
    ShopperModel(const ShopperModel&) = delete;
    ShopperModel& operator=(const ShopperModel&) = delete;

    bool sessions() const { return s_.sessions; }
    double known_share() const { return s_.known_share; }
    const ProductPicker& picker() const { return picker_; }
    const Pricing& pricing() const { return pricing_; }
    const ShopperSection& section() const { return s_; }

    // One session whose last page is at `end`: a walk of the matrix (its campaign's, or the active
    // one) from start until exit or purchase. A visit belongs to the campaign whose window holds
    // its first page: the campaign is drawn (one uniform, kept) where the visit starts, which the
    // walk decides; walks are redrawn until the two agree (kMaxCampaignWalks, then a visit of no
    // campaign). Its channel is drawn where it starts too.
    WalkedSession walk(Rng& rng, const Visitor& visitor, Micros end, IdRule ids) const;
    // The campaign in force at t that a new session comes from (by the campaigns' shares), or null.
    const Campaign* draw_campaign(Rng& rng, Micros t) const;
    // The same with the uniform u in [0, 1) already drawn.
    const Campaign* campaign_at(double u, Micros t) const;

private:
    struct CampaignWindow {
        const Campaign* campaign;
        Micros start, end;
    };
    std::string channel_at(double u, Micros t) const;
    WalkedSession walk_pages(Rng& rng, const Visitor& v, const Campaign* campaign, Micros end, IdRule ids) const;

    ShopperSection s_;
    ProductPicker picker_;
    Pricing pricing_;
    std::vector<CampaignWindow> campaigns_;
};

// Walks redrawn at most this often for a visit at a campaign's edge (its campaign at its first
// page differs from the one it was walked for); then it is a visit of no campaign.
inline constexpr int kMaxCampaignWalks = 8;

// Campaigns in force at the same time bring at most all sessions: throws 22023 at path (such as
// "scenario.shoppers.campaigns") naming the campaigns whose shares add up to more than 1 at some
// instant. Windows "after" a duration count from start; with start == kNoTime only the campaigns
// of one kind are compared (those "at" a time among themselves, those "after" among themselves),
// as the parser can: the two kinds meet only once the start is known (ShopperModel checks that).
void check_campaign_shares(const std::vector<Campaign>& campaigns, Micros start, const std::string& path);

// The landing page of a campaign session: the landing path with utm_source, utm_medium and
// utm_campaign (RFC 3986 percent-encoding).
std::string campaign_landing_uri(const Campaign& c);
std::string url_encode(const std::string& s);

}  // namespace thelook
