#pragma once
// Running scenarios from the registry the way the app does (il::Run, followed batch by
// batch into a timeline, to its end or stopped part way) and checking what every scenario
// promises. Shared by the scenario test files.
#include "params.h"
#include "registry.h"
#include "run.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace iltest {

using Overrides = std::vector<std::pair<std::string, std::int64_t>>;

// Hang guard for a run expected to end by itself; the slowest one here takes well under
// a second, several under ThreadSanitizer.
inline constexpr std::chrono::milliseconds kRunBound{60'000};

// A run that ended by itself (run_to_end).
struct Outcome {
    const il::Scenario *scenario = nullptr;
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

// The scenario `id` from the registry, with its parameters as make_params builds them.
inline void find_with_params(const std::string &id, const Overrides &overrides,
                             const il::Scenario *&scenario, il::ParamValues &params)
{
    scenario = il::find_scenario(id);
    QVERIFY2(scenario, id.c_str());
    make_params(*scenario, overrides, params);
}

inline void run_to_end(const std::string &id, const Overrides &overrides, Outcome &out,
                       std::uint64_t seed = 1)
{
    find_with_params(id, overrides, out.scenario, out.params);
    if (QTest::currentTestFailed())
        return;
    il::Run run(*out.scenario, out.params, seed);
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

inline void check_metrics_declared(const Outcome &o)
{
    check_metrics_declared(*o.scenario, o.result.metrics);
}

// Every lane has ended: its last segment is Finished.
inline void check_lanes_ended(const il::Timeline &timeline)
{
    for (const auto &lane : timeline.lanes()) {
        QVERIFY2(!lane.segments.empty(), lane.name.c_str());
        QCOMPARE(lane.segments.back().state, il::State::Finished);
    }
}

// The record up to a stop is intact: each lane's states seen `before` it are the beginning
// of the lane's final states.
inline void check_kept(const std::vector<std::vector<il::State>> &before,
                       const il::Timeline &timeline)
{
    for (std::size_t i = 0; i < before.size(); ++i) {
        const auto after = states_of(timeline.lanes()[i]);
        QVERIFY2(after.size() >= before[i].size() &&
                     std::equal(before[i].begin(), before[i].end(), after.begin()),
                 (describe(before[i]) + " | " + describe(after)).c_str());
    }
}

// A parameter as the scenario declares it (an integer's unit is empty for plain counts).
inline void check_param(const il::ParamSpec &spec, const std::string &key, il::ParamKind kind,
                        std::int64_t min, std::int64_t max, std::int64_t def,
                        const std::string &unit)
{
    QCOMPARE(spec.key, key);
    QCOMPARE(spec.kind, kind);
    QCOMPARE(spec.min, min);
    QCOMPARE(spec.max, max);
    QCOMPARE(spec.def, def);
    QCOMPARE(spec.unit, unit);
}

inline void check_choice(const il::ParamSpec &spec, const std::string &key,
                         const std::vector<std::string> &choices, std::int64_t def)
{
    QCOMPARE(spec.key, key);
    QCOMPARE(spec.kind, il::ParamKind::Choice);
    QCOMPARE(spec.choices, choices);
    QCOMPARE(spec.def, def);
}

// Asks `run` to stop for each of `reasons` in turn (the first one given is kept), as the
// Stop button does, waits for it to end and takes the rest of its record into `timeline`,
// closed at the run's end. False if it did not end within kHangBound: the bound only tells
// a hang apart, it is no speed test.
inline bool stop_and_collect(il::Run &run, il::Timeline &timeline, il::RunResult &result,
                             std::initializer_list<il::StopReason> reasons = {il::StopReason::User})
{
    for (const il::StopReason why : reasons)
        run.request_stop(why);
    if (!run.wait_finished(kHangBound))
        return false;
    timeline.apply(run.take());
    result = run.result();
    timeline.close(result.durationNs);
    return true;
}

// What a run stopped by the user reports: that, no error, and every figure it declares
// (partial figures, but all there).
inline void check_stopped(const il::Scenario &scenario, const il::RunResult &result)
{
    QCOMPARE(result.stoppedBy, il::StopReason::User);
    QVERIFY2(result.error.empty(), result.error.c_str());
    check_metrics_declared(scenario, result.metrics);
}

// A run stopped part way (stop_when).
struct Stopped {
    const il::Scenario *scenario = nullptr;
    il::ParamValues params;
    il::RunResult result;
    il::Timeline timeline;
    std::vector<std::vector<il::State>> before; // every lane's states when the stop was asked
};

// Runs `id` until `pred` holds for its timeline (`why` says it never did otherwise), then
// stops it with stop_and_collect: it must end, and check_stopped holds.
template <typename Pred>
void stop_when(const std::string &id, const Overrides &overrides, std::uint64_t seed, Pred pred,
               const char *why, Stopped &out,
               std::initializer_list<il::StopReason> reasons = {il::StopReason::User})
{
    find_with_params(id, overrides, out.scenario, out.params);
    if (QTest::currentTestFailed())
        return;
    il::Run run(*out.scenario, out.params, seed);
    QVERIFY2(follow_until(run, out.timeline, pred), why);
    QVERIFY(!run.finished());
    out.before = states_of(out.timeline);
    QVERIFY2(stop_and_collect(run, out.timeline, out.result, reasons), "Stop did not end the run");
    check_stopped(*out.scenario, out.result);
}

} // namespace iltest
