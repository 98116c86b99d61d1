#pragma once
#include "scenario.h"

#include <optional>
#include <string>
#include <string_view>

namespace il {

// Every parameter of `info` at its default.
ParamValues default_params(const ScenarioInfo &info);

const ParamSpec *find_param(const ScenarioInfo &info, std::string_view key);

// Applies one "key=value" assignment. Returns an error message naming the problem
// (unknown key, not a whole number, out of range with the allowed range), or nullopt.
std::optional<std::string> assign_param(const ScenarioInfo &info, std::string_view assignment,
                                        ParamValues &values);

// "1 to 64 threads", "naive | ordered | waiter | polite" or "on | off".
std::string describe_range(const ParamSpec &spec);
// A value as a person writes it on the command line: "4", "ordered", "on".
std::string param_text(const ParamSpec &spec, std::int64_t value);
// A value for JSON: a number, a choice's name, or a bool.
Json param_json(const ParamSpec &spec, std::int64_t value);

} // namespace il
