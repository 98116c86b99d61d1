#include "params.h"
#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "stats.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

using il::State;
using iltest::count_marks;
using iltest::last_segment;
using iltest::resource_named;

namespace {

const il::Scenario &philosophers()
{
    const il::Scenario *s = il::find_scenario("philosophers");
    if (!s)
        qFatal("no philosophers scenario in the registry");
    return *s;
}

// Parameters as the command line builds them: the defaults, then key=value assignments
// (choice names and on/off included) through the same validation.
il::ParamValues make_params(const std::vector<std::string> &assign)
{
    il::ParamValues values = il::default_params(philosophers().info());
    for (const auto &a : assign) {
        const auto error = il::assign_param(philosophers().info(), a, values);
        if (error)
            qFatal("bad test parameter %s: %s", a.c_str(), error->c_str());
    }
    return values;
}

struct Outcome : iltest::Outcome {
    il::Json stats; // as --stats reports the run
};

// Runs with default options (a deadlock ends the run) to its end; false if it did not
// end within the bound (the same as for a run that ends by itself).
bool run_to_end(const std::vector<std::string> &assign, Outcome &o, std::uint64_t seed = 1)
{
    o.scenario = &philosophers();
    o.params = make_params(assign);
    il::Run run(philosophers(), o.params, seed);
    if (!iltest::follow_to_end(run, o.timeline, iltest::kRunBound))
        return false;
    o.result = run.result();
    o.timeline.close(o.result.durationNs);
    o.stats = il::make_stats(philosophers().info(), o.params, seed, o.result, o.timeline);
    return true;
}

std::string chopstick(int i)
{
    return "chopstick " + std::to_string(i);
}

// What `lane` held just after `t`, from its hold changes.
std::set<il::ResourceId> held_at(const il::TimelineLane &lane, std::int64_t t)
{
    std::set<il::ResourceId> held;
    for (const auto &h : lane.holds) {
        if (h.tNs > t)
            break;
        if (h.acquired)
            held.insert(h.resource);
        else
            held.erase(h.resource);
    }
    return held;
}

// The most lanes that held `resource` at one moment (releases first at equal times).
int max_holders(const il::Timeline &timeline, il::ResourceId resource)
{
    std::vector<std::pair<std::int64_t, int>> edges;
    for (const auto &lane : timeline.lanes())
        for (const auto &h : lane.holds)
            if (h.resource == resource)
                edges.emplace_back(h.tNs, h.acquired ? +1 : -1);
    return iltest::peak(std::move(edges));
}

// The naive deadlock of n philosophers as the timeline names it: P_i waits for
// chopstick (i + 1) % n, held by P_{i+1}, every lane and chopstick once, from P0.
void check_naive_cycle(const il::Timeline &timeline, int n)
{
    const auto &cycle = timeline.deadlock();
    QVERIFY2(cycle, "the timeline has no deadlock");
    QCOMPARE(cycle->lanes.size(), std::size_t(n));
    QCOMPARE(cycle->resources.size(), std::size_t(n));
    std::vector<std::string> expected;
    std::string text;
    for (int i = 0; i < n; ++i) {
        QCOMPARE(cycle->lanes[std::size_t(i)], il::LaneId(i));
        QCOMPARE(timeline.lanes()[std::size_t(i)].name, "P" + std::to_string(i));
        QCOMPARE(cycle->resources[std::size_t(i)],
                 resource_named(timeline, chopstick((i + 1) % n)));
        expected.push_back("P" + std::to_string(i));
        expected.push_back(chopstick((i + 1) % n));
        text += expected[expected.size() - 2] + " \u2192 " + expected.back() + " \u2192 ";
    }
    QCOMPARE(il::deadlock_names(timeline), expected);
    QCOMPARE(il::deadlock_text(timeline), text + "P0");
    QVERIFY(cycle->tNs > 0 && cycle->tNs <= timeline.end_ns());
    // Exactly one philosopher (the one whose wait closed the cycle) carries the mark,
    // made after its request found the cycle, so after every philosopher of it began to
    // wait: each one's last Blocked segment is on the chopstick it waits for and began
    // by then. (Not compared with cycle->tNs: that is read before the closing request
    // takes the graph's lock, so it may precede another member's Blocked by a hair.)
    std::vector<std::int64_t> markTimes;
    for (const auto &lane : timeline.lanes())
        for (const auto &mark : lane.marks)
            if (mark.value == il::kMarkDeadlock)
                markTimes.push_back(mark.tNs);
    QCOMPARE(markTimes.size(), std::size_t(1));
    QVERIFY(cycle->tNs <= markTimes[0]);
    for (int i = 0; i < n; ++i) {
        const auto &lane = timeline.lanes()[std::size_t(i)];
        const il::Segment *blocked = last_segment(lane, iltest::in_state(State::Blocked));
        QVERIFY2(blocked, lane.name.c_str());
        QCOMPARE(blocked->resource, cycle->resources[std::size_t(i)]);
        QVERIFY2(blocked->startNs <= markTimes[0], lane.name.c_str());
    }
}

void check_meals(const Outcome &o, int n, std::int64_t each)
{
    const il::Json &meals = o.result.metrics.at("meals");
    QVERIFY(meals.is_array());
    QCOMPARE(meals.size(), std::size_t(n));
    for (int i = 0; i < n; ++i)
        QCOMPARE(meals.at(std::size_t(i)).get<std::int64_t>(), each);
    QCOMPARE(o.result.metrics.at("meals_total").get<std::int64_t>(), each * n);
    QCOMPARE(o.result.metrics.at("deadlock").get<bool>(), false);
    QVERIFY(o.result.metrics.at("max_wait_ms").get<double>() >= 0.0);
    QCOMPARE(o.result.metrics.at("starvation_ratio").get<double>(), 1.0);
    QVERIFY(!o.timeline.deadlock());
    QVERIFY(o.stats.at("deadlock").is_null());
    QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
    QCOMPARE(o.timeline.lanes().size(), std::size_t(n));
    for (int i = 0; i < n; ++i) {
        const auto &lane = o.timeline.lanes()[std::size_t(i)];
        QCOMPARE(lane.name, "P" + std::to_string(i));
        QCOMPARE(lane.segments.back().state, State::Finished);
        QCOMPARE(count_marks(lane, il::kMarkMeal), int(each));
        QVERIFY2(held_at(lane, o.timeline.end_ns()).empty(), lane.name.c_str());
    }
    for (int i = 0; i < n; ++i) // never two hands on one chopstick
        QCOMPARE(max_holders(o.timeline, resource_named(o.timeline, chopstick(i))), 1);
}

} // namespace

