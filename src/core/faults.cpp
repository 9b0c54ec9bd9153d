#include "faults.hpp"

#include <algorithm>
#include <cmath>

#include "error.hpp"
#include "json_fields.hpp"

namespace thelook {

using json = nlohmann::json;
using namespace json_fields;

namespace {
const char* const kTableNames[kFaultTables] = {"users", "orders", "order_items", "events"};
const char* const kDefectNames[kDefects] = {"null_required",   "unknown_enum",   "non_positive_number",
                                            "timestamp_out_of_range", "orphan_foreign_key", "malformed_uuid",
                                            "malformed_uri",   "invalid_email",  "stray_whitespace"};

// Values outside each vocabulary that a bad record writes: misspellings, wrong case, a word that
// means the same to a person but not to a filter. None is in the vocabulary the generator uses
// (src/core/distributions.hpp), which is what the contract's IN lists are.
const std::vector<std::string> kBadGender = {"X", "m", "Female", "U"};
const std::vector<std::string> kBadUserSource = {"Facebok", "search", "E-mail", "Displya"};
const std::vector<std::string> kBadStatus = {"Shiped", "Proccessing", "delivered", "Canceled"};
const std::vector<std::string> kBadBrowser = {"Chorme", "safari", "FireFox", "Internet Explorer"};
const std::vector<std::string> kBadSessionSource = {"Adword", "Youtube", "facebook", "E-mail"};

constexpr Micros kCentury = 36524LL * 86400 * kMicrosPerSecond;

const std::string& pick(Rng& rng, const std::vector<std::string>& v) {
    return v[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(v.size()) - 1))];
}

// 1970-01-01 00:00 (the epoch: a zero that slipped through) or a century after the real time.
Micros bad_time(Rng& rng, Micros t) { return rng.bernoulli(0.5) ? 0 : t + kCentury; }

// Zero or the value's negative.
template <typename T>
T bad_number(Rng& rng, T v) {
    return rng.bernoulli(0.5) ? T(0) : -std::abs(v == T(0) ? T(1) : v);
}

std::string stray_whitespace(Rng& rng, const std::string& s) {
    switch (rng.uniform_int(0, 3)) {
        case 0: return " " + s;
        case 1: return s + "  ";
        case 2: return s + "\t";
        default: {
            // A control character between two characters, never inside a UTF-8 sequence: the row
            // must stay valid text.
            size_t at = s.size() / 2;
            while (at > 0 && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
            return s.substr(0, at) + "\x01" + s.substr(at);
        }
    }
}

std::string malformed_uuid(Rng& rng, const std::string& id) {
    if (id.size() < 2 || rng.bernoulli(0.5)) return id.substr(0, id.size() > 0 ? id.size() - 1 : 0);  // cut short
    std::string s = id;
    s[s.size() - 1] = 'g';  // not a hex digit
    return s;
}

std::string malformed_uri(Rng& rng, const std::string& uri) {
    const std::string path = uri.empty() || uri[0] != '/' ? uri : uri.substr(1);
    return rng.bernoulli(0.5) ? path : "htp:/" + path;
}

std::string invalid_email(Rng& rng, std::string email) {
    const size_t at = email.find('@');
    if (at == std::string::npos) return email.empty() ? "nobody" : email;
    email.replace(at, 1, rng.bernoulli(0.5) ? "" : " at ");
    return email;
}

NullColumns bit(int column) { return NullColumns{1} << column; }

double rate_value(const json& v, const std::string& path) { return share(v, path); }
}  // namespace

const char* fault_table_name(FaultTable t) { return kTableNames[static_cast<int>(t)]; }
const char* defect_name(Defect d) { return kDefectNames[static_cast<int>(d)]; }

bool parse_defect(const std::string& text, Defect* out) {
    for (int i = 0; i < kDefects; ++i)
        if (text == kDefectNames[i]) {
            *out = static_cast<Defect>(i);
            return true;
        }
    return false;
}

