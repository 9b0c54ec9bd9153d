// The scenario's "faults" section: data that tests a pipeline instead of feeding it. Bad records
// (rows that fit the column types but break the data's contract, each of one documented defect
// kind), late events (written a lag after their created_at) and duplicate events (written twice,
// a new id, everything else equal), each off by default, each listed as ground truth.
//
//   "faults": {"bad_records": {"rate": 0.01, "tables": {"events": 0.02}, "kinds": ["null_required", ...]},
//              "late_events": {"share": 0.05, "median": "10 minutes", "sigma": 1, "min": "1 minute", "max": "6 hours"},
//              "duplicate_events": {"share": 0.01},
//              "cdc": {...},                                             CDC edge cases: cdc_faults.hpp
//              "files": {...}}                                           file feeds' damaged records: file_faults.hpp
//
// The contract (what thelook.validate(schema) checks, in src/sql/70_faults.sql) and the defects
// that break it are defined here, once: kDefectColumns.
#pragma once

#include <array>
#include <map>
#include <unordered_set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cdc_faults.hpp"
#include "entities.hpp"
#include "file_faults.hpp"
#include "random.hpp"

namespace thelook {

enum class FaultTable { Users, Orders, OrderItems, Events };
inline constexpr int kFaultTables = 4;
const char* fault_table_name(FaultTable t);

enum class Defect {
    NullRequired,         // NULL in a column the contract says is not null
    UnknownEnum,          // a value outside the column's vocabulary (a misspelt status, browser, ...)
    NonPositiveNumber,    // zero or negative where the contract says positive
    TimestampOutOfRange,  // created_at in 1970 or a century in the future
    OrphanForeignKey,     // a reference to a row that does not exist
    MalformedUuid,        // not a canonical lower-case 8-4-4-4-12 uuid
    MalformedUri,         // a uri that does not start with '/'
    InvalidEmail,         // an e-mail without '@'
    StrayWhitespace,      // leading or trailing whitespace, or a control character
};
inline constexpr int kDefects = 9;
const char* defect_name(Defect d);
bool parse_defect(const std::string& text, Defect* out);

// Which column of which table a defect may hit (columns in the reference order).
struct DefectColumn {
    FaultTable table;
    Defect defect;
    int column;
    const char* name;
};
const std::vector<DefectColumn>& defect_columns();

struct BadRecordFaults {
    std::array<double, kFaultTables> rate{};  // share of the new rows of each table
    std::array<bool, kDefects> kinds;         // the kinds drawn from (default: all)
    BadRecordFaults() { kinds.fill(true); }
};

// A late event's lag: lognormal with this median and sigma (of the log), clipped to [min, max].
struct LateEventFaults {
    double share = 0;
    double median_seconds = 600, sigma = 1, min_seconds = 60, max_seconds = 6 * 3600;
};

struct DuplicateEventFaults {
    double share = 0;
};

struct FaultsSection {
    BadRecordFaults bad_records;
    LateEventFaults late_events;
    DuplicateEventFaults duplicate_events;
    CdcFaults cdc;
    FileFaultsSection files;  // damaged records in file feeds (thelook.write_feed)
    bool bad_records_on() const;
    bool injects_rows() const;  // bad records, late or duplicate events: the FaultInjector's part
    bool any() const;           // false: the reference, nothing injected (file faults aside: write_feed's)
};

// Parses scenario.faults (path names it in errors).
FaultsSection parse_faults(const nlohmann::json& j, const std::string& path);

// One row of ground truth (the schema's injected_faults table): a bad record's defect kind and
// column, 'late_event' and its lag in seconds, 'duplicate_event' and the original's id.
struct FaultRecord {
    std::string table, row_id, kind, detail;
};

// The injector's random stream: Rng::derive_seed(seed, kFaultStream).
inline constexpr uint64_t kFaultStream = 0xFA17ULL;

// Decides the faults of the rows a generator is about to write. Its own random stream: the rows
// it leaves alone are the rows the reference writes.
class FaultInjector {
public:
    FaultInjector(const FaultsSection& section, uint64_t seed, IdFormat ids);
    // Not copied: recent_ points into held_'s nodes (a move keeps them).
    FaultInjector(const FaultInjector&) = delete;
    FaultInjector& operator=(const FaultInjector&) = delete;
    FaultInjector(FaultInjector&&) = default;
    FaultInjector& operator=(FaultInjector&&) = default;
    // A new section (alter_simulation): late events already held keep their arrival time.
    void set_section(const FaultsSection& section) { s_ = section; }
    const FaultsSection& section() const { return s_; }

