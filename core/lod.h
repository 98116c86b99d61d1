#pragma once
#include "chunkedstore.h"
#include "event.h"
#include "segment.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace il {

struct TimelineLane;
class Timeline;

inline constexpr int kStateCount = int(State::Count);
// Nanoseconds spent in each state.
using StateTimes = std::array<std::int64_t, kStateCount>;

// The level of detail of one lane: how long the lane spent in each state before every
// kBlock-th segment boundary (a prefix sum over blocks of closed segments). The time
// per state inside any span [a, b) is then two look-ups plus at most kBlock / 2
// segments read at each end, however many segments lie between, so a zoomed-out
// column is judged by all of its segments at the cost of a few.
//
// It is appended to as segments close (amortised O(1) per segment; the open last
// segment is never in a block, so its moving end needs no update). When the oldest detail
// of the lane is dropped, its blocks go too, in O(1) per block: the sums kept are then
// read less what the dropped segments had added (a rebuild, O(n) in the segments that
// stay, held the GUI thread for 100-150 ms in a long run).
class LaneLod {
public:
    static constexpr std::size_t kBlock = 32;

    // Segment `index` got its final end; segments close in index order.
    void segment_closed(const Segment &s)
    {
        m_running[std::size_t(s.state)] += s.endNs - s.startNs;
        if (++m_closed % kBlock == 0)
            m_prefix.push_back(m_running);
    }
    // Starts over from the lane's first `closed` segments.
    void rebuild(const ChunkedStore<Segment> &segments, std::size_t closed);
    // The lane's first `count` segments are gone, and the one that followed them,
    // `replaced`, is now `placeholder`. False, and nothing changed, unless `count` is whole
    // blocks and fewer than closed(): then rebuild.
    [[nodiscard]] bool drop_front(std::size_t count, const Segment &replaced,
                                  const Segment &placeholder);

    // Time per state before t: `upper` is the index of the first segment starting after
    // t, `openEnd` the drawn end of the lane's open last segment (if any).
    void time_before(const TimelineLane &lane, std::size_t upper, std::int64_t t,
                     std::int64_t openEnd, StateTimes &out) const;

    std::size_t closed() const { return m_closed; }
    std::size_t memory_bytes() const { return m_prefix.capacity_bytes(); }

private:
    // Time per state of the lane's segments [0, (block + 1) * kBlock).
    StateTimes prefix(std::size_t block) const
    {
        StateTimes out = m_prefix[m_skip + block];
        for (std::size_t s = 0; s < out.size(); ++s)
            out[s] -= m_dropped[s];
        return out;
    }

    // [m_skip + m - 1], less m_dropped: time per state of segments [0, m * kBlock).
    ChunkedStore<StateTimes> m_prefix;
    std::size_t m_skip = 0; // entries of m_prefix before the lane's first block
    StateTimes m_dropped{}; // what m_prefix and m_running count that the lane no longer has
    StateTimes m_running{}; // every closed segment's time, m_dropped included
    std::size_t m_closed = 0;
};

// Pixel columns over time: column c covers [ceil(firstNs + c * nsPerColumn),
// ceil(firstNs + (c + 1) * nsPerColumn)) in whole nanoseconds.
struct ColumnGrid {
    double firstNs = 0.0;
    double nsPerColumn = 1.0;
    int columns = 0;

    // ceil() without the library call (it is not inlined without SSE4.1), for the
    // few hundred thousand boundaries a zoomed-out frame asks for.
    std::int64_t boundary(int c) const
    {
        const double v = firstNs + c * nsPerColumn;
        const auto truncated = std::int64_t(v);
        return truncated + (double(truncated) < v ? 1 : 0);
    }
};

inline constexpr std::uint8_t kNoColumnState = 0xff;
// Higher wins when two states cover a column equally.
using StateRank = std::array<int, kStateCount>;

// The state drawn in each column of a lane: the one covering most of the column (ties
// to the higher rank); a column no segment overlaps takes the segment covering its
// first nanosecond if any (a column narrower than a nanosecond), else kNoColumnState.
// Zero-length segments cover nothing. A column holding up to a couple of hundred
// segments reads them in order (faster than look-ups that miss the cache); a denser one
// costs O(log n) through the LOD, so a frame's cost is bounded by its pixels whatever
// the run's length. A segment wider than a column fills all its columns in one step.
//
// With `mixedWith`, a column in which at least kMixedStarts segments start and whose leading
// state holds less than kSolidShare of the column's recorded time is mixed: mixedWith
// gets the runner-up state there (ties by rank as above) and kNoColumnState elsewhere. A thread
// that takes and releases a lock thousands of times a pixel is then shown doing both, not only the
// larger of the two.
struct Share {
    std::int64_t numerator;
    std::int64_t denominator;
};
inline constexpr Share kSolidShare{3, 4};
inline constexpr std::size_t kMixedStarts = 4;
void classify_columns(const Timeline &timeline, std::size_t laneIndex, const ColumnGrid &grid,
                      const StateRank &rank, std::vector<std::uint8_t> &out,
                      std::vector<std::uint8_t> *mixedWith = nullptr);

} // namespace il
