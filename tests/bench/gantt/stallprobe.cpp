#include "stallprobe.h"

#include "ganttbench.h"

#include "gantt/ganttview.h"
#include "gantt/timelineitem.h"
#include "mainwindow.h"
#include "paramspanel.h"
#include "runcontroller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <algorithm>
#include <ctime>

namespace ganttbench {
namespace {

qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

StallProbe::StallProbe()
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::tick);
}

void StallProbe::start()
{
    m_gapsNs.clear();
    m_gapsNs.reserve(1 << 16);
    m_clock.start();
    m_lastNs = 0;
    m_maxGapNs = 0;
    m_maxAtNs = 0;
    m_cpuStartNs = threadCpuNs();
    m_lastCpuNs = m_cpuStartNs;
    m_timer.start();
}

void StallProbe::stop()
{
    m_timer.stop();
    m_cpuNs = threadCpuNs() - m_cpuStartNs;
    m_wallNs = m_clock.nsecsElapsed();
}

void StallProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 cpu = threadCpuNs();
    if (now - m_lastNs > m_maxGapNs) { // when the longest gap began, and whether the GUI
        m_maxGapNs = now - m_lastNs;   // thread was working or waiting through it
        m_maxAtNs = m_lastNs;
        m_maxGapCpuNs = cpu - m_lastCpuNs;
    }
    m_lastCpuNs = cpu;
    m_gapsNs.push_back(now - m_lastNs);
    m_lastNs = now;
}

StallFigures StallProbe::figures() const
{
    StallFigures f;
    f.ticks = qint64(m_gapsNs.size());
    f.guiCpuShare = m_wallNs > 0 ? double(m_cpuNs) / double(m_wallNs) : 0.0;
    if (m_gapsNs.empty())
        return f;
    std::vector<qint64> sorted = m_gapsNs;
    std::sort(sorted.begin(), sorted.end());
    f.maxMs = double(sorted.back()) / 1e6;
    f.maxAtMs = double(m_maxAtNs) / 1e6;
    f.maxGapCpuMs = double(m_maxGapCpuNs) / 1e6;
    f.p99Ms = double(sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)]) / 1e6;
    return f;
}

namespace {

void report(benchmark::State &state, const StallFigures &f)
{
    state.counters[kMaxMs] = f.maxMs;
    state.counters[kP99Ms] = f.p99Ms;
    state.counters["ticks"] = double(f.ticks);
    state.counters["gui_cpu"] = f.guiCpuShare;
    state.counters["max_at_ms"] = f.maxAtMs;
    state.counters["max_gap_cpu_ms"] = f.maxGapCpuMs;
}

// The main window as the app shows it, at the size of the screen `look` uses.
void showWindow(MainWindow &window)
{
    window.resize(1600, 1000);
    window.show();
    window.selectScenario(QStringLiteral("mutex"));
    for (int i = 0; i < 20; ++i)
        QCoreApplication::processEvents();
}

// A real `mutex` run with 64 threads streaming into the real window while the probe
// ticks; the window repaints its timeline about 60 times a second as batches arrive.
void stallDuringRun(benchmark::State &state, int threads, std::int64_t increments)
{
    for (auto _ : state) {
        MainWindow window;
        showWindow(window);
        window.paramsPanel()->setValues({{"threads", threads}, {"increments", increments}});
        RunController *controller = window.controller();
        QEventLoop loop;
        QObject::connect(controller, &RunController::finished, &loop, &QEventLoop::quit);
        QTimer guard; // a run that hangs must not hang the benchmark
        guard.setSingleShot(true);
        QObject::connect(&guard, &QTimer::timeout, &window, &MainWindow::stopRun);
        guard.start(120'000);

        StallProbe probe;
        probe.start();
        QElapsedTimer wall;
        wall.start();
        window.startRun();
        if (!controller->isRunning()) {
            state.SkipWithError("the run did not start");
            return;
        }
        loop.exec();
        const double untilShownMs = double(wall.nsecsElapsed()) / 1e6;
        probe.stop();
        report(state, probe.figures());

        const auto &result = controller->lastResult();
        if (!result || !result->completed()) {
            state.SkipWithError("the run did not finish by itself");
            return;
        }
        // A short run can end before the first frame; its last refresh is then still
        // queued. Let the window paint it before asking whether anything was drawn.
        const TimelineItem *item = window.ganttView()->timelineItem();
        for (int i = 0; i < 500 && item->lastRectCount() <= 0; ++i) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
            QCoreApplication::sendPostedEvents();
        }
        if (item->lastRectCount() <= 0) {
            state.SkipWithError("the timeline was never painted");
            return;
        }
        state.counters["run_ms"] = double(result->durationNs) / 1e6;
        state.counters["events"] = double(controller->timeline().event_count());
        state.counters["dropped"] = double(controller->timeline().dropped());
        // How long after the run ended the window had shown all of it.
        state.counters["behind_ms"] = untilShownMs - double(result->durationNs) / 1e6;
    }
}

// The same probe with the window shown and nothing running: the machine's own noise.
void stallIdle(benchmark::State &state, double seconds)
{
    for (auto _ : state) {
        MainWindow window;
        showWindow(window);
        QEventLoop loop;
        QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
        StallProbe probe;
        probe.start();
        loop.exec();
        probe.stop();
        report(state, probe.figures());
    }
}

} // namespace

void registerStallProbes(const Sizes &s)
{
    const int threads = s.probeThreads;
    const std::int64_t increments = s.probeIncrements;
    benchmark::RegisterBenchmark(
        kStallRun, [=](benchmark::State &st) { stallDuringRun(st, threads, increments); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    const int longThreads = s.longProbeThreads;
    const std::int64_t longIncrements = s.longProbeIncrements;
    benchmark::RegisterBenchmark(
        kStallLong, [=](benchmark::State &st) { stallDuringRun(st, longThreads, longIncrements); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    const double idle = s.idleProbeSeconds;
    benchmark::RegisterBenchmark(kStallIdle, [=](benchmark::State &st) { stallIdle(st, idle); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
}

} // namespace ganttbench
