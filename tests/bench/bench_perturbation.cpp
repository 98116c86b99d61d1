// Goal 5 of issue 6: recording perturbs little. The real `mutex` and `race` scenarios run
// through the registry, alternately with recording on and off. On is what the app does:
// an il::Run (lanes record, a collector drains them) and a consumer that takes a batch
// every 20 ms and builds the timeline from it, as the headless mode does. Off is a
// Recorder made with Recording::Off: every record call returns before reading the clock,
// and no collector or consumer runs. Throughput is increments per second of the
// scenario's own run() (Timed); the goal is on/off >= 0.9, and `race` must still lose
// updates with recording on (instrumentation that serialized the threads would hide the
// very bug).
#include "benchutil.h"

#include "params.h"
#include "registry.h"
#include "run.h"
#include "timeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <iostream>
#include <optional>
#include <sched.h>
#include <thread>
#include <vector>

using namespace ilbench;

namespace {

// The scenario itself, its run() timed: from before its threads start until they are all
// joined. Both sides time exactly this, so a consumer that notices the run's end a few
// milliseconds late (it was building the timeline from the previous batch) does not count
// against the scenario's throughput; the consumer's CPU time during the run does.
class Timed final : public il::Scenario {
public:
    explicit Timed(const il::Scenario &inner)
        : m_inner(inner)
    {
    }
    const il::ScenarioInfo &info() const override { return m_inner.info(); }
    il::Json run(il::RunContext &ctx) const override
    {
        const std::int64_t t0 = wall_ns();
        il::Json metrics = m_inner.run(ctx);
        m_ns = wall_ns() - t0; // read once the run is over (Run::wait_finished orders it)
        return metrics;
    }
    std::int64_t ns() const { return m_ns; }

private:
    const il::Scenario &m_inner;
    mutable std::int64_t m_ns = 0;
};

struct Outcome {
    double incrementsPerSecond = 0;
    double wallPerSecond = 0; // the same over the whole Run, until its consumer saw the end
    std::int64_t lostUpdates = 0;
    double handovers = 0;        // `mutex`: how often the lock went to another thread
    std::int64_t increments = 0; // all threads' increments together
    std::uint64_t events = 0;
    std::uint64_t dropped = 0;
};

std::int64_t lost_updates(const il::Json &metrics)
{
    return metrics.contains("lost_updates") ? metrics.at("lost_updates").get<std::int64_t>() : 0;
}

double handovers(const il::Json &metrics)
{
    return metrics.contains("handovers") ? double(metrics.at("handovers").get<std::int64_t>()) : 0;
}

// What one cache line takes to go from one CPU to the other and back, in ns: two threads
// pinned to the first two CPUs this process may use take turns writing one atomic. On a
// VM the answer depends on where the host put the virtual CPUs (the same core complex or
// not), and with it how much every hand-over of the `mutex` lock costs. 0 on one CPU.
double line_round_trip_ns()
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
        return 0;
    int cpus[2], found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; ++c)
        if (CPU_ISSET(c, &allowed))
            cpus[found++] = c;
    constexpr int kTrips = 20'000;
    alignas(64) std::atomic<int> turn{0};
    const auto pin = [](int cpu) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        sched_setaffinity(0, sizeof one, &one);
    };
    std::int64_t ns = 0;
    std::thread other([&] {
        pin(cpus[1]);
        for (int i = 0; i < kTrips; ++i) {
            while (turn.load(std::memory_order_acquire) != 2 * i + 1)
                ;
            turn.store(2 * i + 2, std::memory_order_release);
        }
    });
    std::thread self([&] {
        pin(cpus[0]);
        const std::int64_t t0 = wall_ns();
        for (int i = 0; i < kTrips; ++i) {
            turn.store(2 * i + 1, std::memory_order_release);
            while (turn.load(std::memory_order_acquire) != 2 * i + 2)
                ;
        }
        ns = wall_ns() - t0;
    });
    self.join();
    other.join();
    return double(ns) / kTrips;
}

std::int64_t increments(const il::Json &metrics)
{
    return metrics.at("expected").get<std::int64_t>();
}

