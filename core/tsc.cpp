#include "tsc.h"

#include "clock.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

#ifdef IL_HAVE_TSC
#include <cpuid.h>
#endif

namespace il {
namespace detail {
constinit ClockState g_clock;
} // namespace detail

namespace {

using detail::g_clock;

// Serializes choosing the source (the first now_ns() and select_clock).
std::mutex g_choosing;

#ifdef IL_HAVE_TSC
struct ClockPair {
    std::uint64_t tsc = 0;
    std::int64_t ns = 0;
};

// CLOCK_MONOTONIC bracketed by two TSC reads, the tightest bracket of a few tries (the
// others were interrupted or descheduled), taken at its midpoint. What the clock read
// itself costs on either side of its own counter read is the same in every pair, so it
// cancels out of the rate.
ClockPair tight_pair() noexcept
{
    ClockPair best;
    std::uint64_t bestWidth = ~std::uint64_t(0);
    for (int i = 0; i < 8; ++i) {
        const std::uint64_t before = __rdtsc();
        const std::int64_t ns = clock_ns(CLOCK_MONOTONIC);
        const std::uint64_t after = __rdtsc();
        if (after > before && after - before < bestWidth) {
            bestWidth = after - before;
            best = {before + (after - before) / 2, ns};
        }
    }
    return best;
}
#endif

ClockSource from_environment_and_machine() noexcept
{
    const char *wanted = std::getenv("INTERLEAVE_CLOCK");
    if (wanted && std::strcmp(wanted, "monotonic") == 0)
        return ClockSource::Monotonic;
    if (wanted && std::strcmp(wanted, "tsc") == 0)
        return ClockSource::Tsc;
    return cpu_has_invariant_tsc() && kernel_uses_tsc() ? ClockSource::Tsc : ClockSource::Monotonic;
}

ClockSource install(ClockSource wanted) noexcept
{
    if (wanted == ClockSource::Tsc && cpu_has_invariant_tsc()) {
        if (const auto scale = calibrate_tsc()) {
            g_clock.mul.store(scale->mul, std::memory_order_relaxed);
            g_clock.offset.store(scale->offset, std::memory_order_relaxed);
            g_clock.source.store(ClockSource::Tsc, std::memory_order_release);
            return ClockSource::Tsc;
        }
    }
    g_clock.source.store(ClockSource::Monotonic, std::memory_order_release);
    return ClockSource::Monotonic;
}

// Chosen before main(), while the process has one thread: a child forked later inherits
// the choice and the calibration, so its timestamps agree with its parent's, and its own
// now_ns() never has to take a lock.
[[maybe_unused]] const ClockSource g_chosenAtStart = clock_source();

} // namespace

const char *clock_source_name(ClockSource s) noexcept
{
    switch (s) {
    case ClockSource::Unset: return "unset";
    case ClockSource::Monotonic: return "clock_gettime(CLOCK_MONOTONIC)";
    case ClockSource::Tsc: return "TSC";
    }
    return "?";
}

bool cpu_has_invariant_tsc() noexcept
{
#ifdef IL_HAVE_TSC
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx))
        return false;
    return (edx & (1u << 8)) != 0;
#else
    return false;
#endif
}

bool kernel_uses_tsc() noexcept
{
    // open/read rather than a stream: no allocation, usable anywhere.
    const int fd =
        open("/sys/devices/system/clocksource/clocksource0/current_clocksource", O_RDONLY);
    if (fd < 0)
        return false;
    char name[32] = {};
    ssize_t n = 0;
    do
        n = read(fd, name, sizeof name - 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n >= 3 && std::strncmp(name, "tsc", 3) == 0 && (n == 3 || name[3] == '\n');
}

std::optional<TscScale> calibrate_tsc() noexcept
{
#ifdef IL_HAVE_TSC
    // Two pairs 3 ms apart. Each pair's midpoint is uncertain by a few ns (measured: the
    // best of 8 brackets is ~30 ns wide and repeats to within ~10 ns), so the rate is off
    // by about 10 ns / 3 ms ~ 3 ppm (20 calibrations here spread over 7 ppm): a timestamp
    // drifts from CLOCK_MONOTONIC by ~3 us per second of run, 0.3 ms after 100 s, plus any
    // slewing NTP applies to CLOCK_MONOTONIC later. That is acceptable because every lane of
    // a process and of its forked children shares this one calibration, so their order and
    // durations are exact relative to each other (durations scaled by ~1e-6); only a
    // comparison with another process's clock sees the drift, and those compare events
    // milliseconds apart. A longer span would cost start-up time for little gain.
    constexpr long kSpanNs = 3'000'000;
    const ClockPair first = tight_pair();
    timespec gap{0, kSpanNs};
    while (nanosleep(&gap, &gap) != 0 && errno == EINTR) {
    }
    const ClockPair second = tight_pair();
    if (second.tsc <= first.tsc || second.ns <= first.ns)
        return std::nullopt;
    const std::uint64_t ticks = second.tsc - first.tsc;
    const auto ns = std::uint64_t(second.ns - first.ns);
    if (ticks < ns / 20 || ticks > ns * 20) // outside 50 MHz .. 20 GHz: not a clock
        return std::nullopt;
    TscScale scale;
    scale.mul = std::uint64_t(((static_cast<TscScale::uint128>(ns) << 32) + ticks / 2) / ticks);
    // to_ns has no offset yet; unsigned, like to_ns, so nothing overflows.
    scale.offset = std::int64_t(std::uint64_t(second.ns) - std::uint64_t(scale.to_ns(second.tsc)));
    return scale;
#else
    return std::nullopt;
#endif
}

ClockSource clock_source() noexcept
{
    const ClockSource s = g_clock.source.load(std::memory_order_acquire);
    if (s != ClockSource::Unset)
        return s;
    detail::first_now_ns();
    return g_clock.source.load(std::memory_order_acquire);
}

ClockSource select_clock(ClockSource wanted) noexcept
{
    std::lock_guard lock(g_choosing);
    return install(wanted == ClockSource::Unset ? from_environment_and_machine() : wanted);
}

namespace detail {

std::int64_t first_now_ns() noexcept
{
    {
        std::lock_guard lock(g_choosing);
        if (g_clock.source.load(std::memory_order_acquire) == ClockSource::Unset)
            install(from_environment_and_machine());
    }
    return now_ns();
}

} // namespace detail
} // namespace il
