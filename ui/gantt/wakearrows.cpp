#include "wakearrows.h"

#include <QLineF>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace {
// Near-black with a white halo reads over every state colour, the dark grey of
// Unrecorded included.
const QColor kArrowColor(0x14, 0x14, 0x1e);
const QColor kHaloColor(255, 255, 255, 220);
constexpr double kLineWidth = 1.4;
constexpr double kHaloWidth = 3.4;
constexpr double kHeadLength = 7.0;
constexpr double kHeadHalfWidth = 3.5;
} // namespace

WakeArrows::WakeArrows(const il::Timeline &timeline, const TimeMapping &map,
                       const LaneLayout &layout)
    : m_timeline(timeline)
    , m_map(map)
    , m_layout(layout)
{
}

std::vector<il::Wake> WakeArrows::readable() const
{
    const double widthPx = m_map.width / m_layout.unit;
    if (!(widthPx > 0.0))
        return {};
    const qint64 from = m_map.ns(m_map.left);
    const qint64 to = m_map.ns(m_map.left + m_map.width);
    if (il::segments_in_window(m_timeline, from, to) > kMaxSegments)
        return {};
    const std::size_t fit =
        std::min(kMaxArrows, std::size_t(std::max(0.0, std::floor(widthPx / kMinPixelsApart))));
    std::vector<il::Wake> wakes = il::find_wakes(m_timeline, from, to, fit + 1);
    if (wakes.size() > fit)
        return {};
    const auto hidden = [&](const il::Wake &w) {
        return m_layout.barRect(int(w.fromLane)).height() <= 0.0 ||
               m_layout.barRect(int(w.toLane)).height() <= 0.0;
    };
    wakes.erase(std::remove_if(wakes.begin(), wakes.end(), hidden), wakes.end());
    return wakes;
}

int WakeArrows::paint(QPainter &painter) const
{
    const std::vector<il::Wake> wakes = readable();
    if (wakes.empty())
        return 0;
    const double u = m_layout.unit;
    // Separate lines and small polygons, not one path: Qt strokes a path as a whole, and
    // hundreds of long crossing strokes in one path cost hundreds of milliseconds.
    std::vector<QLineF> lines;
    std::vector<std::array<QPointF, 3>> heads;
    lines.reserve(wakes.size());
    heads.reserve(wakes.size());
    for (const il::Wake &w : wakes) {
        const QRectF fromBar = m_layout.barRect(int(w.fromLane));
        const QRectF toBar = m_layout.barRect(int(w.toLane));
        const bool down = toBar.center().y() > fromBar.center().y();
        // From the waker's bar edge facing the woken lane to the woken bar's facing edge.
        const QPointF start(m_map.x(double(w.releaseNs)), down ? fromBar.bottom() : fromBar.top());
        const QPointF end(m_map.x(double(w.acquireNs)), down ? toBar.top() : toBar.bottom());
        const QPointF d = end - start;
        const double length = std::hypot(d.x(), d.y());
        if (length < 1e-9)
            continue;
        const QPointF along = d / length;
        const QPointF across(-along.y(), along.x());
        const double head = std::min(kHeadLength * u, length);
        const QPointF base = end - along * head;
        lines.emplace_back(start, base);
        heads.push_back(
            {end, base + across * kHeadHalfWidth * u, base - across * kHeadHalfWidth * u});
    }
    const auto drawHeads = [&] {
        for (const auto &h : heads)
            painter.drawPolygon(h.data(), int(h.size()));
    };
    painter.save();
    painter.setBrush(Qt::NoBrush);
    // The wide halo without antialiasing: it is the costly stroke, and its edge is white
    // on colour either way.
    painter.setPen(QPen(kHaloColor, kHaloWidth * u, Qt::SolidLine, Qt::FlatCap));
    painter.drawLines(lines.data(), int(lines.size()));
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(QPen(kHaloColor, 2.0 * u, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    drawHeads();
    painter.setPen(QPen(kArrowColor, kLineWidth * u, Qt::SolidLine, Qt::RoundCap));
    painter.drawLines(lines.data(), int(lines.size()));
    painter.setPen(Qt::NoPen);
    painter.setBrush(kArrowColor);
    drawHeads();
    painter.restore();
    return int(wakes.size());
}
