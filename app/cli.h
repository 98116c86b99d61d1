#pragma once
#include "scenario.h"
#include "timeline.h"

#include <QString>
#include <QStringList>

#include <optional>

// Exit statuses of the command line (DESIGN.md).
enum ExitCode { ExitOk = 0, ExitBadArguments = 2, ExitFileError = 3 };

// What the command line asked for, already validated against the scenario registry.
struct CliOptions {
    // Open: re-open a saved trace (--open) without a window and export from it.
    // Gui with openPath set: the window opens that trace at start-up.
    enum class Mode { Gui, List, Headless, Open } mode = Mode::Gui;
    bool json = false;
    const il::Scenario *scenario = nullptr;
    il::ParamValues params;
    std::uint64_t seed = 0;
    double timeoutSeconds = 0; // 0: no limit
    QString statsPath;         // "-" is standard output
    QString pngPath;           // the timeline
    QString svgPath;           // the timeline, as vectors (ends in .svg)
    QString speedupPngPath;    // the Amdahl scenario's speedup chart
    QString speedupSvgPath;    // the same, as vectors (ends in .svg)
    QString tracePath;         // Chrome Trace Event JSON
    QString csvPath;           // the segments as CSV
    QString openPath;          // Mode::Open, Mode::Gui: the trace to read (checked readable)
    // The timeline keeps at most about this much detail; older detail is dropped.
    std::size_t memoryBudgetBytes = il::Timeline::kDefaultMemoryBudget;
};

struct CliParse {
    std::optional<CliOptions> options; // empty: print `message` and exit with `exitCode`
    QString message;
    int exitCode = ExitOk;
};

CliParse parseCommandLine(const QStringList &arguments);
