#include "runinfo.h"
#include "stats.h"

namespace il {

RunInfo make_run_info(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                      const RunResult &result, const Timeline &timeline)
{
    return RunInfo{info.id, params, seed, make_stats(info, params, seed, result, timeline)};
}

std::string mark_name(std::int64_t code)
{
    switch (code) {
    case kMarkMeal: return "meal";
    case kMarkDeadlock: return "deadlock";
    case kMarkAwait: return "await";
    case kMarkStep: return "step";
    case kMarkWasted: return "wasted wake-up";
    case kMarkViolation: return "mutual exclusion violated";
    default: break;
    }
    return "mark " + std::to_string(code);
}

} // namespace il