// The contract's columns: src/sql/70_faults.sql checks exactly these (a test compares the two).
const std::vector<DefectColumn>& defect_columns() {
    using T = FaultTable;
    using D = Defect;
    static const std::vector<DefectColumn> columns = {
        {T::Users, D::NullRequired, 3, "email"},
        {T::Users, D::UnknownEnum, 5, "gender"},
        {T::Users, D::UnknownEnum, 13, "traffic_source"},
        {T::Users, D::NonPositiveNumber, 4, "age"},
        {T::Users, D::TimestampOutOfRange, 14, "created_at"},
        {T::Users, D::InvalidEmail, 3, "email"},
        {T::Users, D::StrayWhitespace, 1, "first_name"},
        {T::Users, D::StrayWhitespace, 2, "last_name"},
        {T::Orders, D::NullRequired, 1, "user_id"},
        {T::Orders, D::UnknownEnum, 2, "status"},
        {T::Orders, D::NonPositiveNumber, 3, "num_of_items"},
        {T::Orders, D::TimestampOutOfRange, 4, "created_at"},
        {T::OrderItems, D::NullRequired, 1, "order_id"},
        {T::OrderItems, D::NullRequired, 2, "product_id"},
        {T::OrderItems, D::NonPositiveNumber, 5, "sale_price"},
        {T::OrderItems, D::TimestampOutOfRange, 6, "created_at"},
        {T::OrderItems, D::OrphanForeignKey, 1, "order_id"},
        {T::OrderItems, D::OrphanForeignKey, 2, "product_id"},
        {T::Events, D::NullRequired, 3, "session_id"},
        {T::Events, D::NullRequired, 10, "uri"},
        {T::Events, D::UnknownEnum, 8, "browser"},
        {T::Events, D::UnknownEnum, 9, "traffic_source"},
        {T::Events, D::NonPositiveNumber, 2, "sequence_number"},
        {T::Events, D::TimestampOutOfRange, 12, "created_at"},
        {T::Events, D::OrphanForeignKey, 1, "user_id"},
        {T::Events, D::MalformedUuid, 3, "session_id"},
        {T::Events, D::MalformedUri, 10, "uri"},
        {T::Events, D::StrayWhitespace, 5, "city"},
    };
    return columns;
}

bool FaultsSection::bad_records_on() const {
    for (double r : bad_records.rate)
        if (r > 0) return true;
    return false;
}

bool FaultsSection::injects_rows() const {
    return bad_records_on() || late_events.share > 0 || duplicate_events.share > 0;
}

bool FaultsSection::any() const { return injects_rows() || cdc.any(); }

