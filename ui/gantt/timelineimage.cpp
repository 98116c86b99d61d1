#include "timelineimage.h"

#include "../pngfile.h"

#include "ganttview.h"

#include <QGraphicsLayout>
#include <QPainter>

QImage renderTimelineImage(const il::Timeline &timeline, const QString &title, qint64 fromNs,
                           qint64 toNs, QSize logicalSize, qreal dpr)
{
    if (logicalSize.isEmpty() || !(dpr > 0.0))
        return QImage();

    GanttView view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.setChartTitle(title);
    view.setEmptyHint(QString());
    view.setTimeline(&timeline);
    view.resize(logicalSize);
    // A view that is never shown gets no resize event and no layout pass: size and
    // lay out the chart now, so the plot area is final before the range is applied.
    view.chart()->resize(logicalSize);
    view.chart()->layout()->activate();
    view.setSceneRect(view.chart()->geometry());
    if (fromNs == 0 && toNs == 0)
        view.fitAll();
    else
        view.setVisibleRangeNs(fromNs, toNs);
    view.chart()->layout()->activate();

    QImage image(logicalSize * dpr, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(dpr);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing);
    view.scene()->render(&painter, QRectF(QPointF(0, 0), logicalSize), view.sceneRect());
    painter.end();
    return image;
}

bool saveTimelinePng(const il::Timeline &timeline, const QString &title, qint64 fromNs, qint64 toNs,
                     const QString &path, QString *error, QSize logicalSize, qreal dpr)
{
    return writePngFile(renderTimelineImage(timeline, title, fromNs, toNs, logicalSize, dpr), path,
                        error);
}
