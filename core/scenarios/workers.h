#pragma once
#include "../scenario.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace il {

// Starts `count` real threads, each recording into its own lane named
// "<prefix> <index>", and joins them all. Lanes are created in index order before
// any thread starts, so lane order matches thread order. Each lane begins Running
// and ends Finished; `body(lane, index)` does the rest.
template <typename Body>
void run_workers(RunContext &ctx, int count, const std::string &prefix, Body body)
{
    std::vector<Lane *> lanes;
    lanes.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i)
        lanes.push_back(&ctx.recorder.add_lane(prefix + " " + std::to_string(i)));
    std::vector<std::jthread> threads;
    threads.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i)
        threads.emplace_back([&body, lane = lanes[std::size_t(i)], i] {
            lane->state(State::Running);
            body(*lane, i);
            lane->state(State::Finished);
        });
    // jthread joins on destruction; the run's own stop token is what stops bodies.
}

// Raises `max` to at least `value`.
inline void raise_max(std::atomic<int> &max, int value)
{
    int seen = max.load(std::memory_order_relaxed);
    while (seen < value && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

} // namespace il
