#pragma once
#include "chunkedstore.h"
#include "collector.h"
#include "event.h"
#include "lod.h"
#include "segment.h"
#include "waitforgraph.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace il {

struct Mark {
    std::int64_t tNs = 0;
    std::int64_t value = 0;
    ResourceId resource = kNoResource;
};

// The lane took (acquired) or gave back a resource at tNs.
struct HoldChange {
    std::int64_t tNs = 0;
    ResourceId resource = kNoResource;
    bool acquired = false;
};

// Records are kept in chunked stores: random access like a vector, at most one chunk
// of spare capacity, and the oldest detail can be given back (see set_memory_budget).
struct TimelineLane {
    std::string name;
    ChunkedStore<Segment> segments;
    ChunkedStore<Mark> marks;
    ChunkedStore<HoldChange> holds; // in time order
    bool open = false;              // the last segment is still going on
    LaneLod lod;                    // time per state over blocks of closed segments
};

struct CounterSample {
    std::int64_t tNs = 0;
    std::int64_t value = 0;
};

// The consumer's copy of a run: built from collector batches, append-only until the
// memory budget is reached.
class Timeline {
public:
    static constexpr std::size_t kDefaultMemoryBudget = std::size_t(1) << 30;
    // The resource of the Unrecorded segment that stands for dropped detail. Kept out
    // of resources() (whose ids are the collector's); resource_name() knows it.
    static constexpr ResourceId kDroppedDetail = ResourceId(0xffff);
    static constexpr const char *kDroppedDetailLabel = "older detail dropped (memory budget)";

    void apply(const Batch &batch);
    // The run is over: open segments end at `endNs`.
    void close(std::int64_t endNs);
    // The run goes on at `nowNs` (ns since it began): the live edge moves there even
    // when nothing happens (a deadlock), so open segments - a thread blocked on a lock -
    // are drawn growing. Never moves the edge back.
    void advance(std::int64_t nowNs) { m_endNs = std::max(m_endNs, clamp_segment_ns(nowNs)); }

    const std::vector<TimelineLane> &lanes() const { return m_lanes; }
    const std::string &resource_name(ResourceId id) const;
    const std::vector<std::string> &resources() const { return m_resources; }
    const std::map<ResourceId, std::vector<CounterSample>> &counters() const { return m_counters; }

    // The first deadlock of the run, if its wait-for graph closed a cycle.
    const std::optional<DeadlockCycle> &deadlock() const { return m_deadlock; }

    // Latest time seen in any event or advance() (the live edge), in ns since the run
    // began.
    std::int64_t end_ns() const { return m_endNs; }
    std::uint64_t event_count() const { return m_events; }
    // Whether any segment of the run has been in `state` (for a legend of what is there).
    bool has_state(State state) const { return (m_statesSeen >> unsigned(state)) & 1U; }
    std::uint64_t dropped() const { return m_dropped; }
    std::size_t segment_count() const;

    // End of a segment as drawn: an open segment reaches the live edge.
    std::int64_t segment_end(const TimelineLane &lane, std::size_t index) const;
    // Index of the first segment of `lane` that ends after `t` (size() if none).
    static std::size_t first_ending_after(const TimelineLane &lane, std::int64_t t);
    // Index of the segment covering `t`, or -1.
    std::ptrdiff_t segment_at(const TimelineLane &lane, std::int64_t t) const;

    // Heap and object bytes this timeline holds (capacities, not sizes).
    std::size_t memory_bytes() const;
    // When memory_bytes() passes the budget, every lane's oldest half of segments, marks
    // and hold changes (and of every counter's samples) is discarded, the segments
    // replaced by one Unrecorded segment labelled kDroppedDetailLabel. The run goes on;
    // memory stays within the budget plus a slack of about one chunk per store
    // (256 KiB x 4 per lane) and one check interval (kBudgetCheckEvents events).
    void set_memory_budget(std::size_t bytes);
    std::size_t memory_budget() const { return m_budget; }
    // Records (segments, marks, hold changes, counter samples) discarded to stay within
    // the budget.
    std::uint64_t discarded_events() const { return m_discarded; }
    static constexpr std::uint64_t kBudgetCheckEvents = 8192;

private:
    // What apply() counts, in locals: as members they were read and written back for
    // every event (a segment's store may alias them). Stored with every budget check.
    struct Tally {
        std::uint64_t events = 0;
        std::int64_t endNs = 0;
        std::uint32_t seen = 0; // bit per State
    };
    void store(Tally &tally);
    // Applies events from `e` on, up to `end`, while they are of e's lane (at least one);
    // returns where it stopped. Batches hold each lane's events in runs (the collector
    // drains ring by ring), so the lane and its open segment stay in registers.
    const Event *apply_run(const Event *e, const Event *end, Tally &tally);
    void add_counter(const Event &e);
    void enforce_budget();
    void drop_oldest_detail();

    std::vector<TimelineLane> m_lanes;
    std::vector<std::string> m_resources{std::string()};
    std::map<ResourceId, std::vector<CounterSample>> m_counters;
    std::int64_t m_endNs = 0;
    std::uint32_t m_statesSeen = 0; // bit per State
    std::uint64_t m_events = 0;
    std::uint64_t m_dropped = 0;
    std::optional<DeadlockCycle> m_deadlock;
    std::size_t m_budget = kDefaultMemoryBudget;
    std::size_t m_dropAbove = kDefaultMemoryBudget; // the budget, or more when little could go
    std::uint64_t m_discarded = 0;
};

} // namespace il
