#pragma once
#include <QStringList>

class QCategoryAxis;

// Every how many lanes a name fits: 1 while a row is at least as tall as a label,
// more when the lanes get thin, so that names never overlap.
int laneLabelStep(int laneCount, double plotHeight, double labelHeight);

// Names the lanes on `axis`: lane 0 at the top, every step-th lane labelled at the
// centre of its row. The axis spans [0, laneCount] with lane i's centre at
// laneCount - i - 0.5. Long names are shortened in the middle.
void setLaneCategories(QCategoryAxis &axis, const QStringList &names, int step);
