#include "lod.h"

#include "gallop.h"

#include "timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace il {

// A block's segments are read through one pointer, so a block must never straddle two
// chunks of the segment store.
static_assert(ChunkedStore<Segment>::kChunk % LaneLod::kBlock == 0);

void LaneLod::rebuild(const ChunkedStore<Segment> &segments, std::size_t closed)
{
    m_prefix.clear();
    m_skip = 0;
    m_dropped = {};
    m_running = {};
    m_closed = 0;
    for (std::size_t i = 0; i < closed; ++i)
        segment_closed(segments[i]);
}

bool LaneLod::drop_front(std::size_t count, const Segment &replaced, const Segment &placeholder)
{
    const std::size_t blocks = count / kBlock;
    if (blocks == 0 || count % kBlock != 0 || count >= m_closed)
        return false;
    // The lane's new block j is what was block blocks + j: it counts, beyond the blocks
    // before it, the segments [0, blocks * kBlock) that are gone, and `replaced` as it was
    // rather than as the placeholder it became.
    m_dropped = m_prefix[m_skip + blocks - 1];
    m_dropped[std::size_t(replaced.state)] += replaced.endNs - replaced.startNs;
    m_dropped[std::size_t(placeholder.state)] -= placeholder.endNs - placeholder.startNs;
    m_skip += blocks;
    m_closed -= count;
    // Whole chunks of entries no block reads any more go back.
    using Store = ChunkedStore<StateTimes>;
    const std::size_t before = m_prefix.size();
    m_prefix.drop_front_chunks(m_skip / Store::kChunk);
    m_skip -= before - m_prefix.size();
    return true;
}

void LaneLod::time_before(const TimelineLane &lane, std::size_t upper, std::int64_t t,
                          std::int64_t openEnd, StateTimes &out) const
{
    out.fill(0);
    if (upper == 0)
        return;
    // Segments before k end at or before t: whole blocks from the prefix, the rest of
    // k's block one by one from whichever block end is nearer.
    const std::size_t k = upper - 1;
    const std::size_t block = k / kBlock;
    const std::size_t from = block * kBlock;
    const std::size_t to = from + kBlock;
    const Segment *run = &lane.segments[from];
    if (to <= m_closed && to - k < k - from) {
        out = prefix(block);
        for (std::size_t j = k - from; j < kBlock; ++j)
            out[std::size_t(run[j].state)] -= run[j].endNs - run[j].startNs;
    } else {
        if (block > 0)
            out = prefix(block - 1);
        for (std::size_t j = 0; j < k - from; ++j)
            out[std::size_t(run[j].state)] += run[j].endNs - run[j].startNs;
    }
    const Segment &s = run[k - from];
    const bool open = lane.open && k + 1 == lane.segments.size();
    const std::int64_t end = std::min(t, open ? openEnd : s.endNs);
    out[std::size_t(s.state)] += std::max<std::int64_t>(0, end - s.startNs);
}

namespace {

// il::gallop (gallop.h), starting from a guess of where the answer lies (the previous column's
// segment count ahead): neighbouring columns hold about as many segments, so the
// probes stay within a few cache lines of the guess.
template <typename Pred>
std::size_t gallop_near(std::size_t n, std::size_t from, std::size_t guess, Pred pred)
{
    if (from >= n)
        return n;
    guess = std::clamp(guess, from, n - 1);
    if (!pred(guess))
        return gallop(n, guess + 1, pred);
    std::size_t hi = guess; // pred(hi) holds; gallop backwards to a false one
    std::size_t step = 1;
    while (hi > from) {
        const std::size_t probe = hi - std::min(step, hi - from);
        if (!pred(probe)) {
            from = probe + 1;
            break;
        }
        hi = probe;
        step *= 2;
    }
    while (from < hi) {
        const std::size_t mid = from + (hi - from) / 2;
        if (pred(mid))
            hi = mid;
        else
            from = mid + 1;
    }
    return from;
}

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
// Columns are weighed segment by segment while they hold up to about this many
// segments: reading a column's segments in order runs at memory speed, while an LOD
// look-up lands somewhere new and waits for memory (about 300 ns on a 2-core VM, the
// time to read some 250 segments in order; bench_gantt, 10M segments). Past it the LOD
// answers, so no frame reads more than about this many segments per column.
constexpr std::size_t kDirect = 192;

} // namespace

