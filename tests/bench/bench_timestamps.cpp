// The ways of taking a TSC timestamp that goal 1 (issue 6) chose between, each alone and
// then as one recorded event (a push onto a lane's ring), with a calibration of its own so
// the figures do not depend on the clock now_ns() uses:
//
//   bare rdtsc            may execute before earlier instructions complete (e.g. the CAS
//                         that took a lock), so a timestamp can precede what it follows
//   lfence; rdtsc         waits for every earlier instruction: what the kernel's clock does
//   rdtscp                waits for earlier instructions too (not on every CPU or VM)
//   raw ticks             stored as they are, converted to ns later (at drain)
//   scaled                converted at record time: one multiply-high and an add
//
// now_ns() is the scaled bare read; now_ordered_ns() the scaled lfence read (clock.h).
#include "benchutil.h"

#include "clock.h"
#include "recorder.h"

#include <benchmark/benchmark.h>

#ifdef IL_HAVE_TSC
#include <cpuid.h>

using namespace ilbench;

namespace {

bool cpu_has_rdtscp()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (edx & (1u << 27)) != 0;
}

const il::TscScale &scale()
{
    static const il::TscScale s = il::calibrate_tsc().value_or(il::TscScale{1ull << 32, 0});
    return s;
}

enum class Read { Bare, Lfence, Rdtscp };

template <Read read> std::uint64_t ticks() noexcept
{
    if constexpr (read == Read::Lfence)
        _mm_lfence();
    if constexpr (read == Read::Rdtscp) {
        unsigned aux = 0;
        return __rdtscp(&aux);
    }
    return __rdtsc();
}

bool usable(benchmark::State &state, Read read)
{
    if (read == Read::Rdtscp && !cpu_has_rdtscp()) {
        // Not an error: the goal table does not use these rows.
        for (auto _ : state) {
        }
        state.SetLabel("rdtscp not offered by this CPU");
        return false;
    }
    return true;
}

template <Read read, bool scaled> void BM_tsc_read(benchmark::State &state)
{
    if (!usable(state, read))
        return;
    const il::TscScale s = scale();
    timed_batches(state, batch_size(), [&](std::size_t) {
        if constexpr (scaled)
            benchmark::DoNotOptimize(s.to_ns(ticks<read>()));
        else
            benchmark::DoNotOptimize(ticks<read>());
    });
}
BENCHMARK(BM_tsc_read<Read::Lfence, false>)->Name("BM_variant_lfence_rdtsc")->UseManualTime();
BENCHMARK(BM_tsc_read<Read::Rdtscp, false>)->Name("BM_variant_rdtscp")->UseManualTime();
BENCHMARK(BM_tsc_read<Read::Bare, true>)->Name("BM_variant_rdtsc_scaled")->UseManualTime();
BENCHMARK(BM_tsc_read<Read::Lfence, true>)->Name("BM_variant_lfence_rdtsc_scaled")->UseManualTime();

// One event onto a lane's ring, stamped by the variant.
template <Read read, bool scaled> void BM_tsc_event(benchmark::State &state)
{
    if (!usable(state, read))
        return;
    const il::TscScale s = scale();
    il::Recorder recorder;
    il::Lane &lane = recorder.add_lane("bench");
    DrainCheck check(batch_size());
    timed_batches(
        state, batch_size(),
        [&](std::size_t) {
            const std::uint64_t t = ticks<read>();
            lane.state_at(scaled ? s.to_ns(t) : std::int64_t(t), il::State::Running);
        },
        [&] { check.drain(recorder); });
    check.verify(state, batch_size());
}
BENCHMARK(BM_tsc_event<Read::Bare, false>)->Name("BM_event_rdtsc_raw")->UseManualTime();
BENCHMARK(BM_tsc_event<Read::Bare, true>)->Name("BM_event_rdtsc_scaled")->UseManualTime();
BENCHMARK(BM_tsc_event<Read::Lfence, false>)->Name("BM_event_lfence_rdtsc_raw")->UseManualTime();
BENCHMARK(BM_tsc_event<Read::Lfence, true>)->Name("BM_event_lfence_rdtsc_scaled")->UseManualTime();
BENCHMARK(BM_tsc_event<Read::Rdtscp, true>)->Name("BM_event_rdtscp_scaled")->UseManualTime();

} // namespace
#endif
