#pragma once
// Running scenarios from the registry the way the app does (il::Run, followed batch by
// batch into a timeline) and checking what every scenario promises. Shared by the
// scenario test files.
#include "params.h"
#include "registry.h"
#include "run.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace iltest {

using Overrides = std::vector<std::pair<std::string, std::int64_t>>;

// Hang guard for a run expected to end by itself; the slowest one here takes well under
// a second, several under ThreadSanitizer.
inline constexpr std::chrono::milliseconds kRunBound{60'000};

struct Outcome {
    il::ParamValues params;
    il::RunResult result;
    il::Timeline timeline;
};

// Parameters as the command line builds them: the defaults, then key=value assignments
// that go through the same validation.
inline void make_params(const il::Scenario &scenario, const Overrides &overrides,
                        il::ParamValues &out)
{
    out = il::default_params(scenario.info());
    for (const auto &[key, value] : overrides) {
        const il::ParamSpec *spec = il::find_param(scenario.info(), key);
        QVERIFY2(spec, key.c_str());
        const auto error =
            il::assign_param(scenario.info(), key + "=" + il::param_text(*spec, value), out);
        QVERIFY2(!error, error ? error->c_str() : "");
    }
}

inline void run_to_end(const std::string &id, const Overrides &overrides, Outcome &out,
                       std::uint64_t seed = 1)
{
    const il::Scenario *scenario = il::find_scenario(id);
    QVERIFY2(scenario, id.c_str());
    make_params(*scenario, overrides, out.params);
    if (QTest::currentTestFailed())
        return;
    il::Run run(*scenario, out.params, seed);
    QVERIFY2(iltest::follow_to_end(run, out.timeline, kRunBound), "the run did not end in time");
    out.result = run.result();
    out.timeline.close(out.result.durationNs);
    QVERIFY2(out.result.error.empty(), out.result.error.c_str());
    QVERIFY(out.result.completed());
    QCOMPARE(out.result.stoppedBy, il::StopReason::Finished);
    QVERIFY(out.result.durationNs > 0);
}

inline std::int64_t metric(const Outcome &o, const char *key)
{
    const auto it = o.result.metrics.find(key);
    return it != o.result.metrics.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

inline il::ResourceId resource_named(const il::Timeline &timeline, const std::string &name)
{
    const auto &all = timeline.resources();
    const auto it = std::find(all.begin(), all.end(), name);
    return it == all.end() ? il::kNoResource : il::ResourceId(it - all.begin());
}

// One lane per thread, named "<prefix> <index>" in order; each began Running and ended
// Finished, and nothing was dropped on the way.
inline void check_lanes(const il::Timeline &timeline, const std::string &prefix, int count)
{
    QCOMPARE(timeline.dropped(), std::uint64_t(0));
    QCOMPARE(timeline.lanes().size(), std::size_t(count));
    for (int i = 0; i < count; ++i) {
        const il::TimelineLane &lane = timeline.lanes()[std::size_t(i)];
        QCOMPARE(lane.name, prefix + " " + std::to_string(i));
        QVERIFY2(!lane.segments.empty(), lane.name.c_str());
        QVERIFY2(!lane.open, lane.name.c_str());
        const std::string states = iltest::describe(iltest::states_of(lane));
        QVERIFY2(lane.segments.front().state == il::State::Running, states.c_str());
        QVERIFY2(lane.segments.back().state == il::State::Finished, states.c_str());
    }
}

inline void check_metrics_declared(const il::Scenario &scenario, const il::Json &metrics)
{
    QVERIFY(metrics.is_object());
    std::set<std::string> returned;
    for (const auto &item : metrics.items())
        returned.insert(item.key());
    const auto &declared = scenario.info().metrics;
    QCOMPARE(returned, std::set<std::string>(declared.begin(), declared.end()));
    // Figures are numbers, yes/no answers, one number per thread (an array), or a few
    // named numbers such as {"mean": …, "max": …} (an object).
    for (const auto &item : metrics.items()) {
        const auto &v = item.value();
        const bool numbers =
            (v.is_array() || v.is_object()) &&
            std::all_of(v.begin(), v.end(), [](const auto &x) { return x.is_number(); });
        QVERIFY2(v.is_number() || v.is_boolean() || numbers, item.key().c_str());
    }
}

} // namespace iltest