// The dining philosophers through the registry and il::Run: the naive table deadlocks
// and says who waits for whom; the cures finish every meal; Stop ends a deadlock.
class TstPhilosophers : public QObject {
    Q_OBJECT

private slots:
    void naiveDeadlocks_data()
    {
        QTest::addColumn<int>("n");
        for (int n : {2, 3, 5, 8})
            QTest::addRow("%d philosophers", n) << n;
    }

    // Everyone takes the right chopstick at once and hesitates long enough for all the
    // others to do the same, then reaches left: a cycle through every philosopher. With
    // meals=0 (until stopped) a late start only postpones it, so it always comes; the
    // headless run stops the moment it closes.
    void naiveDeadlocks()
    {
        QFETCH(int, n);
        Outcome o;
        QVERIFY2(run_to_end({"philosophers=" + std::to_string(n), "strategy=naive", "think_ms=0",
                             "eat_ms=1", "hesitation_ms=150", "meals=0"},
                            o),
                 "the deadlocked run did not end");
        QVERIFY2(o.result.error.empty(), o.result.error.c_str());
        QCOMPARE(o.result.stoppedBy, il::StopReason::Deadlock);
        QVERIFY(!o.result.completed());
        QCOMPARE(o.result.metrics.at("deadlock").get<bool>(), true);
        check_naive_cycle(o.timeline, n);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(o.stats.at("stopped_by").get<std::string>(), std::string("deadlock"));
        QCOMPARE(o.stats.at("deadlock").get<std::vector<std::string>>(),
                 il::deadlock_names(o.timeline));
        for (const auto &lane : o.timeline.lanes()) { // the run ended: every thread did
            QVERIFY2(!lane.open, lane.name.c_str());
            QCOMPARE(lane.segments.back().state, State::Finished);
            QVERIFY2(held_at(lane, o.timeline.end_ns()).empty(), lane.name.c_str());
        }
    }

    void curesFinishEveryMeal_data()
    {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<int>("n");
        for (const char *strategy : {"ordered", "waiter"})
            for (int n : {2, 3, 5, 7, 16})
                QTest::addRow("%s, %d philosophers", strategy, n) << strategy << n;
    }

    void curesFinishEveryMeal()
    {
        QFETCH(QString, strategy);
        QFETCH(int, n);
        Outcome o;
        QVERIFY2(
            run_to_end({"philosophers=" + std::to_string(n), "strategy=" + strategy.toStdString(),
                        "think_ms=0", "eat_ms=1", "hesitation_ms=1", "meals=20"},
                       o),
            "the run did not end in time");
        QVERIFY2(o.result.error.empty(), o.result.error.c_str());
        QCOMPARE(o.result.stoppedBy, il::StopReason::Finished);
        QVERIFY(o.result.completed());
        check_meals(o, n, 20);
        if (strategy == QLatin1String("waiter")) { // at most n-1 seated
            const il::ResourceId seats =
                resource_named(o.timeline, "waiter (" + std::to_string(n - 1) + " seats)");
            QVERIFY(seats != il::kNoResource);
            for (const auto &sample : o.timeline.counters().at(seats))
                QVERIFY(sample.value >= 0 && sample.value <= n - 1);
        }
    }

