// What recording costs (issue 6, goals 1-5; goal 5 in bench_perturbation.cpp), beside the baselines
// it is judged against.
//
//   bench_recording [--tiny] [Google Benchmark flags, e.g. --benchmark_repetitions=5]
//
// Every benchmark times batches of operations with CLOCK_MONOTONIC and hands the batch
// time to Google Benchmark as manual time; the "ns/op" counter is the figure to read (its
// time column is per batch). Batches because recording fills a ring: between two batches
// the ring is drained, outside the timed window, so a push never meets a full ring and
// the drain's cost is measured on its own (goal 4) instead of being smeared into the
// per-event cost. A background drainer thread would avoid batching but would fight the
// producer for one of this machine's two cores and bounce the ring's cache lines, which
// is not what a single event costs. Two clock reads per batch of thousands of operations
// add about 0.01 ns per operation.
#include "benchutil.h"

#include "clock.h"
#include "recorder.h"
#include "sync.h"

#include <benchmark/benchmark.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <mutex>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace ilbench;

namespace {

// --- baselines --------------------------------------------------------------------------

#ifdef IL_HAVE_TSC
void BM_rdtsc(benchmark::State &state)
{
    timed_batches(state, batch_size(), [](std::size_t) { benchmark::DoNotOptimize(__rdtsc()); });
}
BENCHMARK(BM_rdtsc)->UseManualTime();
#endif

// il::now_ns() with the source this machine chose at start-up (tsc.h): what Lane::state
// pays for its timestamp here.
void BM_now_ns(benchmark::State &state)
{
    timed_batches(state, batch_size(), [](std::size_t) { benchmark::DoNotOptimize(il::now_ns()); });
    state.SetLabel(il::clock_source_name(il::clock_source()));
}
BENCHMARK(BM_now_ns)->UseManualTime();

void BM_clock_gettime(benchmark::State &state)
{
    timed_batches(state, batch_size(), [](std::size_t) {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        benchmark::DoNotOptimize(ts);
    });
}
BENCHMARK(BM_clock_gettime)->UseManualTime();

void BM_steady_clock(benchmark::State &state)
{
    timed_batches(state, batch_size(),
                  [](std::size_t) { benchmark::DoNotOptimize(std::chrono::steady_clock::now()); });
}
BENCHMARK(BM_steady_clock)->UseManualTime();

// The obvious recorder: one lock around one vector, stamped with steady_clock. Reserved
// up front and cleared between batches, so memory stays bounded and no push reallocates.
void BM_mutex_vector_recorder(benchmark::State &state)
{
    std::mutex mutex;
    std::vector<il::Event> events;
    events.reserve(batch_size());
    timed_batches(
        state, batch_size(),
        [&](std::size_t) {
            const std::int64_t t = std::chrono::steady_clock::now().time_since_epoch().count();
            std::lock_guard lock(mutex);
            events.push_back(
                il::Event{t, 0, 0, il::kNoResource, il::EventKind::State, il::State::Running});
        },
        [&] {
            std::lock_guard lock(mutex);
            benchmark::DoNotOptimize(events.data());
            events.clear();
        });
}
BENCHMARK(BM_mutex_vector_recorder)->UseManualTime();

// One write() per event into a pipe that a reader thread keeps draining (a blocking write
// waits when the pipe is full: that is part of what this way of recording costs).
void BM_pipe_write(benchmark::State &state)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        state.SkipWithError("pipe2 failed");
        return;
    }
    std::thread reader([fd = fds[0]] {
        char buf[1 << 16];
        for (;;) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR))
                return;
        }
    });
    bool ok = true;
    const il::Event event{};
    timed_batches(state, batch_size(), [&](std::size_t) {
        ok &= write(fds[1], &event, sizeof event) == ssize_t(sizeof event);
    });
    close(fds[1]); // the reader sees end of file
    reader.join();
    close(fds[0]);
    if (!ok)
        state.SkipWithError("a write to the pipe failed");
}
BENCHMARK(BM_pipe_write)->UseManualTime();

// --- goal 1: one event through Lane::state on a private ring ---------------------------

