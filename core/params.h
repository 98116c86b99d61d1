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

// "1–64 threads" style description of a parameter's range.
std::string describe_range(const ParamSpec &spec);

} // namespace il
