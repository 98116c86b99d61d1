#include "stats.h"

namespace il {

Json make_stats(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                const RunResult &result, const Timeline &timeline)
{
    Json p = Json::object();
    for (const auto &spec : info.params) // declaration order, not alphabetical
        p[spec.key] = params.at(spec.key);
    Json stats{{"scenario", info.id},
               {"params", p},
               {"seed", seed},
               {"completed", result.completed()},
               {"stopped_by", stop_reason_name(result.stoppedBy)},
               {"duration_ms", double(result.durationNs) / 1e6},
               {"lanes", timeline.lanes().size()},
               {"events", timeline.event_count()},
               {"dropped_events", timeline.dropped()},
               {"deadlock", nullptr},
               {"metrics", result.metrics}};
    if (!result.error.empty())
        stats["error"] = result.error;
    return stats;
}

} // namespace il
