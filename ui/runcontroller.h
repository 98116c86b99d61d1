#pragma once
#include <QObject>
#include <QTimer>

#include "run.h"
#include "runfile.h"
#include "timeline.h"
#include "trace/runinfo.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

// Owns the current run and the GUI thread's copy of its timeline. About 60 times a
// second it takes whatever the collector has gathered, in one batch, and tells the
// views; it never waits on a scenario thread, nor on the collector.
//
// The GUI thread stays responsive while many threads compete for the CPU: a batch is
// applied in slices of at most kApplyBudget per frame, kBehindApplyBudget while a large
// backlog is worked off over the next frames (the views are then refreshed less often),
// so the thread gets back to its events several times in every 50 ms.
class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Starts a run; false (and nothing changes) if one is already running.
    bool start(const il::Scenario &scenario, const il::ParamValues &params, std::uint64_t seed);
    // Shows a saved run in place of the current one: its timeline, its scenario (null
    // when the file names none this build knows), parameters, seed and result. False
    // (and nothing changes) while a run is going.
    bool adopt(LoadedRun run);
    // The file the shown run was opened from or last saved to ("" for a fresh run).
    const QString &filePath() const { return m_filePath; }
    void setFilePath(const QString &path) { m_filePath = path; }
    // What a saved file says about the shown run: for a re-opened run exactly what it
    // was opened with (so save → open → save gives the same bytes); nullopt while
    // running or before any run.
    std::optional<il::RunInfo> runInfo() const;
    // Whether runInfo() has one, without building it.
    bool hasRunInfo() const { return !m_run && (m_loadedInfo || (m_scenario && m_result)); }

    // Asks the running scenario to stop; `finished` follows shortly.
    void stop();
    bool isRunning() const { return m_run != nullptr; }
    // For the runs started from now on: how much detail a timeline keeps (bytes).
    void setMemoryBudget(std::size_t bytes) { m_memoryBudget = bytes; }
    std::size_t memoryBudget() const { return m_memoryBudget; }

    const il::Timeline &timeline() const { return *m_timeline; }
    const il::Scenario *scenario() const { return m_scenario; }
    const il::ParamValues &params() const { return m_params; }
    std::uint64_t seed() const { return m_seed; }
    qint64 elapsedNs() const;
    // The result of the last finished run, if any.
    const std::optional<il::RunResult> &lastResult() const { return m_result; }

signals:
    void started();
    void updated();  // the timeline grew (at most once per frame)
    void finished(); // lastResult() is set
    void loaded();   // adopt() replaced the run; lastResult() is set

public:
    // Per frame: at most this much applying, and while a backlog remains the views
    // are told at most every kBehindRefresh.
    static constexpr std::chrono::milliseconds kApplyBudget{4};
    // The same while a backlog remains from the frame before.
    static constexpr std::chrono::milliseconds kBehindApplyBudget{12};
    static constexpr std::chrono::milliseconds kBehindRefresh{100};
    // With nothing new, the views follow the live edge at most this often.
    static constexpr std::chrono::milliseconds kIdleRefresh{40};
    static constexpr std::size_t kSliceEvents = 4096;
    // Applied batches kept for reuse (their events go back to the block pool when the
    // collector next takes one; names and deadlock keep their small buffers).
    static constexpr std::size_t kSpareBatches = 8;
    // The scheduler slice the GUI thread asks for (see schedslice.h).
    static constexpr std::chrono::microseconds kGuiSlice{1000};

private:
    void poll();
    // Applies the backlog from its front, until it is empty or the budget is spent;
    // true if the timeline changed.
    bool applySlices(std::chrono::steady_clock::time_point deadline);
    void finishRun();

    std::unique_ptr<il::Timeline> m_timeline;
    // Batches taken but not yet applied, oldest first. A batch is taken every frame,
    // even when behind, so the collector's pending buffer stays small (a growing one
    // would map ever larger memory while the scenario runs); taken batches are reused.
    std::deque<il::Batch> m_backlog;
    std::vector<il::Batch> m_spare;
    il::Batch m_slice;       // the part of a batch applied in one go
    std::size_t m_next = 0;  // first event of m_backlog.front() not applied yet
    bool m_tookLast = false; // the run had finished before a take: nothing more comes
    std::chrono::steady_clock::time_point m_lastRefresh;
    std::unique_ptr<il::Run> m_run;
    const il::Scenario *m_scenario = nullptr;
    il::ParamValues m_params;
    std::uint64_t m_seed = 0;
    std::size_t m_memoryBudget = il::Timeline::kDefaultMemoryBudget;
    qint64 m_lastElapsedNs = 0;
    std::optional<il::RunResult> m_result;
    std::optional<il::RunInfo> m_loadedInfo; // the shown run came from a file
    QString m_filePath;
    QTimer m_timer;
    std::jthread m_prewarm; // fills the ring pool in the background at start-up
};
