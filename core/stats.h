#pragma once
#include "run.h"
#include "timeline.h"

namespace il {

// The stats JSON object of DESIGN.md: scenario, params, seed, completed, stopped_by,
// duration_ms, lanes, events, dropped_events, deadlock, metrics.
Json make_stats(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                const RunResult &result, const Timeline &timeline);

} // namespace il