double per_second(const il::Json &metrics, std::int64_t ns)
{
    return ns > 0 ? double(increments(metrics)) * 1e9 / double(ns) : 0;
}

Outcome run_recorded(const il::Scenario &scenario, const il::ParamValues &params)
{
    il::Timeline timeline;
    il::Batch batch; // reused, as the headless mode does
    Outcome out;
    const Timed timed(scenario);
    const std::int64_t t0 = wall_ns();
    {
        il::Run run(timed, params, 1);
        while (!run.wait_finished(std::chrono::milliseconds(20))) {
            run.take(batch);
            timeline.apply(batch);
        }
        const std::int64_t ns = wall_ns() - t0;
        run.take(batch);
        timeline.apply(batch);
        const il::RunResult result = run.result();
        out.incrementsPerSecond = per_second(result.metrics, timed.ns());
        out.wallPerSecond = per_second(result.metrics, ns);
        out.lostUpdates = lost_updates(result.metrics);
        out.handovers = handovers(result.metrics);
        out.increments = increments(result.metrics);
    }
    out.events = timeline.event_count();
    out.dropped = timeline.dropped();
    return out;
}

Outcome run_unrecorded(const il::Scenario &scenario, const il::ParamValues &params)
{
    il::Recorder recorder(il::Recorder::kDefaultRingCapacity, il::Recording::Off);
    std::stop_source stop;
    il::RunContext ctx{recorder, params, stop.get_token(), 1};
    const Timed timed(scenario);
    // On a thread of its own, as Run runs it: on the main thread's stack, which ASLR
    // places anew each start, the unrecorded side's speed changed from start to start.
    il::Json metrics;
    std::exception_ptr failed;
    std::thread([&] {
        try {
            metrics = timed.run(ctx);
        } catch (...) {
            failed = std::current_exception();
        }
    }).join();
    if (failed)
        std::rethrow_exception(failed);
    const double perSecond = per_second(metrics, timed.ns());
    return Outcome{.incrementsPerSecond = perSecond,
                   .wallPerSecond = perSecond,
                   .lostUpdates = lost_updates(metrics),
                   .handovers = handovers(metrics)};
}

// The value a `fraction` of the way up the sorted values (0.5: the median).
double quantile(std::vector<double> v, double fraction)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::size_t(fraction * double(v.size() - 1) + 0.5)];
}

