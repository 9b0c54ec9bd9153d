#include "shopper_model.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "distributions.hpp"
#include "json_fields.hpp"
#include "web_session.hpp"

namespace thelook {

namespace {
int gender_index(const std::string& g) { return g == "F" ? 1 : 0; }
const char* department_of_gender(int g) { return g == 1 ? "Women" : "Men"; }

Micros window_start(Micros at, double after_seconds, Micros start) {
    if (at != kNoTime) return at;
    return start + static_cast<Micros>(std::llround(std::max(after_seconds, 0.0) * 1e6));
}

double round_cents(double v) { return std::round(v * 100.0) / 100.0; }
}  // namespace

double text_share(const std::string& text) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;  // FNV's low bits are weak; mix before taking 53 bits
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

ProductPicker::ProductPicker(const std::vector<Product>& products, const Popularity& popularity)
    : products_(products), enabled_(popularity.enabled), affinity_(popularity.gender_affinity) {
    const size_t n = products.size();
    if (enabled_) {
        // The fixed ranking: a seeded shuffle of the catalogue (the same for every run of a scenario).
        std::vector<size_t> order(n);
        for (size_t i = 0; i < n; ++i) order[i] = i;
        Rng rng(popularity.ranking_seed);
        for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(i) - 1))]);
        rank_.resize(n);
        for (size_t r = 0; r < n; ++r) rank_[order[r]] = r + 1;
        base_.resize(n);
        for (size_t i = 0; i < n; ++i) {
            auto w = popularity.category_weights.find(products[i].category);
            base_[i] = std::pow(static_cast<double>(rank_[i]), -popularity.zipf_exponent) *
                       (w == popularity.category_weights.end() ? 1.0 : w->second);
        }
    }
    if (enabled_)
        for (int g = 0; g < 2; ++g) {
            // gender_affinity is the probability that the pick is of the gender's department: each
            // side's weights are normalised to its share, whatever their totals.
            double own = 0, other = 0;
            for (size_t i = 0; i < n; ++i) (products[i].department == department_of_gender(g) ? own : other) += base_[i];
            if (own > 0 && other > 0) {
                dept_factor_[g][1] = affinity_ / own;
                dept_factor_[g][0] = (1 - affinity_) / other;
            }
        }
    for (int g = 0; g < 2; ++g) {
        std::vector<double> all;
        std::map<std::string, std::vector<double>> cats;
        for (size_t i = 0; i < n; ++i) {
            const double w = enabled_ ? weight(i, g) : 1.0;
            all_[g].products.push_back(i);
            all.push_back(w);
            by_category_[g][products[i].category].products.push_back(i);
            cats[products[i].category].push_back(w);
        }
        if (enabled_) {
            all_[g].weights = WeightedIndex(all);
            for (auto& [cat, weights] : cats) by_category_[g][cat].weights = WeightedIndex(weights);
        }
    }
}

double ProductPicker::weight(size_t i, int g) const {
    return base_[i] * dept_factor_[g][products_[i].department == department_of_gender(g) ? 1 : 0];
}

const ProductPicker::Index& ProductPicker::index_for(int gender, const std::string& category) const {
    if (!category.empty()) {
        auto it = by_category_[gender].find(category);
        if (it != by_category_[gender].end() && (!enabled_ || it->second.weights.total() > 0)) return it->second;
    }
    return all_[gender];
}

const Product& ProductPicker::pick(Rng& rng, const std::string& gender, const std::string& category) const {
    if (!enabled_ && category.empty())  // the reference's uniform draw, exactly
        return products_[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(products_.size()) - 1))];
    const int g = gender.empty() ? static_cast<int>(rng.uniform_int(0, 1)) : gender_index(gender);
    const Index& index = index_for(g, category);
    const size_t k = enabled_ && index.weights.total() > 0
                         ? index.weights.pick(rng)
                         : static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(index.products.size()) - 1));
    return products_[index.products[k]];
}

double ProductPicker::probability(size_t i, const std::string& gender) const {
    if (!enabled_) return 1.0 / static_cast<double>(products_.size());
    auto for_gender = [&](int g) {
        return weight(i, g) / all_[g].weights.total();
    };
    if (gender.empty()) return 0.5 * (for_gender(0) + for_gender(1));
    return for_gender(gender_index(gender));
}

