// Goal 6: Interleave's Gantt frame at 1k..10M segments, fully zoomed out and at 1 %
// zoom, and pan and zoom frames at the largest size.
#include "frameloop.h"
#include "synthetictimeline.h"

#include "gantt/ganttview.h"
#include "gantt/timelineitem.h"

#include <QApplication>

#include <algorithm>
#include <memory>

namespace ganttbench {

bool showAndSettle(QWidget &view, const std::function<bool()> &ready)
{
    view.resize(kFrameSize);
    view.show();
    for (int i = 0; i < 200 && !ready(); ++i) {
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }
    QCoreApplication::processEvents();
    return ready();
}

namespace {

// A GanttView at the frame size over the synthetic run of n segments.
std::unique_ptr<GanttView> makeView(benchmark::State &state, std::int64_t n)
{
    const il::Timeline &timeline = syntheticTimeline(n);
    auto view = std::make_unique<GanttView>();
    view->setChartTitle(QStringLiteral("synthetic run, %1 segments").arg(n));
    view->setTimeline(&timeline);
    view->refresh();
    if (!showAndSettle(*view, [&] {
            return view->timelineItem()->boundingRect().width() > kFrameSize.width() / 2;
        })) {
        state.SkipWithError("the Gantt view never laid out its plot area");
        return nullptr;
    }
    view->fitAll();
    return view;
}

// The item must paint for real in every frame: a cached pixmap would time a blit.
bool checkPainted(benchmark::State &state, const GanttView &view)
{
    if (view.timelineItem()->cacheMode() != QGraphicsItem::NoCache) {
        state.SkipWithError("the timeline item caches its pixels: frames would not repaint");
        return false;
    }
    if (view.timelineItem()->lastRectCount() <= 0) {
        state.SkipWithError("the timeline item drew nothing");
        return false;
    }
    return true;
}

void frameBench(benchmark::State &state, std::int64_t n, bool zoomed)
{
    const auto view = makeView(state, n);
    if (!view)
        return;
    const il::Timeline &timeline = syntheticTimeline(n);
    if (zoomed) {
        const qint64 mid = timeline.end_ns() / 2;
        const qint64 half = std::max<qint64>(timeline.end_ns() / 200, 1);
        view->setVisibleRangeNs(mid - half, mid + half);
    }
    TimelineItem *item = view->timelineItem();
    timeFrames(state, *view, [item](qint64) { item->update(); });
    checkPainted(state, *view);
    state.counters["segments"] = double(timeline.segment_count());
    // Goal 8: everything the timeline holds (records, spare room, level of detail, names)
    // per event it stored.
    if (!zoomed && timeline.event_count() > 0)
        state.counters[kBytesPerEvent] =
            double(timeline.memory_bytes()) / double(timeline.event_count());
}

// Moves a 10 % window right in eighths of itself, then jumps back: every frame is a
// new range, as while dragging.
void pan(benchmark::State &state, std::int64_t n)
{
    const auto view = makeView(state, n);
    if (!view)
        return;
    const qint64 end = syntheticTimeline(n).end_ns();
    const qint64 window = std::max<qint64>(end / 10, 1);
    GanttView *v = view.get();
    timeFrames(state, *view, [v, end, window](qint64 frame) {
        const qint64 from = end / 2 - window + (frame % 9) * window / 8;
        v->setVisibleRangeNs(from, from + window);
    });
    checkPainted(state, *view);
}

// Zooms in by 2x per frame from the whole run down to 1/128 of it and back out again,
// centred on the middle: every level of detail in turn.
void zoom(benchmark::State &state, std::int64_t n)
{
    const auto view = makeView(state, n);
    if (!view)
        return;
    const qint64 end = syntheticTimeline(n).end_ns();
    GanttView *v = view.get();
    timeFrames(state, *view, [v, end](qint64 frame) {
        constexpr int kLevels = 8;
        const int step = int(frame % (2 * kLevels - 2));
        const int level = step < kLevels ? step : 2 * kLevels - 2 - step;
        const qint64 half = std::max<qint64>((end >> level) / 2, 1);
        v->setVisibleRangeNs(end / 2 - half, end / 2 + half);
    });
    checkPainted(state, *view);
}

} // namespace

void registerFrameBenchmarks(const Sizes &s)
{
    for (const std::int64_t n : s.frames) {
        benchmark::RegisterBenchmark(frameName(kInterleave, kFull, n).c_str(),
                                     [n](benchmark::State &st) { frameBench(st, n, false); })
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(frameName(kInterleave, kZoom1, n).c_str(),
                                     [n](benchmark::State &st) { frameBench(st, n, true); })
            ->Unit(benchmark::kMillisecond);
    }
    const std::int64_t n = s.panZoom;
    benchmark::RegisterBenchmark(panName(n).c_str(), [n](benchmark::State &st) {
        pan(st, n);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(zoomName(n).c_str(), [n](benchmark::State &st) {
        zoom(st, n);
    })->Unit(benchmark::kMillisecond);
}

} // namespace ganttbench
