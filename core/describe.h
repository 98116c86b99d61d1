#pragma once
#include "scenario.h"

#include <string>

namespace il {

// The catalogue as `interleave --list` prints it: readable text, or JSON for tools.
std::string describe_text(const ScenarioInfo &info);
Json describe_json(const ScenarioInfo &info);

} // namespace il
