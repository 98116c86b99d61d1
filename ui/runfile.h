#pragma once
#include "timeline.h"
#include "trace/runinfo.h"

#include <QString>

#include <memory>
#include <optional>

class QWidget;

// Runs as files, from the GUI: Chrome Trace Event JSON (core/trace) that Perfetto and
// DevTools open and Interleave restores exactly, and a CSV table of segments.

struct LoadedRun {
    std::unique_ptr<il::Timeline> timeline;
    il::RunInfo info;
    bool foreign = false; // written by another tool: one lane per thread
    QString path;
};

// Reads `path` on a worker thread while the GUI stays live; a progress dialog with
// Cancel appears if it takes more than a moment. On failure returns nullopt and sets
// `error` to a message naming the file, where and what was expected; a cancelled read
// returns nullopt with `error` empty.
// The timeline keeps at most about `memoryBudget` bytes of detail, as a run's does.
std::optional<LoadedRun> openRunFile(QWidget *parent, const QString &path, QString *error,
                                     std::size_t memoryBudget = il::Timeline::kDefaultMemoryBudget);

// The same without a dialog (tests, headless).
std::optional<LoadedRun> readRunFile(const QString &path, QString *error,
                                     std::size_t memoryBudget = il::Timeline::kDefaultMemoryBudget);

// Write through a temporary file in the same directory, so a failure leaves nothing.
bool saveRunFile(const QString &path, const il::Timeline &timeline, const il::RunInfo &info,
                 QString *error);
bool saveCsvFile(const QString &path, const il::Timeline &timeline, QString *error);
