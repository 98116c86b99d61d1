#pragma once
#include "timeline.h"

#include <QString>

// "12.345 ms": at least microsecond precision, more for very short spans so that
// a duration never reads as zero.
QString formatMs(qint64 ns);

// What the hover tooltip says about one segment: lane, state (with its resource),
// start and duration.
QString segmentToolTip(const il::Timeline &timeline, std::size_t laneIndex,
                       std::size_t segmentIndex);
