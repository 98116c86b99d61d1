#include "timeline.h"

#include <algorithm>

namespace il {

void Timeline::apply(const Batch &batch)
{
    for (const auto &name : batch.newLanes) {
        m_lanes.emplace_back();
        m_lanes.back().name = name;
    }
    m_resources.insert(m_resources.end(), batch.newResources.begin(), batch.newResources.end());
    m_dropped = std::max(m_dropped, batch.droppedTotal);

    Tally tally{.endNs = m_endNs};
    std::uint64_t sinceCheck = 0;
    batch.events.for_each_span([&](const Event *e, std::size_t n) {
        const Event *const end = e + n;
        while (e != end) {
            if (sinceCheck >= kBudgetCheckEvents) {
                sinceCheck = 0;
                store(tally);
                enforce_budget();
            }
            const auto room =
                std::min<std::size_t>(std::size_t(end - e), kBudgetCheckEvents - sinceCheck);
            const Event *const next = apply_run(e, e + room, tally);
            sinceCheck += std::uint64_t(next - e);
            e = next;
        }
    });
    store(tally);
    if (batch.deadlock && !m_deadlock)
        m_deadlock = batch.deadlock;
    enforce_budget();
}

void Timeline::add_counter(const Event &e)
{
    // Samples come lane by lane from the collector; keep each series in time order.
    auto &series = m_counters[e.resource];
    const CounterSample sample{e.t_ns, e.value};
    if (series.empty() || series.back().tNs <= e.t_ns) {
        series.push_back(sample);
        return;
    }
    const auto at =
        std::upper_bound(series.begin(), series.end(), e.t_ns,
                         [](std::int64_t t, const CounterSample &c) { return t < c.tNs; });
    series.insert(at, sample);
}

void Timeline::store(Tally &tally)
{
    m_events += tally.events;
    tally.events = 0;
    m_endNs = tally.endNs;
    m_statesSeen |= tally.seen;
}

const Event *Timeline::apply_run(const Event *e, const Event *end, Tally &counted)
{
    Tally tally = counted; // in registers, not through a reference a store may alias
    const LaneId id = e->lane;
    if (id >= m_lanes.size())
        return e + 1; // cannot happen with a collector batch; tolerate foreign input
    TimelineLane &lane = m_lanes[id];
    // The open segment in locals, stored back when the run ends: kept in the store
    // only, it was read back for every event.
    bool open = lane.open;
    Segment current = open ? lane.segments.back() : Segment{};
    for (; e != end && e->lane == id; ++e) {
        // Every time kept within a segment's range (a run past ~39 hours), so that what
        // is saved opens again.
        const std::int64_t t = clamp_segment_ns(e->t_ns);
        ++tally.events;
        tally.endNs = std::max(tally.endNs, t);
        switch (e->kind) {
        case EventKind::State: {
            if (unsigned(e->state) < unsigned(State::Count))
                tally.seen |= 1U << unsigned(e->state);
            if (open && current.state == e->state && current.resource == e->resource)
                break; // no change
            std::int64_t start = t;
            if (open) {
                current.endNs = std::max<std::int64_t>(current.startNs, t);
                lane.segments.back() = current;
                lane.lod.segment_closed(current);
                start = current.endNs;
            } else if (!lane.segments.empty()) {
                start = std::max<std::int64_t>(t, lane.segments.back().endNs);
            }
            current = Segment{
                .startNs = start, .state = e->state, .endNs = start, .resource = e->resource};
            lane.segments.push_back(current);
            open = true;
            break;
        }
        case EventKind::Mark: lane.marks.push_back(Mark{t, e->value, e->resource}); break;
        case EventKind::Counter: {
            Event clamped = *e;
            clamped.t_ns = t;
            add_counter(clamped);
            break;
        }
        case EventKind::Acquire:
        case EventKind::Release:
            lane.holds.push_back({t, e->resource, e->kind == EventKind::Acquire});
            break;
        }
    }
    lane.open = open;
    counted = tally;
    return e;
}

void Timeline::close(std::int64_t endNs)
{
    m_endNs = std::max(m_endNs, clamp_segment_ns(endNs));
    for (auto &lane : m_lanes) {
        if (!lane.open)
            continue;
        lane.segments.back().endNs = m_endNs;
        lane.lod.segment_closed(lane.segments.back());
        lane.open = false;
    }
}

const std::string &Timeline::resource_name(ResourceId id) const
{
    static const std::string none;
    static const std::string dropped = kDroppedDetailLabel;
    if (id == kDroppedDetail)
        return dropped;
    return id < m_resources.size() ? m_resources[id] : none;
}

std::size_t Timeline::segment_count() const
{
    std::size_t n = 0;
    for (const auto &lane : m_lanes)
        n += lane.segments.size();
    return n;
}

std::int64_t Timeline::segment_end(const TimelineLane &lane, std::size_t index) const
{
    const Segment &s = lane.segments[index];
    if (lane.open && index + 1 == lane.segments.size())
        return std::max(s.startNs, m_endNs);
    return s.endNs;
}

std::size_t Timeline::first_ending_after(const TimelineLane &lane, std::int64_t t)
{
    // Closed segments' ends are sorted; the open last one ends at the live edge, which
    // is never before its start, so treating its end as +inf keeps the order.
    const auto &segs = lane.segments;
    std::size_t lo = 0;
    std::size_t hi = segs.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        const bool lastOpen = lane.open && mid + 1 == segs.size();
        if (!lastOpen && segs[mid].endNs <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

std::ptrdiff_t Timeline::segment_at(const TimelineLane &lane, std::int64_t t) const
{
    const std::size_t i = first_ending_after(lane, t);
    if (i >= lane.segments.size() || lane.segments[i].startNs > t)
        return -1;
    if (t >= segment_end(lane, i))
        return -1;
    return std::ptrdiff_t(i);
}

namespace {

std::size_t string_heap_bytes(const std::string &s)
{
    // Short strings live inside the object; longer ones own a buffer of capacity + 1.
    return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
}

} // namespace

std::size_t Timeline::memory_bytes() const
{
    std::size_t bytes = sizeof(*this) + m_lanes.capacity() * sizeof(TimelineLane) +
                        m_resources.capacity() * sizeof(std::string);
    for (const auto &lane : m_lanes)
        bytes += string_heap_bytes(lane.name) + lane.segments.capacity_bytes() +
                 lane.marks.capacity_bytes() + lane.holds.capacity_bytes() +
                 lane.lod.memory_bytes();
    for (const auto &name : m_resources)
        bytes += string_heap_bytes(name);
    // A map node: three pointers and a colour beside the key and the value.
    constexpr std::size_t kMapNode =
        4 * sizeof(void *) + sizeof(ResourceId) + sizeof(std::vector<CounterSample>);
    for (const auto &[id, series] : m_counters)
        bytes += kMapNode + series.capacity() * sizeof(CounterSample);
    if (m_deadlock)
        bytes += m_deadlock->lanes.capacity() * sizeof(LaneId) +
                 m_deadlock->resources.capacity() * sizeof(ResourceId);
    return bytes;
}

void Timeline::set_memory_budget(std::size_t bytes)
{
    m_budget = bytes;
    m_dropAbove = bytes;
    enforce_budget();
}

void Timeline::enforce_budget()
{
    if (memory_bytes() <= m_dropAbove)
        return;
    drop_oldest_detail();
    // When lanes are too short to give anything back (less than a chunk each) the next
    // attempt waits for half a budget of growth, so dropping stays amortised O(1).
    m_dropAbove = std::max(m_budget, memory_bytes() + m_budget / 2);
}

void Timeline::drop_oldest_detail()
{
    for (auto &lane : m_lanes) {
        // Whole chunks only, so that the memory really goes back; the open last segment
        // always stays.
        auto &segs = lane.segments;
        using SegmentStore = ChunkedStore<Segment>;
        const std::size_t segChunks = segs.size() / 2 / SegmentStore::kChunk;
        const std::size_t gone = segChunks * SegmentStore::kChunk;
        if (segChunks > 0 && gone + 1 < segs.size()) {
            const bool hadPlaceholder =
                segs.front().state == State::Unrecorded && segs.front().resource == kDroppedDetail;
            m_statesSeen |= 1U << unsigned(State::Unrecorded);
            const Segment placeholder{.startNs = segs.front().startNs,
                                      .state = State::Unrecorded,
                                      .endNs = segs[gone].endNs,
                                      .resource = kDroppedDetail};
            // Segments [0, gone] become the placeholder.
            m_discarded += gone + 1 - (hadPlaceholder ? 1 : 0);
            const Segment replaced = segs[gone];
            segs.drop_front_chunks(segChunks);
            segs.front() = placeholder;
            if (!lane.lod.drop_front(gone, replaced, placeholder))
                lane.lod.rebuild(segs, lane.open ? segs.size() - 1 : segs.size());
        }
        const std::size_t markChunks = lane.marks.size() / 2 / decltype(lane.marks)::kChunk;
        m_discarded += markChunks * decltype(lane.marks)::kChunk;
        lane.marks.drop_front_chunks(markChunks);
        const std::size_t holdChunks = lane.holds.size() / 2 / decltype(lane.holds)::kChunk;
        m_discarded += holdChunks * decltype(lane.holds)::kChunk;
        lane.holds.drop_front_chunks(holdChunks);
    }
    for (auto &[id, series] : m_counters) {
        const std::size_t half = series.size() / 2;
        if (half < 1024)
            continue; // not worth a copy
        series.erase(series.begin(), series.begin() + std::ptrdiff_t(half));
        series.shrink_to_fit();
        m_discarded += half;
    }
}

} // namespace il
