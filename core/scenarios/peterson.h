#pragma once
#include <cstdint>

// What the peterson scenario records, whatever the number of iterations (tests check it).
namespace il::peterson {

// At most this many entries per thread are recorded (Spinning if it had to wait, Critical,
// Running: 3 events each), evenly spread over the run ...
inline constexpr std::int64_t kSamples = 2000;
// ... and at most this many violations in all get a mark (every one is counted).
inline constexpr std::int64_t kMaxViolationMarks = 10'000;

// Every this many entries is recorded, for a run of `iterations` entries per thread.
inline constexpr std::int64_t sample_every(std::int64_t iterations)
{
    return iterations > kSamples ? (iterations + kSamples - 1) / kSamples : 1;
}

} // namespace il::peterson
