#pragma once
#include <QRectF>

// Vertical geometry of the lanes: lane 0 at the top, equal rows, each with a bar
// centred in it and a small gap to the next. Works in any unit; `unit` is how many
// of them make one logical pixel (the device pixel ratio when painting in device
// pixels), so gaps and the bar cap look the same at any scale.
struct LaneLayout {
    QRectF area;
    int laneCount = 0;
    double unit = 1.0;

    double rowHeight() const;
    QRectF rowRect(int lane) const;
    QRectF barRect(int lane) const;
    // Lane whose row contains y, or -1.
    int laneAtY(double y) const;
    // Lane whose bar contains y, or -1 (the gaps between bars belong to no lane).
    int barAtY(double y) const;
    double laneCentreY(int lane) const;
};
