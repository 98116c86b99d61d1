#pragma once
// Hand-made timelines for the GUI tests: events as the recorder would give them.
#include "timeline.h"

#include <QtGlobal>

#include <algorithm>

namespace fixtures {

inline constexpr qint64 kMs = 1'000'000;

inline il::Event stateEvent(qint64 t, il::LaneId lane, il::State state, il::ResourceId resource = 0)
{
    il::Event e;
    e.t_ns = t;
    e.lane = lane;
    e.state = state;
    e.resource = resource;
    e.kind = il::EventKind::State;
    return e;
}

inline il::Event markEvent(qint64 t, il::LaneId lane)
{
    il::Event e;
    e.t_ns = t;
    e.lane = lane;
    e.kind = il::EventKind::Mark;
    return e;
}

// Applies the batch with its events in time order, as the collector hands them over.
inline void applySorted(il::Timeline &timeline, il::Batch batch)
{
    std::stable_sort(batch.events.begin(), batch.events.end(),
                     [](const il::Event &a, const il::Event &b) { return a.t_ns < b.t_ns; });
    timeline.apply(batch);
}

// Two workers taking turns at "counter mutex" over 10 ms.
inline void buildTurns(il::Timeline &timeline)
{
    using il::State;
    il::Batch b;
    b.newLanes = {"worker 1", "worker 2"};
    b.newResources = {"counter mutex"};
    b.events = {stateEvent(0, 0, State::Critical, 1),    stateEvent(0, 1, State::Blocked, 1),
                stateEvent(4 * kMs, 0, State::Running),  stateEvent(4 * kMs, 1, State::Critical, 1),
                stateEvent(8 * kMs, 1, State::Running),  stateEvent(9 * kMs, 0, State::Finished),
                stateEvent(10 * kMs, 1, State::Finished)};
    applySorted(timeline, b);
}

} // namespace fixtures
