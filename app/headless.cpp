#include "headless.h"

#include "describe.h"
#include "gantt/timelineimage.h"
#include "registry.h"
#include "run.h"
#include "runtitle.h"
#include "speedup/speedupchart.h"
#include "stats.h"
#include "timeline.h"

#include <QSaveFile>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int)
{
    g_interrupted = 1;
}

bool writeStats(const QString &path, const std::string &text, QString *error)
{
    if (path == QLatin1String("-")) {
        std::cout << text << std::flush;
        return bool(std::cout);
    }
    QSaveFile file(path); // temporary name, renamed on commit: no partial file is left
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

int listScenarios(bool json)
{
    if (json) {
        il::Json all = il::Json::array();
        for (const auto &s : il::scenarios())
            all.push_back(il::describe_json(s->info()));
        std::cout << all.dump(2) << '\n';
    } else {
        for (const auto &s : il::scenarios())
            std::cout << il::describe_text(s->info()) << '\n';
    }
    return ExitOk;
}

int runHeadless(const CliOptions &o)
{
    using namespace std::chrono;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);

    il::Timeline timeline;
    timeline.set_memory_budget(o.memoryBudgetBytes);
    il::RunResult result;
    {
        // Stop on a deadlock ourselves, a moment after it closed, so that the exported
        // timeline shows the blocked threads rather than ending at the instant of it.
        il::Run run(*o.scenario, o.params, o.seed, il::RunOptions{false});
        const auto deadline = steady_clock::now() + duration<double>(o.timeoutSeconds);
        il::Batch batch; // reused, so its buffers are not grown afresh every time
        while (!run.wait_finished(milliseconds(20))) {
            run.take(batch); // keep the collector's backlog small
            timeline.apply(batch);
            if (g_interrupted)
                run.request_stop(il::StopReason::User);
            if (o.timeoutSeconds > 0 && steady_clock::now() >= deadline)
                run.request_stop(il::StopReason::Timeout);
            if (const auto &cycle = timeline.deadlock()) {
                const std::int64_t linger = std::max<std::int64_t>(200'000'000, cycle->tNs / 5);
                if (run.elapsed_ns() >= cycle->tNs + linger)
                    run.request_stop(il::StopReason::Deadlock);
            }
        }
        run.take(batch);
        timeline.apply(batch);
        result = run.result();
    }
    timeline.close(result.durationNs);

    int code = ExitOk;
    if (!result.error.empty()) {
        std::cerr << "interleave: the scenario failed: " << result.error << '\n';
        code = 1;
    }
    QString error;
    if (!o.statsPath.isEmpty()) {
        const il::Json stats =
            il::make_stats(o.scenario->info(), o.params, o.seed, result, timeline);
        if (!writeStats(o.statsPath, stats.dump(2) + "\n", &error)) {
            std::cerr << "interleave: " << error.toStdString() << '\n';
            code = ExitFileError;
        }
    }
    const QString title = runTitle(o.scenario->info(), o.params);
    if (!o.pngPath.isEmpty() && !saveTimelinePng(timeline, title, 0, 0, o.pngPath, &error)) {
        std::cerr << "interleave: " << error.toStdString() << '\n';
        code = ExitFileError;
    }
    if (!o.speedupPngPath.isEmpty()) {
        const auto speedup = SpeedupData::fromMetrics(result.metrics);
        if (!speedup || speedup->threads.isEmpty())
            std::cerr << "interleave: the run ended before any thread count was measured; "
                         "the speedup chart is empty\n";
        if (!saveSpeedupPng(speedup, title, o.speedupPngPath, &error)) {
            std::cerr << "interleave: " << error.toStdString() << '\n';
            code = ExitFileError;
        }
    }
    return code;
}
