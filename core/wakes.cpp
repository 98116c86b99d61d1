#include "wakes.h"

#include <algorithm>
#include <tuple>

namespace il {
namespace {

// How far before the window each lane is searched for the release that woke a waiter
// at the window's start: a waker's release comes right before the acquire it allows.
constexpr std::size_t kLookBack = 8;

struct Release {
    ResourceId resource = kNoResource;
    std::int64_t tNs = 0;
    LaneId lane = 0;
};

struct Handover {
    LaneId lane = 0;
    std::int64_t tNs = 0;
    ResourceId resource = kNoResource;
};

// Index of the first segment of `lane` that ends at or after t.
std::size_t first_ending_at_or_after(const TimelineLane &lane, std::int64_t t)
{
    return Timeline::first_ending_after(lane, t - 1);
}

// Index of the first segment of `lane` that starts after t.
std::size_t first_starting_after(const TimelineLane &lane, std::int64_t t)
{
    const auto &segs = lane.segments;
    return std::size_t(
        std::upper_bound(segs.begin(), segs.end(), t,
                         [](std::int64_t v, const Segment &s) { return v < s.startNs; }) -
        segs.begin());
}

bool acquires_between(const TimelineLane &lane, ResourceId resource, std::int64_t fromNs,
                      std::int64_t toNs)
{
    const auto byTime = [](const HoldChange &h, std::int64_t t) { return h.tNs < t; };
    auto it = std::lower_bound(lane.holds.begin(), lane.holds.end(), fromNs, byTime);
    for (; it != lane.holds.end() && it->tNs <= toNs; ++it)
        if (it->acquired && it->resource == resource)
            return true;
    return false;
}

// The lane's closed Critical segments and Release holds from a little before the
// window to its end.
void collect_releases(const Timeline &timeline, LaneId laneId, std::int64_t fromNs,
                      std::int64_t toNs, std::vector<Release> &out)
{
    const TimelineLane &lane = timeline.lanes()[laneId];
    const auto &segs = lane.segments;
    const std::size_t first = first_ending_at_or_after(lane, fromNs);
    const std::size_t closed = lane.open ? segs.size() - 1 : segs.size();
    for (std::size_t i = first - std::min(first, kLookBack); i < closed && segs[i].startNs <= toNs;
         ++i) {
        const Segment &s = segs[i];
        if (s.state == State::Critical && s.resource != kNoResource && s.endNs <= toNs)
            out.push_back({s.resource, s.endNs, laneId});
    }
    const auto byTime = [](const HoldChange &h, std::int64_t t) { return h.tNs < t; };
    const auto begin = lane.holds.begin();
    auto it = std::lower_bound(begin, lane.holds.end(), fromNs, byTime);
    it -= std::min<std::ptrdiff_t>(it - begin, std::ptrdiff_t(kLookBack));
    for (; it != lane.holds.end() && it->tNs <= toNs; ++it)
        if (!it->acquired && it->resource != kNoResource)
            out.push_back({it->resource, it->tNs, laneId});
}

// Each time the lane stopped waiting for a resource and got it, within [fromNs, toNs].
void collect_handovers(const Timeline &timeline, LaneId laneId, std::int64_t fromNs,
                       std::int64_t toNs, std::vector<Handover> &out)
{
    const TimelineLane &lane = timeline.lanes()[laneId];
    const auto &segs = lane.segments;
    // A blocked segment followed by another is closed: its end is when the wait ended.
    for (std::size_t i = first_ending_at_or_after(lane, fromNs);
         i + 1 < segs.size() && segs[i].startNs <= toNs; ++i) {
        const Segment &s = segs[i];
        if (s.state != State::Blocked || s.resource == kNoResource || s.endNs > toNs)
            continue;
        const Segment &next = segs[i + 1];
        const bool entered = next.state == State::Critical && next.resource == s.resource;
        if (entered ||
            acquires_between(lane, s.resource, s.startNs, timeline.segment_end(lane, i + 1)))
            out.push_back({laneId, s.endNs, s.resource});
    }
}

} // namespace

std::vector<Wake> find_wakes(const Timeline &timeline, std::int64_t fromNs, std::int64_t toNs,
                             std::size_t maxCount)
{
    std::vector<Wake> wakes;
    if (maxCount == 0 || toNs < fromNs)
        return wakes;
    std::vector<Handover> handovers;
    std::vector<Release> releases;
    const auto laneCount = LaneId(timeline.lanes().size());
    for (LaneId lane = 0; lane < laneCount; ++lane) {
        collect_handovers(timeline, lane, fromNs, toNs, handovers);
        collect_releases(timeline, lane, fromNs, toNs, releases);
    }
    if (handovers.empty() || releases.empty())
        return wakes;

    const auto key = [](const Release &r) { return std::tie(r.resource, r.tNs, r.lane); };
    std::sort(releases.begin(), releases.end(),
              [&](const Release &a, const Release &b) { return key(a) < key(b); });
    std::sort(handovers.begin(), handovers.end(), [](const Handover &a, const Handover &b) {
        return std::tie(a.tNs, a.lane) < std::tie(b.tNs, b.lane);
    });

    for (const Handover &h : handovers) {
        // The latest release of the resource at or before the acquire, by another lane.
        auto it = std::upper_bound(releases.begin(), releases.end(), std::tie(h.resource, h.tNs),
                                   [](const auto &value, const Release &r) {
                                       return value < std::tie(r.resource, r.tNs);
                                   });
        while (it != releases.begin()) {
            --it;
            if (it->resource != h.resource)
                break;
            if (it->lane == h.lane)
                continue;
            wakes.push_back({it->lane, it->tNs, h.lane, h.tNs, h.resource});
            break;
        }
        if (wakes.size() == maxCount)
            break;
    }
    return wakes;
}

std::size_t segments_in_window(const Timeline &timeline, std::int64_t fromNs, std::int64_t toNs)
{
    std::size_t n = 0;
    for (const TimelineLane &lane : timeline.lanes()) {
        const std::size_t first = first_ending_at_or_after(lane, fromNs);
        const std::size_t end = first_starting_after(lane, toNs);
        n += end > first ? end - first : 0;
    }
    return n;
}

} // namespace il
