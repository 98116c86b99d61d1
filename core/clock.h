#pragma once
#include <cstdint>
#include <ctime>

namespace il {

// One monotonic clock for every lane: threads and, later, forked children read the
// same CLOCK_MONOTONIC, so their timestamps can be merged without translation.
inline std::int64_t now_ns() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace il
