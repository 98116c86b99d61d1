#pragma once
#include "run.h"
#include "timeline.h"

#include <string>
#include <vector>

namespace il {

// The first deadlock's cycle as names in order: lane, the resource it waits for, the
// lane holding that, … ("P0", "chopstick 1", "P1", …); empty without a deadlock.
std::vector<std::string> deadlock_names(const Timeline &timeline);
// "P0 → chopstick 1 → P1 → … → P0", or "" without a deadlock.
std::string deadlock_text(const Timeline &timeline);

// The stats JSON object of DESIGN.md: scenario, params, seed, completed, stopped_by,
// duration_ms, lanes, events, dropped_events, discarded_events (detail given up to stay within
// the memory budget), deadlock, metrics.
Json make_stats(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                const RunResult &result, const Timeline &timeline);

} // namespace il
