#include "headless.h"

#include "describe.h"
#include "gantt/timelineimage.h"
#include "registry.h"
#include "run.h"
#include "runtitle.h"
#include "speedup/speedupchart.h"
#include "stats.h"
#include "timeline.h"
#include "trace/atomicfile.h"
#include "trace/csvwriter.h"
#include "trace/runinfo.h"
#include "trace/tracereader.h"
#include "trace/tracewriter.h"

#include <QFileInfo>
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

void report(const std::string &message)
{
    std::cerr << "interleave: " << message << '\n';
}

// --stats, --png, --svg, --trace and --csv of a run that ended or of a re-opened trace.
// Returns ExitFileError if one could not be written, else `code`.
int writeOutputs(const CliOptions &o, const il::Timeline &timeline, const il::RunInfo &info,
                 const QString &title, int code)
{
    QString error;
    if (!o.statsPath.isEmpty() && !writeStats(o.statsPath, info.stats.dump(2) + "\n", &error)) {
        report(error.toStdString());
        code = ExitFileError;
    }
    // The whole run, 1600×900 with title and legend; the file's suffix picks PNG or SVG
    // (the command line has checked that it matches the option).
    for (const QString &path : {o.pngPath, o.svgPath})
        if (!path.isEmpty() && !saveTimelineImage(TimelineExport{timeline, title, 0, 0}, path,
                                                  ImageOptions(), &error)) {
            report(error.toStdString());
            code = ExitFileError;
        }
    if (!o.tracePath.isEmpty())
        if (const auto problem =
                il::write_file_atomically(o.tracePath.toStdString(), [&](std::ostream &out) {
                    return il::write_trace(out, timeline, info);
                })) {
            report(*problem);
            code = ExitFileError;
        }
    if (!o.csvPath.isEmpty())
        if (const auto problem =
                il::write_file_atomically(o.csvPath.toStdString(), [&](std::ostream &out) {
                    return il::write_csv(out, timeline);
                })) {
            report(*problem);
            code = ExitFileError;
        }
    return code;
}

} // namespace

int openHeadless(const CliOptions &o)
{
    il::Timeline timeline;
    timeline.set_memory_budget(o.memoryBudgetBytes);
    il::RunInfo info;
    const auto read = il::read_trace(o.openPath.toStdString(), timeline, info);
    if (!read.ok) {
        report(read.error);
        return ExitFileError;
    }
    const il::Scenario *scenario = il::find_scenario(info.scenario);
    bool paramsKnown = scenario != nullptr;
    for (const auto &spec : scenario ? scenario->info().params : std::vector<il::ParamSpec>{})
        paramsKnown = paramsKnown && info.params.count(spec.key);
    const QString title =
        paramsKnown ? runTitle(scenario->info(), info.params) : QFileInfo(o.openPath).fileName();
    return writeOutputs(o, timeline, info, title, ExitOk);
}

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
        il::RunOptions options{false};
        options.maxBacklogEvents = il::collector_backlog_for_budget(o.memoryBudgetBytes);
        il::Run run(*o.scenario, o.params, o.seed, options);
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
    const QString title = runTitle(o.scenario->info(), o.params);
    const il::RunInfo info =
        il::make_run_info(o.scenario->info(), o.params, o.seed, result, timeline);
    code = writeOutputs(o, timeline, info, title, code);
    if (!o.speedupPngPath.isEmpty() || !o.speedupSvgPath.isEmpty()) {
        const auto speedup = SpeedupData::fromMetrics(result.metrics);
        if (!speedup || speedup->threads.isEmpty())
            report("the run ended before any thread count was measured; the speedup chart is "
                   "empty");
        // As the Speedup tab exports it: 1200×800 (at 2× for PNG).
        ImageOptions options;
        options.size = QSize(1200, 800);
        QString error;
        for (const QString &path : {o.speedupPngPath, o.speedupSvgPath})
            if (!path.isEmpty() && !saveSpeedupImage(speedup, title, path, options, &error)) {
                report(error.toStdString());
                code = ExitFileError;
            }
    }
    return code;
}
