#include "collector.h"
#include "sync.h"

#include <chrono>

namespace il {

Collector::Collector(Recorder &recorder)
    : m_recorder(recorder)
    , m_thread()
{
    // Map the first pending buffer now: a drain that faults its way into fresh memory
    // (~10 us a page on this kind of VM) lets the rings overflow.
    prefault(m_pending.events);
    m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
}

Collector::~Collector()
{
    finish();
}

void Collector::finish()
{
    if (!m_thread.joinable())
        return;
    m_thread.request_stop();
    m_thread.join();
}

Batch Collector::take()
{
    Batch out;
    take(out);
    return out;
}

void Collector::prefault(EventBuffer &events)
{
    events.reserve(kPrefaultEvents); // mapped and populated at once
}

void Collector::take(Batch &into)
{
    prefault(into.events); // it becomes the collector's next pending buffer
    into.newLanes.clear();
    into.newResources.clear();
    into.events.clear();
    into.deadlock.reset();
    {
        std::lock_guard lock(m_mutex);
        std::swap(into, m_pending);
    }
    into.droppedTotal = m_recorder.dropped();
}

void Collector::loop(std::stop_token stop)
{
    using namespace std::chrono_literals;
    while (!stop.stop_requested()) {
        drain_once();
        sleep_for(stop, 1ms);
    }
    drain_once();
}

void Collector::drain_once()
{
    // Drained straight into the pending batch (take() waits at most one drain).
    // Events first, names second: every drained event's lane is then already named.
    std::lock_guard lock(m_mutex);
    auto &events = m_pending.events;
    const std::size_t first = events.size();
    m_recorder.drain(events);
    const std::int64_t origin = m_recorder.origin_ns();
    for (std::size_t i = first; i < events.size(); ++i)
        events[i].t_ns -= origin;
    for (auto &name : m_recorder.lane_names_from(m_lanesPublished)) {
        m_pending.newLanes.push_back(std::move(name));
        ++m_lanesPublished;
    }
    for (auto &name : m_recorder.resource_names_from(m_resourcesPublished)) {
        m_pending.newResources.push_back(std::move(name));
        ++m_resourcesPublished;
    }
    if (!m_deadlockPublished) {
        if (auto cycle = m_recorder.wait_for_graph().first_cycle()) {
            cycle->tNs -= origin;
            m_pending.deadlock = std::move(cycle);
            m_deadlockPublished = true;
        }
    }
}

} // namespace il