    // Makes a share of rows bad, one defect each, and lists them in truth.
    void corrupt(User& u, std::vector<FaultRecord>* truth);
    void corrupt(Order& o, std::vector<FaultRecord>* truth);
    void corrupt(OrderItem& i, std::vector<FaultRecord>* truth);
    void corrupt(Event& e, std::vector<FaultRecord>* truth);

    // Events of one delivery at time now: each may be bad, be written twice (the copy inherits a
    // bad original's defect), and (allow_late) arrive late. Returns those written now; holds the
    // late ones, with their ground truth, for release().
    std::vector<Event> deliver(std::vector<Event> events, Micros now, std::vector<FaultRecord>* truth,
                               bool allow_late = true);
    // Random-access data sets (the SRFs) draw row i's faults from a stream of its own.
    void reseed(uint64_t seed) { rng_.reseed(seed); }
    // Every row of a back-fill chunk: bad records and duplicate events (a back-fill is one delivery:
    // nothing arrives late).
    void corrupt_all(std::vector<User>& users, std::vector<Order>& orders, std::vector<OrderItem>& items,
                     std::vector<Event>& events, std::vector<FaultRecord>* truth);
    // The held events due at now (arrival time <= now), with their ground truth.
    std::vector<Event> release(Micros now, std::vector<FaultRecord>* truth);
    size_t held() const { return held_.size(); }

    // Exactly once: a live simulation commits, with each transaction's rows, the injector's random
    // state and the changes to the late events it holds (a table of the extension), and on a
    // failed transaction goes back to the last commit. Held events are numbered (seq) in the order
    // they were held, which keeps the order of those due at the same time.
    struct HeldEvent {
        Micros due = 0;
        uint64_t seq = 0;
        Event event;
        std::vector<FaultRecord> truth;
    };
    struct State {
        Rng::State rng{};
        uint64_t next_seq = 1;
    };
    State state() const { return State{rng_.state(), next_seq_}; }
    // Since the last commit: events held and still held (to insert), and the seqs of committed ones
    // released (to delete).
    std::vector<const HeldEvent*> held_since_commit() const;
    std::vector<uint64_t> released_since_commit() const;
    void committed();                     // the changes are in the committed transaction
    void roll_back(const State& state);   // back to the last commit (and to state)
    // A resumed simulation: its state and the held events read back, in (due, seq) order.
    void restore(const State& state, std::vector<HeldEvent> held);

private:
    using Held = HeldEvent;
    std::string new_id(Micros t);
    template <typename Row>
    void corrupt_row(FaultTable table, Row& row, const std::string& id, std::vector<FaultRecord>* truth);
    void damage(User& u, const DefectColumn& c);
    void damage(Order& o, const DefectColumn& c);
    void damage(OrderItem& i, const DefectColumn& c);
    void damage(Event& e, const DefectColumn& c);
    bool applicable(const User&, const DefectColumn&) const { return true; }
    bool applicable(const Order&, const DefectColumn&) const { return true; }
    bool applicable(const OrderItem&, const DefectColumn&) const { return true; }
    bool applicable(const Event& e, const DefectColumn& c) const;

    FaultsSection s_;
    Rng rng_;
    IdFormat ids_;
    std::multimap<Micros, Held> held_;  // by arrival time, then seq
    uint64_t next_seq_ = 1, committed_seq_ = 0;  // seqs up to committed_seq_ are in the table
    std::vector<Held> released_;                 // released since the last commit
    // The entries of held_ held since the last commit (seq > committed_seq_), so that a commit
    // does not scan every event held (a lag of minutes holds tens of thousands).
    std::unordered_set<const Held*> recent_;
};

// A held event (with its ground truth) as JSON, and back (thelook.held_events.held).
std::string held_event_to_json(const FaultInjector::HeldEvent& h);
FaultInjector::HeldEvent held_event_from_json(const std::string& json);

}  // namespace thelook
