#include "timelineimage.h"

#include "ganttview.h"

#include <QCoreApplication>
#include <QGraphicsLayout>
#include <QPainter>
#include <QSaveFile>

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
    const auto fail = [&](const QString &why) {
        if (error)
            *error = QCoreApplication::translate("Gantt", "Cannot write %1: %2").arg(path, why);
        return false;
    };
    const QImage image = renderTimelineImage(timeline, title, fromNs, toNs, logicalSize, dpr);
    if (image.isNull())
        return fail(QCoreApplication::translate("Gantt", "the image size is empty"));

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    if (!image.save(&file, "PNG")) {
        file.cancelWriting();
        return fail(file.errorString().isEmpty() || file.error() == QFileDevice::NoError
                        ? QCoreApplication::translate("Gantt", "PNG encoding failed")
                        : file.errorString());
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}
