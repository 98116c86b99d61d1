#pragma once
#include "event.h"

#include <algorithm>
#include <cstdint>

namespace il {

// A span of time a lane spent in one state. Segments of a lane never overlap and are
// stored in time order, so both starts and ends are sorted and a visible range is
// found by binary search.
//
// 16 bytes, not 24: a timeline is mostly segments (goal 8 of issue 6 allows 32 bytes
// per stored event, everything counted). Times are 48-bit nanoseconds since the run
// began, ±39 hours (kMaxSegmentNs); the timeline clamps what it stores to that, and a
// trace whose times span more is refused when it is read.
struct Segment {
    std::int64_t startNs : 48 = 0;
    State state : 8 = State::Running;
    std::int64_t endNs : 48 = 0; // starts the second 8 bytes: a field never straddles two
    ResourceId resource : 16 = kNoResource;
};
static_assert(sizeof(Segment) == 16);
inline constexpr std::int64_t kMaxSegmentNs = (std::int64_t(1) << 47) - 1;
inline constexpr std::int64_t clamp_segment_ns(std::int64_t t)
{
    return std::clamp(t, -kMaxSegmentNs, kMaxSegmentNs);
}

} // namespace il
