#pragma once
#include "clock.h"
#include "event.h"
#include "ringpool.h"
#include "waitforgraph.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace il {

// Events on their way from the rings to a consumer; its pages are mapped up front.
using EventBuffer = std::vector<Event, PopulatingAllocator<Event>>;

// The recording end of one lane. Exactly one thread records into a lane; recording
// takes a timestamp and pushes into the lane's own ring: no lock, no allocation.
class Lane {
public:
    Lane(LaneId id, std::size_t capacity)
        : m_id(id)
        , m_ring(RingPool::instance().take(capacity))
    {
    }
    ~Lane() { RingPool::instance().give(std::move(m_ring)); }
    Lane(const Lane &) = delete;
    Lane &operator=(const Lane &) = delete;

    void state(State s, ResourceId r = kNoResource) noexcept { push(EventKind::State, s, r, 0); }
    void mark(std::int64_t value, ResourceId r = kNoResource) noexcept
    {
        push(EventKind::Mark, State::Running, r, value);
    }
    void counter(ResourceId r, std::int64_t value) noexcept
    {
        push(EventKind::Counter, State::Running, r, value);
    }
    void acquired(ResourceId r) noexcept { push(EventKind::Acquire, State::Running, r, 0); }
    void released(ResourceId r) noexcept { push(EventKind::Release, State::Running, r, 0); }

    LaneId id() const noexcept { return m_id; }
    std::uint64_t dropped() const noexcept { return m_dropped.load(std::memory_order_relaxed); }

    std::size_t drain(EventBuffer &out) { return m_ring->drain(out); }

private:
    void push(EventKind kind, State s, ResourceId r, std::int64_t value) noexcept
    {
        const Event e{now_ns(), value, m_id, r, kind, s};
        // After drops, first say since when the record has a hole, so the timeline
        // shows "not recorded" instead of stretching the last state across the gap.
        if (m_holeSince >= 0) [[unlikely]] {
            if (!m_ring->push(Event{m_holeSince, 0, m_id, kNoResource, EventKind::State,
                                    State::Unrecorded})) {
                count_drop();
                return;
            }
            m_holeSince = -1;
        }
        if (!m_ring->push(e)) [[unlikely]] {
            count_drop();
            m_holeSince = e.t_ns;
        }
    }

    void count_drop() noexcept
    { // single producer: a relaxed read-modify-write is enough
        m_dropped.store(m_dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    const LaneId m_id;
    std::unique_ptr<EventRing> m_ring;
    std::atomic<std::uint64_t> m_dropped{0};
    std::int64_t m_holeSince = -1; // producer only: time of the first unreported drop
};

// Names of the lanes and resources of one run, and the rings behind the lanes.
// Adding a lane or a resource takes a lock; recording into a lane does not.
class Recorder {
public:
    static constexpr std::size_t kDefaultRingCapacity = 1 << 16;

    explicit Recorder(std::size_t ringCapacity = kDefaultRingCapacity);

    Lane &add_lane(std::string name);
    ResourceId add_resource(std::string name);

    // Collector side: appends every pending event of every lane to `out`.
    std::size_t drain(EventBuffer &out);
    // Names registered since the given counts (the collector publishes them once).
    std::vector<std::string> lane_names_from(std::size_t first) const;
    std::vector<std::string> resource_names_from(std::size_t first) const;
    std::uint64_t dropped() const;

    std::int64_t origin_ns() const noexcept { return m_origin; }
    // Who waits for and holds which lock in this run (kept by the instrumented locks).
    WaitForGraph &wait_for_graph() noexcept { return m_graph; }

private:
    const std::size_t m_capacity;
    const std::int64_t m_origin;
    mutable std::mutex m_mutex;
    std::deque<std::unique_ptr<Lane>> m_lanes;
    std::vector<std::string> m_laneNames;
    std::vector<std::string> m_resourceNames; // index 0 is "no resource"
    WaitForGraph m_graph;
};

} // namespace il
