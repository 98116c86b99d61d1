#pragma once
#include "../imageexport.h"

#include <QImage>
#include <QSize>
#include <QString>

namespace il {
class Timeline;
}

// The timeline as the Gantt view shows it (title, axes, lane names, legend), for files.
// fromNs == toNs == 0 means the whole run.
struct TimelineExport {
    const il::Timeline &timeline;
    QString title;
    qint64 fromNs = 0;
    qint64 toNs = 0;
};

// Paints it into `painter` over (0, 0)-logicalSize; `title` and `legend` say whether
// the chart's title and its legend of states are drawn.
void paintTimeline(QPainter &painter, QSize logicalSize, const TimelineExport &what,
                   bool title = true, bool legend = true);

QImage renderTimelineImage(const il::Timeline &timeline, const QString &title, qint64 fromNs,
                           qint64 toNs, QSize logicalSize = {1600, 900}, qreal dpr = 2.0);

// Writes it as PNG or SVG (by the path's suffix) through a temporary file in the same
// directory, so a failed write never leaves half a file. On failure returns false and,
// if `error` is given, says which file and why.
bool saveTimelineImage(const TimelineExport &what, const QString &path, const ImageOptions &options,
                       QString *error);

bool saveTimelinePng(const il::Timeline &timeline, const QString &title, qint64 fromNs, qint64 toNs,
                     const QString &path, QString *error, QSize logicalSize = {1600, 900},
                     qreal dpr = 2.0);
