#pragma once
#include "recorder.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

namespace il {

using Json = nlohmann::ordered_json;

// One tunable of a scenario: the GUI makes a slider of it, the command line accepts
// `--param key=value`, the tests sweep it.
struct ParamSpec {
    std::string key;
    std::string label;
    std::int64_t min = 0;
    std::int64_t max = 0;
    std::int64_t def = 0;
    std::string unit; // empty for plain counts
};

struct ScenarioInfo {
    std::string id;
    std::string title;
    std::string explanation; // one paragraph, plain text
    std::vector<ParamSpec> params;
    std::vector<std::string> metrics; // names of the keys run() returns
};

using ParamValues = std::map<std::string, std::int64_t>;

// Everything a running scenario may use.
struct RunContext {
    Recorder &recorder;
    const ParamValues &params;
    std::stop_token stop;
    std::uint64_t seed = 0;

    std::int64_t param(const std::string &key) const { return params.at(key); }
};

class Scenario {
public:
    virtual ~Scenario() = default;
    virtual const ScenarioInfo &info() const = 0;
    // Runs on real threads until done or until ctx.stop is requested; returns the
    // metrics named in info().metrics (partial figures if stopped).
    virtual Json run(RunContext &ctx) const = 0;
};

} // namespace il
