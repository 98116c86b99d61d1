// Goal 7: PNG export of a large timeline at 1920x1080 through the app's own path:
// renderTimelineImage (the Gantt view rendered offscreen) and writePngFile.
#include "ganttbench.h"
#include "synthetictimeline.h"

#include "gantt/timelineimage.h"
#include "pngfile.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

namespace ganttbench {
namespace {

void pngExport(benchmark::State &state, std::int64_t n)
{
    const il::Timeline &timeline = syntheticTimeline(n);
    const QTemporaryDir dir;
    if (!dir.isValid()) {
        state.SkipWithError("no temporary directory");
        return;
    }
    const QString path = dir.filePath(QStringLiteral("timeline.png"));
    const QString title = QStringLiteral("synthetic run, %1 segments").arg(n);
    qint64 renderNs = 0;
    qint64 writeNs = 0;
    qint64 bytes = 0;
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        // 1920x1080 pixels: a logical size of 1920x1080 at a device pixel ratio of 1.
        const QImage image = renderTimelineImage(timeline, title, 0, 0, QSize(1920, 1080), 1.0);
        const qint64 rendered = timer.nsecsElapsed();
        QString error;
        if (image.size() != QSize(1920, 1080) || !writePngFile(image, path, &error)) {
            state.SkipWithError(qPrintable(QStringLiteral("export failed: %1").arg(error)));
            return;
        }
        writeNs += timer.nsecsElapsed() - rendered;
        renderNs += rendered;
        bytes = QFileInfo(path).size();
    }
    const double runs = double(state.iterations());
    if (runs <= 0)
        return;
    state.counters[kSeconds] = double(renderNs + writeNs) / runs / 1e9;
    state.counters["render_s"] = double(renderNs) / runs / 1e9;
    state.counters["write_s"] = double(writeNs) / runs / 1e9;
    state.counters[kBytes] = double(bytes);
}

} // namespace

void registerExportBenchmark(const Sizes &s)
{
    const std::int64_t n = s.exportSize;
    benchmark::RegisterBenchmark(exportName(n).c_str(), [n](benchmark::State &st) {
        pngExport(st, n);
    })->Unit(benchmark::kMillisecond);
}

} // namespace ganttbench
