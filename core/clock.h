#pragma once
#include "tsc.h"

#include <cstdint>
#include <ctime>

namespace il {

// Any POSIX clock in nanoseconds, e.g. CLOCK_THREAD_CPUTIME_ID for the CPU time the
// calling thread has used. clock_gettime is async-signal-safe.
inline std::int64_t clock_ns(clockid_t clock) noexcept
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// One monotonic clock for every lane, in CLOCK_MONOTONIC nanoseconds: threads, forked
// children (which inherit the calibration) and other processes can merge their timestamps
// without translation. Where the kernel trusts the TSC this is rdtsc, a multiply and an
// add, inline; otherwise clock_gettime (see tsc.h). Async-signal-safe once the source is
// chosen, which happens before main().
//
// On the TSC the reading may be a few ns earlier than the instructions before it completed;
// a timestamp that must not precede another thread's, because this thread has just seen
// that thread's release, takes now_ordered_ns().
inline std::int64_t now_ns() noexcept
{
    const ClockChoice &c = *detail::g_clock.load(std::memory_order_acquire);
#ifdef IL_HAVE_TSC
    if (c.source == ClockSource::Tsc) [[likely]]
        return detail::tsc_ns(c);
#endif
    if (c.source == ClockSource::Monotonic)
        return clock_ns(CLOCK_MONOTONIC);
    return detail::first_now_ns();
}

// now_ns() that waits for every earlier instruction to complete, e.g. the one that took a
// lock: never earlier than a reading another thread took before releasing it. The same as
// now_ns() on clock_gettime (the kernel orders its own counter read).
inline std::int64_t now_ordered_ns() noexcept
{
    const ClockChoice &c = *detail::g_clock.load(std::memory_order_acquire);
#ifdef IL_HAVE_TSC
    if (c.source == ClockSource::Tsc) [[likely]]
        return detail::tsc_ordered_ns(c);
#endif
    if (c.source == ClockSource::Monotonic)
        return clock_ns(CLOCK_MONOTONIC);
    return detail::first_now_ns();
}

} // namespace il
