#pragma once
// Internal to the trace reader: what the parser collects from the events before the
// timeline is built (which needs the metadata, written last, and every thread's events).
#include "event.h"
#include "scenario.h"
#include "tracereader.h"

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace il::trace {

struct RawSlice {
    std::int64_t startNs = 0; // trace time in ns, before any offset
    std::int64_t endNs = 0;
    std::uint32_t label = 0;
    State state = State::Running;
};

struct RawMark {
    std::int64_t tNs = 0;
    std::int64_t code = 0;
    std::uint32_t label = 0;
};

struct RawHold {
    std::int64_t tNs = 0;
    std::uint32_t label = 0;
    bool acquired = false;
};

struct RawCounter {
    std::int64_t tNs = 0;
    std::int64_t value = 0;
    std::uint32_t label = 0;
};

struct RawThread {
    std::string pid;
    std::string tid;
    std::string name; // from thread_name; empty if none
    std::int64_t sortIndex = std::numeric_limits<std::int64_t>::max();
    std::vector<RawSlice> slices;
    std::vector<RawMark> marks;
    std::vector<RawHold> holds;
    std::vector<RawSlice> open; // B events waiting for their E
};

struct RawTrace {
    TraceLimits limits;
    std::vector<RawThread> threads; // in order of first appearance
    std::unordered_map<std::string, std::uint32_t> threadIndex;
    std::unordered_map<std::string, std::string> processNames;
    std::vector<std::string> labels{std::string()}; // label 0 is "" (no resource)
    std::unordered_map<std::string, std::uint32_t> labelIndex{{std::string(), 0}};
    std::vector<RawCounter> counters;
    Json metadata; // null if the file had none
    std::int64_t minNs = std::numeric_limits<std::int64_t>::max();
    std::int64_t maxNs = std::numeric_limits<std::int64_t>::min();
    std::uint64_t kept = 0; // events kept (X, B, E, i, C)
};

// A name cut to at most `maxBytes` without splitting a UTF-8 sequence.
std::string cut_name(const std::string &s, std::size_t maxBytes);

// "2048 MiB", or "300 bytes" below a MiB: sizes in messages.
std::string size_text(std::uint64_t bytes);

} // namespace il::trace
