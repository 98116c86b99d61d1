#pragma once
#include <QRectF>

#include <cstdint>
#include <vector>

// How a lane is shown: a full row, a thin strip that still shows its colours, or not at
// all.
enum class LaneMode : std::uint8_t { Normal, Collapsed, Hidden };

// Vertical geometry of the lanes: lane 0 at the top, each shown lane a row with a bar
// centred in it and a small gap to the next. Normal rows share the height left over by
// the collapsed strips; hidden lanes take no row and their bar is an empty rect (height
// 0), which painters take as "skip". Works in any unit; `unit` is how many of them make
// one logical pixel (the device pixel ratio when painting in device pixels), so gaps,
// strips and the bar cap look the same at any scale.
struct LaneLayout {
    // Height of a collapsed lane's strip and of its bar, in logical pixels.
    static constexpr double kCollapsedRow = 6.0;
    static constexpr double kCollapsedBar = 4.0;

    LaneLayout() = default;
    // `modes` by lane index; lanes past its end are Normal.
    LaneLayout(const QRectF &area, int laneCount, double unit, std::vector<LaneMode> modes = {});

    QRectF area;
    int laneCount = 0;
    double unit = 1.0;

    LaneMode mode(int lane) const;
    // Height of a Normal row.
    double rowHeight() const;
    QRectF rowRect(int lane) const;
    QRectF barRect(int lane) const;
    // Lane whose row contains y, or -1. Never a hidden lane.
    int laneAtY(double y) const;
    // Lane whose bar contains y, or -1 (the gaps between bars belong to no lane).
    int barAtY(double y) const;
    double laneCentreY(int lane) const;

private:
    std::vector<LaneMode> m_modes;
    // Row tops, laneCount + 1 of them (the last is the bottom of the last row); empty
    // while every lane is Normal, which is plain arithmetic.
    std::vector<double> m_tops;
    double m_rowHeight = 0.0;
};
