#pragma once
#include "clock.h"
#include "event.h"
#include "populatingallocator.h"
#include "ringpool.h"
#include "waitforgraph.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace il {

// Events on their way from the rings to a consumer; its pages are mapped up front.
using EventBuffer = std::vector<Event, PopulatingAllocator<Event>>;

// The recording end of one lane. Exactly one thread (or one forked child) records into a
// lane; recording takes a timestamp and pushes into the lane's own ring: no lock, no
// allocation, no system call but the clock's. A Lane is only a view: it does not own its
// ring, so a forked child can make its own Lane over a shared ring it inherited.
// Whether a recorder's lanes record at all. Off measures what recording costs a scenario
// (issue 6, goal 5): every record call returns at once, without reading the clock.
enum class Recording : bool { Off, On };

class Lane {
public:
    Lane(LaneId id, EventRing &ring, Recording recording = Recording::On) noexcept
        : m_id(id)
        , m_off(recording == Recording::Off)
        , m_ring(&ring)
    {
    }
    // A copy would be a second producer on the same ring.
    Lane(const Lane &) = delete;
    Lane &operator=(const Lane &) = delete;

    void state(State s, ResourceId r = kNoResource) noexcept { push(EventKind::State, s, r, 0); }
    // The same right after taking something another thread gave back (a permit, a turn, a
    // lock of one's own making): the timestamp waits for the taking to complete, so it is
    // never earlier than one the giver took before giving back, and critical sections
    // never appear to overlap (now_ordered_ns; a fence, ~8 ns more, on the TSC clock).
    void state_ordered(State s, ResourceId r = kNoResource) noexcept
    {
        if (m_off) [[unlikely]]
            return;
        write(now_ordered_ns(), EventKind::State, s, r, 0);
    }
    // The same, for a moment already past (not before this lane's previous event), e.g.
    // when a thread learns only afterwards that it was preempted, or one timestamp for
    // several events.
    void state_at(std::int64_t tNs, State s, ResourceId r = kNoResource) noexcept
    {
        push_at(tNs, EventKind::State, s, r, 0);
    }
    void mark(std::int64_t value, ResourceId r = kNoResource) noexcept
    {
        push(EventKind::Mark, State::Running, r, value);
    }
    void counter(ResourceId r, std::int64_t value) noexcept
    {
        push(EventKind::Counter, State::Running, r, value);
    }
    void counter_at(std::int64_t tNs, ResourceId r, std::int64_t value) noexcept
    {
        push_at(tNs, EventKind::Counter, State::Running, r, value);
    }
    void acquired(ResourceId r) noexcept { push(EventKind::Acquire, State::Running, r, 0); }
    void released(ResourceId r) noexcept { push(EventKind::Release, State::Running, r, 0); }
    void acquired_at(std::int64_t tNs, ResourceId r) noexcept
    {
        push_at(tNs, EventKind::Acquire, State::Running, r, 0);
    }
    void released_at(std::int64_t tNs, ResourceId r) noexcept
    {
        push_at(tNs, EventKind::Release, State::Running, r, 0);
    }

    LaneId id() const noexcept { return m_id; }
    bool recording() const noexcept { return !m_off; }
    std::uint64_t dropped() const noexcept { return m_ring->dropped(); }

private:
    // The off switch is tested before the clock is read: a well-predicted branch on a
    // byte next to m_ring, which the push reads anyway (ring push 1.7 ns, was 1.5: noise).
    void push(EventKind kind, State s, ResourceId r, std::int64_t value) noexcept
    {
        if (m_off) [[unlikely]]
            return;
        write(now_ns(), kind, s, r, value);
    }

    void push_at(std::int64_t tNs, EventKind kind, State s, ResourceId r,
                 std::int64_t value) noexcept
    {
        if (m_off) [[unlikely]]
            return;
        write(tNs, kind, s, r, value);
    }

    void write(std::int64_t tNs, EventKind kind, State s, ResourceId r, std::int64_t value) noexcept
    {
        // After drops, first say since when the record has a hole, so the timeline
        // shows "not recorded" instead of stretching the last state across the gap.
        if (m_holeSince >= 0) [[unlikely]] {
            if (!m_ring->push(Event{m_holeSince, 0, m_id, kNoResource, EventKind::State,
                                    State::Unrecorded})) {
                m_ring->count_drop();
                return;
            }
            m_holeSince = -1;
        }
        if (!m_ring->push(Event{tNs, value, m_id, r, kind, s})) [[unlikely]] {
            m_ring->count_drop();
            m_holeSince = tNs;
        }
    }

    LaneId m_id;
    bool m_off;
    EventRing *m_ring;
    std::int64_t m_holeSince = -1; // producer only: time of the first unreported drop
};

// A ring in memory that a child forked after this call shares with the parent.
std::unique_ptr<EventRing> make_shared_ring(std::size_t capacity);

// Names of the lanes and resources of one run, and the rings behind the lanes.
// Adding a lane or a resource takes a lock; recording into a lane does not.
class Recorder {
public:
    static constexpr std::size_t kDefaultRingCapacity = 1 << 16;

    explicit Recorder(std::size_t ringCapacity = kDefaultRingCapacity,
                      Recording recording = Recording::On);
    ~Recorder(); // gives pooled rings back
    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    // A lane over a ring from the pool.
    Lane &add_lane(std::string name);
    // A lane over a ring made by the caller, e.g. a shared one a forked child records into
    // (see make_shared_ring). The recorder keeps the ring until it is destroyed.
    Lane &add_lane(std::string name, std::unique_ptr<EventRing> ring);
    ResourceId add_resource(std::string name);
    // The resource with this name, added the first time it is asked for: for labels that
    // recur ("sleep 200 ms", "killed by SIGKILL").
    ResourceId label(const std::string &name);

    // Collector side: appends every pending event of every lane to `out`.
    std::size_t drain(EventBuffer &out);
    // Names registered since the given counts (the collector publishes them once).
    std::vector<std::string> lane_names_from(std::size_t first) const;
    std::vector<std::string> resource_names_from(std::size_t first) const;
    std::uint64_t dropped() const;

    std::int64_t origin_ns() const noexcept { return m_origin; }
    Recording recording() const noexcept { return m_recording; }
    // Who waits for and holds which lock in this run (kept by the instrumented locks).
    WaitForGraph &wait_for_graph() noexcept { return m_graph; }

private:
    Lane &add_entry(std::string name, std::unique_ptr<EventRing> ring, bool pooled);
    ResourceId add_resource_locked(std::string name);

    const std::size_t m_capacity;
    const Recording m_recording;
    const std::int64_t m_origin;
    mutable std::mutex m_mutex;
    struct Entry {
        Entry(std::unique_ptr<EventRing> r, bool p, LaneId id, Recording recording)
            : ring(std::move(r))
            , pooled(p)
            , lane(id, *ring, recording)
        {
        }
        std::unique_ptr<EventRing> ring;
        bool pooled;
        Lane lane;
    };
    std::deque<Entry> m_lanes;
    std::vector<std::string> m_laneNames;
    std::vector<std::string> m_resourceNames; // index 0 is "no resource"
    std::map<std::string, ResourceId, std::less<>> m_labels;
    WaitForGraph m_graph;
};

} // namespace il
