#include "event.h"

namespace il {

std::string_view state_name(State s) noexcept
{
    switch (s) {
    case State::Running: return "running";
    case State::Blocked: return "blocked";
    case State::Spinning: return "spinning (busy-wait)";
    case State::Critical: return "critical section";
    case State::Sleeping: return "sleeping";
    case State::Preempted: return "preempted (runnable)";
    case State::Finished: return "finished";
    case State::Unrecorded: return "not recorded (dropped)";
    case State::Count: break;
    }
    return "unknown";
}

} // namespace il
