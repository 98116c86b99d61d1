#pragma once
#include "chunkedstore.h"
#include "clock.h"
#include "event.h"
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

// Events on their way from the rings to a consumer. In chunks rather than one vector:
// a consumer that falls behind leaves the collector holding more, and a vector grown by
// doubling copied everything it held into freshly mapped memory at once (seen taking
// 7-17 ms past 256 Ki events, while the rings overflowed). Chunks come from the block
// pool, and go back to it, ready for the next run. Not tight (see ChunkedStore): they
// are soon given back, so they grow by whole chunks, never copied.
using EventBuffer = ChunkedStore<Event, false>;

// Whether a recorder's lanes record at all. Off measures what recording costs a scenario
// (issue 6, goal 5): every record call returns at once, without reading the clock.
enum class Recording : bool { Off, On };

// Time 0 of a run, in now_ns() nanoseconds. While nothing has been recorded it is only
// provisional and may move later, past the recorder's own set-up (mapping a fresh lane's
// ring takes ~0.5 ms), so that set-up is not shown as run time. A lane fixes it before it
// reads the clock for its first event, so no recorded event is ever earlier than time 0.
// One word, so moving and fixing race safely without a lock: the origin shifted left by
// one, and the lowest bit set once it is fixed.
class RunOrigin {
public:
    explicit RunOrigin(std::int64_t ns) noexcept
        : m_word(ns << 1)
    {
    }
    std::int64_t ns() const noexcept { return m_word.load(std::memory_order_acquire) >> 1; }
    bool fixed() const noexcept { return (m_word.load(std::memory_order_acquire) & 1) != 0; }
    // Moves a provisional origin later, to `ns`; never earlier, and never once fixed.
    void move_to(std::int64_t ns) noexcept
    {
        std::int64_t word = m_word.load(std::memory_order_relaxed);
        while ((word & 1) == 0 && (word >> 1) < ns &&
               !m_word.compare_exchange_weak(word, ns << 1, std::memory_order_acq_rel)) {
        }
    }
    // Makes the origin final (again, harmlessly) and returns it.
    std::int64_t fix() noexcept { return m_word.fetch_or(1, std::memory_order_acq_rel) >> 1; }

private:
    std::atomic<std::int64_t> m_word;
};

// The recording end of one lane. Exactly one thread (or one forked child) records into a
// lane; recording takes a timestamp and pushes into the lane's own ring: no lock, no
// allocation, no system call but the clock's. A Lane is only a view: it does not own its
// ring, so a forked child can make its own Lane over a shared ring it inherited.
class Lane {
public:
    // `origin`, if given, is fixed by this lane's first event (see RunOrigin).
    Lane(LaneId id, EventRing &ring, Recording recording = Recording::On,
         RunOrigin *origin = nullptr) noexcept
        : m_id(id)
        , m_mode(recording == Recording::Off ? Mode::Off
                 : origin                    ? Mode::First
                                             : Mode::Recording)
        , m_ring(&ring)
        , m_origin(origin)
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
        if (m_mode != Mode::Recording) [[unlikely]] {
            if (m_mode == Mode::First)
                first_push(EventKind::State, s, r, 0);
            return;
        }
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

    // Once nothing records into the lane any more: if its last events did not fit in the
    // ring, says so with a "not recorded" marker, so that the lane does not show its last
    // recorded state up to the end of the run. False while the ring has no room yet.
    bool close_hole() noexcept
    {
        if (m_holeSince < 0)
            return true;
        if (!m_ring->push(
                Event{m_holeSince, 0, m_id, kNoResource, EventKind::State, State::Unrecorded}))
            return false;
        m_holeSince = -1;
        return true;
    }

    LaneId id() const noexcept { return m_id; }
    bool recording() const noexcept { return m_mode != Mode::Off; }
    std::uint64_t dropped() const noexcept { return m_ring->dropped(); }

private:
    // Recording: the usual case. Off: record nothing. First: the next event is this lane's
    // first and must fix the run's origin before it reads the clock.
    enum class Mode : std::uint8_t { Recording, Off, First };

    // The mode is tested before the clock is read: a well-predicted branch on a byte next
    // to m_ring, which the push reads anyway (ring push 1.7 ns, was 1.5: noise; the same
    // one test as when it was only the off switch). Off takes a second compare, inline
    // (Lane::state with recording off: 0.27 -> 0.54 ns at best).
    void push(EventKind kind, State s, ResourceId r, std::int64_t value) noexcept
    {
        if (m_mode != Mode::Recording) [[unlikely]] {
            if (m_mode == Mode::First)
                first_push(kind, s, r, value);
            return;
        }
        write(now_ns(), kind, s, r, value);
    }

    void push_at(std::int64_t tNs, EventKind kind, State s, ResourceId r,
                 std::int64_t value) noexcept
    {
        if (m_mode != Mode::Recording) [[unlikely]] {
            if (m_mode == Mode::First)
                first_push_at(tNs, kind, s, r, value);
            return;
        }
        write(tNs, kind, s, r, value);
    }

