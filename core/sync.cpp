#include "sync.h"

#include <algorithm>

namespace il {

bool sleep_for(std::stop_token stop, std::chrono::nanoseconds d)
{
    // Not condition_variable_any's stop_token overload of wait_for: in GCC 12's
    // libstdc++ it returns at once instead of waiting (measured: 10 waits of 20 ms
    // took under a microsecond). A stop callback that notifies does the same job.
    const auto deadline = std::chrono::steady_clock::now() + d;
    std::mutex m;
    std::condition_variable cv;
    std::stop_callback wake(stop, [&] {
        std::lock_guard lock(m); // not between the waiter's check and its wait
        cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait_until(lock, deadline, [&] { return stop.stop_requested(); });
    return !stop.stop_requested();
}

InstrumentedMutex::InstrumentedMutex(Recorder &recorder, std::string name, bool recordHolds)
    : m_graph(recorder.wait_for_graph())
    , m_resource(recorder.add_resource(std::move(name)))
    , m_recordHolds(recordHolds)
{
    m_graph.track(m_resource, &m_owner);
}

InstrumentedMutex::~InstrumentedMutex()
{
    m_graph.untrack(m_resource);
}

bool InstrumentedMutex::try_acquire() noexcept
{
    bool expected = false;
    return m_held.compare_exchange_strong(expected, true);
}

void InstrumentedMutex::enter(Lane &lane)
{
    // Relaxed is enough: a deadlock walker reads owners under the graph's mutex, which
    // this thread takes (after this store) before it can wait for anything else.
    m_owner.store(lane.id(), std::memory_order_relaxed);
    if (m_recordHolds)
        lane.acquired(m_resource);
    lane.state(State::Critical, m_resource);
}

bool InstrumentedMutex::try_lock(Lane &lane)
{
    if (!try_acquire())
        return false;
    enter(lane);
    return true;
}

bool InstrumentedMutex::lock(Lane &lane, std::stop_token stop)
{
    if (try_lock(lane))
        return true;
    lane.state(State::Blocked, m_resource);
    const std::int64_t t0 = now_ns();
    if (m_graph.request(lane.id(), m_resource))
        lane.mark(kMarkDeadlock, m_resource);
    bool acquired = false;
    {
        std::unique_lock lock(m_mutex);
        // Announce the waiter before retrying, so an unlock either sees it and
        // notifies, or happens before the retry and lets it through (both seq_cst).
        m_waiters.fetch_add(1);
        acquired = m_cv.wait(lock, stop, [this] { return try_acquire(); });
        m_waiters.fetch_sub(1);
    }
    m_graph.done_waiting(lane.id());
    m_waitNs.fetch_add(now_ns() - t0, std::memory_order_relaxed);
    if (acquired)
        enter(lane);
    else
        lane.state(State::Running);
    return acquired;
}

void InstrumentedMutex::unlock(Lane &lane)
{
    // Record first, so the next holder's critical section starts after this one ends.
    lane.state(State::Running);
    if (m_recordHolds)
        lane.released(m_resource);
    m_owner.store(WaitForGraph::kNobody, std::memory_order_relaxed);
    m_held.store(false);
    if (m_waiters.load() > 0) {
        {
            std::lock_guard lock(m_mutex);
        } // a waiter between its retry and its wait
        m_cv.notify_one();
    }
}

InstrumentedSemaphore::InstrumentedSemaphore(Recorder &recorder, std::string name, int permits)
    : m_resource(recorder.add_resource(std::move(name)))
    , m_free(permits)
{
}

bool InstrumentedSemaphore::acquire(Lane &lane, std::stop_token stop)
{
    std::unique_lock lock(m_mutex);
    if (m_free == 0) {
        lane.state(State::Blocked, m_resource);
        const std::int64_t t0 = now_ns();
        const bool got = m_cv.wait(lock, stop, [this] { return m_free > 0; });
        m_waitNs.fetch_add(now_ns() - t0, std::memory_order_relaxed);
        if (!got) {
            lane.state(State::Running);
            return false;
        }
    }
    --m_free;
    lane.counter(m_resource, m_free);
    lane.state(State::Critical, m_resource);
    return true;
}

void InstrumentedSemaphore::release(Lane &lane)
{
    lane.state(State::Running);
    {
        std::lock_guard lock(m_mutex);
        ++m_free;
        lane.counter(m_resource, m_free);
    }
    m_cv.notify_one();
}

InstrumentedStdSemaphore::InstrumentedStdSemaphore(Recorder &recorder, std::string name,
                                                   int permits)
    : m_resource(recorder.add_resource(std::move(name)))
    , m_semaphore(std::clamp(permits, 0, kMaxPermits))
    , m_free(std::clamp(permits, 0, kMaxPermits))
{
}

bool InstrumentedStdSemaphore::acquire(Lane &lane, std::stop_token stop)
{
    if (!m_semaphore.try_acquire()) {
        lane.state(State::Blocked, m_resource);
        const std::int64_t t0 = now_ns();
        bool got = false;
        // The slice bounds how long Stop may wait, not how long a released permit waits.
        while (!got && !stop.stop_requested())
            got = m_semaphore.try_acquire_for(std::chrono::milliseconds(5));
        m_waitNs.fetch_add(now_ns() - t0, std::memory_order_relaxed);
        if (!got) {
            lane.state(State::Running);
            return false;
        }
    }
    lane.counter(m_resource, m_free.fetch_sub(1) - 1);
    lane.state(State::Critical, m_resource);
    return true;
}

void InstrumentedStdSemaphore::release(Lane &lane)
{
    lane.state(State::Running);
    lane.counter(m_resource, m_free.fetch_add(1) + 1);
    m_semaphore.release();
}

} // namespace il
