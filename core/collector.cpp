#include "collector.h"

#include "schedslice.h"
#include "sync.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace il {

Collector::Collector(Recorder &recorder, std::size_t maxBacklogEvents)
    : m_recorder(recorder)
    , m_maxBacklog(maxBacklogEvents)
    , m_thread()
{
    // Map the first pending buffer now: a drain that faults its way into fresh memory
    // (~1.4 us a page populated on this kind of VM, more under load) lets the rings overflow.
    prefault(m_pending.events);
    prefault(m_drained);
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
    events.reserve(kPrefaultEvents); // taken from the block pool (mapped, populated) at once
}

void Collector::prewarm()
{
    EventBuffer buffers[2]; // as a collector's own two
    for (EventBuffer &events : buffers)
        prefault(events);
} // their chunks go to the block pool, which keeps them

void Collector::clear_for_reuse(Batch &into)
{
    into.newLanes.clear();
    into.newResources.clear();
    // Its chunks go back to the block pool, where the collector takes them as its next
    // buffer grows: memory circulates, a consumer keeping spare batches does not hoard
    // it, and the collector maps fresh memory only when the pool runs dry.
    into.events.clear();
    into.deadlock.reset();
}

void Collector::take(Batch &into)
{
    clear_for_reuse(into);
    {
        std::lock_guard lock(m_mutex);
        std::swap(into, m_pending);
        m_pending.droppedTotal = into.droppedTotal;
    }
}

bool Collector::try_take(Batch &into)
{
    clear_for_reuse(into);
    {
        std::unique_lock lock(m_mutex, std::try_to_lock);
        if (!lock.owns_lock())
            return false;
        std::swap(into, m_pending);
        m_pending.droppedTotal = into.droppedTotal;
    }
    return true;
}

void Collector::loop(std::stop_token stop)
{
    // Picked soon when it wakes, although the run's workers keep both cores busy: with
    // the kernel's default slice it was seen waking 2-5 ms late, time enough for a busy
    // lane to fill its ring twice.
    request_short_slices(kSlice);
    while (!stop.stop_requested()) {
        // A tight lock loop records ~70 M events/s on one thread: a ring of 64 Ki events
        // (the smallest) fills in about a millisecond. While the rings are that busy,
        // drain again soon, not a millisecond later when what did not fit is lost. (Not a
        // yield: the scheduler then let the workers run their slices first, ~1 ms or more.)
        const std::size_t drained = backlog_full() ? 0 : drain_once();
        sleep_for(stop, drained >= kBusyDrain ? kBusyPause : kIdlePause);
    }
    drain_once(); // the run is over: what the rings hold is bounded by their size
}

bool Collector::backlog_full()
{
    std::lock_guard lock(m_mutex);
    return m_pending.events.size() >= m_maxBacklog;
}

std::size_t Collector::drain_once()
{
    // The rings are drained without the lock, so a consumer never waits while this
    // thread copies (or is preempted in the middle of copying); the lock is held only
    // to hand the drained events over. Events first, names second: every drained
    // event's lane is then already named.
    m_drained.reset();
    m_recorder.drain(m_drained);
    const std::size_t drained = m_drained.size();
    // Counted here, not by the consumer: the recorder's lock is held through a whole
    // drain (which may have to map more memory), and the GUI thread must never wait
    // for it. Read after the drain, the count covers every event the drain missed.
    const std::uint64_t dropped = m_recorder.dropped();
    // Final for every drained event: a lane fixes the origin before its first event.
    const std::int64_t origin = m_recorder.origin_ns();
    // Never before time 0: a moment a thread read before the origin last moved (and pushes
    // after its lane's first event) would otherwise show below the axis. Per lane the
    // order stays the same.
    m_drained.for_each_span([origin](Event *events, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            events[i].t_ns = std::max<std::int64_t>(0, events[i].t_ns - origin);
    });
    std::vector<std::string> lanes = m_recorder.lane_names_from(m_lanesPublished);
    std::vector<std::string> resources = m_recorder.resource_names_from(m_resourcesPublished);
    std::optional<DeadlockCycle> cycle;
    if (!m_deadlockPublished) {
        cycle = m_recorder.wait_for_graph().first_cycle();
        if (cycle) {
            cycle->tNs -= origin;
            m_deadlockPublished = true;
        }
    }
    m_lanesPublished += lanes.size();
    m_resourcesPublished += resources.size();

    std::lock_guard lock(m_mutex);
    auto &events = m_pending.events;
    if (events.empty())
        events.swap(m_drained); // the usual case when the consumer keeps up: no copy
    else
        events.append(m_drained); // a chunk at a time: nothing held is copied again
    for (auto &name : lanes)
        m_pending.newLanes.push_back(std::move(name));
    for (auto &name : resources)
        m_pending.newResources.push_back(std::move(name));
    if (cycle)
        m_pending.deadlock = std::move(cycle);
    m_pending.droppedTotal = dropped;
    return drained;
}

} // namespace il
