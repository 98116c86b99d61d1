#include "timelineimage.h"

#include "../pngfile.h"

#include "ganttview.h"
#include "theme.h"
#include "timelineitem.h"

#include <QCoreApplication>
#include <QGraphicsLayout>
#include <QImage>
#include <QLegend>
#include <QPaintEngine>
#include <QPainter>

void paintTimeline(QPainter &painter, QSize logicalSize, const TimelineExport &what, bool title,
                   bool legend)
{
    if (logicalSize.isEmpty())
        return;
    GanttView view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.setPalette(exportPalette()); // files are light whatever the screen's theme
    view.setChartTitle(title ? what.title : QString());
    view.chart()->legend()->setVisible(legend);
    view.setEmptyHint(QString());
    view.setTimeline(&what.timeline);
    view.resize(logicalSize);
    // A view that is never shown gets no resize event and no layout pass: size and
    // lay out the chart now, so the plot area is final before the range is applied.
    view.chart()->resize(logicalSize);
    view.chart()->layout()->activate();
    view.setSceneRect(view.chart()->geometry());
    if (what.fromNs == 0 && what.toNs == 0)
        view.fitAll();
    else
        view.setVisibleRangeNs(what.fromNs, what.toNs);
    view.chart()->layout()->activate();
    // The legend's "striped" entry is known only once the bars are drawn. A raster target
    // is simply drawn again with it (everything is opaque, so the second pass covers the
    // first); a vector file would hold everything twice, so a throwaway image goes first.
    const auto legendCaughtUp = [&view] {
        QCoreApplication::sendPostedEvents(&view, QEvent::MetaCall);
        // The legend lays its new marker out through posted layout requests.
        for (int i = 0; i < 4; ++i)
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        view.chart()->layout()->activate();
    };
    const QRectF target(QPointF(0, 0), logicalSize);
    const bool vector =
        !painter.paintEngine() || painter.paintEngine()->type() != QPaintEngine::Raster;
    if (legend && vector) {
        QImage probe(logicalSize, QImage::Format_ARGB32_Premultiplied);
        QPainter probePainter(&probe);
        view.scene()->render(&probePainter, target, view.sceneRect());
        probePainter.end();
        legendCaughtUp();
    }
    const bool mixedBefore = view.timelineItem()->mixedShown();
    view.scene()->render(&painter, target, view.sceneRect());
    if (legend && view.timelineItem()->mixedShown() != mixedBefore) {
        legendCaughtUp();
        view.scene()->render(&painter, target, view.sceneRect());
    }
}

QImage renderTimelineImage(const il::Timeline &timeline, const QString &title, qint64 fromNs,
                           qint64 toNs, QSize logicalSize, qreal dpr)
{
    const TimelineExport what{timeline, title, fromNs, toNs};
    return paintImage(logicalSize, dpr,
                      [&](QPainter &p, QSize size) { paintTimeline(p, size, what); });
}

bool saveTimelineImage(const TimelineExport &what, const QString &path, const ImageOptions &options,
                       QString *error)
{
    return writeImageFile(
        path, options, what.title,
        [&](QPainter &p, QSize size) {
            paintTimeline(p, size, what, options.title, options.legend);
        },
        error);
}

bool saveTimelinePng(const il::Timeline &timeline, const QString &title, qint64 fromNs, qint64 toNs,
                     const QString &path, QString *error, QSize logicalSize, qreal dpr)
{
    return writePngFile(renderTimelineImage(timeline, title, fromNs, toNs, logicalSize, dpr), path,
                        error);
}
