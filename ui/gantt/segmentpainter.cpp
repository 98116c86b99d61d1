#include "segmentpainter.h"

#include "gallop.h"
#include "statestyle.h"

#include <QImage>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace {

constexpr int kStateCount = il::kStateCount;
static_assert(SegmentPainter::kNoState == il::kNoColumnState);

QRect snapped(const QRectF &r)
{
    const int left = int(std::lround(r.left()));
    const int top = int(std::lround(r.top()));
    const int right = int(std::lround(r.right()));
    const int bottom = int(std::lround(r.bottom()));
    return QRect(left, top, std::max(1, right - left), std::max(1, bottom - top));
}

int fillRuns(QPainter &painter, const QRect &bar, const std::vector<std::uint8_t> &columns,
             bool dark)
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
                             stateColor(il::State(state), dark));
            ++fills;
        }
        from = to;
    }
    return fills;
}

void drawScanline(QPainter &painter, const QRect &bar, const std::vector<std::uint8_t> &columns,
                  QImage &line, bool dark)
{
    std::array<QRgb, kStateCount> colors{};
    for (int s = 0; s < kStateCount; ++s)
        colors[std::size_t(s)] = stateColor(il::State(s), dark).rgba();
    auto *pixels = reinterpret_cast<QRgb *>(line.scanLine(0));
    for (std::size_t c = 0; c < columns.size(); ++c)
        pixels[c] = columns[c] == SegmentPainter::kNoState ? 0u : colors[columns[c]];
    painter.drawImage(QRect(bar.left(), bar.top(), int(columns.size()), bar.height()), line);
}

} // namespace

SegmentPainter::SegmentPainter(const il::Timeline &timeline, const TimeMapping &map,
                               const LaneLayout &layout, const ViewColors &colors)
    : m_timeline(timeline)
    , m_map(map)
    , m_layout(layout)
    , m_columns(std::max(0, int(std::lround(map.width))))
    , m_dark(colors.dark)
{
}

std::size_t SegmentPainter::firstEndingAfter(const il::Timeline &timeline,
                                             const il::TimelineLane &lane, std::size_t from,
                                             double t)
{
    return il::gallop(lane.segments.size(), from,
                      [&](std::size_t k) { return double(timeline.segment_end(lane, k)) > t; });
}

void SegmentPainter::classifyLane(int laneIndex, std::vector<std::uint8_t> &columns) const
{
    static const il::StateRank rank = [] {
        il::StateRank r{};
        for (int s = 0; s < kStateCount; ++s)
            r[std::size_t(s)] = stateInterest(il::State(s));
        return r;
    }();
    const il::ColumnGrid grid{m_map.nsAtF(m_map.left), m_map.nsPerPixel(), m_columns};
    il::classify_columns(m_timeline, std::size_t(laneIndex), grid, rank, columns);
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
        // A hidden lane has an empty bar.
        if (m_timeline.lanes()[std::size_t(lane)].segments.empty() ||
            m_layout.barRect(lane).isEmpty())
            continue;
        classifyLane(lane, columns);
        QRect bar = snapped(m_layout.barRect(lane));
        bar.setLeft(int(std::lround(m_map.left)));
        if (output == Output::Rects) {
            draws += fillRuns(painter, bar, columns, m_dark);
        } else {
            drawScanline(painter, bar, columns, line, m_dark);
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
        if (marks.empty() || m_layout.barRect(laneIndex).isEmpty())
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
            painter.fillRect(tick.translated(left + column, 0), markColor(it->value, m_dark));
            ++ticks;
            // One tick per column: skip whatever else lands on it.
            it = std::lower_bound(it + 1, marks.end(), m_map.nsAtF(m_map.left + column + tickWidth),
                                  byTime);
        }
    }
    return ticks;
}
