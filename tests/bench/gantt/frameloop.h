#pragma once
// Timing frames of a chart view the same way for Interleave and for the Qt Charts
// baseline: the whole widget rendered into a QImage, in raster, as a repaint does.
#include "ganttbench.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QImage>
#include <QPainter>
#include <QWidget>

#include <functional>

namespace ganttbench {

inline constexpr QSize kFrameSize{1600, 900};

// Shows `view` (offscreen) at kFrameSize and lets it lay out until ready() says so.
// Returns false if it never became ready.
bool showAndSettle(QWidget &view, const std::function<bool()> &ready);

// Each iteration: prepare(frame) (a range change, or marking the item dirty), the
// layout work that change posted, then one full render of the view. Reports ms/frame.
template <typename Prepare> void timeFrames(benchmark::State &state, QWidget &view, Prepare prepare)
{
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    qint64 totalNs = 0;
    qint64 frames = 0;
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        prepare(frames);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QPainter painter(&image);
        view.render(&painter);
        painter.end();
        totalNs += timer.nsecsElapsed();
        ++frames;
    }
    // Whatever the renders left queued (scene updates) must not pile up across runs.
    QCoreApplication::processEvents();
    if (frames > 0)
        state.counters[kMsPerFrame] = double(totalNs) / double(frames) / 1e6;
}

} // namespace ganttbench
