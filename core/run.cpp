#include "run.h"

#include <chrono>
#include <exception>
#include <thread>

namespace il {

std::string_view stop_reason_name(StopReason r)
{
    switch (r) {
    case StopReason::Finished: return "finished";
    case StopReason::Timeout: return "timeout";
    case StopReason::Deadlock: return "deadlock";
    case StopReason::User: return "user";
    }
    return "finished";
}

Run::Run(const Scenario &scenario, ParamValues params, std::uint64_t seed, RunOptions options)
    : m_scenario(scenario)
    , m_params(std::move(params))
    , m_seed(seed)
    , m_recorder(options.ringCapacity)
    , m_collector(m_recorder, options.maxBacklogEvents)
{
    if (options.stopOnDeadlock)
        m_recorder.wait_for_graph().set_listener(
            [this](const DeadlockCycle &) { request_stop(StopReason::Deadlock); });
    // The thread stops through m_stop, never through m_thread itself: the deadlock
    // listener may call request_stop() from the new thread while this assignment is
    // still writing m_thread.
    m_thread = std::jthread([this] { body(m_stop.get_token()); });
}

Run::~Run()
{
    request_stop(StopReason::User);
    if (m_thread.joinable())
        m_thread.join();
}

void Run::request_stop(StopReason why)
{
    int none = -1;
    m_reason.compare_exchange_strong(none, int(why));
    m_stop.request_stop();
}

void Run::body(std::stop_token stop)
{
    RunResult result;
    RunContext ctx{m_recorder, m_params, stop, m_seed};
    // Time 0 is now, after the collector mapped its buffers and this thread started (~5 ms
    // together on this kind of VM): that is the app getting ready, not the scenario.
    m_recorder.begin_run();
    try {
        result.metrics = m_scenario.run(ctx);
    } catch (const std::exception &e) {
        result.error = e.what();
    }
    // The scenario's threads are done. A lane whose last events did not fit in its ring
    // ends in "not recorded", not in its last recorded state; the collector is still
    // draining, so room for that marker comes within a few milliseconds.
    for (int i = 0; i < 200 && !m_recorder.close_holes(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    result.durationNs = now_ns() - m_recorder.origin_ns();
    if (stop.stop_requested() && m_reason.load() >= 0)
        result.stoppedBy = StopReason(m_reason.load());
    m_collector.finish();
    std::lock_guard lock(m_mutex);
    m_result = std::move(result);
    m_finished = true;
    m_done.notify_all();
}

bool Run::finished() const
{
    std::lock_guard lock(m_mutex);
    return m_finished;
}

bool Run::wait_finished(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_done.wait_for(lock, timeout, [this] { return m_finished; });
}

RunResult Run::result() const
{
    std::lock_guard lock(m_mutex);
    return m_result;
}

std::int64_t Run::elapsed_ns() const
{
    {
        std::lock_guard lock(m_mutex);
        if (m_finished)
            return m_result.durationNs;
    }
    // While time 0 may still move later (nothing recorded yet) the run has not begun, so a
    // live view's right edge never runs ahead and then has to wait for time 0 to catch up.
    if (!m_recorder.origin_fixed())
        return 0;
    return now_ns() - m_recorder.origin_ns();
}

} // namespace il