FaultsSection parse_faults(const json& j, const std::string& path) {
    if (!j.is_object()) fail(path, "must be an object with bad_records, late_events, duplicate_events, cdc or files");
    only_keys(j, path, {"bad_records", "late_events", "duplicate_events", "cdc", "files"});
    FaultsSection f;
    if (j.contains("cdc") && !j["cdc"].is_null()) f.cdc = parse_cdc_faults(j["cdc"], path + ".cdc");
    if (j.contains("files") && !j["files"].is_null()) f.files = parse_file_faults(j["files"], path + ".files");
    if (j.contains("bad_records") && !j["bad_records"].is_null()) {
        const json& b = j["bad_records"];
        const std::string p = path + ".bad_records";
        if (!b.is_object()) fail(p, "must be an object such as {\"rate\": 0.01}");
        only_keys(b, p, {"rate", "tables", "kinds"});
        if (b.contains("rate")) f.bad_records.rate.fill(rate_value(b["rate"], p + ".rate"));
        if (b.contains("tables")) {
            const json& t = b["tables"];
            if (!t.is_object()) fail(p + ".tables", "must be an object such as {\"events\": 0.02}");
            only_keys(t, p + ".tables", {"users", "orders", "order_items", "events"});
            for (int i = 0; i < kFaultTables; ++i)
                if (t.contains(kTableNames[i]))
                    f.bad_records.rate[i] = rate_value(t[kTableNames[i]], p + ".tables." + kTableNames[i]);
        }
        if (b.contains("kinds")) {
            const json& k = b["kinds"];
            if (!k.is_array() || k.empty()) fail(p + ".kinds", "must be a non-empty array of defect kinds");
            f.bad_records.kinds.fill(false);
            for (size_t i = 0; i < k.size(); ++i) {
                const std::string kp = p + ".kinds[" + std::to_string(i) + "]";
                Defect d;
                if (!k[i].is_string() || !parse_defect(k[i].get<std::string>(), &d)) {
                    std::string list;
                    for (const char* n : kDefectNames) list += std::string(list.empty() ? "" : ", ") + n;
                    fail(kp, "unknown defect kind " + show(k[i]), "Defect kinds: " + list + ".");
                }
                f.bad_records.kinds[static_cast<int>(d)] = true;
            }
        }
    }
    if (j.contains("late_events") && !j["late_events"].is_null()) {
        const json& l = j["late_events"];
        const std::string p = path + ".late_events";
        if (!l.is_object()) fail(p, "must be an object such as {\"share\": 0.05, \"median\": \"10 minutes\"}");
        only_keys(l, p, {"share", "median", "sigma", "min", "max"});
        LateEventFaults& e = f.late_events;
        if (l.contains("share")) e.share = share(l["share"], p + ".share");
        if (l.contains("median")) e.median_seconds = duration_value(l["median"], p + ".median");
        if (l.contains("sigma")) e.sigma = number_at_least(l["sigma"], p + ".sigma", 0);
        if (l.contains("min")) e.min_seconds = duration_value(l["min"], p + ".min");
        if (l.contains("max")) e.max_seconds = duration_value(l["max"], p + ".max");
        if (!(e.median_seconds > 0)) fail(p + ".median", "must be longer than 0 seconds");
        if (!(e.min_seconds <= e.max_seconds))
            fail(p + ".min", "must not be longer than max (" + show_number(e.max_seconds) + " seconds)");
    }
    if (j.contains("duplicate_events") && !j["duplicate_events"].is_null()) {
        const json& d = j["duplicate_events"];
        const std::string p = path + ".duplicate_events";
        if (!d.is_object()) fail(p, "must be an object such as {\"share\": 0.01}");
        only_keys(d, p, {"share"});
        if (d.contains("share")) f.duplicate_events.share = share(d["share"], p + ".share");
    }
    return f;
}

FaultInjector::FaultInjector(const FaultsSection& section, uint64_t seed, IdFormat ids)
    : s_(section), rng_(seed), ids_(ids) {}

std::string FaultInjector::new_id(Micros t) {
    return ids_ == IdFormat::Uuid7 ? uuid_v7(rng_, t / 1000) : uuid_v4(rng_);
}

bool FaultInjector::applicable(const Event& e, const DefectColumn& c) const {
    // An anonymous visitor's event has no user to be an orphan of.
    return !(c.defect == Defect::OrphanForeignKey && e.user_id.empty());
}

// With the table's rate: one defect, drawn uniformly from the allowed kinds that apply to this
// table and row, then uniformly from that kind's columns.
template <typename Row>
void FaultInjector::corrupt_row(FaultTable table, Row& row, const std::string& id, std::vector<FaultRecord>* truth) {
    const double rate = s_.bad_records.rate[static_cast<int>(table)];
    if (!(rate > 0) || !rng_.bernoulli(rate)) return;
    std::array<bool, kDefects> has{};
    for (const DefectColumn& c : defect_columns())
        if (c.table == table && s_.bad_records.kinds[static_cast<int>(c.defect)] && applicable(row, c))
            has[static_cast<int>(c.defect)] = true;
    std::vector<Defect> kinds;
    for (int d = 0; d < kDefects; ++d)
        if (has[d]) kinds.push_back(static_cast<Defect>(d));
    if (kinds.empty()) return;  // none of the allowed kinds fits this table: the row stays good
    const Defect kind = kinds[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(kinds.size()) - 1))];
    std::vector<const DefectColumn*> cols;
    for (const DefectColumn& c : defect_columns())
        if (c.table == table && c.defect == kind && applicable(row, c)) cols.push_back(&c);
    const DefectColumn& c = *cols[static_cast<size_t>(rng_.uniform_int(0, static_cast<int64_t>(cols.size()) - 1))];
    damage(row, c);
    truth->push_back({fault_table_name(table), id, defect_name(kind), c.name});
}

