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
// without translation. Where the kernel trusts the TSC this is lfence, rdtsc, a multiply
// and an add, inline; otherwise clock_gettime (see tsc.h). Async-signal-safe once the source is
// chosen, which happens before main().
inline std::int64_t now_ns() noexcept
{
    const ClockSource source = detail::g_clock.source.load(std::memory_order_acquire);
#ifdef IL_HAVE_TSC
    if (source == ClockSource::Tsc) [[likely]]
        return detail::tsc_now_ns();
#endif
    if (source == ClockSource::Monotonic)
        return clock_ns(CLOCK_MONOTONIC);
    return detail::first_now_ns();
}

} // namespace il
