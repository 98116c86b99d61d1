#pragma once
// Timelines for the frame and export benchmarks, built the way a run builds them:
// batches of events in time order applied to an il::Timeline.
#include "timeline.h"

#include <cstdint>

namespace ganttbench {

inline constexpr int kLanes = 64;

// `segments` segments in all over kLanes lanes (a Finished one closing each lane),
// closed at the end. Mostly short segments (around a microsecond) with some long ones
// (around 100 us), every state but Unrecorded, a resource on the waiting and holding
// ones, a mark on about one segment in fifty. Deterministic for a given seed.
il::Timeline makeSyntheticTimeline(std::int64_t segments, std::uint64_t seed = 1);

// The same, built once per size and kept for the rest of the process (1M segments
// take about 30 MB), so every benchmark at a size draws the very same run.
const il::Timeline &syntheticTimeline(std::int64_t segments);

} // namespace ganttbench
