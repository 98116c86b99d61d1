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
// Meant for start-up, tests and benchmarks: a thread recording meanwhile reads either the
// old choice or the new one, never a mix, but its lane then holds timestamps of two
// calibrations (both CLOCK_MONOTONIC, a few microseconds apart at most).
ClockSource select_clock(ClockSource wanted) noexcept;

// One choice of source with its calibration. Immutable once published and never freed (a
// reader may still hold the previous one), so now_ns() reads the source, the rate and the
// offset of one and the same calibration through a single atomic pointer.
struct ClockChoice {
    ClockSource source = ClockSource::Unset;
    TscScale scale;
    const ClockChoice *previous = nullptr; // every choice made stays reachable
};

namespace detail {

// Where now_ns() finds the choice: a static "unset" one until the first now_ns() or
// select_clock. The acquire load that reads it compiles to a plain move on x86.
extern std::atomic<const ClockChoice *> g_clock;

// now_ns() before the source is chosen: chooses it (thread-safe, once), then reads it.
std::int64_t first_now_ns() noexcept;

#ifdef IL_HAVE_TSC
// rdtsc alone: it may execute before an earlier instruction completes (e.g. the
// compare-and-swap that took a lock), so the reading can be a few ns earlier than the
// code it follows. Each thread's readings still never decrease; what needs a timestamp
// ordered after another thread's (the start of a critical section after the previous
// holder's end) either takes tsc_ordered_ns or orders it itself (sync.cpp).
inline std::int64_t tsc_ns(const ClockChoice &c) noexcept
{
    return c.scale.to_ns(__rdtsc());
}

// lfence first, as the kernel's own clock does: rdtsc then runs only after every earlier
// instruction has completed (seen here: with a bare rdtsc, tst_sync's critical sections
// overlapped by a few ns; never with the fence). Costs about 8 ns more (bench_timestamps).
inline std::int64_t tsc_ordered_ns(const ClockChoice &c) noexcept
{
    _mm_lfence();
    return c.scale.to_ns(__rdtsc());
}
#endif

} // namespace detail
} // namespace il
