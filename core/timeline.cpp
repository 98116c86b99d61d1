#include "timeline.h"

#include <algorithm>

namespace il {

void Timeline::apply(const Batch &batch)
{
    for (const auto &name : batch.newLanes)
        m_lanes.push_back(TimelineLane{name, {}, {}, {}, false});
    m_resources.insert(m_resources.end(), batch.newResources.begin(), batch.newResources.end());
    m_dropped = std::max(m_dropped, batch.droppedTotal);

    for (const Event &e : batch.events) {
        if (e.lane >= m_lanes.size())
            continue; // cannot happen with a collector batch; tolerate foreign input
        ++m_events;
        m_endNs = std::max(m_endNs, e.t_ns);
        TimelineLane &lane = m_lanes[e.lane];
        switch (e.kind) {
        case EventKind::State: apply_state(lane, e); break;
        case EventKind::Mark: lane.marks.push_back(Mark{e.t_ns, e.value, e.resource}); break;
        case EventKind::Counter: add_counter(e); break;
        case EventKind::Acquire:
        case EventKind::Release:
            lane.holds.push_back({e.t_ns, e.resource, e.kind == EventKind::Acquire});
            break;
        }
    }
    if (batch.deadlock && !m_deadlock)
        m_deadlock = batch.deadlock;
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

void Timeline::apply_state(TimelineLane &lane, const Event &e)
{
    if (lane.open) {
        Segment &last = lane.segments.back();
        if (last.state == e.state && last.resource == e.resource)
            return; // no change
        last.endNs = std::max(last.startNs, e.t_ns);
    }
    const std::int64_t start =
        lane.segments.empty() ? e.t_ns : std::max(e.t_ns, lane.segments.back().endNs);
    lane.segments.push_back(Segment{start, start, e.state, e.resource});
    lane.open = true;
}

void Timeline::close(std::int64_t endNs)
{
    m_endNs = std::max(m_endNs, endNs);
    for (auto &lane : m_lanes) {
        if (!lane.open)
            continue;
        lane.segments.back().endNs = m_endNs;
        lane.open = false;
    }
}

const std::string &Timeline::resource_name(ResourceId id) const
{
    static const std::string none;
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

} // namespace il
