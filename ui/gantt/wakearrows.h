#pragma once
#include "lanelayout.h"
#include "timeline.h"
#include "timemapping.h"
#include "wakes.h"

#include <vector>

class QPainter;

// "Who woke whom": an arrow from each release (time, waker's bar) to the acquire it
// allowed (time, woken lane's bar), with its head on the woken lane. Drawn only when
// they can be read: at most kMaxArrows in view and on average kMinPixelsApart logical
// pixels apart. Windows holding more than kMaxSegments segments are not even searched,
// so a zoomed-out frame of a long run pays a few binary searches per lane.
class WakeArrows {
public:
    static constexpr std::size_t kMaxArrows = 200;
    static constexpr double kMinPixelsApart = 8.0;
    static constexpr std::size_t kMaxSegments = 20'000;

    WakeArrows(const il::Timeline &timeline, const TimeMapping &map, const LaneLayout &layout);

    // The hand-overs to draw: empty when there are too many to read, and never one
    // that touches a hidden lane.
    std::vector<il::Wake> readable() const;
    // Paints readable(); returns how many arrows were drawn.
    int paint(QPainter &painter) const;

private:
    const il::Timeline &m_timeline;
    TimeMapping m_map;
    LaneLayout m_layout;
};
