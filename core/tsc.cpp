#include "tsc.h"

#include "clock.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <new>
#include <unistd.h>

#ifdef IL_HAVE_TSC
#include <cpuid.h>
#endif

namespace il {
namespace {
constinit const ClockChoice g_unset{};
constinit const ClockChoice g_monotonic{ClockSource::Monotonic, {}, nullptr};
} // namespace

namespace detail {
constinit std::atomic<const ClockChoice *> g_clock{&g_unset};
} // namespace detail

namespace {

using detail::g_clock;

// Serializes choosing the source (the first now_ns() and select_clock).
std::mutex g_choosing;
// The TSC calibrations published so far, newest first (each links the one before).
const ClockChoice *g_calibrations = nullptr;

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

// Publishes a new choice in one store (the caller holds g_choosing). A calibration is
// never freed: a reader may have loaded it just before the switch. They stay linked from
// g_calibrations, so leak checkers see them as reachable; a process makes a handful.
ClockSource install(ClockSource wanted) noexcept
{
    if (wanted == ClockSource::Tsc && cpu_has_invariant_tsc()) {
        if (const auto scale = calibrate_tsc()) {
            if (const auto *choice =
                    new (std::nothrow) ClockChoice{ClockSource::Tsc, *scale, g_calibrations}) {
                g_calibrations = choice;
                g_clock.store(choice, std::memory_order_release);
                return ClockSource::Tsc;
            }
        }
    }
    g_clock.store(&g_monotonic, std::memory_order_release);
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

#ifdef IL_HAVE_TSC
namespace {

void sleep_ns(long ns) noexcept
{
    timespec gap{0, ns};
    while (nanosleep(&gap, &gap) != 0 && errno == EINTR) {
    }
}

// Ticks and nanoseconds between two pairs; nothing if either went backwards.
struct Span {
    std::uint64_t ticks = 0;
    std::uint64_t ns = 0;
};
std::optional<Span> span(const ClockPair &a, const ClockPair &b) noexcept
{
    if (b.tsc <= a.tsc || b.ns <= a.ns)
        return std::nullopt;
    return Span{b.tsc - a.tsc, std::uint64_t(b.ns - a.ns)};
}

// Whether two spans have the same rate (ticks per ns) within `ppm` parts per million:
// |t1 * n2 - t2 * n1| <= ppm e-6 * t2 * n1, in 128 bits (spans of milliseconds, or even of
// days, leave room for the factor 10^6).
bool same_rate(const Span &x, const Span &y, unsigned ppm) noexcept
{
    using U = TscScale::uint128;
    const U a = U(x.ticks) * y.ns, b = U(y.ticks) * x.ns;
    const U diff = a > b ? a - b : b - a;
    return diff * 1'000'000 <= b * ppm;
}

} // namespace
#endif

std::optional<TscScale> calibrate_tsc() noexcept
{
#ifdef IL_HAVE_TSC
    // Three pairs 1.5 ms apart. Each pair's midpoint is uncertain by a few ns (measured: the
    // best of 8 brackets is ~30 ns wide and repeats to within ~10 ns), so the rate over the
    // whole 3 ms is off by about 10 ns / 3 ms ~ 3 ppm (20 calibrations here spread over
    // 7 ppm): a timestamp drifts from CLOCK_MONOTONIC by ~3 us per second of run, 0.3 ms
    // after 100 s, plus any slewing NTP applies to CLOCK_MONOTONIC later. That is acceptable
    // because every lane of a process and of its forked children shares this one
    // calibration, so their order and durations are exact relative to each other (durations
    // scaled by ~1e-6); only a comparison with another process's clock sees the drift, and
    // those compare events milliseconds apart. A longer span would cost start-up time for
    // little gain.
    //
    // The middle pair checks the clock kept one rate throughout: NTP changing its slew of
    // CLOCK_MONOTONIC (up to 500 ppm) during the measurement, or a time step, makes the two
    // halves disagree by more than their ~20 ppm of noise; then it measures again, and
    // after three failures gives up (the caller falls back to clock_gettime).
    constexpr long kHalfSpanNs = 1'500'000;
    constexpr unsigned kHalvesAgreePpm = 100;
    for (int attempt = 0; attempt < 3; ++attempt) {
        const ClockPair first = tight_pair();
        sleep_ns(kHalfSpanNs);
        const ClockPair middle = tight_pair();
        sleep_ns(kHalfSpanNs);
        const ClockPair last = tight_pair();
        const auto whole = span(first, last);
        const auto early = span(first, middle), late = span(middle, last);
        if (!whole || !early || !late)
            return std::nullopt;
        const std::uint64_t ticks = whole->ticks, ns = whole->ns;
        if (ticks < ns / 20 || ticks > ns * 20) // outside 50 MHz .. 20 GHz: not a clock
            return std::nullopt;
        if (!same_rate(*early, *late, kHalvesAgreePpm))
            continue;
        TscScale scale;
        scale.mul = std::uint64_t(((static_cast<TscScale::uint128>(ns) << 32) + ticks / 2) / ticks);
        // to_ns has no offset yet; unsigned, like to_ns, so nothing overflows.
        scale.offset = std::int64_t(std::uint64_t(last.ns) - std::uint64_t(scale.to_ns(last.tsc)));
        return scale;
    }
    return std::nullopt;
#else
    return std::nullopt;
#endif
}

ClockSource clock_source() noexcept
{
    const ClockSource s = g_clock.load(std::memory_order_acquire)->source;
    if (s != ClockSource::Unset)
        return s;
    detail::first_now_ns();
    return g_clock.load(std::memory_order_acquire)->source;
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
        if (g_clock.load(std::memory_order_acquire)->source == ClockSource::Unset)
            install(from_environment_and_machine());
    }
    return now_ns();
}

} // namespace detail
} // namespace il
