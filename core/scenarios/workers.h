#pragma once
#include "../scenario.h"

#include <atomic>
#include <latch>
#include <string>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace il {

// Scenario threads run at a lower scheduling priority than the collector and the GUI, so
// that the observer is not starved by what it observes when threads outnumber cores.
inline void lower_priority()
{
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 5);
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
            threads.emplace_back([&body, &setup, &startTogether, lane, i = started] {
                lower_priority();
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