void lane_state(benchmark::State &state, il::Recording recording)
{
    il::Recorder recorder(il::Recorder::kDefaultRingCapacity, recording);
    il::Lane &lane = recorder.add_lane("bench");
    DrainCheck check(batch_size());
    timed_batches(
        state, batch_size(), [&](std::size_t) { lane.state(il::State::Running); },
        [&] { check.drain(recorder); });
    check.verify(state, recording == il::Recording::On ? batch_size() : 0);
    state.SetLabel(il::clock_source_name(il::clock_source()));
}

// With the clock this machine chose (the TSC only if the kernel trusts it).
void BM_lane_state(benchmark::State &state)
{
    lane_state(state, il::Recording::On);
}
BENCHMARK(BM_lane_state)->UseManualTime();

// With the TSC clock, wherever the CPU has an invariant TSC (forced where the kernel keeps
// time with another clock): what goal 1 asks for. The variants it was chosen from are in
// bench_timestamps.cpp.
void BM_lane_state_tsc(benchmark::State &state)
{
    const ClockOverride tsc(il::ClockSource::Tsc);
    lane_state(state, il::Recording::On);
}
BENCHMARK(BM_lane_state_tsc)->UseManualTime();

// A lane of a recorder made with Recording::Off: what "recording off" still costs.
void BM_lane_state_off(benchmark::State &state)
{
    lane_state(state, il::Recording::Off);
}
BENCHMARK(BM_lane_state_off)->UseManualTime();

// The same push with the time given: what recording costs without the clock.
void BM_ring_push_no_clock(benchmark::State &state)
{
    il::Recorder recorder;
    il::Lane &lane = recorder.add_lane("bench");
    DrainCheck check(batch_size());
    timed_batches(
        state, batch_size(),
        [&](std::size_t i) { lane.state_at(std::int64_t(i), il::State::Running); },
        [&] { check.drain(recorder); });
    check.verify(state, batch_size());
}
BENCHMARK(BM_ring_push_no_clock)->UseManualTime();

// --- goal 2: instrumented vs plain mutex, uncontended, one thread -----------------------

void BM_plain_mutex(benchmark::State &state)
{
    std::mutex mutex;
    timed_batches(state, batch_size(), [&](std::size_t) {
        mutex.lock();
        mutex.unlock();
    });
}
BENCHMARK(BM_plain_mutex)->UseManualTime();

void instrumented_mutex(benchmark::State &state)
{
    il::Recorder recorder;
    il::Lane &lane = recorder.add_lane("bench");
    il::InstrumentedMutex mutex(recorder, "bench lock");
    std::stop_source stop;
    DrainCheck check(2 * batch_size());
    bool ok = true;
    timed_batches(
        state, batch_size(),
        [&](std::size_t) {
            ok &= mutex.lock(lane, stop.get_token());
            mutex.unlock(lane);
        },
        [&] { check.drain(recorder); });
    check.verify(state, 2 * batch_size()); // Critical on lock, Running on unlock: 2 reads
    if (!ok)
        state.SkipWithError("lock() failed");
    state.SetLabel(il::clock_source_name(il::clock_source()));
}

void BM_instrumented_mutex(benchmark::State &state)
{
    instrumented_mutex(state);
}
BENCHMARK(BM_instrumented_mutex)->UseManualTime();

void BM_instrumented_mutex_tsc(benchmark::State &state)
{
    const ClockOverride tsc(il::ClockSource::Tsc);
    instrumented_mutex(state);
}
BENCHMARK(BM_instrumented_mutex_tsc)->UseManualTime();

} // namespace

int main(int argc, char **argv)
{
    // Our own flag first; Google Benchmark rejects what it does not know.
    bool filtered = false;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--tiny") == 0) {
            tiny_mode() = true;
            continue;
        }
        filtered |= std::strncmp(argv[i], "--benchmark_filter", 18) == 0 ||
                    std::strncmp(argv[i], "--benchmark_list_tests", 22) == 0;
        argv[kept++] = argv[i];
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    ilbench::CapturingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    if (reporter.empty())
        return filtered ? 0 : 1;
    const bool complete = ilbench::print_goal_table(std::cout, reporter);
    for (const std::string &error : reporter.errors())
        std::cerr << "benchmark failed: " << error << '\n';
    // A full run must produce the whole table (the CI smoke test relies on this).
    return reporter.errors().empty() && (complete || filtered) ? 0 : 1;
}
