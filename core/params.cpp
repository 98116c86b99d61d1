#include "params.h"

#include <charconv>

namespace il {

ParamValues default_params(const ScenarioInfo &info)
{
    ParamValues values;
    for (const auto &p : info.params)
        values[p.key] = p.def;
    return values;
}

const ParamSpec *find_param(const ScenarioInfo &info, std::string_view key)
{
    for (const auto &p : info.params)
        if (p.key == key)
            return &p;
    return nullptr;
}

std::string param_text(const ParamSpec &spec, std::int64_t value)
{
    switch (spec.kind) {
    case ParamKind::Choice:
        if (value >= 0 && std::size_t(value) < spec.choices.size())
            return spec.choices[std::size_t(value)];
        break;
    case ParamKind::Bool: return value ? "on" : "off";
    case ParamKind::Int: break;
    }
    return std::to_string(value);
}

Json param_json(const ParamSpec &spec, std::int64_t value)
{
    switch (spec.kind) {
    case ParamKind::Choice: return param_text(spec, value);
    case ParamKind::Bool: return value != 0;
    case ParamKind::Int: break;
    }
    return value;
}

std::string describe_range(const ParamSpec &spec)
{
    if (spec.kind == ParamKind::Bool)
        return "on | off";
    if (spec.kind == ParamKind::Choice) {
        std::string names;
        for (const auto &c : spec.choices)
            names += (names.empty() ? "" : " | ") + c;
        return names;
    }
    std::string s = std::to_string(spec.min) + " to " + std::to_string(spec.max);
    if (!spec.unit.empty())
        s += " " + spec.unit;
    return s;
}

static std::string known_keys(const ScenarioInfo &info)
{
    std::string s;
    for (const auto &p : info.params)
        s += (s.empty() ? "" : ", ") + p.key;
    return s;
}

std::optional<std::string> assign_param(const ScenarioInfo &info, std::string_view assignment,
                                        ParamValues &values)
{
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return "--param expects key=value, got '" + std::string(assignment) + "'";
    const std::string_view key = assignment.substr(0, eq);
    const std::string_view text = assignment.substr(eq + 1);
    const ParamSpec *spec = find_param(info, key);
    if (!spec)
        return "unknown parameter '" + std::string(key) + "' for scenario " + info.id +
               " (known: " + known_keys(info) + ")";
    if (spec->kind == ParamKind::Choice) {
        for (std::size_t i = 0; i < spec->choices.size(); ++i)
            if (spec->choices[i] == text) {
                values[spec->key] = std::int64_t(i);
                return std::nullopt;
            }
        return "parameter " + spec->key + ": '" + std::string(text) + "' is not one of " +
               describe_range(*spec);
    }
    if (spec->kind == ParamKind::Bool) {
        for (const char *on : {"on", "true", "yes", "1"})
            if (text == on) {
                values[spec->key] = 1;
                return std::nullopt;
            }
        for (const char *off : {"off", "false", "no", "0"})
            if (text == off) {
                values[spec->key] = 0;
                return std::nullopt;
            }
        return "parameter " + spec->key + ": '" + std::string(text) + "' is not on or off";
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    // Digits that do not fit in 64 bits are still a whole number, just out of range.
    const bool whole = !text.empty() && end == text.data() + text.size() &&
                       (ec == std::errc() || ec == std::errc::result_out_of_range);
    if (!whole)
        return "parameter " + spec->key + ": '" + std::string(text) +
               "' is not a whole number; allowed range is " + describe_range(*spec);
    if (ec == std::errc::result_out_of_range || v < spec->min || v > spec->max)
        return "parameter " + spec->key + ": " + std::string(text) +
               " is out of range; allowed range is " + describe_range(*spec);
    values[spec->key] = v;
    return std::nullopt;
}

} // namespace il
