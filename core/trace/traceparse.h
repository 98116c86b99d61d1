#pragma once
// Internal to the trace reader: the SAX pass over the file.
#include "traceraw.h"

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

namespace il::trace {

struct ParseHooks {
    std::function<std::uint64_t()> position; // bytes consumed so far
    std::function<bool()> stop;              // cancelled, or the input went wrong
};

// Collects the events of `in` into `raw`. On failure `error` says where and what was
// expected ("byte 120: …" or "event #7 (near byte 512): …"), without the file name.
bool parse_events(std::istream &in, RawTrace &raw, const ParseHooks &hooks, std::string &error);

} // namespace il::trace
