#pragma once
#include <QtGlobal>

// Maps the visible time range [fromNs, toNs] onto the pixel span [left, left + width].
// A plain value so that the view, the painter (in device pixels) and the tests share
// one piece of arithmetic.
struct TimeMapping {
    // Zooming in stops at this span: below it a pixel would stand for fractions of a
    // nanosecond and the axis labels could no longer tell ticks apart.
    static constexpr qint64 kMinSpanNs = 1000;

    qint64 fromNs = 0;
    qint64 toNs = 1'000'000;
    double left = 0.0;
    double width = 1.0;

    qint64 spanNs() const { return toNs - fromNs; }
    double nsPerPixel() const;

    // Pixel position of a time; outside [left, left + width] when the time is not visible.
    double x(double ns) const;
    // Time at a pixel position, exact (fractional nanoseconds) or rounded.
    double nsAtF(double px) const;
    qint64 ns(double px) const;

    // Scales the span by 1 / factor (factor > 1 zooms in) keeping the time under
    // anchorX in place. The span never gets shorter than kMinSpanNs.
    void zoomAt(double anchorX, double factor);
    // Moves the content by dx pixels, as a drag does: dx > 0 shows earlier times.
    void panByPixels(double dx);
    // Keeps the range inside [minNs, maxNs]: shifts it in, or shrinks it to the bounds
    // when it is wider.
    void clampTo(qint64 minNs, qint64 maxNs);
    // Sets the range, ordering the ends and widening it to kMinSpanNs if needed.
    void setRange(qint64 from, qint64 to);

    bool sameRange(const TimeMapping &other) const
    {
        return fromNs == other.fromNs && toNs == other.toNs;
    }
};
