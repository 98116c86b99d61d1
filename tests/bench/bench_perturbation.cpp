// Goal 5 of issue 6: recording perturbs little. The real `mutex` and `race` scenarios run
// through the registry, alternately with recording on (lanes record, a collector drains
// them, as in the app) and off (Recorder made with Recording::Off: every record call
// returns before reading the clock, and no collector runs). Throughput is increments per
// second of wall time; the goal is on/off >= 0.9, and `race` must still lose updates with
// recording on (instrumentation that serialized the threads would hide the very bug).
#include "benchutil.h"

#include "collector.h"
#include "params.h"
#include "registry.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <vector>

using namespace ilbench;

namespace {

struct Outcome {
    double incrementsPerSecond = 0;
    std::int64_t lostUpdates = 0;
    std::uint64_t events = 0;
    std::uint64_t dropped = 0;
};

Outcome run_once(const il::Scenario &scenario, const il::ParamValues &params,
                 il::Recording recording)
{
    il::Recorder recorder(il::Recorder::kDefaultRingCapacity, recording);
    std::optional<il::Collector> collector;
    if (recording == il::Recording::On)
        collector.emplace(recorder);
    std::stop_source stop;
    il::RunContext ctx{recorder, params, stop.get_token(), 1};
    const std::int64_t t0 = wall_ns();
    const il::Json metrics = scenario.run(ctx);
    const std::int64_t ns = wall_ns() - t0;
    Outcome out;
    if (collector) {
        collector->finish();
        out.events = collector->take().events.size();
    }
    out.incrementsPerSecond = double(metrics.at("expected").get<std::int64_t>()) * 1e9 / double(ns);
    if (metrics.contains("lost_updates"))
        out.lostUpdates = metrics.at("lost_updates").get<std::int64_t>();
    out.dropped = recorder.dropped();
    return out;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Alternating on/off runs (on first, then off, ...), so that a machine getting busier or
// quieter during the benchmark weighs on both sides alike; medians of each side.
void perturbation(benchmark::State &state, const char *id, std::int64_t increments)
{
    const il::Scenario *scenario = il::find_scenario(id);
    if (!scenario) {
        state.SkipWithError("scenario not in the registry");
        return;
    }
    il::ParamValues params = il::default_params(scenario->info());
    params["threads"] = 4;
    params["increments"] = tiny_mode() ? increments / 20 : increments;
    const int pairs = tiny_mode() ? 1 : 7;
    std::vector<double> on, off;
    std::int64_t fewestLost = INT64_MAX;
    std::uint64_t events = 0, dropped = 0;
    for (auto _ : state) {
        for (int i = 0; i < pairs; ++i) {
            const Outcome a = run_once(*scenario, params, il::Recording::On);
            const Outcome b = run_once(*scenario, params, il::Recording::Off);
            on.push_back(a.incrementsPerSecond);
            off.push_back(b.incrementsPerSecond);
            fewestLost = std::min(fewestLost, a.lostUpdates);
            events += a.events;
            dropped += a.dropped;
        }
    }
    const double onRate = median(on), offRate = median(off);
    state.counters[kIncrementsOn] = onRate;
    state.counters[kIncrementsOff] = offRate;
    state.counters[kOnOffRatio] = offRate > 0 ? onRate / offRate : 0;
    state.counters[kEventsRecorded] = double(events);
    state.counters[kEventsDropped] = double(dropped);
    if (std::string_view(id) == "race") {
        state.counters[kFewestLost] = double(fewestLost);
        if (fewestLost <= 0)
            std::cerr << "\n*** WARNING: race lost NO updates in a run with recording on: "
                         "the recorder may have serialized the threads ***\n\n";
    }
}

void BM_perturbation_mutex(benchmark::State &state)
{
    perturbation(state, "mutex", 50'000);
}
BENCHMARK(BM_perturbation_mutex)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_perturbation_race(benchmark::State &state)
{
    perturbation(state, "race", 10'000'000);
}
BENCHMARK(BM_perturbation_race)->Iterations(1)->Unit(benchmark::kMillisecond);

} // namespace
