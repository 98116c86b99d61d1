#pragma once
// Shared by the Gantt view's tests: a small hand-made run and a pixel count.
#include "../timelinefixtures.h"
#include "timeline.h"

#include <QColor>
#include <QImage>
#include <QRect>

namespace ganttfixtures {

using fixtures::applySorted;
using fixtures::kMs;
using fixtures::markEvent;
using fixtures::stateEvent;

// Three lanes over 10 ms; "worker 1" is blocked on "counter mutex" from 2 to 5 ms.
inline void buildSmallRun(il::Timeline &timeline)
{
    using il::State;
    il::Batch b;
    b.newLanes = {"main", "worker 1", "worker 2"};
    b.newResources = {"counter mutex"};
    b.events = {
        stateEvent(0, 0, State::Running),           stateEvent(10 * kMs, 0, State::Finished),
        stateEvent(0, 1, State::Running),           stateEvent(2 * kMs, 1, State::Blocked, 1),
        stateEvent(5 * kMs, 1, State::Critical, 1), stateEvent(7 * kMs, 1, State::Running),
        stateEvent(9 * kMs, 1, State::Finished),    stateEvent(1 * kMs, 2, State::Sleeping),
        stateEvent(4 * kMs, 2, State::Running),     markEvent(6 * kMs, 2),
    };
    applySorted(timeline, b);
}

inline int countColor(const QImage &image, const QRect &area, QColor color)
{
    const QRgb wanted = color.rgb();
    int n = 0;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            n += image.pixel(x, y) == wanted ? 1 : 0;
    return n;
}

} // namespace ganttfixtures
