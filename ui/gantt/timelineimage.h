#pragma once
#include <QImage>
#include <QSize>
#include <QString>

namespace il {
class Timeline;
}

// Renders the timeline (title, axes, lane names, legend) at logicalSize × dpr pixels,
// as the Gantt view shows it. fromNs == toNs == 0 means the whole run.
QImage renderTimelineImage(const il::Timeline &timeline, const QString &title, qint64 fromNs,
                           qint64 toNs, QSize logicalSize = {1600, 900}, qreal dpr = 2.0);

// Writes that image as PNG through a temporary file in the same directory, so a
// failed write never leaves half a file. On failure returns false and, if `error`
// is given, says which file and why.
bool saveTimelinePng(const il::Timeline &timeline, const QString &title, qint64 fromNs, qint64 toNs,
                     const QString &path, QString *error, QSize logicalSize = {1600, 900},
                     qreal dpr = 2.0);
