#pragma once
#include "columndraw.h"
#include "lanelayout.h"
#include "theme.h"
#include "timeline.h"
#include "timemapping.h"

#include <cstdint>
#include <vector>

class QPainter;

// Paints a timeline's segments and marks at a cost proportional to the pixels on
// screen, not to the events in the run. Coordinates are whatever unit the painter is
// set to; the view passes device pixels so that every column is one physical pixel.
//
// Each pixel column takes the state that covers most of it (ties go to the more
// interesting state), found through the lane's level of detail (il::classify_columns):
// a segment wider than a column fills its columns in one step, and a column holding
// thousands of segments costs a few look-ups yet weighs all of them. Where no state
// holds three quarters of a column, it is striped with the two leading states. A lane
// whose bar is empty (hidden) is skipped.
class SegmentPainter {
public:
    // Rects: runs of equal columns become rectangles (vector output such as SVG).
    // Scanlines: one row of pixels per lane, stretched to the bar's height; a dense
    // lane costs one image draw instead of a rectangle per column.
    enum class Output { Rects, Scanlines };
    static constexpr std::uint8_t kNoState = 0xff;
    // From this many segments in view, lanes are classified on two threads: the painting
    // one and a helper started for the frame (about 50 us), when the machine has two
    // cores. Below it the helper would cost more than it saves.
    static constexpr std::size_t kSplitAtSegments = 200'000;

    // `colors` says whether the background is dark (see stateColor()).
    SegmentPainter(const il::Timeline &timeline, const TimeMapping &map, const LaneLayout &layout,
                   const ViewColors &colors = {});

    // Paints lanes [firstLane, lastLane]; returns the number of fills or image draws and
    // adds the number of striped (mixed) columns to `mixedColumns`.
    int paintLanes(QPainter &painter, int firstLane, int lastLane, Output output,
                   int *mixedColumns = nullptr) const;
    // Paints lanes' marks as ticks (one per column at most); returns how many. With
    // Scanlines, each lane's ticks are one image draw.
    int paintMarks(QPainter &painter, int firstLane, int lastLane, Output output) const;

    // The state drawn in each pixel column of a lane, or kNoState where nothing was
    // recorded; with `mixedWith`, the runner-up where no state holds most of a column
    // (il::classify_columns), drawn as stripes.
    void classifyLane(int laneIndex, std::vector<std::uint8_t> &columns,
                      std::vector<std::uint8_t> *mixedWith = nullptr) const;

    // Index of the first segment at or after `from` whose drawn end is after t.
    static std::size_t firstEndingAfter(const il::Timeline &timeline, const il::TimelineLane &lane,
                                        std::size_t from, double t);

private:
    // classifyLane() for each of `lanes`, in order; split across two threads when the
    // view holds kSplitAtSegments or more.
    std::vector<columndraw::LaneColumns> classifyLanes(const std::vector<int> &lanes) const;

    const il::Timeline &m_timeline;
    TimeMapping m_map;
    LaneLayout m_layout;
    int m_columns = 0;
    bool m_dark = false;
};
