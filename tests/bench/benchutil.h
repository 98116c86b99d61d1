#pragma once
// What the recording benchmarks share: batch timing and drain checks.
#include "ratiotable.h"

#include "clock.h"
#include "recorder.h"
#include "tsc.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>

namespace ilbench {

// --tiny: CI smoke run, sizes small enough for a few seconds in all.
inline bool &tiny_mode()
{
    static bool tiny = false;
    return tiny;
}

inline std::size_t batch_size()
{
    return tiny_mode() ? 256 : 4096; // at most 2 events per op: fits a default ring (65536)
}

inline void report(benchmark::State &state, std::int64_t totalNs, std::size_t opsPerIteration)
{
    const double ops = double(state.iterations()) * double(opsPerIteration);
    if (ops > 0)
        state.counters[ilbench::kNsPerOp] = double(totalNs) / ops;
}

// The fastest batch as well: on a machine shared with other work, the batches that were
// not interrupted show what an operation costs; the mean shows what it cost this time.
inline void report_best(benchmark::State &state, std::int64_t bestNs, std::size_t batch)
{
    if (batch > 0 && state.iterations() > 0)
        state.counters[ilbench::kBestNsPerOp] = double(bestNs) / double(batch);
}

// Wall time for timing the benchmarks: CLOCK_MONOTONIC itself, whichever clock now_ns()
// is switched to by the benchmark being timed.
inline std::int64_t wall_ns()
{
    return il::clock_ns(CLOCK_MONOTONIC);
}

// Switches now_ns() to a source for one benchmark and back to the start-up choice after.
// Source::Tsc falls back to CLOCK_MONOTONIC where the CPU has no invariant TSC.
class ClockOverride {
public:
    explicit ClockOverride(il::ClockSource source)
        : m_source(il::select_clock(source))
    {
    }
    ~ClockOverride() { il::select_clock(il::ClockSource::Unset); }
    ClockOverride(const ClockOverride &) = delete;
    ClockOverride &operator=(const ClockOverride &) = delete;
    il::ClockSource source() const { return m_source; }

private:
    il::ClockSource m_source;
};

// Times `batch` calls of op(i) per iteration; after() runs untimed between batches.
template <typename Op, typename After>
void timed_batches(benchmark::State &state, std::size_t batch, Op op, After after)
{
    std::int64_t totalNs = 0, bestNs = INT64_MAX;
    for (auto _ : state) {
        const std::int64_t t0 = wall_ns();
        for (std::size_t i = 0; i < batch; ++i)
            op(i);
        const std::int64_t ns = wall_ns() - t0;
        state.SetIterationTime(double(ns) * 1e-9);
        totalNs += ns;
        bestNs = std::min(bestNs, ns);
        after();
    }
    report(state, totalNs, batch);
    report_best(state, bestNs, batch);
}

template <typename Op> void timed_batches(benchmark::State &state, std::size_t batch, Op op)
{
    timed_batches(state, batch, op, [] {});
}

// Drains after each batch and checks that every recorded event arrived.
class DrainCheck {
public:
    explicit DrainCheck(std::size_t reserve) { m_buffer.reserve(reserve); }
    template <typename Source> void drain(Source &source)
    {
        m_drained += source.drain(m_buffer);
        m_buffer.reset(); // keeping its memory
    }
    void verify(benchmark::State &state, std::size_t eventsPerIteration) const
    {
        if (m_drained != std::uint64_t(state.iterations()) * eventsPerIteration)
            state.SkipWithError("events were lost: the ring overflowed");
    }

private:
    il::EventBuffer m_buffer;
    std::uint64_t m_drained = 0;
};

} // namespace ilbench