    void politeWithJitterCompletes()
    {
        const int n = 5;
        Outcome o;
        QVERIFY2(run_to_end({"philosophers=5", "strategy=polite", "jitter=on", "think_ms=1",
                             "eat_ms=1", "hesitation_ms=1", "retry_ms=2", "meals=5"},
                            o),
                 "the run did not end in time");
        QVERIFY2(o.result.error.empty(), o.result.error.c_str());
        QVERIFY(o.result.completed());
        check_meals(o, n, 5);
        QCOMPARE(o.stats.at("params").at("jitter").get<bool>(), true);
        QCOMPARE(o.stats.at("params").at("strategy").get<std::string>(), std::string("polite"));
    }

    // As the GUI runs it: a deadlock does not end the run, the threads stay stuck for
    // the user to look at, until Stop. Stop must end every thread and keep the record.
    void stopDuringDeadlock()
    {
        const int n = 3;
        const il::ParamValues params = make_params(
            {"philosophers=3", "strategy=naive", "think_ms=0", "eat_ms=1", "hesitation_ms=100"});
        il::Run run(philosophers(), params, 3, il::RunOptions{false});
        il::Timeline timeline;
        QVERIFY2(iltest::follow_until(
                     run, timeline, [](const il::Timeline &t) { return t.deadlock().has_value(); }),
                 "no deadlock");
        QVERIFY(!run.finished()); // nobody can move on their own
        for (const auto &lane : timeline.lanes())
            QVERIFY2(iltest::now_in(lane, State::Blocked), lane.name.c_str());
        const auto before = iltest::states_of(timeline);

        il::RunResult result;
        QVERIFY2(iltest::stop_and_collect(run, timeline, result), "Stop did not end the deadlock");

        QVERIFY2(result.error.empty(), result.error.c_str());
        QCOMPARE(result.stoppedBy, il::StopReason::User);
        QVERIFY(!result.completed());
        QCOMPARE(result.metrics.at("deadlock").get<bool>(), true);
        QCOMPARE(timeline.lanes().size(), std::size_t(n));
        for (std::size_t i = 0; i < before.size(); ++i) {
            const auto &lane = timeline.lanes()[i];
            QVERIFY2(!lane.open, lane.name.c_str());
            QCOMPARE(lane.segments.back().state, State::Finished);
            QVERIFY2(held_at(lane, timeline.end_ns()).empty(), lane.name.c_str());
        }
        iltest::check_kept(before, timeline);
        check_naive_cycle(timeline, n);
        const il::Json stats = il::make_stats(philosophers().info(), params, 3, result, timeline);
        QCOMPARE(stats.at("stopped_by").get<std::string>(), std::string("user"));
        QCOMPARE(stats.at("deadlock").get<std::vector<std::string>>().size(), std::size_t(2 * n));
    }

    // While a philosopher eats it holds both its chopsticks, and only those; every meal
    // is marked once.
    void holdsBothChopsticksWhileEating()
    {
        const int n = 4;
        Outcome o;
        QVERIFY2(run_to_end({"philosophers=4", "strategy=ordered", "think_ms=1", "eat_ms=2",
                             "hesitation_ms=1", "meals=6"},
                            o),
                 "the run did not end in time");
        QVERIFY(o.result.completed());
        for (int i = 0; i < n; ++i) {
            const auto &lane = o.timeline.lanes()[std::size_t(i)];
            const std::set<il::ResourceId> mine{resource_named(o.timeline, chopstick(i)),
                                                resource_named(o.timeline, chopstick((i + 1) % n))};
            QCOMPARE(count_marks(lane, il::kMarkMeal),
                     int(o.result.metrics.at("meals").at(std::size_t(i)).get<std::int64_t>()));
            for (const auto &h : lane.holds)
                QVERIFY2(mine.count(h.resource) == 1, lane.name.c_str());
            // A meal ends in a mark, after the lane was Critical (eating) holding both.
            int meals = 0;
            for (const auto &mark : lane.marks) {
                if (mark.value != il::kMarkMeal)
                    continue;
                ++meals;
                const il::Segment *eating = last_segment(lane, [&](const il::Segment &s) {
                    return s.state == State::Critical && s.startNs <= mark.tNs;
                });
                QVERIFY2(eating, lane.name.c_str());
                QCOMPARE(held_at(lane, eating->startNs), mine);
                QVERIFY2(held_at(lane, mark.tNs).empty(), lane.name.c_str());
            }
            QCOMPARE(meals, 6);
        }
    }
};

QTEST_GUILESS_MAIN(TstPhilosophers)
#include "tst_philosophers.moc"
