#pragma once
#include "../recorder.h"

#include <cstdint>

namespace il {

// A cap on what one lane records, for scenarios whose lanes can change state millions of
// times (a spinlock at its maximum settings, 1 ms polling for half an hour). While the budget
// lasts every change is recorded; once it is spent the lane turns Unrecorded, labelled with
// why, so the timeline says that detail is missing from there on instead of showing a state
// that was not true; the scenario's own counts go on and stay exact.
class LaneBudget {
public:
    static constexpr std::int64_t kDefaultEvents = 50'000;

    LaneBudget(Lane &lane, ResourceId why, std::int64_t events = kDefaultEvents) noexcept
        : m_lane(lane)
        , m_why(why)
        , m_left(events)
    {
    }

    // True if `events` more may be recorded (and counts them as recorded). The first time
    // they may not, the lane goes Unrecorded.
    bool take(std::int64_t events) noexcept
    {
        if (m_left >= events) {
            m_left -= events;
            return true;
        }
        if (m_left >= 0) {
            m_lane.state(State::Unrecorded, m_why);
            m_left = -1;
        }
        return false;
    }

    bool spent() const noexcept { return m_left < 0; }

private:
    Lane &m_lane;
    ResourceId m_why;
    std::int64_t m_left;
};

// The label of a lane whose budget ran out.
inline ResourceId budget_label(Recorder &recorder)
{
    return recorder.label("detail not kept: this lane's recording budget is spent");
}

} // namespace il
