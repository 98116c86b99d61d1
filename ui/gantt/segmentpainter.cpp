#include "segmentpainter.h"

#include "statestyle.h"

#include <QImage>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace {

// A column with more segments than this is judged by the first ones only, so that a
// frame's cost stays bounded by its pixels; with that many state changes per pixel
// the column is a blur of states anyway.
constexpr int kMaxSegmentsPerColumn = 8;

constexpr int kStateCount = int(il::State::Count);

QRect snapped(const QRectF &r)
{
    const int left = int(std::lround(r.left()));
    const int top = int(std::lround(r.top()));
    const int right = int(std::lround(r.right()));
    const int bottom = int(std::lround(r.bottom()));
    return QRect(left, top, std::max(1, right - left), std::max(1, bottom - top));
}

int fillRuns(QPainter &painter, const QRect &bar, const std::vector<std::uint8_t> &columns)
{
    int fills = 0;
    const int n = int(columns.size());
    for (int from = 0; from < n;) {
        const std::uint8_t state = columns[std::size_t(from)];
        int to = from + 1;
        while (to < n && columns[std::size_t(to)] == state)
            ++to;
        if (state != SegmentPainter::kNoState) {
            painter.fillRect(QRect(bar.left() + from, bar.top(), to - from, bar.height()),
                             stateColor(il::State(state)));
            ++fills;
        }
        from = to;
    }
    return fills;
}

void drawScanline(QPainter &painter, const QRect &bar, const std::vector<std::uint8_t> &columns,
                  QImage &line)
{
    std::array<QRgb, kStateCount> colors{};
    for (int s = 0; s < kStateCount; ++s)
        colors[std::size_t(s)] = stateColor(il::State(s)).rgba();
    auto *pixels = reinterpret_cast<QRgb *>(line.scanLine(0));
    for (std::size_t c = 0; c < columns.size(); ++c)
        pixels[c] = columns[c] == SegmentPainter::kNoState ? 0u : colors[columns[c]];
    painter.drawImage(QRect(bar.left(), bar.top(), int(columns.size()), bar.height()), line);
}

