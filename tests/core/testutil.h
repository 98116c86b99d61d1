#pragma once
// Helpers shared by the core tests: hard time bounds, threads that must come back, and
// small readers of a Timeline.
#include "event.h"
#include "run.h"
#include "timeline.h"

#include <QtGlobal>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace iltest {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#else
inline constexpr bool kThreadSanitizer = false;
#endif

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

// ThreadSanitizer makes every synchronising operation many times slower and the machine
// has two cores; the properties under test do not depend on the iteration count, so
// the counts shrink there to keep the suite's time modest.
constexpr int scaled(int n)
{
    return kThreadSanitizer ? std::max(1, n / 2) : n;
}

// What "promptly" and "hangs" are told apart by. Generous on purpose: it guards against
// a hang, it does not measure speed.
inline constexpr std::chrono::milliseconds kHangBound{10'000};

// Polls `pred` until it holds or `bound` has passed; true if it held. Returns as soon as
// the condition is seen; the short pause between polls only spares the CPU, which the
// threads under test need on a two-core machine.
template <typename Pred> bool await(Pred pred, std::chrono::milliseconds bound = kHangBound)
{
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return pred();
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

// Threads that a test starts and that must all return. A thread that never returns
// cannot be joined, so when the bound passes the test binary stops with a message
// instead of hanging: a bug fails, it does not hang CTest.
class Threads {
public:
    Threads() = default;
    Threads(const Threads &) = delete;
    Threads &operator=(const Threads &) = delete;
    // Like std::jthread: asks the threads to stop, then joins them.
    ~Threads()
    {
        request_stop();
        if (!join_within(kHangBound))
            qFatal("a test thread did not return within %lld ms: it hangs",
                   static_cast<long long>(kHangBound.count()));
    }

    // `body` is called with the thread's stop token if it takes one.
    template <typename Body> void start(Body body)
    {
        m_threads.emplace_back([this, body = std::move(body)](std::stop_token stop) mutable {
            if constexpr (std::is_invocable_v<Body &, std::stop_token>)
                body(stop);
            else
                body();
            std::lock_guard lock(m_mutex);
            ++m_returned;
            m_cv.notify_all();
        });
    }

    void request_stop()
    {
        for (auto &t : m_threads)
            t.request_stop();
    }

    std::size_t returned() const
    {
        std::lock_guard lock(m_mutex);
        return m_returned;
    }

    // True if every thread returned within `bound` (they are joined then).
    bool join_within(std::chrono::milliseconds bound)
    {
        {
            std::unique_lock lock(m_mutex);
            if (!m_cv.wait_for(lock, bound, [this] { return m_returned == m_threads.size(); }))
                return false;
        }
        for (auto &t : m_threads)
            if (t.joinable())
                t.join();
        return true;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::size_t m_returned = 0;
    std::vector<std::jthread> m_threads; // last: joined before the members above go
};

// The states a lane went through, in order (merged repeats count once).
inline std::vector<il::State> states_of(const il::TimelineLane &lane)
{
    std::vector<il::State> out;
    out.reserve(lane.segments.size());
    for (const auto &s : lane.segments)
        out.push_back(s.state);
    return out;
}

inline std::string describe(const std::vector<il::State> &states)
{
    std::string s;
    for (const il::State st : states)
        s += (s.empty() ? "" : " > ") + std::string(il::state_name(st));
    return s;
}

// The states of every lane, in lane order.
inline std::vector<std::vector<il::State>> states_of(const il::Timeline &timeline)
{
    std::vector<std::vector<il::State>> out;
    for (const auto &lane : timeline.lanes())
        out.push_back(states_of(lane));
    return out;
}

inline const il::TimelineLane *lane_named(const il::Timeline &timeline, const std::string &name)
{
    for (const auto &lane : timeline.lanes())
        if (lane.name == name)
            return &lane;
    return nullptr;
}

inline il::ResourceId resource_named(const il::Timeline &timeline, const std::string &name)
{
    const auto &all = timeline.resources();
    const auto it = std::find(all.begin(), all.end(), name);
    return it == all.end() ? il::kNoResource : il::ResourceId(it - all.begin());
}

// Whether some lane of `timeline` satisfies `pred`.
template <typename Pred> bool any_lane(const il::Timeline &timeline, Pred pred)
{
    return std::any_of(timeline.lanes().begin(), timeline.lanes().end(), pred);
}

// Whether `lane` is still open, and in `state` now.
inline bool now_in(const il::TimelineLane &lane, il::State state)
{
    return lane.open && lane.segments.back().state == state;
}

// Finding segments of a lane: `pred` is one of the in_state() predicates below, or any
// other test of an il::Segment.
template <typename Pred> const il::Segment *first_segment(const il::TimelineLane &lane, Pred pred)
{
    const auto it = std::find_if(lane.segments.begin(), lane.segments.end(), pred);
    return it == lane.segments.end() ? nullptr : &*it;
}

template <typename Pred> const il::Segment *last_segment(const il::TimelineLane &lane, Pred pred)
{
    const auto it = std::find_if(lane.segments.rbegin(), lane.segments.rend(), pred);
    return it == lane.segments.rend() ? nullptr : &*it;
}

template <typename Pred>
std::vector<il::Segment> segments_where(const il::TimelineLane &lane, Pred pred)
{
    std::vector<il::Segment> out;
    std::copy_if(lane.segments.begin(), lane.segments.end(), std::back_inserter(out), pred);
    return out;
}

// A segment in `state`.
inline auto in_state(il::State state)
{
    return [state](const il::Segment &s) { return s.state == state; };
}

// A segment in `state` on `resource`.
inline auto in_state(il::State state, il::ResourceId resource)
{
    return [state, resource](const il::Segment &s) {
        return s.state == state && s.resource == resource;
    };
}

// A segment in `state` whose label (resource) on `timeline` is `label`.
inline auto in_state(const il::Timeline &timeline, il::State state, std::string label)
{
    return [&timeline, state, label = std::move(label)](const il::Segment &s) {
        return s.state == state && timeline.resource_name(s.resource) == label;
    };
}

// How many marks of `lane` carry `value`.
inline int count_marks(const il::TimelineLane &lane, std::int64_t value)
{
    return int(std::count_if(lane.marks.begin(), lane.marks.end(),
                             [value](const il::Mark &m) { return m.value == value; }));
}

// The most at one moment, from edges (time, +1 for a start or -1 for an end). An end and a
// start at the same time do not overlap: ends are counted first.
inline int peak(std::vector<std::pair<std::int64_t, int>> edges)
{
    std::sort(edges.begin(), edges.end()); // at equal times -1 sorts before +1
    int now = 0;
    int most = 0;
    for (const auto &edge : edges) {
        now += edge.second;
        most = std::max(most, now);
    }
    return most;
}

// The largest number of lanes that were in `state` on `resource` at the same moment,
// read from the closed timeline (a segment ending at t and one starting at t do not
// overlap).
inline int max_overlap(const il::Timeline &timeline, il::State state, il::ResourceId resource)
{
    std::vector<std::pair<std::int64_t, int>> edges;
    for (const auto &lane : timeline.lanes())
        for (std::size_t i = 0; i < lane.segments.size(); ++i) {
            const auto &seg = lane.segments[i];
            if (seg.state != state || seg.resource != resource)
                continue;
            edges.emplace_back(seg.startNs, +1);
            edges.emplace_back(timeline.segment_end(lane, i), -1);
        }
    return peak(std::move(edges));
}

// One lane's spell in a critical section on a resource.
struct CriticalSection {
    std::int64_t startNs, endNs;
    std::size_t lane;
    auto operator<=>(const CriticalSection &) const = default;
};

// Every lane's Critical segments on `resource`, in time order (by start, then end).
inline std::vector<CriticalSection> critical_sections(const il::Timeline &timeline,
                                                      il::ResourceId resource)
{
    std::vector<CriticalSection> held;
    for (std::size_t l = 0; l < timeline.lanes().size(); ++l)
        for (const il::Segment &s : timeline.lanes()[l].segments)
            if (s.state == il::State::Critical && s.resource == resource)
                held.push_back({s.startNs, s.endNs, l});
    std::sort(held.begin(), held.end());
    return held;
}

// As the GUI does it: take batches about 60 times a second into our own timeline copy
// (the 16 ms is a wait for the run to finish, not a sleep), handing the same Batch back
// each time. Returns once `pred` holds for the timeline, or false if the run finished or
// `bound` passed first.
template <typename Pred>
bool follow_until(il::Run &run, il::Timeline &timeline, Pred pred,
                  std::chrono::milliseconds bound = kHangBound)
{
    const auto deadline = std::chrono::steady_clock::now() + bound;
    il::Batch batch;
    for (;;) {
        const bool finished = run.wait_finished(std::chrono::milliseconds(16));
        // Taken after finished() was seen: the collector has drained everything then.
        run.take(batch);
        timeline.apply(batch);
        if (pred(timeline))
            return true;
        if (finished || std::chrono::steady_clock::now() >= deadline)
            return false;
    }
}

// Follows the run to its end; false if it did not end within `bound`.
inline bool follow_to_end(il::Run &run, il::Timeline &timeline, std::chrono::milliseconds bound)
{
    follow_until(
        run, timeline, [](const il::Timeline &) { return false; }, bound);
    return run.finished();
}

} // namespace iltest
