#include "event.h"
#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "stats.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

using il::State;
using namespace iltest;

namespace {

constexpr std::int64_t kEventLoop = 0;
constexpr std::int64_t kThreadPerTask = 1;

std::vector<std::string> lane_names(int tasks)
{
    std::vector<std::string> names{"main", "get_data"};
    for (int i = 1; i < tasks; ++i)
        names.push_back("background " + std::to_string(i));
    return names;
}

// The labels of a lane's Running segments (each names the OS thread the slice ran on).
std::set<std::string> running_labels(const il::Timeline &timeline, const il::TimelineLane &lane)
{
    std::set<std::string> labels;
    for (const auto &seg : lane.segments)
        if (seg.state == State::Running)
            labels.insert(timeline.resource_name(seg.resource));
    return labels;
}

std::int64_t await_marks(const il::Timeline &timeline)
{
    std::int64_t n = 0;
    for (const auto &lane : timeline.lanes())
        for (const auto &mark : lane.marks)
            n += mark.value == il::kMarkAwait ? 1 : 0;
    return n;
}

std::vector<std::int64_t> completion_order(const il::Json &metrics)
{
    std::vector<std::int64_t> order;
    for (const auto &v : metrics.at("completion_order"))
        order.push_back(v.get<std::int64_t>());
    return order;
}

bool has_state(const il::TimelineLane &lane, State state, il::ResourceId resource)
{
    return std::any_of(lane.segments.begin(), lane.segments.end(), [&](const il::Segment &s) {
        return s.state == state && s.resource == resource;
    });
}

// What holds in both modes after a run that ended by itself: one lane for main and one per
// task, all ended; every task completed once; every running slice names its thread; and
// each switch the scenario counted is an await mark on the timeline.
void check_complete_run(const Outcome &o, int tasks)
{
    const il::Scenario &scenario = *il::find_scenario("async");
    check_metrics_declared(scenario, o.result.metrics);
    QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
    const auto names = lane_names(tasks);
    QCOMPARE(o.timeline.lanes().size(), names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        const il::TimelineLane &lane = o.timeline.lanes()[i];
        QCOMPARE(lane.name, names[i]);
        QVERIFY2(!lane.segments.empty(), lane.name.c_str());
        QVERIFY2(!lane.open, lane.name.c_str());
        QVERIFY2(lane.segments.back().state == State::Finished, describe(states_of(lane)).c_str());
        const auto labels = running_labels(o.timeline, lane);
        QVERIFY2(!labels.empty(), lane.name.c_str());
        for (const auto &label : labels)
            QVERIFY2(label.rfind("thread ", 0) == 0, label.c_str());
    }

    auto order = completion_order(o.result.metrics);
    std::sort(order.begin(), order.end());
    std::vector<std::int64_t> all(std::size_t(tasks), 0);
    std::iota(all.begin(), all.end(), 0);
    QCOMPARE(order, all);

    // get_data awaits once, every background task four times: each gives the thread up.
    QVERIFY(metric(o, "switches") >= tasks);
    QCOMPARE(await_marks(o.timeline), metric(o, "switches"));
    QVERIFY(metric(o, "max_running_tasks") >= 1);
}

} // namespace

// The async scenario run as the app runs it, in both of its modes.
class TstAsync : public QObject {
    Q_OBJECT

private slots:
    void describesItself()
    {
        const il::Scenario *scenario = il::find_scenario("async");
        QVERIFY(scenario);
        const il::ScenarioInfo &info = scenario->info();
        QCOMPARE(info.params.size(), std::size_t(3));
        QCOMPARE(info.params[0].key, std::string("tasks"));
        QCOMPARE(info.params[0].min, std::int64_t(1));
        QCOMPARE(info.params[0].max, std::int64_t(32));
        QCOMPARE(info.params[0].def, std::int64_t(2));
        QCOMPARE(info.params[1].key, std::string("max_delay_ms"));
        QCOMPARE(info.params[1].min, std::int64_t(1));
        QCOMPARE(info.params[1].max, std::int64_t(5000));
        QCOMPARE(info.params[1].def, std::int64_t(1500));
        QCOMPARE(info.params[1].unit, std::string("ms"));
        QCOMPARE(info.params[2].key, std::string("mode"));
        QCOMPARE(info.params[2].kind, il::ParamKind::Choice);
        QCOMPARE(info.params[2].choices,
                 (std::vector<std::string>{"event_loop", "thread_per_task"}));
        QCOMPARE(info.params[2].def, std::int64_t(0));
        QCOMPARE(info.metrics, (std::vector<std::string>{"os_threads", "max_running_tasks",
                                                         "switches", "completion_order"}));
    }

