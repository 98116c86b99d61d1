#pragma once
#include "../scenario.h"
#include "../schedslice.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <latch>
#include <sched.h>
#include <string>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace il {

// How much lower than the GUI's `threads` runnable workers run, so that together, spread
// over the cores, they do not outweigh one normal thread (the GUI, the collector) on a
// core: the scheduler shares a core by weight (nice 0 weighs 1024, each step down about
// 1.25x less). At least 5, so a few workers never crowd the observer; 19 at most. Cores
// are those this process may run on.
inline int worker_niceness(int threads)
{
    // Weights of nice 5 .. 19 (the kernel's sched_prio_to_weight).
    static constexpr int kWeights[] = {335, 272, 215, 172, 137, 110, 87, 70,
                                       56,  45,  36,  29,  23,  18,  15};
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    const long cores =
        sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? std::max(1, CPU_COUNT(&allowed)) : 1;
    int nice = 5;
    for (const int weight : kWeights) {
        if (long(weight) * threads <= 1024L * cores)
            return nice;
        ++nice;
    }
    return 19;
}

// Scenario threads run at a lower scheduling priority than the collector and the GUI, so
// that the observer is not starved by what it observes when threads outnumber cores.
// Measured (bench_gantt gui_stall_64_threads, 64 workers on 2 cores): at nice 5 the GUI
// thread's share of a core was under a fifth and its 10 ms of work per frame took up to
// 65 ms; at nice 16 the longest gap is ~25 ms. Few workers stay at nice 5, so the
// collector's wake-ups preempt their lock holders no more than before (the 4-thread
// `mutex` run looked slower with recording on at nice 19, though that figure is noisy). Workers
// still compete fairly with each other, and where the kernel groups a session's processes
// (autogroup, the desktop default) nice does not lower them against other programs. `threads`: how
// many scenario threads run at once. Relative to the process's main thread (the GUI), so an app
// started with `nice` keeps the same order.
inline void lower_priority(int threads = 1)
{
    reset_slices(); // a short slice inherited from the GUI thread is not for workers
    errno = 0;
    const int base = getpriority(PRIO_PROCESS, id_t(getpid()));
    const int from = errno == 0 ? base : 0;
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)),
                std::min(19, from + worker_niceness(threads)));
}

struct NoSetup {
    void operator()(int) const noexcept {}
};

// Starts `count` real threads, each recording into its own lane named "<prefix><index>",
// lets them all go at once, and joins them all. Lanes are created in index order before any
// thread starts, so lane order matches thread order. Each lane begins Running and ends
// Finished; `body(lane, index)` does the rest. `setup(index)`, if given, runs on each new
// thread before the start gate (e.g. to pin it to a CPU), so that what it changes holds
// from the first moment the body runs.
template <typename Body, typename Setup = NoSetup>
void run_workers(RunContext &ctx, int count, const std::string &prefix, Body body, Setup setup = {})
{
    std::vector<Lane *> lanes;
    lanes.reserve(std::size_t(count));
    ctx.recorder.expect_lanes(std::size_t(count)); // rings of one size for all of them
    for (int i = 0; i < count; ++i)
        lanes.push_back(&ctx.recorder.add_lane(prefix + std::to_string(i)));
    // Every body starts once all threads exist, so they really compete from the start
    // instead of the first finishing before the last is created.
    std::latch startTogether(count);
    std::vector<std::jthread> threads;
    threads.reserve(std::size_t(count));
    int started = 0;
    try {
        for (; started < count; ++started) {
            Lane *lane = lanes[std::size_t(started)];
            threads.emplace_back([&body, &setup, &startTogether, lane, count, i = started] {
                lower_priority(count);
                setup(i);
                startTogether.arrive_and_wait();
                lane->state(State::Running);
                body(*lane, i);
                lane->state(State::Finished);
            });
        }
    } catch (...) {
        // Could not create every thread: release the ones that wait, then report.
        startTogether.count_down(count - started);
        throw;
    }
    // jthread joins on destruction; the run's own stop token is what stops bodies.
}

// Raises `max` to at least `value`.
template <typename T> void raise_max(std::atomic<T> &max, T value)
{
    T seen = max.load(std::memory_order_relaxed);
    while (seen < value && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

} // namespace il
