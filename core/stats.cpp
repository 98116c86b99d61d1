#include "stats.h"
#include "params.h"

namespace il {

std::vector<std::string> deadlock_names(const Timeline &timeline)
{
    std::vector<std::string> names;
    const auto &cycle = timeline.deadlock();
    if (!cycle)
        return names;
    for (std::size_t i = 0; i < cycle->lanes.size(); ++i) {
        const LaneId lane = cycle->lanes[i];
        names.push_back(lane < timeline.lanes().size() ? timeline.lanes()[lane].name
                                                       : "lane " + std::to_string(lane));
        names.push_back(timeline.resource_name(cycle->resources[i]));
    }
    return names;
}

std::string deadlock_text(const Timeline &timeline)
{
    const auto names = deadlock_names(timeline);
    std::string text;
    for (const auto &n : names)
        text += n + " \u2192 ";
    return names.empty() ? text : text + names.front();
}

Json make_stats(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                const RunResult &result, const Timeline &timeline)
{
    Json p = Json::object();
    for (const auto &spec : info.params) // declaration order, not alphabetical
        p[spec.key] = param_json(spec, params.at(spec.key));
    Json stats{{"scenario", info.id},
               {"params", p},
               {"seed", seed},
               {"completed", result.completed()},
               {"stopped_by", stop_reason_name(result.stoppedBy)},
               {"duration_ms", double(result.durationNs) / 1e6},
               {"lanes", timeline.lanes().size()},
               {"events", timeline.event_count()},
               {"dropped_events", timeline.dropped()},
               {"discarded_events", timeline.discarded_events()},
               {"deadlock", nullptr},
               {"metrics", result.metrics}};
    if (timeline.deadlock())
        stats["deadlock"] = deadlock_names(timeline);
    if (!result.error.empty())
        stats["error"] = result.error;
    return stats;
}

} // namespace il
