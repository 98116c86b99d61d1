#include "runfile.h"

#include "trace/atomicfile.h"
#include "trace/csvwriter.h"
#include "trace/tracereader.h"
#include "trace/tracewriter.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QProgressDialog>
#include <QTimer>

#include <atomic>
#include <thread>

namespace {

constexpr int kShowProgressAfterMs = 300;
constexpr int kPollMs = 30;

QString tr(const char *text)
{
    return QCoreApplication::translate("RunFile", text);
}

bool write(const QString &path, const std::function<bool(std::ostream &)> &body, QString *error)
{
    const std::optional<std::string> failed =
        il::write_file_atomically(QFileInfo(path).absoluteFilePath().toStdString(), body);
    if (failed && error)
        *error = QString::fromStdString(*failed);
    return !failed;
}

// What the reader thread shares with the GUI thread.
struct ReadState {
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> total{0};
    std::atomic<bool> cancel{false};
    std::atomic<bool> finished{false};
};

std::optional<LoadedRun> read(const QString &path, QString *error, std::size_t memoryBudget,
                              ReadState *state)
{
    LoadedRun run;
    run.timeline = std::make_unique<il::Timeline>();
    run.timeline->set_memory_budget(memoryBudget);
    run.path = QFileInfo(path).absoluteFilePath();
    il::TraceReadOptions options;
    if (state)
        options.progress = [state](std::uint64_t done, std::uint64_t total) {
            state->done.store(done, std::memory_order_relaxed);
            state->total.store(total, std::memory_order_relaxed);
            return !state->cancel.load(std::memory_order_relaxed);
        };
    const il::TraceReadResult result =
        il::read_trace(path.toStdString(), *run.timeline, run.info, options);
    if (!result.ok) {
        if (error)
            *error = result.cancelled ? QString() : QString::fromStdString(result.error);
        return std::nullopt;
    }
    run.foreign = result.foreign;
    return run;
}

} // namespace

std::optional<LoadedRun> readRunFile(const QString &path, QString *error,
                                     std::size_t memoryBudget)
{
    return read(path, error, memoryBudget, nullptr);
}

std::optional<LoadedRun> openRunFile(QWidget *parent, const QString &path, QString *error,
                                     std::size_t memoryBudget)
{
    ReadState state;
    std::optional<LoadedRun> run;
    QString failure;
    std::thread reader([&] {
        run = read(path, &failure, memoryBudget, &state);
        state.finished.store(true, std::memory_order_release);
    });

    QProgressDialog progress(tr("Opening %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0,
                             1000, parent);
    progress.setWindowTitle(tr("Open run"));
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(kShowProgressAfterMs);
    progress.setAutoReset(false);
    progress.setAutoClose(false);
    progress.setValue(0);
    QObject::connect(&progress, &QProgressDialog::canceled, &progress,
                     [&state] { state.cancel.store(true); });

    QEventLoop loop;
    QTimer poll;
    poll.setInterval(kPollMs);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (state.finished.load(std::memory_order_acquire)) {
            loop.quit();
            return;
        }
        const std::uint64_t total = state.total.load(std::memory_order_relaxed);
        if (total > 0)
            progress.setValue(int(state.done.load(std::memory_order_relaxed) * 1000 / total));
    });
    poll.start();
    if (!state.finished.load(std::memory_order_acquire))
        loop.exec();
    // The loop also ends when the application quits mid-read: then nobody waits for the
    // file any more, so the reader stops at its next progress report.
    if (!state.finished.load(std::memory_order_acquire))
        state.cancel.store(true, std::memory_order_relaxed);
    reader.join();
    progress.close();
    if (error)
        *error = failure;
    return run;
}

bool saveRunFile(const QString &path, const il::Timeline &timeline, const il::RunInfo &info,
                 QString *error)
{
    return write(
        path, [&](std::ostream &out) { return il::write_trace(out, timeline, info); }, error);
}

bool saveCsvFile(const QString &path, const il::Timeline &timeline, QString *error)
{
    return write(
        path, [&](std::ostream &out) { return il::write_csv(out, timeline); }, error);
}
