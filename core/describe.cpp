#include "describe.h"
#include "params.h"

#include <algorithm>

namespace il {

std::string describe_text(const ScenarioInfo &info)
{
    std::size_t width = 0;
    for (const auto &p : info.params)
        width = std::max(width, p.key.size());
    std::string s = info.id + " - " + info.title + "\n";
    for (const auto &p : info.params) {
        s += "    --param " + p.key + "=" + (p.kind == ParamKind::Int ? "N" : "X") +
             std::string(width - p.key.size() + 2, ' ') + p.label + ", " + describe_range(p) +
             " (default " + param_text(p, p.def) + ")\n";
    }
    s += "    metrics:";
    for (const auto &m : info.metrics)
        s += " " + m;
    return s + "\n";
}

Json describe_json(const ScenarioInfo &info)
{
    Json params = Json::array();
    for (const auto &p : info.params) {
        Json j{{"key", p.key},
               {"label", p.label},
               {"kind", p.kind == ParamKind::Int      ? "int"
                        : p.kind == ParamKind::Choice ? "choice"
                                                      : "bool"},
               {"min", p.min},
               {"max", p.max},
               {"default", param_json(p, p.def)},
               {"unit", p.unit}};
        if (p.kind == ParamKind::Choice)
            j["choices"] = p.choices;
        params.push_back(std::move(j));
    }
    return Json{{"id", info.id},
                {"title", info.title},
                {"explanation", info.explanation},
                {"params", params},
                {"metrics", info.metrics}};
}

} // namespace il
