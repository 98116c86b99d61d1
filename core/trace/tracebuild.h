#pragma once
// Internal to the trace reader: from collected events to a timeline.
#include "runinfo.h"
#include "timeline.h"
#include "traceraw.h"

#include <string>

namespace il::trace {

// Builds `timeline` (through Timeline::apply, lane by lane, and close) and `info` from
// `raw`, consuming its events. False with `why` if the metadata is malformed.
bool build(RawTrace &raw, Timeline &timeline, RunInfo &info, bool &foreign, std::string &why);

} // namespace il::trace
