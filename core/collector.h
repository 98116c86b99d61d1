#pragma once
#include "event.h"
#include "recorder.h"
#include "waitforgraph.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace il {

// What the collector hands to a consumer: the names registered since the previous
// batch (lane and resource ids continue where the last batch ended) and the events
// drained since then, with times relative to the run's origin.
struct Batch {
    std::vector<std::string> newLanes;
    std::vector<std::string> newResources;
    EventBuffer events;
    std::uint64_t droppedTotal = 0;
    std::optional<DeadlockCycle> deadlock; // set in the batch after the cycle closed

    bool empty() const
    {
        return newLanes.empty() && newResources.empty() && events.empty() && !deadlock;
    }
};

// The bound on a collector's backlog that goes with a timeline memory budget: half of it.
// The consumer may hold as much again in the batch it is applying, so all a run holds
// stays within about twice the budget (and the rings). A quarter was measured too: the
// 4-thread `mutex` run of 10 M increments each, whose consumer falls ~20 M events behind
// before it ends, then dropped 40 % of its events instead of 12 %. Never under 1 Mi.
constexpr std::size_t collector_backlog_for_budget(std::size_t budgetBytes)
{
    return std::max(std::size_t(1) << 20, budgetBytes / 2 / sizeof(Event));
}

// Drains a recorder's rings on its own thread every millisecond or so, so that rings
// rarely fill up, and keeps what it drained until a consumer takes it.
//
// What it keeps is bounded: a consumer that falls behind for good (threads recording
// ~35 M events/s outrun a timeline built at ~30 ns an event on a shared core) would
// otherwise let the backlog grow by hundreds of MB a second for as long as the run
// lasts, beside the timeline's memory budget rather than within it. At the bound the collector
// stops draining until the consumer takes; the rings fill, and what does not fit is dropped,
// counted and shown as not recorded, as any overflow is.
class Collector {
public:
    // With the default budget (Timeline::kDefaultMemoryBudget), 1 GiB: ~22 M events,
    // about two thirds of a second of the busiest run (4 threads taking a lock) behind.
    static constexpr std::size_t kMaxBacklogEvents =
        collector_backlog_for_budget(std::size_t(1) << 30);

    explicit Collector(Recorder &recorder, std::size_t maxBacklogEvents = kMaxBacklogEvents);
    ~Collector();
    Collector(const Collector &) = delete;
    Collector &operator=(const Collector &) = delete;

    // Maps, on the calling thread, the memory a collector reserves when it is made, and
    // leaves it in the block pool: a GUI calls this in the background at start-up, so the
    // first run does not map 48 MiB on the GUI thread.
    static void prewarm();

    // Stops the thread after one last drain; afterwards take() returns the rest.
    void finish();
    // Everything collected since the previous call (convenient; see the overload).
    Batch take();
    // The same into `into`, whose events' memory goes back to the block pool first: a
    // consumer that hands each batch back once done with it spares the collector from
    // mapping fresh memory.
    void take(Batch &into);
    // take(into) unless the collector is handing over a drain at this moment: then
    // false, `into` is left empty and nothing is lost (a later call gets it). For a
    // consumer that must never wait, such as the GUI thread.
    bool try_take(Batch &into);

private:
    // What the collector's own two buffers hold before they must grow, reserved when it
    // is made: enough for the consumer to fall ~30 ms behind a busy run (the headless one
    // takes every 20 ms and applies ~30 M events/s, about what 4 locking threads record).
    // Later buffers grow with chunks that consumers gave back to the block pool. Mapping
    // fresh memory (~1.4 us a page) in the middle of a drain let the rings overflow: the
    // default `mutex` run dropped a median 12 % of its events with a quarter of this
    // reserve, 2 % with it.
    static constexpr std::size_t kPrefaultEvents = std::size_t(1) << 20;
    static void prefault(EventBuffer &events);
    static void clear_for_reuse(Batch &into);
    void loop(std::stop_token stop);
    // Whether the events not yet taken reached the bound.
    bool backlog_full();
    // Drains every ring once; returns how many events it took.
    std::size_t drain_once();
    // A drain this large means the rings are filling fast: the next follows kBusyPause
    // later instead of kIdlePause.
    static constexpr std::size_t kBusyDrain = 4096;
    static constexpr std::chrono::microseconds kBusyPause{200};
    static constexpr std::chrono::microseconds kIdlePause{1000};
    // The scheduler slice the collector thread asks for (see schedslice.h).
    static constexpr std::chrono::microseconds kSlice{100};

    Recorder &m_recorder;
    const std::size_t m_maxBacklog;
    EventBuffer m_drained; // the collector thread's own: filled without the lock
    std::mutex m_mutex;    // guards m_pending, held only to hand a drain over
    Batch m_pending;
    std::size_t m_lanesPublished = 0;
    std::size_t m_resourcesPublished = 1; // resource 0 is "none"
    bool m_deadlockPublished = false;
    std::jthread m_thread;
};

} // namespace il
