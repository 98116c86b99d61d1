// Goals 3 and 4 of the recording benchmark: a shared-memory ring pushed in-process and
// from a forked child, and the rate at which the collector drains rings.
#include "benchutil.h"

#include "clock.h"
#include "recorder.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ilbench;

namespace {

// --- goal 3: a shared-memory ring, pushed in-process and from a forked child ---------

// One batch of events and how long it took, by the same code and the same clock in both
// processes (not inlined, so parent and child run the very same instructions).
[[gnu::noinline]] std::int64_t timed_push_batch(il::Lane &lane, std::uint32_t n) noexcept
{
    const std::int64_t t0 = wall_ns();
    for (std::uint32_t i = 0; i < n; ++i)
        lane.state(il::State::Running);
    return wall_ns() - t0;
}

constexpr std::size_t kSharedRingCapacity = 1 << 16;

void BM_shared_ring_in_process(benchmark::State &state)
{
    const auto ring = il::make_shared_ring(kSharedRingCapacity);
    il::Lane lane(0, *ring);
    DrainCheck check(batch_size());
    std::int64_t totalNs = 0;
    for (auto _ : state) {
        const std::int64_t ns = timed_push_batch(lane, std::uint32_t(batch_size()));
        state.SetIterationTime(double(ns) * 1e-9);
        totalNs += ns;
        check.drain(*ring);
    }
    report(state, totalNs, batch_size());
    check.verify(state, batch_size());
}
BENCHMARK(BM_shared_ring_in_process)->UseManualTime();

bool transfer(int fd, void *data, std::size_t size, bool writing) noexcept
{ // async-signal-safe: the child uses it too
    auto *p = static_cast<char *>(data);
    while (size > 0) {
        const ssize_t n = writing ? write(fd, p, size) : read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= std::size_t(n);
    }
    return true;
}

// The forked child: for each batch size it reads, pushes that many events into the
// shared ring, timing them itself, and writes the nanoseconds back. Only read, write,
// clock_gettime and plain stores: async-signal-safe, as a child of a threaded app must be.
[[noreturn]] void child_main(int commands, int replies, il::Lane &lane) noexcept
{
    for (;;) {
        std::uint32_t n = 0;
        if (!transfer(commands, &n, sizeof n, false) || n == 0)
            _exit(0);
        std::int64_t ns = timed_push_batch(lane, n);
        if (!transfer(replies, &ns, sizeof ns, true))
            _exit(1);
    }
}

// The parent asks for one batch per iteration, takes the child's own timing as the
// iteration's manual time, and drains the ring before asking for the next batch.
void BM_shared_ring_forked_child(benchmark::State &state)
{
    const auto ring = il::make_shared_ring(kSharedRingCapacity);
    il::Lane lane(0, *ring);
    int commands[2], replies[2];
    if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0) {
        state.SkipWithError("pipe2 failed");
        return;
    }
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        close(commands[1]);
        close(replies[0]);
        child_main(commands[0], replies[1], lane);
    }
    close(commands[0]);
    close(replies[1]);
    if (child < 0) {
        close(commands[1]);
        close(replies[0]);
        state.SkipWithError("fork failed");
        return;
    }
    DrainCheck check(batch_size());
    std::int64_t totalNs = 0;
    bool ok = true;
    for (auto _ : state) {
        auto n = std::uint32_t(batch_size());
        std::int64_t ns = 0;
        if (!transfer(commands[1], &n, sizeof n, true) ||
            !transfer(replies[0], &ns, sizeof ns, false)) {
            ok = false;
            state.SkipWithError("the child stopped answering");
            break;
        }
        state.SetIterationTime(double(ns) * 1e-9);
        totalNs += ns;
        check.drain(*ring);
    }
    close(commands[1]); // end of file: the child exits
    close(replies[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!ok)
        return;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        state.SkipWithError("the child did not exit cleanly");
        return;
    }
    report(state, totalNs, batch_size());
    check.verify(state, batch_size());
}
BENCHMARK(BM_shared_ring_forked_child)->UseManualTime();

// --- goal 4: collector drain rate -------------------------------------------------------

// What Collector::drain_once does with events: Recorder::drain (under the recorder's
// lock, every lane's ring appended to one EventBuffer that is reused, as Collector::take
// reuses it) and rebasing each timestamp to the run's origin. The rings are filled
// between timed drains, with given timestamps so that filling is quick. By this thread, so
// the events may still be in its caches; 16 x 16384 events (6 MB, the collector's
// prefaulted buffer) keep most of them out of L1/L2 at least.
void BM_collector_drain(benchmark::State &state)
{
    const std::size_t lanes = tiny_mode() ? 4 : 16;
    const std::size_t perLane = tiny_mode() ? 256 : 16384; // within the smallest ring (65536)
    il::Recorder recorder;
    std::vector<il::Lane *> lanePtrs;
    for (std::size_t i = 0; i < lanes; ++i)
        lanePtrs.push_back(&recorder.add_lane("lane " + std::to_string(i)));
    il::EventBuffer events;
    events.reserve(lanes * perLane);
    std::int64_t t = recorder.origin_ns();
    std::int64_t totalNs = 0;
    bool ok = true;
    for (auto _ : state) {
        for (il::Lane *lane : lanePtrs)
            for (std::size_t i = 0; i < perLane; ++i)
                lane->state_at(++t, il::State::Running);
        events.reset(); // keeping its chunks, as the collector does
        const std::int64_t t0 = wall_ns();
        const std::size_t n = recorder.drain(events);
        const std::int64_t origin = recorder.origin_ns();
        events.for_each_span([origin](il::Event *span, std::size_t count) {
            for (std::size_t i = 0; i < count; ++i) // as the collector does
                span[i].t_ns = std::max<std::int64_t>(0, span[i].t_ns - origin);
        });
        benchmark::DoNotOptimize(&events);
        benchmark::ClobberMemory();
        const std::int64_t ns = wall_ns() - t0;
        state.SetIterationTime(double(ns) * 1e-9);
        totalNs += ns;
        ok &= n == lanes * perLane;
    }
    report(state, totalNs, lanes * perLane);
    if (totalNs > 0)
        state.counters[ilbench::kEventsPerSecond] =
            double(state.iterations()) * double(lanes * perLane) / (double(totalNs) * 1e-9);
    if (!ok)
        state.SkipWithError("a drain did not return every event");
}
BENCHMARK(BM_collector_drain)->UseManualTime();

} // namespace