    void eventLoopRunsEverythingOnOneThread_data()
    {
        QTest::addColumn<int>("tasks");
        for (int n : {1, 2, 3, 8})
            QTest::addRow("%d tasks", n) << n;
    }

    // One thread does everything, one slice at a time: a single thread label on every
    // running bar, never two bars at once, and each task that was ready while another had
    // the loop is shown waiting for it.
    void eventLoopRunsEverythingOnOneThread()
    {
        QFETCH(int, tasks);
        Outcome o;
        run_to_end("async", {{"tasks", tasks}, {"max_delay_ms", 20}, {"mode", kEventLoop}}, o);
        if (QTest::currentTestFailed())
            return;
        check_complete_run(o, tasks);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(metric(o, "os_threads"), std::int64_t(1));
        QCOMPARE(metric(o, "max_running_tasks"), std::int64_t(1));

        std::set<std::string> labels;
        for (const auto &lane : o.timeline.lanes()) {
            const auto mine = running_labels(o.timeline, lane);
            labels.insert(mine.begin(), mine.end());
        }
        QCOMPARE(labels.size(), std::size_t(1));
        const il::ResourceId thread = resource_named(o.timeline, *labels.begin());
        QCOMPARE(max_overlap(o.timeline, State::Running, thread), 1);

        // main awaits get_data before the loop has even started it, so main blocks on it.
        const il::TimelineLane &mainLane = o.timeline.lanes().front();
        QVERIFY2(has_state(mainLane, State::Blocked, resource_named(o.timeline, "get_data result")),
                 describe(states_of(mainLane)).c_str());
        // Every task is ready from the moment main starts it, but runs only once main
        // awaits, after a millisecond of its own work: it waited for the loop.
        for (std::size_t i = 1; i < o.timeline.lanes().size(); ++i) {
            const il::TimelineLane &lane = o.timeline.lanes()[i];
            QVERIFY2(lane.segments.front().state == State::Preempted,
                     (lane.name + ": " + describe(states_of(lane))).c_str());
        }
    }

    // The same tasks with std::async: each on its own OS thread for its whole life.
    void threadPerTaskGivesEachTaskAThread()
    {
        const int tasks = 4;
        Outcome o;
        run_to_end("async", {{"tasks", tasks}, {"max_delay_ms", 20}, {"mode", kThreadPerTask}}, o);
        if (QTest::currentTestFailed())
            return;
        check_complete_run(o, tasks);
        if (QTest::currentTestFailed())
            return;
        // libstdc++'s std::launch::async starts a new std::thread per call, and Linux does
        // not hand out a thread id again right after its thread ended.
        QCOMPARE(metric(o, "os_threads"), std::int64_t(tasks + 1));
        QVERIFY(metric(o, "max_running_tasks") <= tasks + 1);
        std::set<std::string> labels;
        for (const auto &lane : o.timeline.lanes()) {
            const auto mine = running_labels(o.timeline, lane);
            QCOMPARE(mine.size(), std::size_t(1)); // a task never changes threads
            labels.insert(mine.begin(), mine.end());
        }
        QCOMPARE(labels.size(), std::size_t(tasks + 1)); // and no two share one
    }

