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
inline constexpr const char *kEventsPerSecond = "events/s";

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

// Which clock is "a bare timestamp read" on this machine: the TSC where the CPU has an
// invariant one (x86), CLOCK_MONOTONIC otherwise.
bool has_invariant_tsc();

// Prints the goals of issue 6 (1-4: recording cost) as ratios of this run's figures,
// with "met"/"not met", and the baselines beside them. Returns false if a goal could not
// be computed because its benchmarks did not run.
bool print_goal_table(std::ostream &out, const CapturingReporter &results);

} // namespace ilbench