// Pairs of adjacent runs, one with recording on and one off, in alternating order (on
// first, then off first, ...), so that a machine getting busier or quieter weighs on both
// sides alike. The figure is the median of the pairs' own ratios: on this kind of shared
// VM the same run's throughput drifts by half within a minute (and 4 threads handing a
// lock over on 2 cores are chaotic besides), and a ratio of medians taken far apart
// follows the drift; the quartiles show the spread.
void perturbation(benchmark::State &state, const char *id, std::int64_t increments, int threads = 4)
{
    const il::Scenario *scenario = il::find_scenario(id);
    if (!scenario) {
        state.SkipWithError("scenario not in the registry");
        return;
    }
    il::ParamValues params = il::default_params(scenario->info());
    params["threads"] = threads;
    params["increments"] = tiny_mode() ? increments / 20 : increments;
    const int pairs = tiny_mode() ? 1 : 31;
    std::vector<double> on, off, ratios, wallRatios, handoversOn, handoversOff, roundTrips;
    std::int64_t fewestLost = INT64_MAX;
    std::uint64_t events = 0, dropped = 0;
    std::int64_t incrementsOn = 0;
    // Unmeasured: the app maps a run's rings and buffers in the background at start-up
    // (RingPool::prewarm, Collector::prewarm), so no run of a user's pays for them.
    run_recorded(*scenario, params);
    for (auto _ : state) {
        for (int i = 0; i < pairs; ++i) {
            roundTrips.push_back(line_round_trip_ns());
            Outcome a, b;
            if (i % 2 == 0) {
                a = run_recorded(*scenario, params);
                b = run_unrecorded(*scenario, params);
            } else {
                b = run_unrecorded(*scenario, params);
                a = run_recorded(*scenario, params);
            }
            handoversOn.push_back(a.handovers);
            handoversOff.push_back(b.handovers);
            on.push_back(a.incrementsPerSecond);
            off.push_back(b.incrementsPerSecond);
            if (b.incrementsPerSecond > 0) {
                ratios.push_back(a.incrementsPerSecond / b.incrementsPerSecond);
                wallRatios.push_back(a.wallPerSecond / b.wallPerSecond);
            }
            fewestLost = std::min(fewestLost, a.lostUpdates);
            events += a.events;
            dropped += a.dropped;
            incrementsOn += a.increments;
        }
    }
    state.counters[kIncrementsOn] = quantile(on, 0.5);
    state.counters[kIncrementsOff] = quantile(off, 0.5);
    state.counters[kOnOffRatio] = quantile(ratios, 0.5);
    state.counters[kOnOffLow] = quantile(ratios, 0.25);
    state.counters[kOnOffHigh] = quantile(ratios, 0.75);
    state.counters[kOnOffWall] = quantile(wallRatios, 0.5);
    state.counters[kLineRoundTrip] = quantile(roundTrips, 0.5);
    if (std::string_view(id) == "mutex") {
        state.counters[kHandoversOn] = quantile(handoversOn, 0.5);
        state.counters[kHandoversOff] = quantile(handoversOff, 0.5);
    }
    state.counters[kEventsRecorded] = double(events);
    state.counters[kEventsDropped] = double(dropped);
    if (incrementsOn > 0)
        state.counters[kEventsPerIncrement] = double(events + dropped) / double(incrementsOn);
    if (std::string_view(id) == "race") {
        state.counters[kFewestLost] = double(fewestLost);
        if (fewestLost <= 0)
            std::cerr << "\n*** WARNING: race lost NO updates in a run with recording on: "
                         "the recorder may have serialized the threads ***\n\n";
    }
}

// The scenario's default: what a user runs. (Each run is then ~30 ms, a handful of the
// scheduler's slices, which is why the pairs' ratios spread as they do.)
void BM_perturbation_mutex(benchmark::State &state)
{
    perturbation(state, "mutex", 100'000);
}
BENCHMARK(BM_perturbation_mutex)->Iterations(1)->Unit(benchmark::kMillisecond);

// The same with one thread: no lock ever changes hands, so the ratio is the recording's
// own cost against an uncontended lock, unlock and increment (goal 5's floor).
void BM_perturbation_mutex_alone(benchmark::State &state)
{
    perturbation(state, "mutex", 400'000, 1);
}
BENCHMARK(BM_perturbation_mutex_alone)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_perturbation_race(benchmark::State &state)
{
    perturbation(state, "race", 10'000'000);
}
BENCHMARK(BM_perturbation_race)->Iterations(1)->Unit(benchmark::kMillisecond);

// What the consumer pays per event to build the timeline (the largest part of goal 5's
// cost for `mutex`): a default `mutex` run's events, recorded once, applied to a fresh
// timeline per iteration, as one batch.
void BM_timeline_apply(benchmark::State &state)
{
    const il::Scenario *scenario = il::find_scenario("mutex");
    if (!scenario) {
        state.SkipWithError("scenario not in the registry");
        return;
    }
    il::ParamValues params = il::default_params(scenario->info());
    params["increments"] = tiny_mode() ? 1000 : 100'000;
    il::Batch batch;
    {
        il::Run run(*scenario, params, 1);
        while (!run.wait_finished(std::chrono::milliseconds(20)))
            ;
        batch = run.take();
    }
    std::int64_t totalNs = 0;
    for (auto _ : state) {
        il::Timeline timeline;
        const std::int64_t t0 = wall_ns();
        timeline.apply(batch);
        const std::int64_t ns = wall_ns() - t0;
        benchmark::DoNotOptimize(timeline.event_count());
        state.SetIterationTime(double(ns) / 1e9);
        totalNs += ns;
    }
    report(state, totalNs, batch.events.size());
}
BENCHMARK(BM_timeline_apply)->UseManualTime()->Unit(benchmark::kMillisecond);

} // namespace
