#pragma once
#include "run.h"
#include "scenario.h"
#include "timeline.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace il {

// What a saved run carries besides its timeline: enough to show, re-export and describe
// it again exactly as it was recorded.
struct RunInfo {
    std::string scenario; // a registry id; empty for a trace written by another tool
    ParamValues params;   // raw values (a choice's index, a toggle's 0/1)
    std::uint64_t seed = 0;
    // The stats object of DESIGN.md (make_stats) as it was when the run ended: its
    // "events" count and metrics are the recording's, not a re-count of the saved file.
    Json stats = Json::object();
};

// The info of a run that just ended, as `--stats` would describe it.
RunInfo make_run_info(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                      const RunResult &result, const Timeline &timeline);

// The RunResult a saved run's stats describe (metrics, how it stopped, how long it
// took, its error), for showing a re-opened run as it was. Missing or wrongly typed
// fields give the defaults: an empty metrics object, "finished", 0 ns, no error.
RunResult result_from_stats(const Json &stats);

// What a mark means, in words ("meal", "deadlock", …); "mark <code>" for an unknown code.
std::string mark_name(std::int64_t code);

} // namespace il
