#pragma once
#include "collector.h"
#include "event.h"
#include "populatingallocator.h"
#include "waitforgraph.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace il {

// A span of time a lane spent in one state. Segments of a lane never overlap and are
// stored in time order, so both starts and ends are sorted and a visible range is
// found by binary search.
struct Segment {
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    State state = State::Running;
    ResourceId resource = kNoResource;
};

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

struct TimelineLane {
    std::string name;
    std::vector<Segment, PopulatingAllocator<Segment>> segments;
    std::vector<Mark> marks;
    std::vector<HoldChange> holds; // in time order
    bool open = false;             // the last segment is still going on
};

struct CounterSample {
    std::int64_t tNs = 0;
    std::int64_t value = 0;
};

// The consumer's copy of a run: built from collector batches, append-only.
class Timeline {
public:
    void apply(const Batch &batch);
    // The run is over: open segments end at `endNs`.
    void close(std::int64_t endNs);

    const std::vector<TimelineLane> &lanes() const { return m_lanes; }
    const std::string &resource_name(ResourceId id) const;
    const std::vector<std::string> &resources() const { return m_resources; }
    const std::map<ResourceId, std::vector<CounterSample>> &counters() const { return m_counters; }

    // The first deadlock of the run, if its wait-for graph closed a cycle.
    const std::optional<DeadlockCycle> &deadlock() const { return m_deadlock; }

    // Latest time seen in any event (the live edge), in ns since the run began.
    std::int64_t end_ns() const { return m_endNs; }
    std::uint64_t event_count() const { return m_events; }
    std::uint64_t dropped() const { return m_dropped; }
    std::size_t segment_count() const;

    // End of a segment as drawn: an open segment reaches the live edge.
    std::int64_t segment_end(const TimelineLane &lane, std::size_t index) const;
    // Index of the first segment of `lane` that ends after `t` (size() if none).
    static std::size_t first_ending_after(const TimelineLane &lane, std::int64_t t);
    // Index of the segment covering `t`, or -1.
    std::ptrdiff_t segment_at(const TimelineLane &lane, std::int64_t t) const;

private:
    void apply_state(TimelineLane &lane, const Event &e);
    void add_counter(const Event &e);

    std::vector<TimelineLane> m_lanes;
    std::vector<std::string> m_resources{std::string()};
    std::map<ResourceId, std::vector<CounterSample>> m_counters;
    std::int64_t m_endNs = 0;
    std::uint64_t m_events = 0;
    std::uint64_t m_dropped = 0;
    std::optional<DeadlockCycle> m_deadlock;
};

} // namespace il
