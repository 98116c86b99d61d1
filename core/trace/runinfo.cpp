#include "runinfo.h"
#include "stats.h"

namespace il {

RunInfo make_run_info(const ScenarioInfo &info, const ParamValues &params, std::uint64_t seed,
                      const RunResult &result, const Timeline &timeline)
{
    return RunInfo{info.id, params, seed, make_stats(info, params, seed, result, timeline)};
}

RunResult result_from_stats(const Json &stats)
{
    RunResult result;
    if (!stats.is_object())
        return result;
    if (const auto m = stats.find("metrics"); m != stats.end() && m->is_object())
        result.metrics = *m;
    if (const auto s = stats.find("stopped_by"); s != stats.end() && s->is_string())
        for (const StopReason r :
             {StopReason::Finished, StopReason::Timeout, StopReason::Deadlock, StopReason::User})
            if (stop_reason_name(r) == s->get_ref<const std::string &>())
                result.stoppedBy = r;
    if (const auto d = stats.find("duration_ms"); d != stats.end() && d->is_number()) {
        const double ns = d->get<double>() * 1e6;
        if (ns > 0 && ns < 9e18) // a hand-edited file's absurd value stays out
            result.durationNs = std::int64_t(ns + 0.5);
    }
    if (const auto e = stats.find("error"); e != stats.end() && e->is_string())
        result.error = e->get<std::string>();
    return result;
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