    // With a thread each, tasks really run at the same moment. Whether their slices of
    // work overlap is up to the scheduler: each background task computes for 1-5 ms four
    // times, so on two cores they practically always do, but on a loaded machine a run may
    // legitimately serialise. Up to three runs; one must overlap.
    void threadPerTaskRunsTasksAtOnce()
    {
        std::int64_t most = 0;
        for (std::uint64_t seed = 1; seed <= 3 && most < 2; ++seed) {
            Outcome o;
            run_to_end("async", {{"tasks", 4}, {"max_delay_ms", 20}, {"mode", kThreadPerTask}}, o,
                       seed);
            if (QTest::currentTestFailed())
                return;
            most = metric(o, "max_running_tasks");
        }
        QVERIFY2(most >= 2, "no two tasks ever ran at once in three runs");
    }

    void stopEndsRunPromptly_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("event_loop") << int(kEventLoop);
        QTest::newRow("thread_per_task") << int(kThreadPerTask);
    }

    // Stop while main awaits get_data's (up to 5 s) reply and the background tasks await
    // theirs (up to 1.25 s, four times each): the run ends promptly (the bound only catches
    // a hang), says it was stopped, keeps its record, and reports every metric.
    void stopEndsRunPromptly()
    {
        QFETCH(int, mode);
        const int tasks = 8;
        const il::Scenario *scenario = il::find_scenario("async");
        QVERIFY(scenario);
        il::ParamValues params;
        make_params(*scenario, {{"tasks", tasks}, {"max_delay_ms", 5000}, {"mode", mode}}, params);
        if (QTest::currentTestFailed())
            return;

        il::Run run(*scenario, params, 7);
        il::Timeline timeline;
        const bool midRun = follow_until(run, timeline, [](const il::Timeline &t) {
            if (t.lanes().size() < 2)
                return false;
            const auto &mainLane = t.lanes()[0];
            const auto &getData = t.lanes()[1];
            return mainLane.open && mainLane.segments.back().state == State::Blocked &&
                   getData.open && getData.segments.back().state == State::Sleeping;
        });
        QVERIFY2(midRun, "main never awaited get_data while it slept");
        QVERIFY(!run.finished());
        std::vector<std::vector<State>> before;
        for (const auto &lane : timeline.lanes())
            before.push_back(states_of(lane));

        run.request_stop(il::StopReason::User);
        QVERIFY2(run.wait_finished(kHangBound), "Stop did not end the run");
        timeline.apply(run.take());
        const il::RunResult result = run.result();
        timeline.close(result.durationNs);

        QCOMPARE(result.stoppedBy, il::StopReason::User);
        QVERIFY2(result.error.empty(), result.error.c_str());
        check_metrics_declared(*scenario, result.metrics); // partial, but all there
        QVERIFY(completion_order(result.metrics).size() < std::size_t(tasks)); // cut short
        QCOMPARE(result.metrics.at("os_threads").get<std::int64_t>(),
                 mode == kEventLoop ? std::int64_t(1) : std::int64_t(tasks + 1));
        if (mode == kEventLoop)
            QCOMPARE(result.metrics.at("max_running_tasks").get<std::int64_t>(), std::int64_t(1));

        // The record up to the stop is intact, and every lane has ended.
        QCOMPARE(timeline.dropped(), std::uint64_t(0));
        QCOMPARE(timeline.lanes().size(), std::size_t(tasks + 1));
        for (std::size_t i = 0; i < before.size(); ++i) {
            const auto after = states_of(timeline.lanes()[i]);
            QVERIFY2(after.size() >= before[i].size() &&
                         std::equal(before[i].begin(), before[i].end(), after.begin()),
                     (describe(before[i]) + " | " + describe(after)).c_str());
        }
        for (const auto &lane : timeline.lanes()) {
            QVERIFY2(!lane.segments.empty(), lane.name.c_str());
            QCOMPARE(lane.segments.back().state, State::Finished);
        }
    }
};

QTEST_GUILESS_MAIN(TstAsync)
#include "tst_async.moc"
