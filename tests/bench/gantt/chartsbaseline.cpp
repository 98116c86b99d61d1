// Goal 6's baseline: the timeline drawn the way Qt Charts alone would draw it, one
// step-shaped QLineSeries per lane (two points per segment), at the same sizes, view
// size and render path as Interleave's frames.
#include "frameloop.h"
#include "synthetictimeline.h"

#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <malloc.h>
#include <memory>

namespace ganttbench {
namespace {

struct StepChart {
    std::unique_ptr<QChartView> view;
    QValueAxis *time = nullptr;
    qint64 points = 0;
};

// Lane i is drawn around y = i, its state lifting the line by a tenth per state, so
// every change of state is a vertical step.
StepChart makeStepChart(const il::Timeline &timeline)
{
    StepChart c;
    auto *chart = new QChart;
    chart->legend()->hide();
    chart->setTitle(QStringLiteral("Qt Charts step series"));
    c.time = new QValueAxis;
    c.time->setTitleText(QStringLiteral("ms"));
    auto *lanes = new QValueAxis;
    lanes->setRange(0, double(timeline.lanes().size()));
    chart->addAxis(c.time, Qt::AlignBottom);
    chart->addAxis(lanes, Qt::AlignLeft);
    int index = 0;
    for (const il::TimelineLane &lane : timeline.lanes()) {
        QList<QPointF> points;
        points.reserve(qsizetype(lane.segments.size() * 2));
        for (const il::Segment &s : lane.segments) {
            const double y = index + 0.1 * (1 + int(s.state));
            points.append(QPointF(double(s.startNs) / 1e6, y));
            points.append(QPointF(double(s.endNs) / 1e6, y));
        }
        c.points += points.size();
        auto *series = new QLineSeries;
        series->replace(points);
        chart->addSeries(series);
        series->attachAxis(c.time);
        series->attachAxis(lanes);
        ++index;
    }
    c.time->setRange(0, double(timeline.end_ns()) / 1e6);
    c.view = std::make_unique<QChartView>(chart);
    return c;
}

// Bytes of heap in use (malloc's arenas and its own mappings).
double heapInUse()
{
    const struct mallinfo2 m = mallinfo2();
    return double(m.uordblks) + double(m.hblkhd);
}

void stepFrame(benchmark::State &state, std::int64_t n, bool zoomed)
{
    const il::Timeline &timeline = syntheticTimeline(n);
    // What earlier benchmarks left to delete goes first, so its frees do not count here.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const double heapBefore = heapInUse();
    StepChart c = makeStepChart(timeline);
    QChart *chart = c.view->chart();
    if (!showAndSettle(*c.view, [chart] { return chart->plotArea().width() > 100; })) {
        state.SkipWithError("the Qt Charts view never laid out its plot area");
        return;
    }
    // Goal 8's baseline: what the chart took to hold and lay out the same run, per event
    // the timeline stored (each a segment or a mark).
    if (!zoomed && timeline.event_count() > 0)
        state.counters[kBytesPerEvent] =
            (heapInUse() - heapBefore) / double(timeline.event_count());
    if (zoomed) {
        const double mid = double(timeline.end_ns()) / 2e6;
        const double half = double(timeline.end_ns()) / 2e8;
        c.time->setRange(mid - half, mid + half);
    }
    timeFrames(state, *c.view, [chart](qint64) { chart->update(); });
    state.counters["points"] = double(c.points);
}

} // namespace

void registerChartsBaseline(const Sizes &s)
{
    for (const std::int64_t n : s.frames) {
        if (n > s.chartsLimit)
            continue;
        benchmark::RegisterBenchmark(frameName(kQtCharts, kFull, n).c_str(),
                                     [n](benchmark::State &st) { stepFrame(st, n, false); })
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(frameName(kQtCharts, kZoom1, n).c_str(),
                                     [n](benchmark::State &st) { stepFrame(st, n, true); })
            ->Unit(benchmark::kMillisecond);
    }
}

} // namespace ganttbench
