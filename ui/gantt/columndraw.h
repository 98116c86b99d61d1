#pragma once
#include <QRect>
#include <QRgb>

#include <cstdint>
#include <vector>

class QImage;
class QPainter;

// Draws one lane's classified pixel columns (see il::classify_columns) into its bar:
// each column in its state's colour, a mixed column in horizontal stripes of its
// leading state and its runner-up, a column with nothing recorded left alone.
namespace columndraw {

struct LaneColumns {
    std::vector<std::uint8_t> states;    // il::State per column, or il::kNoColumnState
    std::vector<std::uint8_t> mixedWith; // runner-up state where mixed, else kNoColumnState
};

// Stripe thickness in the painter's units for a lane drawn at `unit` (device pixels per
// logical pixel): thick enough to tell apart, thin enough to read as a texture.
int stripeRows(double unit);

// Runs of equal columns as rectangles, stripes as more rectangles (vector output such
// as SVG). Returns the number of fills.
int fillRuns(QPainter &painter, const QRect &bar, const LaneColumns &lane, int stripe, bool dark);

// The bar as rows of pixels copied into `buffer` and drawn in one unscaled blit: a row
// stretched by the painter would go through the raster engine's scaling path, which
// costs several times more (bench_gantt, 1M segments zoomed out). `rows` is scratch.
void drawRows(QPainter &painter, const QRect &bar, const LaneColumns &lane, int stripe, bool dark,
              std::vector<QRgb> &rows, QImage &buffer);

// Draws `row` (target.width() pixels) repeated down `target`, or alternating with
// `other` every `stripe` rows when it is given.
void blitRows(QPainter &painter, const QRect &target, const QRgb *row, const QRgb *other,
              int stripe, QImage &buffer);

} // namespace columndraw
