#pragma once
#include "collector.h"
#include "recorder.h"
#include "scenario.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

namespace il {

enum class StopReason { Finished, Timeout, Deadlock, User };
std::string_view stop_reason_name(StopReason r);

struct RunResult {
    Json metrics = Json::object();
    StopReason stoppedBy = StopReason::Finished;
    std::int64_t durationNs = 0;
    std::string error; // the scenario threw: what it said

    bool completed() const { return stoppedBy == StopReason::Finished && error.empty(); }
};

struct RunOptions {
    // Headless runs end when a deadlock closes; the GUI keeps the threads deadlocked,
    // so the user can look at it, until they press Stop.
    bool stopOnDeadlock = true;
    std::size_t ringCapacity = Recorder::kDefaultRingCapacity;
    // Events the collector keeps for a consumer that has not taken them (Collector).
    std::size_t maxBacklogEvents = Collector::kMaxBacklogEvents;
};

// One execution of a scenario: its recorder, its collector and the thread that drives
// it. Consumers poll take() for batches; nothing here ever waits on a consumer.
class Run {
public:
    Run(const Scenario &scenario, ParamValues params, std::uint64_t seed, RunOptions options = {});
    ~Run(); // stops the scenario and joins every thread it started
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;

    // Asks every wait in the scenario to give up. The first reason given is kept.
    void request_stop(StopReason why);
    bool finished() const;
    // True if the run finished within `timeout`.
    bool wait_finished(std::chrono::milliseconds timeout);
    // Events and names collected since the previous call.
    Batch take() { return m_collector.take(); }
    void take(Batch &into) { m_collector.take(into); }
    // Never waits: false (and `into` empty) while the collector hands a drain over.
    bool try_take(Batch &into) { return m_collector.try_take(into); }
    // Only meaningful once finished() is true.
    RunResult result() const;

    // Time since time 0 (Recorder::origin_ns): 0 until the scenario records its first
    // event, the run's duration once it finished.
    std::int64_t elapsed_ns() const;
    const Scenario &scenario() const { return m_scenario; }
    const ParamValues &params() const { return m_params; }
    std::uint64_t seed() const { return m_seed; }
    // Its lanes' names and ready times, its origin (Recorder::lane_ready_ns, origin_ns).
    const Recorder &recorder() const { return m_recorder; }

private:
    void body(std::stop_token stop);

    const Scenario &m_scenario;
    const ParamValues m_params;
    const std::uint64_t m_seed;
    Recorder m_recorder;
    Collector m_collector;
    std::atomic<int> m_reason{-1};
    mutable std::mutex m_mutex;
    std::condition_variable m_done;
    bool m_finished = false;
    RunResult m_result;
    std::stop_source m_stop;
    std::jthread m_thread; // last: starts once everything above exists
};

} // namespace il
