#pragma once
#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ilbench {

// The counters every benchmark reports (Google Benchmark's own time column is per batch).
inline constexpr const char *kNsPerOp = "ns/op";
// The fastest batch per operation: the cost without the interruptions of a shared machine.
inline constexpr const char *kBestNsPerOp = "best ns/op";
inline constexpr const char *kEventsPerSecond = "events/s";
// Goal 5 (bench_perturbation.cpp): medians of increments per second, on and off, and
// the median and quartiles of the on/off ratios of adjacent pairs of runs.
inline constexpr const char *kIncrementsOn = "inc/s on";
inline constexpr const char *kIncrementsOff = "inc/s off";
inline constexpr const char *kOnOffRatio = "on/off";
inline constexpr const char *kOnOffLow = "on/off q1";
inline constexpr const char *kOnOffHigh = "on/off q3";
// The median ratio with the recorded side timed over its whole Run, until the consumer
// noticed the end, instead of over the scenario's own run().
inline constexpr const char *kOnOffWall = "on/off wall";
// `mutex`: medians of how often the lock went to another thread in a run, on and off; and
// what a cache line takes from one CPU to the other and back (ns, median before each pair).
inline constexpr const char *kHandoversOn = "handovers on";
inline constexpr const char *kHandoversOff = "handovers off";
inline constexpr const char *kLineRoundTrip = "line round trip ns";
inline constexpr const char *kEventsRecorded = "events";
inline constexpr const char *kEventsDropped = "dropped";
// Events recorded per increment with recording on (goal 5's ceiling, ratiotable.cpp).
inline constexpr const char *kEventsPerIncrement = "events/increment";
inline constexpr const char *kFewestLost = "lost (fewest, on)";

// The console output Google Benchmark always prints, plus a copy of every benchmark's
// counters, so the goal table at the end is computed from the very runs shown above it.
// With --benchmark_repetitions the median aggregate is kept; otherwise the (last) run.
class CapturingReporter : public benchmark::ConsoleReporter {
public:
    CapturingReporter();
    void ReportRuns(const std::vector<Run> &runs) override;

    // A counter of a benchmark, by function name (e.g. "BM_lane_state", "ns/op").
    std::optional<double> counter(const std::string &benchmark, const std::string &name) const;
    bool empty() const { return m_results.empty(); }
    const std::vector<std::string> &errors() const { return m_errors; }

private:
    struct Result {
        bool median = false;
        std::map<std::string, double> counters;
    };
    std::map<std::string, Result> m_results;
    std::vector<std::string> m_errors;
};

// Prints the goals of issue 6 (1-5: recording cost and perturbation) as ratios of this run's
// figures, with "met"/"not met", and the baselines beside them. Returns false if a goal could not
// be computed because its benchmarks did not run.
bool print_goal_table(std::ostream &out, const CapturingReporter &results);

} // namespace ilbench