Pricing::Pricing(const ShopperSection& s, Micros start)
    : member_share_(s.member_share), member_discount_(s.member_discount) {
    for (const Promotion& p : s.promotions) {
        const bool always = p.at == kNoTime && p.after_seconds < 0;
        const Micros from = always ? 0 : window_start(p.at, p.after_seconds, start);
        promotions_.push_back(Window{p, from, always ? 0 : from + static_cast<Micros>(std::llround(p.duration_seconds * 1e6)), always});
    }
    for (const Campaign& c : s.campaigns)
        if (c.discount > 0) {
            campaign_discounts_[c.name] = c.discount;
            has_campaign_discounts_ = true;
        }
}

bool Pricing::is_member(const std::string& user_id) const {
    return member_share_ > 0 && !user_id.empty() && text_share(user_id) < member_share_;
}

double Pricing::sale_price(const Product& p, const std::string& user_id, const std::string& campaign, Micros t) const {
    double factor = 1;
    if (member_discount_ > 0 && is_member(user_id)) factor *= 1 - member_discount_;
    double promotion = 0;
    for (const Window& w : promotions_) {
        const Promotion& pr = w.promotion;
        const bool in_force = w.always || (w.start <= t && t < w.end);
        if (!in_force || (!pr.category.empty() && pr.category != p.category) || (!pr.brand.empty() && pr.brand != p.brand) ||
            (!pr.campaign.empty() && pr.campaign != campaign))
            continue;
        promotion = std::max(promotion, pr.discount);
    }
    factor *= 1 - promotion;
    auto c = campaign_discounts_.find(campaign);
    if (!campaign.empty() && c != campaign_discounts_.end()) factor *= 1 - c->second;
    return factor == 1 ? p.retail_price : round_cents(p.retail_price * factor);
}


namespace {
std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// utm_source and utm_medium of a channel.
std::pair<const char*, const char*> utm_of(const std::string& channel) {
    if (channel == "Email") return {"newsletter", "email"};
    if (channel == "Adwords") return {"google", "cpc"};
    if (channel == "Facebook") return {"facebook", "social"};
    if (channel == "YouTube") return {"youtube", "video"};
    return {"google", "organic"};
}

int draw_row(const std::vector<double>& row, Rng& rng) {
    double u = rng.uniform(), acc = 0;
    int last = kExit;
    for (size_t i = 0; i < row.size(); ++i) {
        if (row[i] <= 0) continue;
        acc += row[i];
        last = static_cast<int>(i);
        if (u < acc) return last;
    }
    return last;  // rounding: the last possible state
}

std::string fill_template(std::string uri, const Product& p) {
    const std::pair<const char*, std::string> fields[] = {{"{department}", url_encode(lower(p.department))},
                                                          {"{category}", url_encode(lower(p.category))},
                                                          {"{brand}", url_encode(lower(p.brand))},
                                                          {"{product_id}", std::to_string(p.id)}};
    for (const auto& [key, value] : fields)
        for (size_t at = uri.find(key); at != std::string::npos; at = uri.find(key, at + value.size()))
            uri.replace(at, std::string(key).size(), value);
    return uri;
}
}  // namespace

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string campaign_landing_uri(const Campaign& c) {
    const auto [source, medium] = utm_of(c.channel);
    return c.landing + "?utm_source=" + source + "&utm_medium=" + medium + "&utm_campaign=" + url_encode(c.name);
}

ShopperModel::ShopperModel(const ShopperSection& section, const std::vector<Product>& products, Micros start)
    : s_(section), picker_(products, section.popularity), pricing_(section, start) {
    check_campaign_shares(s_.campaigns, start, "scenario.shoppers.campaigns");
    for (const Campaign& c : s_.campaigns) {
        const Micros from = window_start(c.at, c.after_seconds, start);
        campaigns_.push_back(CampaignWindow{&c, from, from + static_cast<Micros>(std::llround(c.duration_seconds * 1e6))});
    }
}

