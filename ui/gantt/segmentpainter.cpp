#include "segmentpainter.h"

#include "columndraw.h"

#include "gallop.h"
#include "statestyle.h"
#include "wakes.h"

#include <QImage>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>

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

void SegmentPainter::classifyLane(int laneIndex, std::vector<std::uint8_t> &columns,
                                  std::vector<std::uint8_t> *mixedWith) const
{
    static const il::StateRank rank = [] {
        il::StateRank r{};
        for (int s = 0; s < kStateCount; ++s)
            r[std::size_t(s)] = stateInterest(il::State(s));
        return r;
    }();
    const il::ColumnGrid grid{m_map.nsAtF(m_map.left), m_map.nsPerPixel(), m_columns};
    il::classify_columns(m_timeline, std::size_t(laneIndex), grid, rank, columns, mixedWith);
}

std::vector<columndraw::LaneColumns>
SegmentPainter::classifyLanes(const std::vector<int> &lanes) const
{
    std::vector<columndraw::LaneColumns> columns(lanes.size());
    const auto classifyEvery = [&](std::size_t first) {
        for (std::size_t i = first; i < lanes.size(); i += 2)
            classifyLane(lanes[i], columns[i].states, &columns[i].mixedWith);
    };
    const qint64 from = qint64(std::floor(m_map.nsAtF(m_map.left)));
    const qint64 to = qint64(std::ceil(m_map.nsAtF(m_map.left + m_columns)));
    const bool heavy = lanes.size() > 1 && std::thread::hardware_concurrency() > 1 &&
                       il::segments_in_window(m_timeline, from, to) >= kSplitAtSegments;
    // A jthread, declared last: if this thread's half throws, the helper is joined on the
    // way out before anything it writes goes away.
    std::exception_ptr helperError;
    std::optional<std::jthread> helper;
    if (heavy) {
        try {
            helper.emplace([&] {
                try {
                    classifyEvery(1);
                } catch (...) {
                    helperError = std::current_exception();
                }
            });
        } catch (const std::exception &) {
            // No thread to be had: this thread does all of it.
        }
    }
    classifyEvery(0);
    if (helper) {
        helper->join();
        if (helperError)
            std::rethrow_exception(helperError);
    } else {
        classifyEvery(1);
    }
    return columns;
}

int SegmentPainter::paintLanes(QPainter &painter, int firstLane, int lastLane, Output output,
                               int *mixedColumns) const
{
    if (m_columns <= 0)
        return 0;
    std::vector<int> lanes;
    const int last = std::min(lastLane, int(m_timeline.lanes().size()) - 1);
    for (int lane = std::max(0, firstLane); lane <= last; ++lane)
        // A hidden lane has an empty bar.
        if (!m_timeline.lanes()[std::size_t(lane)].segments.empty() &&
            !m_layout.barRect(lane).isEmpty())
            lanes.push_back(lane);
    const std::vector<columndraw::LaneColumns> columns = classifyLanes(lanes);
    const int stripe = columndraw::stripeRows(m_layout.unit);
    int draws = 0;
    std::vector<QRgb> rows;
    QImage buffer;
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        if (mixedColumns)
            *mixedColumns +=
                int(std::count_if(columns[i].mixedWith.begin(), columns[i].mixedWith.end(),
                                  [](std::uint8_t m) { return m != kNoState; }));
        QRect bar = snapped(m_layout.barRect(lanes[i]));
        bar.setLeft(int(std::lround(m_map.left)));
        if (output == Output::Rects) {
            draws += columndraw::fillRuns(painter, bar, columns[i], stripe, m_dark);
        } else {
            columndraw::drawRows(painter, bar, columns[i], stripe, m_dark, rows, buffer);
            ++draws;
        }
    }
    return draws;
}

int SegmentPainter::paintMarks(QPainter &painter, int firstLane, int lastLane, Output output) const
{
    if (m_columns <= 0)
        return 0;
    // With Scanlines, a lane with more ticks than this draws them as one row of pixels
    // stretched to the ticks' height: one image draw instead of hundreds of fills. The
    // image costs about as much as a few dozen fills, so sparse lanes fill.
    constexpr std::size_t kTicksForImage = 48;
    int ticks = 0;
    const int left = int(std::lround(m_map.left));
    const int tickWidth = std::max(2, int(std::lround(2 * m_layout.unit)));
    // A tick pokes out above the bar and reaches a third of the way down.
    const int overhang = std::max(2, int(std::lround(3 * m_layout.unit)));
    std::vector<QRgb> row;
    QImage buffer;
    std::vector<std::pair<int, QRgb>> found; // (column, colour) of each tick
    const int last = std::min(lastLane, int(m_timeline.lanes().size()) - 1);
    for (int laneIndex = std::max(0, firstLane); laneIndex <= last; ++laneIndex) {
        const auto &marks = m_timeline.lanes()[std::size_t(laneIndex)].marks;
        if (marks.empty() || m_layout.barRect(laneIndex).isEmpty())
            continue;
        const QRect bar = snapped(m_layout.barRect(laneIndex));
        const QRect tick(0, bar.top() - overhang, tickWidth,
                         overhang + std::max(2, bar.height() / 3));
        found.clear();
        const std::size_t n = marks.size();
        // One tick per column: after each, skip whatever else lands under it.
        std::size_t i = il::gallop(
            n, 0, [&](std::size_t k) { return double(marks[k].tNs) >= m_map.nsAtF(m_map.left); });
        while (i < n) {
            const int column = int(std::floor(m_map.x(double(marks[i].tNs)) - m_map.left));
            if (column >= m_columns)
                break;
            found.emplace_back(column, markColor(marks[i].value, m_dark).rgba());
            const double next = m_map.nsAtF(m_map.left + column + tickWidth);
            i = il::gallop(n, i + 1, [&](std::size_t k) { return double(marks[k].tNs) >= next; });
        }
        ticks += int(found.size());
        if (output == Output::Scanlines && found.size() > kTicksForImage) {
            row.assign(std::size_t(m_columns), 0u);
            for (const auto &[column, color] : found)
                std::fill(row.begin() + column,
                          row.begin() + std::min(m_columns, column + tickWidth), color);
            columndraw::blitRows(painter, QRect(left, tick.top(), m_columns, tick.height()),
                                 row.data(), nullptr, 0, buffer);
            continue;
        }
        for (const auto &[column, color] : found)
            painter.fillRect(QRect(left + column, tick.top(),
                                   std::min(tickWidth, m_columns - column), tick.height()),
                             QColor::fromRgba(color));
    }
    return ticks;
}
