#pragma once
#include <QStringList>

class QCategoryAxis;
struct LaneLayout;

// Every how many lanes a name fits: 1 while a row is at least as tall as a label,
// more when the lanes get thin, so that names never overlap.
int laneLabelStep(int laneCount, double plotHeight, double labelHeight);

// Names the shown lanes on `axis` at the centres of their rows in `layout` (lane 0 at the
// top, hidden lanes unnamed). The axis counts in Normal rows from the bottom of the
// area: with every lane Normal it spans [0, laneCount] and lane i's centre is at
// laneCount - i - 0.5. Names never overlap: Normal lanes are named first, top down, as
// far as there is room (every n-th when rows are thinner than a label), then collapsed
// lanes where a name still fits. Long names are shortened in the middle.
void setLaneCategories(QCategoryAxis &axis, const QStringList &names, const LaneLayout &layout,
                       double labelHeight);
