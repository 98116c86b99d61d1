#pragma once
#include "runinfo.h"
#include "timeline.h"

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace il {

// Chrome Trace Event JSON (what Perfetto UI, chrome://tracing and DevTools open), written
// as a stream: one line per event, no document tree, so a run of a million segments costs
// a few MiB of buffer, not a DOM.
//
// Shape: {"traceEvents":[…],"displayTimeUnit":"ns","metadata":{…}}
//  - "M" events name the process (the scenario) and each lane's thread (tid = lane + 1),
//  - one "X" complete event per segment (name and args.state: the state, args.resource),
//  - "i" instants: marks (cat "mark", args.code), holds (cat "hold", acquire/release) and
//    the deadlock (cat "deadlock", global scope, args.cycle),
//  - "C" counters (name: the resource, args.value),
//  - "s"/"f" flow pairs (cat "wake") from the lane that released a resource to the lane
//    it unblocked (find_wakes over the whole run, at most kMaxWakes),
//  - metadata: format, the time offset, scenario, params, seed, lanes, resources, end,
//    dropped events, the deadlock cycle, metrics and the full stats object.
// Times: ts and dur are microseconds with three decimals (exact nanoseconds). Every time
// is shifted by metadata.interleave.ts_offset_ns so that the first real event has ts > 0:
// t_ns = ts * 1000 - ts_offset_ns. The output depends only on the timeline and the info,
// so writing what read_trace restored gives the same bytes again.
inline constexpr int kTraceFormat = 1;
inline constexpr std::size_t kMaxWakes = 1'000'000;

// False if the stream failed.
bool write_trace(std::ostream &out, const Timeline &timeline, const RunInfo &info);

} // namespace il
