// The Gantt benchmark (issue 6, goals 6, 7 and 9): frame times of the timeline beside a
// Qt Charts step-series baseline, PNG export, and the GUI thread's longest stall while a
// 64-thread run streams, summed up as one goal table.
#include "ganttbench.h"
#include "gantttable.h"

#include "benchutil.h"

#include <QApplication>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace ganttbench {

namespace {

// MemAvailable from /proc/meminfo, in bytes (0 if unknown).
std::int64_t availableMemory()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::int64_t kb = 0;
    std::string unit;
    while (meminfo >> key >> kb >> unit)
        if (key == "MemAvailable:")
            return kb * 1024;
    return 0;
}

QtMessageHandler g_previousHandler = nullptr;

// The offscreen platform says this on every window shown; it means nothing here.
void quietOffscreen(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.contains(QLatin1String("does not support propagateSizeHints")))
        return;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
    else
        std::cerr << qPrintable(qFormatLogMessage(type, context, message)) << '\n';
}

void installMessageFilter()
{
    g_previousHandler = qInstallMessageHandler(quietOffscreen);
}

} // namespace

Sizes sizes(bool tiny)
{
    Sizes s;
    if (tiny) {
        s.frames = {1000, 4000};
        s.goal = s.panZoom = s.chartsLimit = s.exportSize = 4000;
        s.probeIncrements = 200;
        s.longProbeIncrements = 2000;
        s.idleProbeSeconds = 0.2;
        return s;
    }
    s.frames = {1000, 10'000, 100'000, 1'000'000};
    s.goal = s.chartsLimit = s.exportSize = s.panZoom = 1'000'000;
    // 10M segments: about 240 MB of segments plus the batches that build them.
    if (availableMemory() > (std::int64_t(3) << 30)) {
        s.frames.push_back(10'000'000);
        s.panZoom = 10'000'000;
    }
    s.probeIncrements = 60'000;         // about 2-3 s and 7-8 M events, 64 threads on two cores
    s.longProbeIncrements = 10'000'000; // the slider's end: ~80 M events in 2-3 s
    s.idleProbeSeconds = 2.0;
    return s;
}

std::string label(std::int64_t n)
{
    if (n >= 1'000'000 && n % 1'000'000 == 0)
        return std::to_string(n / 1'000'000) + "M";
    if (n >= 1000 && n % 1000 == 0)
        return std::to_string(n / 1000) + "k";
    return std::to_string(n);
}

std::string frameName(const char *series, const char *zoom, std::int64_t n)
{
    return std::string(series) + "/" + zoom + "/" + label(n);
}

std::string panName(std::int64_t n)
{
    return "gantt_pan/" + label(n);
}

std::string zoomName(std::int64_t n)
{
    return "gantt_zoom/" + label(n);
}

std::string exportName(std::int64_t n)
{
    return "png_export_1920x1080/" + label(n);
}

} // namespace ganttbench

int main(int argc, char **argv)
{
    // Our own flag first; Google Benchmark rejects what it does not know.
    bool filtered = false;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--tiny") == 0) {
            ilbench::tiny_mode() = true;
            continue;
        }
        filtered |= std::strncmp(argv[i], "--benchmark_filter", 18) == 0 ||
                    std::strncmp(argv[i], "--benchmark_list_tests", 22) == 0;
        argv[kept++] = argv[i];
    }
    argc = kept;

    // Frames are rendered in raster into images; no display is needed.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        // Qt warns on every run without one; a private directory, as the app makes.
        const QByteArray dir = "/tmp/interleave-runtime-" + QByteArray::number(getuid());
        struct stat st {};
        if ((mkdir(dir.constData(), 0700) == 0 || errno == EEXIST) &&
            stat(dir.constData(), &st) == 0 && st.st_uid == getuid() && (st.st_mode & 0777) == 0700)
            qputenv("XDG_RUNTIME_DIR", dir);
    }
    QApplication app(argc, argv);
    ganttbench::installMessageFilter();

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    const ganttbench::Sizes sizes = ganttbench::sizes(ilbench::tiny_mode());
    ganttbench::registerFrameBenchmarks(sizes);
    ganttbench::registerChartsBaseline(sizes);
    ganttbench::registerExportBenchmark(sizes);
    ganttbench::registerStallProbes(sizes);

    ilbench::CapturingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    if (reporter.empty())
        return filtered ? 0 : 1;
    const bool complete = ganttbench::printGanttTable(std::cout, reporter, sizes);
    if (!complete && !filtered)
        std::cerr << "the goal table is incomplete: a benchmark did not report its figure"
                  << " (the cells shown as '-' above)\n";
    for (const std::string &error : reporter.errors())
        std::cerr << "benchmark failed: " << error << '\n';
    // A full run must produce the whole table (the CI smoke test relies on this).
    return reporter.errors().empty() && (complete || filtered) ? 0 : 1;
}
