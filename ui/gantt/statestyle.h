#pragma once
#include "event.h"

#include <QColor>
#include <QString>

// Colours from the Okabe–Ito palette, which stays distinguishable with the common
// forms of colour blindness: green running, vermillion blocked, blue critical
// section, reddish purple spinning, muted grey-blue sleeping, light grey finished.
// On a dark background the two greys trade places: finished stays quiet (close to the
// background) and a hole in the record (unrecorded) still stands out; the hues are the
// same in both.
QColor stateColor(il::State state, bool darkBackground = false);
QString stateLabel(il::State state);

// When several states share one pixel column only one can be drawn; the one that
// explains the most about the run wins: blocked > spinning > critical > preempted >
// running > sleeping > finished.
int stateInterest(il::State state);

// The tick drawn for a mark: red for what went wrong (a deadlock, a broken mutual
// exclusion), orange for a wasted wake-up, near-black (near-white on a dark
// background) for ordinary steps.
QColor markColor(std::int64_t code, bool darkBackground = false);

// Dark text on light fills, white on dark ones.
QColor textColorOn(const QColor &fill);
