#pragma once
#include "lanelayout.h"
#include "theme.h"
#include "timeline.h"
#include "timemapping.h"

class QFontMetricsF;
class QPainter;

// Writes what a segment is about (its resource: "task 7", "thread 4711", "counter mutex")
// inside every segment wide enough on screen to hold a few letters, so a zoomed-in
// timeline reads without hovering. Text is sized to the bar and elided to the segment.
// Where such a segment begins, a hairline of the background colour marks the boundary
// (neighbours may share a colour).
//
// The walk skips from one wide-enough segment to the next with a binary search, so a
// zoomed-out lane of a million narrow segments costs a few look-ups per label slot, and
// a frame writes at most kMaxLabels labels.
class SegmentLabels {
public:
    static constexpr int kMaxLabels = 800;

    // `colors`: the background the hairlines are drawn in, and whether it is dark.
    SegmentLabels(const il::Timeline &timeline, const TimeMapping &map, const LaneLayout &layout,
                  const ViewColors &colors = {});

    // Labels lanes [firstLane, lastLane]; returns how many labels were written.
    int paint(QPainter &painter, int firstLane, int lastLane) const;

    // Bars thinner than this (in logical pixels) get no text: it would not be legible.
    static constexpr double kMinBarHeight = 14.0;
    // Segments narrower than this (in logical pixels) get no text.
    static constexpr double kMinWidth = 28.0;

private:
    int paintLane(QPainter &painter, const QFontMetricsF &metrics, int laneIndex, int budget) const;

    const il::Timeline &m_timeline;
    TimeMapping m_map;
    LaneLayout m_layout;
    ViewColors m_colors;
};