    // A lane's first event, out of line (recorder.cpp): fixes the origin, then records.
    void first_push(EventKind kind, State s, ResourceId r, std::int64_t value) noexcept;
    void first_push_at(std::int64_t tNs, EventKind kind, State s, ResourceId r,
                       std::int64_t value) noexcept;
    void begin_recording() noexcept;

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
    Mode m_mode;
    EventRing *m_ring;
    std::int64_t m_holeSince = -1; // producer only: time of the first unreported drop
    RunOrigin *m_origin;           // the recorder's, or none (a forked child's own lane)
};

// A ring in memory that a child forked after this call shares with the parent.
std::unique_ptr<EventRing> make_shared_ring(std::size_t capacity);

// Names of the lanes and resources of one run, and the rings behind the lanes.
// Adding a lane or a resource takes a lock; recording into a lane does not.
class Recorder {
public:
    // Rings are as large as a run's lanes can have within kRingBudgetBytes: 256 Ki events
    // (6 MiB) each for up to ~20 lanes, halving down to kMinRingCapacity beyond. One thread
    // taking a lock in a loop records ~70 M events/s, and the scheduler can keep the
    // collector from its rings for a few milliseconds on 2 busy cores: 64 Ki-event rings
    // dropped a median 15 % of a 16-thread `mutex` run's events, 256 Ki ones none.
    static constexpr std::size_t kDefaultRingCapacity = 1 << 18;
    static constexpr std::size_t kMinRingCapacity = 1 << 16;
    static constexpr std::size_t kRingBudgetBytes = std::size_t(128) << 20;

    explicit Recorder(std::size_t ringCapacity = kDefaultRingCapacity,
                      Recording recording = Recording::On);
    ~Recorder(); // gives pooled rings back
    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    // A lane over a ring from the pool.
    Lane &add_lane(std::string name);
    // `count` lanes are about to be added (e.g. a scenario's workers): their rings get one
    // size, as large as the ring budget allows for all of them.
    void expect_lanes(std::size_t count);
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
    // Lane::close_hole() on every lane, once the scenario's threads are done; false while
    // some ring is still too full (its consumer must drain it first).
    bool close_holes();

    // Time 0 of the run, in now_ns() nanoseconds; see RunOrigin. It starts when the
    // recorder is made, and until a lane records its first event it moves to the end of
    // begin_run() and of every add_lane(name): time 0 comes after the run's own set-up.
    // add_lane(name, ring) fixes it, since a forked child records without telling.
    std::int64_t origin_ns() const noexcept { return m_origin.ns(); }
    // False while time 0 may still move (nothing recorded yet).
    bool origin_fixed() const noexcept { return m_origin.fixed(); }
    // The scenario starts now: its consumer (a collector) is ready. With Recording::Off no
    // lane will ever fix the origin, so this does.
    void begin_run() noexcept;
    // When a lane could first record, relative to time 0. Lanes from the pool made before
    // anything was recorded are ready at time 0 or before; later ones, and lanes over a
    // caller's ring, when they were added.
    std::int64_t lane_ready_ns(LaneId lane) const;
    Recording recording() const noexcept { return m_recording; }
    // Who waits for and holds which lock in this run (kept by the instrumented locks).
    WaitForGraph &wait_for_graph() noexcept { return m_graph; }

private:
    Lane &add_entry(std::string name, std::unique_ptr<EventRing> ring, bool pooled);
    ResourceId add_resource_locked(std::string name);

    // The ring of the next pooled lane, and the largest that `lanes` more can have
    // (with m_mutex held).
    std::size_t next_ring_capacity() const;
    std::size_t ring_capacity_within_budget(std::size_t lanes) const;

    const std::size_t m_capacity; // the largest ring
    const Recording m_recording;
    RunOrigin m_origin;
    mutable std::mutex m_mutex;
    struct Entry {
        Entry(std::unique_ptr<EventRing> r, bool p, LaneId id, Recording recording,
              RunOrigin &origin)
            : ring(std::move(r))
            , pooled(p)
            , lane(id, *ring, recording, &origin)
        {
        }
        std::unique_ptr<EventRing> ring;
        bool pooled;
        std::int64_t readyNs = 0; // now_ns() once the ring was there
        Lane lane;
    };
    std::deque<Entry> m_lanes;
    std::size_t m_ringBytes = 0;     // of the pooled lanes' rings
    std::size_t m_expectedLanes = 0; // announced by expect_lanes, not added yet
    std::size_t m_groupCapacity = 0; // their rings' size
    std::vector<std::string> m_laneNames;
    std::vector<std::string> m_resourceNames; // index 0 is "no resource"
    std::map<std::string, ResourceId, std::less<>> m_labels;
    WaitForGraph m_graph;
};

} // namespace il