void FaultInjector::damage(User& u, const DefectColumn& c) {
    switch (c.defect) {
        case Defect::NullRequired: u.nulls |= bit(c.column); break;
        case Defect::UnknownEnum:
            (c.column == 5 ? u.gender : u.traffic_source) = pick(rng_, c.column == 5 ? kBadGender : kBadUserSource);
            break;
        case Defect::NonPositiveNumber: u.age = bad_number(rng_, u.age); break;
        case Defect::TimestampOutOfRange: u.created_at = bad_time(rng_, u.created_at); break;
        case Defect::InvalidEmail: u.email = invalid_email(rng_, u.email); break;
        case Defect::StrayWhitespace:
            (c.column == 1 ? u.first_name : u.last_name) = stray_whitespace(rng_, c.column == 1 ? u.first_name : u.last_name);
            break;
        default: break;
    }
}

void FaultInjector::damage(Order& o, const DefectColumn& c) {
    switch (c.defect) {
        case Defect::NullRequired: o.nulls |= bit(c.column); break;
        case Defect::UnknownEnum: o.bad_status = pick(rng_, kBadStatus); break;
        case Defect::NonPositiveNumber: o.num_of_items = bad_number(rng_, o.num_of_items); break;
        case Defect::TimestampOutOfRange: o.times.created_at = bad_time(rng_, o.times.created_at); break;
        default: break;
    }
}

void FaultInjector::damage(OrderItem& i, const DefectColumn& c) {
    switch (c.defect) {
        case Defect::NullRequired: i.nulls |= bit(c.column); break;
        case Defect::NonPositiveNumber: i.sale_price = bad_number(rng_, i.sale_price); break;
        case Defect::TimestampOutOfRange: i.times.created_at = bad_time(rng_, i.times.created_at); break;
        case Defect::OrphanForeignKey:
            // A fresh uuid is no order's; product ids are small, so 10^9 and up is no product's.
            if (c.column == 1)
                i.order_id = uuid_v4(rng_);
            else
                i.product_id = rng_.uniform_int(1000000000, 1999999999);
            break;
        default: break;
    }
}

void FaultInjector::damage(Event& e, const DefectColumn& c) {
    switch (c.defect) {
        case Defect::NullRequired: e.nulls |= bit(c.column); break;
        case Defect::UnknownEnum:
            (c.column == 8 ? e.browser : e.traffic_source) = pick(rng_, c.column == 8 ? kBadBrowser : kBadSessionSource);
            break;
        case Defect::NonPositiveNumber: e.sequence_number = bad_number(rng_, e.sequence_number); break;
        case Defect::TimestampOutOfRange: e.created_at = bad_time(rng_, e.created_at); break;
        case Defect::OrphanForeignKey: e.user_id = uuid_v4(rng_); break;
        case Defect::MalformedUuid: e.session_id = malformed_uuid(rng_, e.session_id); break;
        case Defect::MalformedUri: e.uri = malformed_uri(rng_, e.uri); break;
        case Defect::StrayWhitespace: e.city = stray_whitespace(rng_, e.city); break;
        default: break;
    }
}