void check_campaign_shares(const std::vector<Campaign>& campaigns, Micros start, const std::string& path) {
    struct Span {
        size_t index;
        Micros from, to;
    };
    // With no start, "after" windows count from 0: comparable among themselves only.
    auto spans_of = [&](int kind) {  // 0: every campaign (start known), 1: "at" ones, 2: "after" ones
        std::vector<Span> spans;
        for (size_t i = 0; i < campaigns.size(); ++i) {
            const Campaign& c = campaigns[i];
            const bool at = c.at != kNoTime;
            if ((kind == 1 && !at) || (kind == 2 && at)) continue;
            const Micros from = window_start(c.at, c.after_seconds, kind == 0 ? start : 0);
            spans.push_back({i, from, from + static_cast<Micros>(std::llround(c.duration_seconds * 1e6))});
        }
        return spans;
    };
    auto check = [&](const std::vector<Span>& spans) {
        // The sum of shares is largest at some window's start.
        for (const Span& at : spans) {
            double sum = 0;
            std::vector<size_t> in_force;
            for (const Span& s : spans)
                if (s.from <= at.from && at.from < s.to) {
                    sum += campaigns[s.index].share;
                    in_force.push_back(s.index);
                }
            if (sum <= 1 + 1e-9) continue;
            std::string names, share_list;
            for (size_t k = 0; k < in_force.size(); ++k) {
                const Campaign& c = campaigns[in_force[k]];
                const std::string sep = k == 0 ? "" : k + 1 == in_force.size() ? " and " : ", ";
                names += sep + "\"" + c.name + "\" ([" + std::to_string(in_force[k]) + "])";
                share_list += (k == 0 ? "" : " + ") + json_fields::show_number(c.share);
            }
            json_fields::fail(path, "campaigns " + names + " overlap with shares adding up to " + share_list + " = " +
                                        json_fields::show_number(sum) + ", more than 1",
                              "While campaigns overlap they share the sessions: lower their shares or move their windows apart.");
        }
    };
    if (start == kNoTime) {
        check(spans_of(1));
        check(spans_of(2));
    } else {
        check(spans_of(0));
    }
}

const Campaign* ShopperModel::draw_campaign(Rng& rng, Micros t) const {
    bool any = false;
    for (const auto& w : campaigns_) any = any || (w.start <= t && t < w.end);
    if (!any) return nullptr;
    return campaign_at(rng.uniform(), t);
}

const Campaign* ShopperModel::campaign_at(double u, Micros t) const {
    double acc = 0;
    for (const auto& w : campaigns_) {
        if (!(w.start <= t && t < w.end)) continue;
        acc += w.campaign->share;
        if (u < acc) return w.campaign;
    }
    return nullptr;
}

// A session that no campaign brought: a channel of the reference's mix, leaving out the channels
// whose campaign is in force (while a campaign runs, its channel's sessions are its own).
std::string ShopperModel::channel_at(double u01, Micros t) const {
    const Categorical& mix = dist::kSessionTrafficSource;
    std::vector<double> p = mix.probabilities;
    for (const auto& w : campaigns_)
        if (w.start <= t && t < w.end)
            for (size_t i = 0; i < mix.labels.size(); ++i)
                if (w.campaign->channel == mix.labels[i]) p[i] = 0;
    double total = 0;
    for (double x : p) total += x;
    if (total <= 0) return "Organic";
    double u = u01 * total;
    for (size_t i = 0; i < p.size(); ++i) {
        if (u < p[i]) return mix.labels[i];
        u -= p[i];
    }
    return mix.labels.back();
}

// The uniforms of the campaign and the channel come first (the campaign's only when the scenario
// has campaigns: without, the draws are those of a walk that never knew of campaigns).
WalkedSession ShopperModel::walk(Rng& rng, const Visitor& v, Micros end, IdRule ids) const {
    const double u_campaign = campaigns_.empty() ? 1.0 : rng.uniform();
    const double u_channel = rng.uniform();
    const Campaign* campaign = campaign_at(u_campaign, end);
    WalkedSession out = walk_pages(rng, v, campaign, end, ids);
    for (int walks = 1; !campaigns_.empty(); ++walks) {
        const Campaign* at_start = campaign_at(u_campaign, out.events.front().created_at);
        if (at_start == campaign) break;
        // Walked for another campaign than the one of its first page: walk again for that one;
        // after kMaxCampaignWalks, a visit of no campaign (which may start anywhere).
        if (walks == kMaxCampaignWalks) {
            if (campaign) out = walk_pages(rng, v, campaign = nullptr, end, ids);
            break;
        }
        campaign = at_start;
        out = walk_pages(rng, v, campaign, end, ids);
    }
    const std::string channel = campaign ? campaign->channel : channel_at(u_channel, out.events.front().created_at);
    for (Event& e : out.events) e.traffic_source = channel;
    return out;
}

