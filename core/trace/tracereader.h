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
// names the file, where (byte offset or event index) and what was expected. Every limit
// is checked before the memory it guards is taken; the defaults suit real traces, and a
// fuzzer may set them small to reach each check with small inputs.
struct TraceLimits {
    std::uint64_t maxFileBytes = std::uint64_t(2) << 30; // 2 GiB
    std::size_t maxEvents = 10'000'000;   // X, B, E, i events and counter values kept
    std::size_t maxThreads = 10'000;      // lanes
    std::size_t maxProcesses = 10'000;    // process names kept
    std::size_t maxStringBytes = 1 << 20; // any one JSON string
    std::size_t maxNumberBytes = 4096;    // any one JSON number's text
    std::size_t maxNameBytes = 256;       // lane and label names are cut
    std::size_t maxLabels = 60'000;       // distinct labels, then "(other)"; and resources
    std::size_t maxDepth = 64;            // JSON nesting
    std::size_t maxEventValues = 100'000; // values inside one event
    std::size_t maxMetadataValues = 1'000'000;
    std::size_t maxOpenSlices = 1000; // B without E, and overlapping slices, per thread
    // |ts| and |ts + dur| in microseconds; a restored timeline also spans at most this.
    double maxAbsMicros = 4e15;
};

struct TraceReadOptions {
    // Called about every 64 KiB with the bytes read so far and the file's size; return
    // false to cancel (the read then fails with "cancelled").
    std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
    TraceLimits limits;
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