// First index k in [from, n) with endsAfter(k), for a predicate that is false then
// true. Galloping: most jumps are short (to the next pixel), so probe 1, 2, 4, …
// ahead before bisecting; a long jump still costs O(log n).
template <typename EndsAfter>
std::size_t gallop(std::size_t n, std::size_t from, EndsAfter endsAfter)
{
    std::size_t lo = from;
    std::size_t step = 1;
    std::size_t hi = from;
    while (hi < n && !endsAfter(hi)) {
        lo = hi + 1;
        hi = from + step;
        step *= 2;
    }
    hi = std::min(hi, n);
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (endsAfter(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

} // namespace

SegmentPainter::SegmentPainter(const il::Timeline &timeline, const TimeMapping &map,
                               const LaneLayout &layout)
    : m_timeline(timeline)
    , m_map(map)
    , m_layout(layout)
    , m_columns(std::max(0, int(std::lround(map.width))))
{
}

std::size_t SegmentPainter::firstEndingAfter(const il::Timeline &timeline,
                                             const il::TimelineLane &lane, std::size_t from,
                                             double t)
{
    return gallop(lane.segments.size(), from,
                  [&](std::size_t k) { return double(timeline.segment_end(lane, k)) > t; });
}

void SegmentPainter::classifyLane(int laneIndex, std::vector<std::uint8_t> &columns) const
{
    columns.assign(std::size_t(m_columns), kNoState);
    const il::TimelineLane &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    const auto &segs = lane.segments;
    const std::size_t n = segs.size();
    if (n == 0)
        return;
    // Timeline::segment_end, inlined: this loop runs for every column of every lane.
    const std::size_t openIndex = lane.open ? n - 1 : n;
    const std::int64_t liveEdge = std::max(segs[n - 1].startNs, m_timeline.end_ns());
    const auto endNsOf = [&](std::size_t k) { return k == openIndex ? liveEdge : segs[k].endNs; };
    const double nsPerColumn = m_map.nsPerPixel();
    const double firstNs = m_map.nsAtF(m_map.left);
    const auto columnStartNs = [&](int c) { return firstNs + c * nsPerColumn; };
    const auto columnOf = [&](double ns) { return (ns - firstNs) / nsPerColumn; };
    const auto fill = [&](int from, int to, il::State state) {
        std::fill(columns.begin() + from, columns.begin() + to, std::uint8_t(state));
    };

    int cx = 0;
    std::size_t i = firstEndingAfter(m_timeline, lane, 0, firstNs);
    while (cx < m_columns && i < n) {
        const il::Segment &s = segs[i];
        const double startColumn = columnOf(double(s.startNs));
        if (startColumn >= m_columns)
            break;
        if (startColumn >= cx + 1)
            cx = int(std::floor(startColumn)); // nothing recorded in between
        const double columnStart = columnStartNs(cx);
        const double columnEnd = columnStart + nsPerColumn;
        const double end = double(endNsOf(i));

        if (end >= columnEnd) {
            // `s` is the first segment in column cx and reaches past it, so it alone
            // fills every column up to the one where it ends.
            const int until = std::min(m_columns, std::max(cx + 1, int(std::floor(columnOf(end)))));
            fill(cx, until, s.state);
            cx = until;
            if (end <= columnStartNs(cx))
                ++i;
            continue;
        }

        // Several segments share column cx: the state covering most of it wins.
        // Integer nanoseconds: this is the loop that runs once per segment on screen.
        const std::int64_t from0 = std::int64_t(std::ceil(columnStart));
        const std::int64_t to0 = std::int64_t(std::ceil(columnEnd));
        std::array<std::int64_t, kStateCount> cover{};
        std::size_t j = i;
        for (int seen = 0; j < n && segs[j].startNs < to0 && seen < kMaxSegmentsPerColumn;
             ++j, ++seen) {
            const std::int64_t from = std::max(segs[j].startNs, from0);
            const std::int64_t to = std::min(endNsOf(j), to0);
            // Doubled so that a zero-length segment, counted as 1, still shows when it
            // is alone on its pixel but never outweighs a real one.
            cover[std::size_t(segs[j].state)] += 2 * std::max<std::int64_t>(to - from, 0) + 1;
        }
        il::State best = s.state;
        for (int st = 0; st < kStateCount; ++st) {
            const auto state = il::State(st);
            const std::int64_t c = cover[std::size_t(st)];
            const std::int64_t b = cover[std::size_t(best)];
            if (c > b || (c == b && stateInterest(state) > stateInterest(best)))
                best = state;
        }
        fill(cx, cx + 1, best);
        ++cx;
        i = gallop(n, j - 1, [&](std::size_t k) { return double(endNsOf(k)) > columnEnd; });
    }
}

int SegmentPainter::paintLanes(QPainter &painter, int firstLane, int lastLane, Output output) const
{
    if (m_columns <= 0)
        return 0;
    int draws = 0;
    std::vector<std::uint8_t> columns;
    QImage line;
    if (output == Output::Scanlines)
        line = QImage(m_columns, 1, QImage::Format_ARGB32_Premultiplied);
    const int last = std::min(lastLane, int(m_timeline.lanes().size()) - 1);
    for (int lane = std::max(0, firstLane); lane <= last; ++lane) {
        if (m_timeline.lanes()[std::size_t(lane)].segments.empty())
            continue;
        classifyLane(lane, columns);
        QRect bar = snapped(m_layout.barRect(lane));
        bar.setLeft(int(std::lround(m_map.left)));
        if (output == Output::Rects) {
            draws += fillRuns(painter, bar, columns);
        } else {
            drawScanline(painter, bar, columns, line);
            ++draws;
        }
    }
    return draws;
}

int SegmentPainter::paintMarks(QPainter &painter, int firstLane, int lastLane) const
{
    int ticks = 0;
    const int left = int(std::lround(m_map.left));
    const int tickWidth = std::max(2, int(std::lround(2 * m_layout.unit)));
    const int last = std::min(lastLane, int(m_timeline.lanes().size()) - 1);
    for (int laneIndex = std::max(0, firstLane); laneIndex <= last; ++laneIndex) {
        const auto &marks = m_timeline.lanes()[std::size_t(laneIndex)].marks;
        if (marks.empty())
            continue;
        const QRect bar = snapped(m_layout.barRect(laneIndex));
        // A tick pokes out above the bar and reaches a third of the way down.
        const int overhang = std::max(2, int(std::lround(3 * m_layout.unit)));
        const QRect tick(0, bar.top() - overhang, tickWidth,
                         overhang + std::max(2, bar.height() / 3));
        const auto byTime = [](const il::Mark &m, double t) { return double(m.tNs) < t; };
        auto it = std::lower_bound(marks.begin(), marks.end(), m_map.nsAtF(m_map.left), byTime);
        while (it != marks.end()) {
            const int column = int(std::floor(m_map.x(double(it->tNs)) - m_map.left));
            if (column >= m_columns)
                break;
            painter.fillRect(tick.translated(left + column, 0), markColor(it->value));
            ++ticks;
            // One tick per column: skip whatever else lands on it.
            it = std::lower_bound(it + 1, marks.end(), m_map.nsAtF(m_map.left + column + tickWidth),
                                  byTime);
        }
    }
    return ticks;
}
