#pragma once
#include <cstdint>
#include <string_view>

namespace il {

using LaneId = std::uint32_t;
using ResourceId = std::uint16_t;
inline constexpr ResourceId kNoResource = 0;

// What a lane is doing. The order is the legend order.
enum class State : std::uint8_t {
    Running,    // executing its own code
    Blocked,    // waiting for a lock or a permit (the resource says which)
    Spinning,   // busy-waiting for a lock on the CPU: burning cycles, not sleeping
    Critical,   // inside a critical section / holding the resource
    Sleeping,   // sleeping or doing simulated work off-CPU
    Preempted,  // runnable but not running: the CPU (or the event loop) is busy elsewhere
    Finished,   // the thread has ended
    Unrecorded, // events of this lane were dropped from here on (its ring was full)
    Count
};

enum class EventKind : std::uint8_t {
    State,   // the lane enters `state` on `resource`
    Mark,    // an instant on the lane (value is a MarkCode)
    Counter, // `resource` now has the value `value` (e.g. free permits)
    Acquire, // the lane now holds `resource` (a lock, a chopstick)
    Release, // the lane no longer holds `resource`
};

// What a Mark event means.
enum MarkCode : std::int64_t {
    kMarkMeal = 1,      // a philosopher finished a meal
    kMarkDeadlock = 2,  // the wait-for graph closed a cycle through this lane
    kMarkAwait = 3,     // a task awaited: its event loop switched to another task here
    kMarkStep = 4,      // a step of the lane's work completed (a URL fetched, a child exited)
    kMarkWasted = 5,    // a consumer woke up and found nothing to do
    kMarkViolation = 6, // mutual exclusion failed: another thread was inside the critical section
};

// A fixed-size record. 24 bytes, so a per-thread ring of them stays cache friendly.
struct Event {
    std::int64_t t_ns = 0;
    std::int64_t value = 0;
    LaneId lane = 0;
    ResourceId resource = kNoResource;
    EventKind kind = EventKind::State;
    State state = State::Running;
};
static_assert(sizeof(Event) <= 32, "events must stay small");

std::string_view state_name(State s) noexcept;

} // namespace il