WalkedSession ShopperModel::walk_pages(Rng& rng, const Visitor& v, const Campaign* campaign, Micros end, IdRule ids) const {
    WalkedSession out;
    out.campaign = campaign;
    const TransitionMatrix& m =
        s_.matrices.at(out.campaign && !out.campaign->matrix.empty() ? out.campaign->matrix : s_.matrix);
    struct Step {
        std::string event_type, uri;
    };
    std::vector<Step> steps;
    const Product* product = nullptr;  // the product last looked at
    std::string category;              // the category being browsed ("" none)
    int state = out.campaign ? static_cast<int>(kHome) : draw_row(m.rows[kStart], rng);
    while (static_cast<int>(steps.size()) < s_.max_pages) {
        switch (state) {
            case kHome:
                steps.push_back({"home", out.campaign && steps.empty() ? campaign_landing_uri(*out.campaign) : "/home"});
                break;
            case kDepartment:
            case kCategory: {
                const Product& p = picker_.pick(rng, v.gender);
                category = state == kCategory ? p.category : "";
                steps.push_back({session_state_name(state), "/department/" + url_encode(lower(p.department)) + "/category/" +
                                                                url_encode(lower(p.category))});
                break;
            }
            case kProduct:
                product = &picker_.pick(rng, v.gender, category);
                steps.push_back({"product", "/product/" + std::to_string(product->id)});
                break;
            case kSearch: {
                const Product& p = picker_.pick(rng, v.gender);
                const bool by_category = rng.bernoulli(0.5);
                category = by_category ? p.category : "";
                std::string term = lower(by_category ? p.category : p.brand);
                std::string q;
                for (char c : url_encode(term)) q += c;
                // Spaces as '+', as search forms send them.
                for (size_t at = q.find("%20"); at != std::string::npos; at = q.find("%20")) q.replace(at, 3, "+");
                steps.push_back({"search", "/search?q=" + q});
                break;
            }
            case kCart:
                if (product && std::find(out.cart.begin(), out.cart.end(), product) == out.cart.end()) out.cart.push_back(product);
                steps.push_back({"cart", "/cart"});
                break;
            case kCheckout:
                if (out.checkout_event == 0) out.checkout_event = steps.size();
                steps.push_back({"checkout", "/checkout"});
                break;
            default: {  // a custom page
                const CustomPage& page = s_.pages[static_cast<size_t>(state - kFirstCustomState)];
                const Product& p = product ? *product : picker_.pick(rng, v.gender);
                steps.push_back({page.name, fill_template(page.uri_template, p)});
            }
        }
        const int next = draw_row(m.rows[static_cast<size_t>(state)], rng);
        if (next == kExit) break;
        if (next == kPurchase) {
            out.purchased = !out.cart.empty();
            break;
        }
        state = next;
    }
    if (out.purchased) {
        if (out.checkout_event == 0) out.checkout_event = steps.size();
        for (size_t i = 0; i < out.cart.size(); ++i) steps.push_back({"purchase", "/purchase"});
    }
    // Times: the last event at `end`; pages 5 to 60 s apart, purchase events 1 s apart.
    const size_t n = steps.size();
    std::vector<Micros> at(n);
    for (size_t k = n; k-- > 0;) {
        if (k == n - 1) {
            at[k] = end;
            continue;
        }
        const int64_t gap = steps[k + 1].event_type == "purchase" ? 1 : rng.uniform_int(5, 60);
        at[k] = at[k + 1] - gap * kMicrosPerSecond;
    }
    const std::string session_id = uuid_v4(rng);
    const std::string ip = random_ipv4(rng);
    const char* browser = pick(dist::kBrowser, rng);
    for (size_t k = 0; k < n; ++k) {
        Event e;
        e.id = ids.at(rng, at[k]);
        e.user_id = v.user_id;
        e.sequence_number = static_cast<int>(k) + 1;
        e.session_id = session_id;
        e.ip_address = ip;
        e.city = v.place.city;
        e.state = v.place.state;
        e.postal_code = v.place.postal_code;
        e.browser = browser;
        e.uri = std::move(steps[k].uri);
        e.event_type = std::move(steps[k].event_type);
        e.created_at = at[k];
        out.events.push_back(std::move(e));
    }
    return out;
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
