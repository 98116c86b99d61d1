#include "slicedfill.h"

#include <QPainter>
#include <QTransform>

#include <algorithm>
#include <cmath>
#include <limits>

namespace slicedfill {
namespace {

// Qt's raster engine fills up to 95 spans in one call on the calling thread
// ((count + 32) / 64 segments in qdrawhelper); keep a margin below it.
constexpr int kSpanBudget = 88;
// A shape needing more slices than this is filled whole (a view is a few thousand rows).
constexpr double kMaxSlices = 256;

// The part of a convex polygon on one side of y = at: y <= at when keepLess, else
// y >= at. One Sutherland-Hodgman step.
std::vector<QPointF> clipY(const std::vector<QPointF> &in, double at, bool keepLess)
{
    std::vector<QPointF> out;
    out.reserve(in.size() + 2);
    const auto inside = [&](const QPointF &p) { return keepLess ? p.y() <= at : p.y() >= at; };
    for (std::size_t i = 0; i < in.size(); ++i) {
        const QPointF &a = in[i];
        const QPointF &b = in[(i + 1) % in.size()];
        const bool aIn = inside(a);
        const bool bIn = inside(b);
        if (aIn)
            out.push_back(a);
        if (aIn != bIn) {
            const double t = (at - a.y()) / (b.y() - a.y());
            out.emplace_back(a.x() + t * (b.x() - a.x()), at);
        }
    }
    return out;
}

} // namespace

int rowsPerSlice(std::span<const QPointF> polygon, const QTransform &device, bool antialiased)
{
    if (!antialiased)
        return kSpanBudget; // a crisp convex fill is one span per row
    // Antialiased, an edge crossing a row leaves a span for each pixel it passes through
    // (their coverage differs), plus one for the run between the edges.
    double widest = 0.0;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
        const QPointF a = device.map(polygon[i]);
        const QPointF b = device.map(polygon[(i + 1) % polygon.size()]);
        const double dy = std::abs(b.y() - a.y());
        const double dx = std::abs(b.x() - a.x());
        // Within one row an edge passes through about dx / dy pixels; an edge less than
        // a row tall, through all of its width.
        widest = std::max(widest, dy >= 1.0 ? dx / dy : dx);
    }
    const double spansPerRow = 2.0 * (std::ceil(widest) + 1.0) + 1.0;
    return int(kSpanBudget / spansPerRow);
}

std::vector<std::vector<QPointF>> slice(std::span<const QPointF> polygon,
                                        std::span<const double> cuts)
{
    std::vector<std::vector<QPointF>> pieces;
    std::vector<QPointF> rest(polygon.begin(), polygon.end());
    for (const double cut : cuts) {
        if (rest.size() < 3)
            break;
        std::vector<QPointF> piece = clipY(rest, cut, true);
        if (piece.size() >= 3)
            pieces.push_back(std::move(piece));
        rest = clipY(rest, cut, false);
    }
    if (rest.size() >= 3)
        pieces.push_back(std::move(rest));
    return pieces;
}

void fillConvex(QPainter &painter, std::span<const QPointF> polygon)
{
    const auto whole = [&] { painter.drawConvexPolygon(polygon.data(), int(polygon.size())); };
    const QTransform device = painter.deviceTransform();
    // Slices drawn with an outline would show every cut; a rotation would make the cuts
    // slanted rows.
    if (polygon.size() < 3 || painter.pen().style() != Qt::NoPen ||
        device.type() > QTransform::TxScale || !(std::abs(device.m22()) > 0.0)) {
        whole();
        return;
    }
    double top = std::numeric_limits<double>::max();
    double bottom = std::numeric_limits<double>::lowest();
    for (const QPointF &p : polygon) {
        const double y = device.map(p).y();
        top = std::min(top, y);
        bottom = std::max(bottom, y);
    }
    const int rows = rowsPerSlice(polygon, device, painter.testRenderHint(QPainter::Antialiasing));
    // Not worth it, or not possible: short enough already, so shallow that even one row
    // goes to the thread pool, or not a finite shape.
    if (rows < 1 || !std::isfinite(top) || !std::isfinite(bottom) || !(bottom - top > rows) ||
        (bottom - top) / rows > kMaxSlices) {
        whole();
        return;
    }
    // Cuts on whole device rows, mapped back to the polygon's coordinates.
    std::vector<double> cuts;
    for (double row = std::floor(top) + rows; row < bottom; row += rows)
        cuts.push_back((row - device.dy()) / device.m22());
    if (device.m22() < 0.0)
        std::reverse(cuts.begin(), cuts.end());
    for (const std::vector<QPointF> &piece : slice(polygon, cuts))
        painter.drawConvexPolygon(piece.data(), int(piece.size()));
}

} // namespace slicedfill
