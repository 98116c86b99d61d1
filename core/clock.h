#pragma once
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

// One monotonic clock for every lane: threads and, later, forked children read the
// same CLOCK_MONOTONIC, so their timestamps can be merged without translation.
inline std::int64_t now_ns() noexcept
{
    return clock_ns(CLOCK_MONOTONIC);
}

} // namespace il
