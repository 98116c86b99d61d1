#include "lanelayout.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace {
// Very tall bars look like blocks rather than a timeline; with few lanes the bars
// stop growing and the rows keep some air.
constexpr double kMaxBarHeight = 40.0;
constexpr double kGapFraction = 0.22;
constexpr double kMinGap = 1.0;
} // namespace

LaneLayout::LaneLayout(const QRectF &area_, int laneCount_, double unit_,
                       std::vector<LaneMode> modes)
    : area(area_)
    , laneCount(std::max(0, laneCount_))
    , unit(unit_)
    , m_modes(std::move(modes))
{
    if (m_modes.size() > std::size_t(laneCount))
        m_modes.resize(std::size_t(laneCount));
    const bool allNormal = std::all_of(m_modes.begin(), m_modes.end(),
                                       [](LaneMode m) { return m == LaneMode::Normal; });
    if (allNormal) {
        m_modes.clear();
        return;
    }
    int normal = 0;
    int collapsed = 0;
    for (int lane = 0; lane < laneCount; ++lane) {
        const LaneMode m = mode(lane);
        normal += m == LaneMode::Normal ? 1 : 0;
        collapsed += m == LaneMode::Collapsed ? 1 : 0;
    }
    // Strips keep their height while they fit; past that they share the area equally.
    const double strip =
        collapsed > 0 ? std::min(kCollapsedRow * unit, area.height() / collapsed) : 0.0;
    m_rowHeight = normal > 0 ? std::max(0.0, area.height() - strip * collapsed) / normal : 0.0;
    m_tops.resize(std::size_t(laneCount) + 1);
    double y = area.top();
    for (int lane = 0; lane < laneCount; ++lane) {
        m_tops[std::size_t(lane)] = y;
        const LaneMode m = mode(lane);
        y += m == LaneMode::Normal ? m_rowHeight : m == LaneMode::Collapsed ? strip : 0.0;
    }
    m_tops.back() = y;
}

LaneMode LaneLayout::mode(int lane) const
{
    return lane >= 0 && std::size_t(lane) < m_modes.size() ? m_modes[std::size_t(lane)]
                                                           : LaneMode::Normal;
}

double LaneLayout::rowHeight() const
{
    // Uniform rows are computed from the public fields, so an edited copy stays right.
    if (m_tops.empty())
        return laneCount > 0 ? area.height() / laneCount : 0.0;
    return m_rowHeight;
}

QRectF LaneLayout::rowRect(int lane) const
{
    if (m_tops.empty()) {
        const double row = rowHeight();
        return QRectF(area.left(), area.top() + lane * row, area.width(), row);
    }
    const auto i = std::size_t(std::clamp(lane, 0, laneCount));
    const double top = m_tops[i];
    const double bottom = i + 1 < m_tops.size() ? m_tops[i + 1] : top;
    return QRectF(area.left(), top, area.width(), bottom - top);
}

QRectF LaneLayout::barRect(int lane) const
{
    const QRectF row = rowRect(lane);
    switch (mode(lane)) {
    case LaneMode::Hidden: return QRectF(row.left(), row.top(), row.width(), 0.0);
    case LaneMode::Collapsed: {
        const double bar = std::min(row.height(), kCollapsedBar * unit);
        return QRectF(row.left(), row.center().y() - bar / 2.0, row.width(), bar);
    }
    case LaneMode::Normal: break;
    }
    const double gap = std::max(kMinGap * unit, row.height() * kGapFraction);
    const double bar = std::max(unit, std::min(row.height() - gap, kMaxBarHeight * unit));
    return QRectF(row.left(), row.center().y() - bar / 2.0, row.width(), bar);
}

int LaneLayout::laneAtY(double y) const
{
    if (laneCount <= 0 || y < area.top() || y >= area.bottom())
        return -1;
    if (m_tops.empty()) {
        const double row = rowHeight();
        if (row <= 0.0)
            return -1;
        return std::clamp(int(std::floor((y - area.top()) / row)), 0, laneCount - 1);
    }
    // The last row starting at or above y; hidden rows (zero height) never contain it.
    const auto it = std::upper_bound(m_tops.begin(), m_tops.end() - 1, y);
    if (it == m_tops.begin())
        return -1;
    const int lane = int(it - m_tops.begin()) - 1;
    return y < m_tops[std::size_t(lane) + 1] ? lane : -1;
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