void classify_columns(const Timeline &timeline, std::size_t laneIndex, const ColumnGrid &grid,
                      const StateRank &rank, std::vector<std::uint8_t> &out,
                      std::vector<std::uint8_t> *mixedWith)
{
    const int columns = std::max(0, grid.columns);
    out.assign(std::size_t(columns), kNoColumnState);
    if (mixedWith)
        mixedWith->assign(std::size_t(columns), kNoColumnState);
    const TimelineLane &lane = timeline.lanes()[laneIndex];
    const auto &segs = lane.segments;
    const std::size_t n = segs.size();
    if (n == 0 || columns == 0)
        return;
    const std::size_t openIndex = lane.open ? n - 1 : n;
    const std::int64_t liveEdge = std::max(segs[n - 1].startNs, timeline.end_ns());
    const auto endOf = [&](std::size_t k) { return k == openIndex ? liveEdge : segs[k].endNs; };
    // First segment at or after `from` that starts after t.
    const auto startsAfter = [&](std::size_t from, std::int64_t t) {
        return gallop(n, from, [&](std::size_t k) { return segs[k].startNs > t; });
    };
    // First column in [0, columns + 1] whose left boundary is after t.
    const auto firstColumnAfter = [&](std::int64_t t) {
        if (t == kNever)
            return columns + 1;
        const double guess = std::floor((double(t) - grid.firstNs) / grid.nsPerColumn) + 1.0;
        int c = int(std::clamp(guess, 0.0, double(columns + 1)));
        while (c > 0 && grid.boundary(c - 1) > t)
            --c;
        while (c <= columns && grid.boundary(c) <= t)
            ++c;
        return c;
    };
    const auto fill = [&](int from, int to, State state) {
        std::fill(out.begin() + from, out.begin() + to, std::uint8_t(state));
    };

    // Each state's place when sorted by rank, ties to the lower state: the higher place
    // wins a tie in time.
    static_assert(kStateCount == 8, "a state's place in the rank order takes three bits");
    std::array<std::uint8_t, kStateCount> byOrder{};
    std::iota(byOrder.begin(), byOrder.end(), std::uint8_t(0));
    std::stable_sort(byOrder.begin(), byOrder.end(), [&](std::uint8_t x, std::uint8_t y) {
        return rank[x] < rank[y] || (rank[x] == rank[y] && x > y);
    });
    std::array<std::int64_t, kStateCount> order{};
    for (int place = 0; place < kStateCount; ++place)
        order[byOrder[std::size_t(place)]] = place;

    StateTimes before{}; // time per state before column c's left boundary, when known
    StateTimes after{};
    int beforeColumn = -1;
    std::size_t density = 2 * kDirect; // segments in the last dense column
    int c = 0;
    std::int64_t a = grid.boundary(0);
    std::size_t upper = startsAfter(0, a); // segments [0, upper) start at or before a
    while (c < columns) {
        const std::int64_t b = grid.boundary(c + 1);
        const std::int64_t nextStart = upper < n ? segs[upper].startNs : kNever;
        const bool covered = upper > 0 && endOf(upper - 1) > a;
        if (nextStart >= b) {
            // At most one segment in the column: the one covering a, if any, which
            // then fills every column up to its end or the next segment's start.
            int until;
            if (covered) {
                until = std::min({columns, firstColumnAfter(nextStart) - 1,
                                  firstColumnAfter(endOf(upper - 1) - 1)});
                until = std::max(until, c + 1);
                fill(c, until, segs[upper - 1].state);
            } else {
                if (nextStart == kNever)
                    return;
                // Nothing until the column that reaches past nextStart (or starts on it).
                until = std::min(firstColumnAfter(nextStart) - 1, firstColumnAfter(nextStart - 1));
                until = std::min(columns, std::max(until, c + 1));
            }
            c = until;
            if (c < columns) {
                a = grid.boundary(c);
                upper = startsAfter(upper, a);
            }
            continue;
        }

        // Several segments share the column (or one starts inside it): weigh them. A few
        // are summed one by one; past kDirect, whole blocks of the LOD take over.
        StateTimes direct{};
        if (covered)
            direct[std::size_t(segs[upper - 1].state)] += std::min(endOf(upper - 1), b) - a;
        std::size_t upperB = upper;
        // The last shared column's count predicts this one's; only a dense run of
        // columns pays for the look-ahead that confirms it. A column read one by one
        // stops after kDirect segments and goes to the LOD if there are more.
        bool dense = density > kDirect && upper + kDirect < n && segs[upper + kDirect].startNs <= b;
        if (!dense) {
            // Closed segments a chunk at a time through a pointer, then the open one.
            const std::size_t cap = std::min(openIndex, upper + kDirect);
            while (upperB < cap) {
                const Segment *run = &segs[upperB];
                const std::size_t runEnd = std::min(cap, (upperB | segs.kMask) + 1);
                std::size_t k = 0;
                for (; upperB + k < runEnd && run[k].startNs <= b; ++k)
                    direct[std::size_t(run[k].state)] += std::min(run[k].endNs, b) - run[k].startNs;
                upperB += k;
                if (upperB < runEnd)
                    break;
            }
            if (upperB == cap && cap < openIndex && segs[upperB].startNs <= b) {
                dense = true; // more than kDirect: start over through the LOD
                upperB = upper;
            } else {
                if (upperB == openIndex && upperB < n && segs[upperB].startNs <= b) {
                    direct[std::size_t(segs[upperB].state)] +=
                        std::min(liveEdge, b) - segs[upperB].startNs;
                    ++upperB;
                }
                density = upperB - upper;
            }
        }
        if (dense) {
            if (beforeColumn != c)
                lane.lod.time_before(lane, upper, a, liveEdge, before);
            upperB = gallop_near(n, upper + kDirect, upper + density,
                                 [&](std::size_t k) { return segs[k].startNs > b; });
            density = upperB - upper;
            // The next column most likely ends about as far ahead: start loading it.
            if (upperB + density < n)
                __builtin_prefetch(&segs[upperB + density]);
            lane.lod.time_before(lane, upperB, b, liveEdge, after);
            for (int s = 0; s < kStateCount; ++s)
                direct[std::size_t(s)] = after[std::size_t(s)] - before[std::size_t(s)];
            before = after;
            beforeColumn = c + 1;
        }
        // Which state wins is as good as random, so no branches: each state's time and
        // its place in the rank order packed into one key, and the largest key wins.
        // The runner-up is kept the same way, for mixed columns.
        std::int64_t bestKey = 0;
        std::int64_t secondKey = 0;
        std::int64_t total = 0;
        for (int s = 0; s < kStateCount; ++s) {
            const std::int64_t time = direct[std::size_t(s)];
            const std::int64_t key = time > 0 ? (time << 3) | order[std::size_t(s)] : 0;
            secondKey = std::max(secondKey, std::min(bestKey, key));
            bestKey = std::max(bestKey, key);
            total += time;
        }
        if (bestKey > 0) {
            out[std::size_t(c)] = byOrder[std::size_t(bestKey & 7)];
            // Mixed: the leader holds less than kSolidShare of the recorded time, and
            // the lane went back and forth in the column: kMixedStarts segments start in
            // it. One or two changes are where one long segment meets the next (perhaps
            // through a short one, as critical -> running -> finished).
            if (mixedWith && secondKey > 0 && upperB - upper >= kMixedStarts &&
                (bestKey >> 3) * kSolidShare.denominator < total * kSolidShare.numerator)
                (*mixedWith)[std::size_t(c)] = byOrder[std::size_t(secondKey & 7)];
        }
        ++c;
        a = b;
        upper = upperB;
    }
}

} // namespace il
