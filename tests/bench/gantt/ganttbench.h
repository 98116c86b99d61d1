#pragma once
// What the Gantt benchmark's parts share: the sizes it runs at, the names its
// benchmarks are registered under, and the counters they report.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ganttbench {

inline constexpr const char *kMsPerFrame = "ms/frame";
inline constexpr const char *kSeconds = "s";
inline constexpr const char *kBytes = "bytes";
inline constexpr const char *kMaxMs = "max_ms";
inline constexpr const char *kP99Ms = "p99_ms";
inline constexpr const char *kBytesPerEvent = "bytes_per_event"; // goal 8, full-zoom frames

// Segment counts of goal 6 (the first is the "1k" of the growth ratio, the last that
// is not above kChartsLimit is the "1M"), and where the Qt Charts baseline stops.
struct Sizes {
    std::vector<std::int64_t> frames; // Interleave frames, ascending
    std::int64_t goal = 0;            // the size goal 6's frame rows are read at
    std::int64_t panZoom = 0;         // the largest size: pan and zoom frames
    std::int64_t chartsLimit = 0;     // Qt Charts baseline runs at sizes up to this
    std::int64_t exportSize = 0;      // goal 7
    int probeThreads = 64;            // goal 9
    std::int64_t probeIncrements = 0; // per thread, mutex scenario
    // A long run of few threads: more events a second than the GUI thread applies.
    int longProbeThreads = 4;
    std::int64_t longProbeIncrements = 0;
    double idleProbeSeconds = 0;
};
Sizes sizes(bool tiny);

// "1k", "10k", "1M", "10M".
std::string label(std::int64_t n);

// Benchmark names, e.g. "gantt_frame_full/1M"; the table looks results up by them.
std::string frameName(const char *series, const char *zoom, std::int64_t n);
inline constexpr const char *kInterleave = "gantt_frame";
inline constexpr const char *kQtCharts = "qtcharts_frame";
inline constexpr const char *kFull = "full";
inline constexpr const char *kZoom1 = "zoom1pct";
std::string panName(std::int64_t n);
std::string zoomName(std::int64_t n);
std::string exportName(std::int64_t n);
inline constexpr const char *kStallRun = "gui_stall_64_threads";
inline constexpr const char *kStallIdle = "gui_stall_idle";
inline constexpr const char *kStallLong = "gui_stall_4_threads_long";

// Registration, one function per part (each in its own file).
void registerFrameBenchmarks(const Sizes &s);
void registerChartsBaseline(const Sizes &s);
void registerExportBenchmark(const Sizes &s);
void registerStallProbes(const Sizes &s);

} // namespace ganttbench
