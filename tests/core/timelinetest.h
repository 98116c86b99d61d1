#pragma once
// Hand-made events and batches for the timeline's tests, and a readable form of a lane.
#include "collector.h"
#include "timeline.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <string>
#include <vector>

namespace timelinetest {

using il::State;

inline il::Event state_at(il::LaneId lane, std::int64_t t, State s,
                          il::ResourceId r = il::kNoResource)
{
    return il::Event{t, 0, lane, r, il::EventKind::State, s};
}

inline il::Event mark_at(il::LaneId lane, std::int64_t t, std::int64_t value, il::ResourceId r = 0)
{
    return il::Event{t, value, lane, r, il::EventKind::Mark, State::Running};
}

inline il::Event counter_at(il::LaneId lane, std::int64_t t, il::ResourceId r, std::int64_t value)
{
    return il::Event{t, value, lane, r, il::EventKind::Counter, State::Running};
}

inline il::Batch batch_of(std::vector<std::string> lanes, const std::vector<il::Event> &events,
                          std::vector<std::string> resources = {}, std::uint64_t dropped = 0)
{
    il::Batch b;
    b.newLanes = std::move(lanes);
    b.newResources = std::move(resources);
    b.events.assign(events.begin(), events.end());
    b.droppedTotal = dropped;
    return b;
}

// "state[start,end)" per segment, resource as ":id" when there is one; an open last
// segment shows its stored end followed by "+". Readable in a failed QCOMPARE.
inline QString segments_of(const il::TimelineLane &lane)
{
    QStringList parts;
    for (std::size_t i = 0; i < lane.segments.size(); ++i) {
        const il::Segment &s = lane.segments[i];
        QString part = QString::fromUtf8(std::string(il::state_name(s.state)));
        if (s.resource != il::kNoResource)
            part += QLatin1Char(':') + QString::number(s.resource);
        part += QStringLiteral("[%1,%2)").arg(s.startNs).arg(s.endNs);
        if (lane.open && i + 1 == lane.segments.size())
            part += QLatin1Char('+');
        parts << part;
    }
    return parts.join(QLatin1Char(' '));
}

// Lane "a": running [0,10), blocked on 1 [10,25), critical on 1 [25,40), finished from
// 40; lane "b" has no events. Closed at 50, or left open with the live edge at 70 (a
// mark, which moves the edge without changing any state).
inline il::Timeline search_fixture(bool closed)
{
    il::Timeline t;
    std::vector<il::Event> events{
        state_at(0, 0, State::Running), state_at(0, 10, State::Blocked, 1),
        state_at(0, 25, State::Critical, 1), state_at(0, 40, State::Finished)};
    if (!closed)
        events.push_back(mark_at(0, 70, 1));
    t.apply(batch_of({"a", "b"}, events, {"lock"}));
    if (closed)
        t.close(50);
    return t;
}

} // namespace timelinetest
