#include "timemapping.h"

#include <algorithm>
#include <cmath>
#include <utility>

double TimeMapping::nsPerPixel() const
{
    return width > 0.0 ? double(spanNs()) / width : 0.0;
}

double TimeMapping::x(double ns) const
{
    const qint64 span = spanNs();
    if (span <= 0)
        return left;
    return left + (ns - double(fromNs)) * width / double(span);
}

double TimeMapping::nsAtF(double px) const
{
    if (width <= 0.0)
        return double(fromNs);
    return double(fromNs) + (px - left) * double(spanNs()) / width;
}

qint64 TimeMapping::ns(double px) const
{
    return qint64(std::llround(nsAtF(px)));
}

void TimeMapping::zoomAt(double anchorX, double factor)
{
    if (!(factor > 0.0) || width <= 0.0)
        return;
    const double fraction = std::clamp((anchorX - left) / width, 0.0, 1.0);
    const double anchorNs = double(fromNs) + fraction * double(spanNs());
    const double span = std::max(double(spanNs()) / factor, double(kMinSpanNs));
    const qint64 newSpan = qint64(std::llround(span));
    fromNs = qint64(std::llround(anchorNs - fraction * span));
    toNs = fromNs + newSpan;
}

void TimeMapping::panByPixels(double dx)
{
    const qint64 shift = qint64(std::llround(dx * nsPerPixel()));
    fromNs -= shift;
    toNs -= shift;
}

void TimeMapping::clampTo(qint64 minNs, qint64 maxNs)
{
    if (maxNs - minNs < kMinSpanNs)
        maxNs = minNs + kMinSpanNs;
    const qint64 span = spanNs();
    if (span >= maxNs - minNs) {
        fromNs = minNs;
        toNs = maxNs;
    } else if (fromNs < minNs) {
        fromNs = minNs;
        toNs = minNs + span;
    } else if (toNs > maxNs) {
        toNs = maxNs;
        fromNs = maxNs - span;
    }
}

void TimeMapping::setRange(qint64 from, qint64 to)
{
    if (to < from)
        std::swap(from, to);
    if (to - from < kMinSpanNs) {
        const qint64 mid = from + (to - from) / 2;
        from = mid - kMinSpanNs / 2;
        to = from + kMinSpanNs;
    }
    fromNs = from;
    toNs = to;
}
