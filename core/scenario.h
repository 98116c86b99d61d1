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

enum class ParamKind {
    Int,    // a whole number in [min, max]: a slider and a spin box
    Choice, // one of `choices` (the value is its index): a combo box
    Bool,   // on or off (1 or 0): a check box
};

// One tunable of a scenario: the GUI makes a control of it, the command line accepts
// `--param key=value`, the tests sweep it.
struct ParamSpec {
    std::string key;
    std::string label;
    std::int64_t min = 0;
    std::int64_t max = 0;
    std::int64_t def = 0;
    std::string unit; // empty for plain counts
    ParamKind kind = ParamKind::Int;
    std::vector<std::string> choices;

    static ParamSpec integer(std::string key, std::string label, std::int64_t min, std::int64_t max,
                             std::int64_t def, std::string unit = {})
    {
        return {std::move(key),  std::move(label), min, max, def,
                std::move(unit), ParamKind::Int,   {}};
    }
    static ParamSpec choice(std::string key, std::string label, std::vector<std::string> names,
                            std::int64_t def = 0)
    {
        const auto last = std::int64_t(names.size()) - 1;
        return {std::move(key),    std::move(label), 0, last, def, {},
                ParamKind::Choice, std::move(names)};
    }
    static ParamSpec toggle(std::string key, std::string label, bool def)
    {
        return {std::move(key), std::move(label), 0, 1, def ? 1 : 0, {}, ParamKind::Bool, {}};
    }
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
