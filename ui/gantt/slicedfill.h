#pragma once
#include <QPointF>

#include <span>
#include <vector>

class QPainter;
class QTransform;

// Fills a convex polygon in horizontal slices, each a few dozen device rows tall.
//
// Qt 6's raster engine hands any fill of more than about 96 spans to its GUI thread
// pool and waits for it. A thin, tall shape (a wake arrow crossing 30 lanes) is a span
// per row, so every such fill paid a thread hand-off worth far more than its pixels:
// about 3 ms a frame with a few hundred arrows on screen (bench_gantt, 1 % zoom).
// Slices small enough stay on the painting thread. They are cut on whole device rows,
// so antialiased edges meet without a seam, and a crisp fill sets the same pixels but
// where an edge falls exactly between two (there a row may move by one pixel).
namespace slicedfill {

// How many device rows one slice of `polygon` may have so that a fill of it stays under
// the raster engine's threshold (0 when even one row is over it); `device` maps the
// polygon to device pixels.
int rowsPerSlice(std::span<const QPointF> polygon, const QTransform &device, bool antialiased);

// The convex `polygon` cut into pieces by the horizontal lines y = cuts[i] (ascending,
// in the polygon's coordinates). Empty pieces are left out.
std::vector<std::vector<QPointF>> slice(std::span<const QPointF> polygon,
                                        std::span<const double> cuts);

// Fills the convex `polygon` with the painter's brush and pen, in slices when it is
// tall. Falls back to one fill when the painter's transform rotates or shears.
void fillConvex(QPainter &painter, std::span<const QPointF> polygon);

} // namespace slicedfill
