#pragma once
#include "event.h"
#include "timeline.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace il {

// One hand-over of a resource: `fromLane` gave it back at releaseNs and `toLane`, which
// had been blocked waiting for it, got it at acquireNs ("who woke whom").
struct Wake {
    LaneId fromLane = 0;
    std::int64_t releaseNs = 0;
    LaneId toLane = 0;
    std::int64_t acquireNs = 0;
    ResourceId resource = kNoResource;

    bool operator==(const Wake &) const = default;
};

// The hand-overs whose acquire lies in [fromNs, toNs], in order of acquire time.
//
// A hand-over is a lane leaving a Blocked segment on a resource R at time t and then
// being Critical on R from t on, or recording an Acquire of R while it waited or right
// after. Its waker is the other lane that most recently, at or before t, ended a
// Critical segment on R or recorded a Release of R. Only releases near the window are
// considered (those in it and a few segments or holds before it on each lane), so the
// cost is O(segments in the window + lanes * log(segments)), never a scan of the run.
// At most `maxCount` hand-overs are returned; pass one more than you can use to learn
// that there were too many.
std::vector<Wake> find_wakes(const Timeline &timeline, std::int64_t fromNs, std::int64_t toNs,
                             std::size_t maxCount);

// Segments of all lanes that overlap [fromNs, toNs], by binary search: what find_wakes
// would walk. Lets a caller skip the search when a window holds too much to show.
std::size_t segments_in_window(const Timeline &timeline, std::int64_t fromNs, std::int64_t toNs);

} // namespace il
