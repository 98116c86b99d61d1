#include "wakearrows.h"

#include "slicedfill.h"

#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>

namespace {
// The arrow contrasts with the background and its halo matches it (near-black with a
// white halo on light, the reverse on dark), so it reads over every state colour and
// over the gaps between lanes alike.
constexpr double kLineWidth = 1.4;
constexpr double kHaloWidth = 3.4;
constexpr double kHeadLength = 7.0;
constexpr double kHeadHalfWidth = 3.5;
// How far the head's halo reaches beyond the head, in logical pixels.
constexpr double kHeadHalo = 1.2;

using Head = std::array<QPointF, 3>;

// The triangle with every edge moved out by `by`: scaled about its incentre by
// (r + by) / r, r being the inradius.
Head grown(const Head &h, double by)
{
    const auto dist = [](QPointF p, QPointF q) { return std::hypot(p.x() - q.x(), p.y() - q.y()); };
    const double a = dist(h[1], h[2]); // opposite h[0]
    const double b = dist(h[0], h[2]);
    const double c = dist(h[0], h[1]);
    const double perimeter = a + b + c;
    const QPointF e1 = h[1] - h[0];
    const QPointF e2 = h[2] - h[0];
    const double area = std::abs(e1.x() * e2.y() - e2.x() * e1.y()) / 2.0;
    const double r = perimeter > 0.0 ? 2.0 * area / perimeter : 0.0;
    if (!(r > 1e-9))
        return h;
    const QPointF centre = (h[0] * a + h[1] * b + h[2] * c) / perimeter;
    const double k = (r + by) / r;
    return {centre + (h[0] - centre) * k, centre + (h[1] - centre) * k,
            centre + (h[2] - centre) * k};
}
// Each line as a filled band `width` wide with flat ends. A wide pen would send the lines
// through the raster engine's stroker, which hands them to Qt's thread pool and waits:
// 3-4 ms a frame with a few hundred arrows (perf, bench_gantt at 1 % zoom). Tall bands
// are filled in slices for the same reason (see slicedfill.h).
void drawBands(QPainter &painter, const std::vector<QLineF> &lines, double width)
{
    for (const QLineF &line : lines) {
        const double length = line.length();
        if (length < 1e-9)
            continue;
        const QPointF across = QPointF(-line.dy(), line.dx()) * (width / 2.0 / length);
        const std::array<QPointF, 4> band{line.p1() + across, line.p2() + across,
                                          line.p2() - across, line.p1() - across};
        slicedfill::fillConvex(painter, band);
    }
}
} // namespace

std::vector<il::Wake> WakeArrows::readable(const il::Timeline &timeline, const TimeMapping &map,
                                           const LaneLayout &layout)
{
    const double widthPx = map.width / layout.unit;
    if (!(widthPx > 0.0))
        return {};
    const qint64 from = map.ns(map.left);
    const qint64 to = map.ns(map.left + map.width);
    const std::size_t fit =
        std::min(kMaxArrows, std::size_t(std::max(0.0, std::floor(widthPx / kMinPixelsApart))));
    const Key key{
        &timeline, timeline.event_count(), timeline.discarded_events(), timeline.end_ns(), from, to,
        fit};
    if (m_key != key) {
        m_found.clear();
        if (il::segments_in_window(timeline, from, to) <= kMaxSegments) {
            m_found = il::find_wakes(timeline, from, to, fit + 1);
            if (m_found.size() > fit)
                m_found.clear();
        }
        m_key = key;
    }
    std::vector<il::Wake> wakes;
    wakes.reserve(m_found.size());
    const auto shown = [&](const il::Wake &w) {
        return layout.barRect(int(w.fromLane)).height() > 0.0 &&
               layout.barRect(int(w.toLane)).height() > 0.0;
    };
    std::copy_if(m_found.begin(), m_found.end(), std::back_inserter(wakes), shown);
    return wakes;
}

int WakeArrows::paint(QPainter &painter, const il::Timeline &timeline, const TimeMapping &map,
                      const LaneLayout &layout, const ViewColors &colors)
{
    const std::vector<il::Wake> wakes = readable(timeline, map, layout);
    if (wakes.empty())
        return 0;
    const double u = layout.unit;
    // Straight shafts with flat ends and filled heads: round caps or stroked heads send
    // every arrow through Qt's general stroker, which costs tens of milliseconds.
    std::vector<QLineF> lines;
    std::vector<Head> heads;
    lines.reserve(wakes.size());
    heads.reserve(wakes.size());
    for (const il::Wake &w : wakes) {
        const QRectF fromBar = layout.barRect(int(w.fromLane));
        const QRectF toBar = layout.barRect(int(w.toLane));
        const bool down = toBar.center().y() > fromBar.center().y();
        // From the waker's bar edge facing the woken lane to the woken bar's facing edge.
        const QPointF start(map.x(double(w.releaseNs)), down ? fromBar.bottom() : fromBar.top());
        const QPointF end(map.x(double(w.acquireNs)), down ? toBar.top() : toBar.bottom());
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
    const auto fillHeads = [&](bool halo) {
        for (const Head &h : heads) {
            const Head shape = halo ? grown(h, kHeadHalo * u) : h;
            painter.drawConvexPolygon(shape.data(), int(shape.size()));
        }
    };
    painter.save();
    // The wide halo without antialiasing: its edge is white on colour either way.
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colors.arrowHalo);
    drawBands(painter, lines, kHaloWidth * u);
    painter.setRenderHint(QPainter::Antialiasing, true);
    fillHeads(true);
    const bool smooth = lines.size() <= kMaxSmoothShafts;
    painter.setRenderHint(QPainter::Antialiasing, smooth);
    const double shaftWidth = smooth ? kLineWidth * u : std::max(1.0, std::round(kLineWidth * u));
    painter.setBrush(colors.arrow);
    drawBands(painter, lines, shaftWidth);
    painter.setRenderHint(QPainter::Antialiasing, true);
    fillHeads(false);
    painter.restore();
    return int(wakes.size());
}
