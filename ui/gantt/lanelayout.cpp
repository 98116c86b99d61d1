#include "lanelayout.h"

#include <algorithm>
#include <cmath>

namespace {
// Very tall bars look like blocks rather than a timeline; with few lanes the bars
// stop growing and the rows keep some air.
constexpr double kMaxBarHeight = 40.0;
constexpr double kGapFraction = 0.22;
constexpr double kMinGap = 1.0;
} // namespace

double LaneLayout::rowHeight() const
{
    return laneCount > 0 ? area.height() / laneCount : 0.0;
}

QRectF LaneLayout::rowRect(int lane) const
{
    const double row = rowHeight();
    return QRectF(area.left(), area.top() + lane * row, area.width(), row);
}

QRectF LaneLayout::barRect(int lane) const
{
    const QRectF row = rowRect(lane);
    const double gap = std::max(kMinGap * unit, row.height() * kGapFraction);
    const double bar = std::max(unit, std::min(row.height() - gap, kMaxBarHeight * unit));
    return QRectF(row.left(), row.center().y() - bar / 2.0, row.width(), bar);
}

int LaneLayout::laneAtY(double y) const
{
    const double row = rowHeight();
    if (row <= 0.0 || y < area.top() || y >= area.bottom())
        return -1;
    return std::clamp(int(std::floor((y - area.top()) / row)), 0, laneCount - 1);
}

int LaneLayout::barAtY(double y) const
{
    const int lane = laneAtY(y);
    if (lane < 0)
        return -1;
    const QRectF bar = barRect(lane);
    return y >= bar.top() && y < bar.bottom() ? lane : -1;
}

double LaneLayout::laneCentreY(int lane) const
{
    return rowRect(lane).center().y();
}
