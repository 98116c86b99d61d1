#pragma once
#include "runinfo.h"
#include "timeline.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>

namespace il {

// Reads a Chrome Trace Event JSON file (nlohmann-json's SAX parser, streamed: the file is
// never held whole, each event is a small tree of its own). An Interleave trace (its
// metadata.interleave.format is kTraceFormat) is restored exactly: lanes, segments, marks,
// holds, counters, resources, the deadlock, the scenario, its parameters, seed and stats,
// so that writing it again gives the same bytes. A trace from another tool becomes one
// lane per thread: complete events ("X") and B/E pairs (matched per thread, nested slices
// shown by the innermost) become Running segments labelled with the event's name (or the
// state and resource in args.state/args.resource), gaps between them Sleeping, thread
// instants marks, counters counters; thread_name/process_name/thread_sort_index name and
// order the lanes; flows, samples and other phases are skipped.
//
// Bad input never crashes, hangs or takes memory without bound; it gets an error that
// names the file, where (byte offset or event index) and what was expected. Limits:
struct TraceLimits {
    static constexpr std::uint64_t kMaxFileBytes = std::uint64_t(2) << 30; // 2 GiB
    static constexpr std::size_t kMaxEvents = 10'000'000;   // X, B, E, i, C events kept
    static constexpr std::size_t kMaxThreads = 10'000;      // lanes
    static constexpr std::size_t kMaxStringBytes = 1 << 20; // any one JSON string
    static constexpr std::size_t kMaxNameBytes = 256;       // lane and label names are cut
    static constexpr std::size_t kMaxLabels = 60'000;       // distinct labels, then "(other)"
    static constexpr std::size_t kMaxDepth = 64;            // JSON nesting
    static constexpr std::size_t kMaxEventValues = 100'000; // values inside one event
    static constexpr std::size_t kMaxMetadataValues = 1'000'000;
    static constexpr std::size_t kMaxOpenSlices = 1000; // B without E, per thread
    static constexpr double kMaxAbsMicros = 4e15;       // |ts|, |ts + dur|
};

struct TraceReadOptions {
    // Called about every 64 KiB with the bytes read so far and the file's size; return
    // false to cancel (the read then fails with "cancelled").
    std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
};

struct TraceReadResult {
    bool ok = false;
    bool cancelled = false;
    bool foreign = false; // written by another tool
    std::string error;    // "<file>: <where>: <what was expected>"
};

// `timeline` must be empty (freshly made); on failure its contents are unspecified.
TraceReadResult read_trace(const std::string &path, Timeline &timeline, RunInfo &info,
                           const TraceReadOptions &options = {});
// The same from a stream of `size` bytes; `name` stands for the file in messages.
TraceReadResult read_trace(std::istream &in, std::uint64_t size, const std::string &name,
                           Timeline &timeline, RunInfo &info, const TraceReadOptions &options = {});

} // namespace il
