#pragma once
// Helpers for scenarios that keep a CPU busy on purpose:
//   thread_cpu_ns()  the CPU time the calling thread has used, in ns
//   cpu_relax()      the pause hint for the body of a spin loop
//   crunch(x, n)     n steps of real arithmetic the compiler can neither fold nor drop
//   burn_cpu(lane, targetNs, stop, seed[, label])
//                    `targetNs` of the thread's own CPU time in chunks, recorded on the lane
//                    (Running, and Preempted where the thread waited for a CPU)
#include "../clock.h"
#include "../recorder.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <stop_token>

namespace il {

inline std::int64_t thread_cpu_ns() noexcept
{
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

// Tells the CPU that this is a spin loop: it saves power and, with two hyperthreads on a
// core, lets the other one run. No system call, the thread keeps its CPU.
inline void cpu_relax() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// Pure CPU work: `steps` steps of a xorshift generator, each depending on the last.
// Unsigned arithmetic wraps without undefined behaviour. Keep the result (store it to a
// volatile at the end) so the loop cannot be dropped; x must not be 0 (a fixed point).
inline std::uint64_t crunch(std::uint64_t x, std::int64_t steps) noexcept
{
    for (std::int64_t i = 0; i < steps; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

// CPU time a chunk of burn_cpu aims at: Stop is seen within one chunk, a preemption is
// placed on the timeline within a fraction of a time slice, and the clock reads per chunk
// (the thread CPU clock is a system call, ~0.3 µs) cost well under 1 %. The last chunk aims
// at what is left, so the work overshoots its target by a small fraction of this.
inline constexpr std::int64_t kChunkNs = 50'000;
// A chunk whose wall time exceeds its CPU time by more than this was runnable but not
// running: the kernel gives another thread at least a scheduling slice (0.75 ms and up on
// Linux), while clock reads, interrupts or a TLB shootdown widen the gap by microseconds.
inline constexpr std::int64_t kPreemptedNs = 50'000;

// What burn_cpu did.
struct Burnt {
    std::int64_t startNs = 0;     // wall clock when the work began
    std::int64_t endNs = 0;       // ... and when its last chunk ended
    std::int64_t cpuNs = 0;       // the CPU time the calling thread used in between
    std::int64_t preemptedNs = 0; // wall time lost to other threads (the gaps recorded)
    bool completed = false;       // false: stopped before its target
};

// Real arithmetic in chunks of about kChunkNs until the calling thread's own CPU clock has
// advanced by `targetNs`: the CPU work is fixed, how long it takes on the wall clock is
// what the machine makes of it. The lane is Running from the start; where a chunk took
// more than kPreemptedNs longer on the wall than on the CPU, the lane is Preempted for the
// difference (placed after the chunk's work: where in the chunk the CPU was lost is
// unknown) and Running again after it. Stop is checked before every chunk. Nothing is
// recorded at the end: the caller records what the lane does next.
// Labels: `runningLabel()` (a callable returning a ResourceId) is asked before the first
// chunk and after every chunk; when its answer changes, the lane records Running again with
// the new label (e.g. "CPU 1" after a migration). Preempted segments carry `preemptedLabel`.
template <typename RunningLabel>
Burnt burn_cpu(Lane &lane, std::int64_t targetNs, const std::stop_token &stop, std::uint64_t seed,
               RunningLabel &&runningLabel, ResourceId preemptedLabel)
{
    Burnt out;
    ResourceId running = runningLabel();
    std::int64_t wall = now_ns();
    out.startNs = wall;
    lane.state_at(wall, State::Running, running);
    const std::int64_t cpuStart = thread_cpu_ns();
    std::int64_t cpu = cpuStart;
    std::int64_t steps = 1024; // tuned below so that a chunk takes about kChunkNs
    std::uint64_t x = 0x9E3779B97F4A7C15ULL ^ seed;
    volatile std::uint64_t sink = 0; // the result is kept, so the loop cannot be dropped
    while (cpu - cpuStart < targetNs && !stop.stop_requested()) {
        x = crunch(x | 1, steps);
        sink = x;
        const std::int64_t cpuAfter = thread_cpu_ns();
        const std::int64_t wallAfter = now_ns();
        const ResourceId runningAfter = runningLabel();
        const std::int64_t used = cpuAfter - cpu;
        const std::int64_t gap = (wallAfter - wall) - used;
        if (gap > kPreemptedNs) {
            lane.state_at(wall + used, State::Preempted, preemptedLabel);
            lane.state_at(wallAfter, State::Running, runningAfter);
            out.preemptedNs += gap;
        } else if (runningAfter != running) {
            lane.state_at(wallAfter, State::Running, runningAfter);
        }
        const std::int64_t aim = std::min(kChunkNs, targetNs - (cpuAfter - cpuStart));
        if (used > 0 && aim > 0) // changes by 4x down or 2x up at most per chunk
            steps = std::clamp(steps * aim / used, std::max<std::int64_t>(16, steps / 4),
                               std::min<std::int64_t>(1 << 26, steps * 2));
        running = runningAfter;
        cpu = cpuAfter;
        wall = wallAfter;
    }
    (void)sink;
    out.endNs = wall;
    out.cpuNs = cpu - cpuStart;
    out.completed = cpu - cpuStart >= targetNs;
    return out;
}

// The same with one label for all its segments, running or preempted ("running (n = 3)").
inline Burnt burn_cpu(Lane &lane, std::int64_t targetNs, const std::stop_token &stop,
                      std::uint64_t seed, ResourceId label = kNoResource)
{
    return burn_cpu(
        lane, targetNs, stop, seed, [label] { return label; }, label);
}

} // namespace il