void FaultInjector::corrupt(User& u, std::vector<FaultRecord>* truth) { corrupt_row(FaultTable::Users, u, u.id, truth); }
void FaultInjector::corrupt(Order& o, std::vector<FaultRecord>* truth) { corrupt_row(FaultTable::Orders, o, o.id, truth); }
void FaultInjector::corrupt(OrderItem& i, std::vector<FaultRecord>* truth) {
    corrupt_row(FaultTable::OrderItems, i, i.id, truth);
}
void FaultInjector::corrupt(Event& e, std::vector<FaultRecord>* truth) { corrupt_row(FaultTable::Events, e, e.id, truth); }

std::vector<Event> FaultInjector::deliver(std::vector<Event> events, Micros now, std::vector<FaultRecord>* truth,
                                          bool allow_late) {
    if (!s_.injects_rows()) return events;
    std::vector<Event> out;
    out.reserve(events.size());
    auto send = [&](Event e, std::vector<FaultRecord> rows) {
        if (allow_late && s_.late_events.share > 0 && rng_.bernoulli(s_.late_events.share)) {
            const LateEventFaults& l = s_.late_events;
            const double z = std::sqrt(-2 * std::log1p(-rng_.uniform())) * std::cos(2 * M_PI * rng_.uniform());
            const double lag = std::clamp(l.median_seconds * std::exp(l.sigma * z), l.min_seconds, l.max_seconds);
            rows.push_back({"events", e.id, "late_event", show_number(lag)});
            const Micros due = now + static_cast<Micros>(lag * kMicrosPerSecond);
            const auto it = held_.emplace(due, Held{due, next_seq_++, std::move(e), std::move(rows)});
            recent_.insert(&it->second);
            return;
        }
        out.push_back(std::move(e));
        truth->insert(truth->end(), rows.begin(), rows.end());
    };
    for (Event& e : events) {
        std::vector<FaultRecord> rows;
        corrupt(e, &rows);
        if (s_.duplicate_events.share > 0 && rng_.bernoulli(s_.duplicate_events.share)) {
            Event copy = e;
            copy.id = new_id(now);
            std::vector<FaultRecord> copy_rows;
            for (const FaultRecord& r : rows) copy_rows.push_back({r.table, copy.id, r.kind, r.detail});
            copy_rows.push_back({"events", copy.id, "duplicate_event", e.id});
            send(std::move(e), std::move(rows));
            send(std::move(copy), std::move(copy_rows));
        } else {
            send(std::move(e), std::move(rows));
        }
    }
    return out;
}

void FaultInjector::corrupt_all(std::vector<User>& users, std::vector<Order>& orders, std::vector<OrderItem>& items,
                                std::vector<Event>& events, std::vector<FaultRecord>* truth) {
    if (!s_.injects_rows()) return;
    for (User& u : users) corrupt(u, truth);
    for (Order& o : orders) corrupt(o, truth);
    for (OrderItem& i : items) corrupt(i, truth);
    events = deliver(std::move(events), 0, truth, false);  // one delivery: nothing arrives late
}

std::vector<Event> FaultInjector::release(Micros now, std::vector<FaultRecord>* truth) {
    std::vector<Event> out;
    auto end = held_.upper_bound(now);
    for (auto it = held_.begin(); it != end; ++it) {
        // Kept until the commit: a rolled back transaction holds them again.
        if (it->second.seq <= committed_seq_)
            released_.push_back(it->second);
        else
            recent_.erase(&it->second);  // held and released in this transaction: never in the table
        out.push_back(std::move(it->second.event));
        truth->insert(truth->end(), it->second.truth.begin(), it->second.truth.end());
    }
    held_.erase(held_.begin(), end);
    return out;
}

namespace {
// The order of held events: by due time, those due at the same time in the order they were held.
bool held_before(const FaultInjector::HeldEvent& a, const FaultInjector::HeldEvent& b) {
    return a.due != b.due ? a.due < b.due : a.seq < b.seq;
}
}  // namespace

