#include "waitforgraph.h"
#include "clock.h"

#include <algorithm>

namespace il {

void WaitForGraph::set_listener(Listener listener)
{
    std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

void WaitForGraph::track(ResourceId resource, const std::atomic<LaneId> *owner)
{
    std::lock_guard lock(m_mutex);
    if (resource >= m_owner.size())
        m_owner.resize(std::size_t(resource) + 1, nullptr);
    m_owner[resource] = owner;
}

void WaitForGraph::untrack(ResourceId resource)
{
    std::lock_guard lock(m_mutex);
    if (resource < m_owner.size())
        m_owner[resource] = nullptr;
}

LaneId WaitForGraph::holder(ResourceId resource) const
{
    if (resource >= m_owner.size() || !m_owner[resource])
        return kNobody;
    return m_owner[resource]->load();
}

std::optional<DeadlockCycle> WaitForGraph::request(LaneId lane, ResourceId resource,
                                                   std::optional<std::int64_t> tNs)
{
    Listener notify;
    DeadlockCycle cycle;
    {
        std::lock_guard lock(m_mutex);
        if (lane >= m_waitsFor.size())
            m_waitsFor.resize(std::size_t(lane) + 1, kNoResource);
        m_waitsFor[lane] = resource;
        // Walk lane → resource → its holder → what that one waits for → … Each lane
        // waits for one resource at most, so this is a path; it is a deadlock when it
        // comes back to `lane`. A loop elsewhere was reported by whoever closed it.
        LaneId at = lane;
        ResourceId wanted = resource;
        for (;;) {
            cycle.lanes.push_back(at);
            cycle.resources.push_back(wanted);
            const LaneId next = holder(wanted);
            if (next == lane)
                break; // closed (a lane waiting for a lock it holds is a cycle of one)
            if (next == kNobody || next >= m_waitsFor.size() || m_waitsFor[next] == kNoResource)
                return std::nullopt;
            if (cycle.lanes.size() >= m_waitsFor.size())
                return std::nullopt;
            at = next;
            wanted = m_waitsFor[next];
        }
        // Start the cycle at its lowest lane, so that the same deadlock always reads
        // the same way whichever thread closed it.
        const auto lowest =
            std::min_element(cycle.lanes.begin(), cycle.lanes.end()) - cycle.lanes.begin();
        std::rotate(cycle.lanes.begin(), cycle.lanes.begin() + lowest, cycle.lanes.end());
        std::rotate(cycle.resources.begin(), cycle.resources.begin() + lowest,
                    cycle.resources.end());
        cycle.tNs = tNs ? *tNs : now_ns();
        if (m_first)
            return cycle;
        m_first = cycle;
        m_closed.store(true, std::memory_order_release);
        notify = m_listener;
    }
    if (notify)
        notify(cycle);
    return cycle;
}

void WaitForGraph::done_waiting(LaneId lane)
{
    std::lock_guard lock(m_mutex);
    if (lane < m_waitsFor.size())
        m_waitsFor[lane] = kNoResource;
}

std::optional<DeadlockCycle> WaitForGraph::first_cycle() const
{
    // Once set, m_first never changes again: after the flag, it reads safely unlocked.
    if (!m_closed.load(std::memory_order_acquire))
        return std::nullopt;
    return m_first;
}

} // namespace il
