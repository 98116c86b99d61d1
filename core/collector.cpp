#include "collector.h"

#include <chrono>

namespace il {

Collector::Collector(Recorder &recorder)
    : m_recorder(recorder)
    , m_thread([this](std::stop_token stop) { loop(stop); })
{
}

Collector::~Collector() { finish(); }

void Collector::finish()
{
    if (!m_thread.joinable())
        return;
    m_thread.request_stop();
    m_thread.join();
}

Batch Collector::take()
{
    std::lock_guard lock(m_mutex);
    Batch out = std::move(m_pending);
    m_pending = Batch{};
    out.droppedTotal = m_recorder.dropped();
    return out;
}

void Collector::loop(std::stop_token stop)
{
    using namespace std::chrono_literals;
    while (!stop.stop_requested()) {
        drain_once();
        std::unique_lock lock(m_wakeMutex);
        m_wake.wait_for(lock, stop, 1ms, [] { return false; });
    }
    drain_once();
}

void Collector::drain_once()
{
    // Events first, names second: every drained event's lane is then already named.
    m_scratch.clear();
    m_recorder.drain(m_scratch);
    auto lanes = m_recorder.lane_names_from(m_lanesPublished);
    auto resources = m_recorder.resource_names_from(m_resourcesPublished);
    if (m_scratch.empty() && lanes.empty() && resources.empty())
        return;
    const std::int64_t origin = m_recorder.origin_ns();
    for (auto &e : m_scratch)
        e.t_ns -= origin;

    std::lock_guard lock(m_mutex);
    m_lanesPublished += lanes.size();
    m_resourcesPublished += resources.size();
    for (auto &name : lanes)
        m_pending.newLanes.push_back(std::move(name));
    for (auto &name : resources)
        m_pending.newResources.push_back(std::move(name));
    m_pending.events.insert(m_pending.events.end(), m_scratch.begin(), m_scratch.end());
}

} // namespace il
