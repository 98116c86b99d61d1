#pragma once
#include <QObject>
#include <QTimer>

#include "run.h"
#include "timeline.h"

#include <memory>
#include <optional>
#include <thread>

// Owns the current run and the GUI thread's copy of its timeline. About 60 times a
// second it takes whatever the collector has gathered, in one batch, and tells the
// views; it never waits on a scenario thread.
class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Starts a run; false (and nothing changes) if one is already running.
    bool start(const il::Scenario &scenario, const il::ParamValues &params, std::uint64_t seed);
    // Asks the running scenario to stop; `finished` follows shortly.
    void stop();
    bool isRunning() const { return m_run != nullptr; }
    // For the runs started from now on: how much detail a timeline keeps (bytes).
    void setMemoryBudget(std::size_t bytes) { m_memoryBudget = bytes; }

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

private:
    void poll();

    std::unique_ptr<il::Timeline> m_timeline;
    il::Batch m_batch;
    std::unique_ptr<il::Run> m_run;
    const il::Scenario *m_scenario = nullptr;
    il::ParamValues m_params;
    std::uint64_t m_seed = 0;
    std::size_t m_memoryBudget = il::Timeline::kDefaultMemoryBudget;
    qint64 m_lastElapsedNs = 0;
    std::optional<il::RunResult> m_result;
    QTimer m_timer;
    std::jthread m_prewarm; // fills the ring pool in the background at start-up
};
