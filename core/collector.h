#pragma once
#include "event.h"
#include "recorder.h"
#include "waitforgraph.h"

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

// Drains a recorder's rings on its own thread every millisecond or so, so that rings
// rarely fill up, and keeps what it drained until a consumer takes it.
class Collector {
public:
    explicit Collector(Recorder &recorder);
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
    EventBuffer m_drained; // the collector thread's own: filled without the lock
    std::mutex m_mutex;    // guards m_pending, held only to hand a drain over
    Batch m_pending;
    std::size_t m_lanesPublished = 0;
    std::size_t m_resourcesPublished = 1; // resource 0 is "none"
    bool m_deadlockPublished = false;
    std::jthread m_thread;
};

} // namespace il
