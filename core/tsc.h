#pragma once
// The time source behind il::now_ns(): the CPU's time-stamp counter where it is safe to
// use, CLOCK_MONOTONIC otherwise. Both give CLOCK_MONOTONIC nanoseconds, so timestamps of
// threads, forked children and separately started processes can be compared directly.
#include <atomic>
#include <cstdint>
#include <optional>

#if defined(__x86_64__)
#include <x86intrin.h>
#define IL_HAVE_TSC 1
#endif

namespace il {

enum class ClockSource : std::uint8_t {
    Unset,     // not chosen yet: the first now_ns() chooses
    Monotonic, // clock_gettime(CLOCK_MONOTONIC)
    Tsc,       // rdtsc scaled by a calibration against CLOCK_MONOTONIC
};
const char *clock_source_name(ClockSource s) noexcept;

// ns = ((tsc * mul) >> 32) + offset: one multiply-high and one add per read.
struct TscScale {
    std::uint64_t mul = 0;
    std::int64_t offset = 0;

#ifdef IL_HAVE_TSC
    // GCC and Clang have it on x86-64; __extension__ keeps -Wpedantic quiet.
    __extension__ using uint128 = unsigned __int128;

    std::int64_t to_ns(std::uint64_t tsc) const noexcept
    {
        const auto product = static_cast<uint128>(tsc) * mul;
        // Modulo 2^64: a huge counter (a VM's offset) wraps consistently instead of overflowing.
        return std::int64_t(std::uint64_t(product >> 32) + std::uint64_t(offset));
    }
#endif
};

// CPUID's "invariant TSC": a constant rate that keeps counting in deep sleep states.
bool cpu_has_invariant_tsc() noexcept;
// Whether the kernel itself keeps time with the TSC (its clocksource is "tsc"). A kernel
// that chose another one (kvm-clock, hpet, or "tsc=unstable" at boot) had its reasons:
// unsynchronized counters between CPUs, or jumps when a VM is paused or migrated.
bool kernel_uses_tsc() noexcept;
// Measures the TSC's rate and offset against CLOCK_MONOTONIC (takes about 3 ms).
// Nothing if there is no TSC or the measurement makes no sense.
std::optional<TscScale> calibrate_tsc() noexcept;

// Which source now_ns() uses; chooses one on the first call.
ClockSource clock_source() noexcept;
// Chooses the source of now_ns() for the whole process. Unset chooses as at start-up: the
// environment variable INTERLEAVE_CLOCK ("monotonic" or "tsc") if set, else the TSC when
// the CPU has an invariant one AND the kernel uses it. Tsc is granted whenever the CPU has
// an invariant TSC (even if the kernel does not use it). Returns the source in effect.
// Meant for start-up, tests and benchmarks: switching while other threads record mixes
// two calibrations (both CLOCK_MONOTONIC, a few microseconds apart at most).
ClockSource select_clock(ClockSource wanted) noexcept;

namespace detail {

// Written once when the source is chosen (again only by select_clock); read by every
// now_ns(). Atomics so that a first use racing from two threads is well defined; the
// loads compile to plain moves on x86.
struct ClockState {
    std::atomic<ClockSource> source{ClockSource::Unset}; // published last (release)
    std::atomic<std::uint64_t> mul{0};
    std::atomic<std::int64_t> offset{0};
};
extern ClockState g_clock;

// now_ns() before the source is chosen: chooses it (thread-safe, once), then reads it.
std::int64_t first_now_ns() noexcept;

#ifdef IL_HAVE_TSC
inline std::int64_t tsc_now_ns() noexcept
{
    const TscScale scale{g_clock.mul.load(std::memory_order_relaxed),
                         g_clock.offset.load(std::memory_order_relaxed)};
    // lfence first, as the kernel's own clock does: rdtsc alone may execute before an
    // earlier instruction completes, e.g. the compare-and-swap that took a lock, and stamp
    // a critical section before the previous holder's ended (seen here: tst_sync's
    // critical sections overlapped by a few ns with a bare rdtsc, never with the fence).
    _mm_lfence();
    return scale.to_ns(__rdtsc());
}
#endif

} // namespace detail
} // namespace il