std::vector<const FaultInjector::HeldEvent*> FaultInjector::held_since_commit() const {
    std::vector<const HeldEvent*> out(recent_.begin(), recent_.end());
    std::sort(out.begin(), out.end(), [](const HeldEvent* a, const HeldEvent* b) { return held_before(*a, *b); });
    return out;
}

std::vector<uint64_t> FaultInjector::released_since_commit() const {
    std::vector<uint64_t> out;
    for (const Held& h : released_) out.push_back(h.seq);
    return out;
}

void FaultInjector::committed() {
    committed_seq_ = next_seq_ - 1;
    released_.clear();
    recent_.clear();
}

namespace {
// Held events in held_before's order, as a multimap by due time.
std::multimap<Micros, FaultInjector::HeldEvent> in_order(std::vector<FaultInjector::HeldEvent> held) {
    std::sort(held.begin(), held.end(), held_before);
    std::multimap<Micros, FaultInjector::HeldEvent> out;
    for (auto& h : held) out.emplace_hint(out.end(), h.due, std::move(h));
    return out;
}
}  // namespace

void FaultInjector::roll_back(const State& state) {
    std::vector<Held> kept;
    for (auto& kv : held_)
        if (kv.second.seq <= committed_seq_) kept.push_back(std::move(kv.second));
    for (Held& h : released_) kept.push_back(std::move(h));
    held_ = in_order(std::move(kept));
    released_.clear();
    recent_.clear();
    rng_.restore(state.rng);
    next_seq_ = state.next_seq;
}

void FaultInjector::restore(const State& state, std::vector<HeldEvent> held) {
    held_ = in_order(std::move(held));
    released_.clear();
    recent_.clear();
    rng_.restore(state.rng);
    next_seq_ = state.next_seq;
    committed_seq_ = next_seq_ - 1;
}

std::string held_event_to_json(const FaultInjector::HeldEvent& h) {
    const Event& e = h.event;
    json truth = json::array();
    for (const FaultRecord& r : h.truth) truth.push_back(json::array({r.table, r.row_id, r.kind, r.detail}));
    const json j = {{"due", h.due}, {"seq", h.seq},
                    {"event", {e.id, e.user_id, e.sequence_number, e.session_id, e.ip_address, e.city, e.state, e.postal_code,
                               e.browser, e.traffic_source, e.uri, e.event_type, e.created_at, e.nulls}},
                    {"truth", truth}};
    return j.dump();
}

FaultInjector::HeldEvent held_event_from_json(const std::string& text) {
    try {
        const json j = json::parse(text);
        FaultInjector::HeldEvent h;
        h.due = j.at("due").get<Micros>();
        h.seq = j.at("seq").get<uint64_t>();
        const json& v = j.at("event");
        Event& e = h.event;
        e.id = v.at(0).get<std::string>();
        e.user_id = v.at(1).get<std::string>();
        e.sequence_number = v.at(2).get<int>();
        std::string* texts[] = {&e.session_id, &e.ip_address, &e.city, &e.state, &e.postal_code, &e.browser, &e.traffic_source, &e.uri, &e.event_type};
        for (size_t i = 0; i < 9; ++i) *texts[i] = v.at(3 + i).get<std::string>();
        e.created_at = v.at(12).get<Micros>();
        e.nulls = v.at(13).get<NullColumns>();
        for (const json& r : j.at("truth"))
            h.truth.push_back(FaultRecord{r.at(0).get<std::string>(), r.at(1).get<std::string>(), r.at(2).get<std::string>(),
                                          r.at(3).get<std::string>()});
        return h;
    } catch (const std::exception& ex) {
        throw Error(sqlstate::kDataCorrupted, "a held late event of a simulation cannot be read", ex.what(),
                    "The row of thelook.held_events was changed by hand, or by another version.");
    }
}

}  // namespace thelook

#include "cpp_only.hpp"  // last: proves this file saw no PostgreSQL header
