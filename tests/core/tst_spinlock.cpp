#include "params.h"
#include "registry.h"
#include "run.h"
#include "scenarios/budget.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

using il::State;
using namespace iltest;

namespace {

enum Lock { TestAndSet = 0, TestAndTestAndSet = 1, StdMutex = 2 };

const char *lock_name(int lock)
{
    switch (lock) {
    case TestAndSet: return "test_and_set";
    case TestAndTestAndSet: return "test_and_test_and_set";
    default: return "std_mutex";
    }
}

double real_metric(const il::Json &metrics, const char *key)
{
    return metrics.at(key).get<double>();
}

// How many segments of all lanes are in `state`.
std::size_t count_segments(const il::Timeline &timeline, State state)
{
    std::size_t n = 0;
    for (const auto &lane : timeline.lanes())
        n += segments_where(lane, in_state(state)).size();
    return n;
}

// The state a contended waiter is shown in with this lock, and the one it never is.
State waiting_state(int lock)
{
    return lock == StdMutex ? State::Blocked : State::Spinning;
}
State foreign_state(int lock)
{
    return lock == StdMutex ? State::Spinning : State::Blocked;
}

// What holds after any finished run: the figures agree with each other.
void check_figures(const Outcome &o, std::int64_t expected)
{
    const il::Json &m = o.result.metrics;
    check_metrics_declared(o);
    QCOMPARE(metric(o, "actual"), expected);
    const double spin = real_metric(m, "spin_ms");
    const double wall = real_metric(m, "wall_ms");
    const double throughput = real_metric(m, "throughput_per_ms");
    QVERIFY2(spin >= 0.0, std::to_string(spin).c_str());
    QVERIFY2(wall > 0.0, std::to_string(wall).c_str());
    const double perMs = double(expected) / wall;
    QVERIFY2(std::abs(throughput - perMs) <= 1e-9 * perMs,
             (std::to_string(throughput) + " vs " + std::to_string(perMs)).c_str());
}

void add_lock_rows()
{
    QTest::addColumn<int>("lock");
    for (const int lock : {TestAndSet, TestAndTestAndSet, StdMutex})
        QTest::newRow(lock_name(lock)) << lock;
}

} // namespace

class TstSpinlock : public QObject {
    Q_OBJECT

private slots:
    void describesItself()
    {
        const il::Scenario *s = il::find_scenario("spinlock");
        QVERIFY(s);
        const auto &info = s->info();
        QCOMPARE(info.params.size(), std::size_t(4));
        check_choice(info.params[0], "lock", {"test_and_set", "test_and_test_and_set", "std_mutex"},
                     TestAndSet);
        check_param(info.params[1], "threads", il::ParamKind::Int, 1, 16, 4, "threads");
        check_param(info.params[2], "increments", il::ParamKind::Int, 1, 10'000'000, 200'000,
                    "increments");
        check_param(info.params[3], "critical_ns", il::ParamKind::Int, 0, 100'000, 0, "ns");
        QCOMPARE(info.metrics,
                 (std::vector<std::string>{"actual", "spin_ms", "wall_ms", "throughput_per_ms"}));
    }

    void countsExactly_data()
    {
        QTest::addColumn<int>("lock");
        QTest::addColumn<int>("threads");
        for (const int lock : {TestAndSet, TestAndTestAndSet, StdMutex})
            for (const int threads : {2, 4})
                QTest::addRow("%s, %d threads", lock_name(lock), threads) << lock << threads;
    }

    // Every lock makes the unprotected-looking `++counter` exact: nothing is lost, the
    // figures agree, and each lane is a complete record (nothing dropped). A waiter is
    // shown spinning with a spinlock and blocked with the mutex, never the other way.
    void countsExactly()
    {
        QFETCH(int, lock);
        QFETCH(int, threads);
        const std::int64_t increments = scaled(20'000);
        Outcome o;
        run_to_end("spinlock", {{"lock", lock}, {"threads", threads}, {"increments", increments}},
                   o);
        if (QTest::currentTestFailed())
            return;
        check_figures(o, threads * increments);
        check_lanes(o.timeline, "thread", threads);
        QCOMPARE(count_segments(o.timeline, foreign_state(lock)), std::size_t(0));
    }

    void contentionIsShown_data() { add_lock_rows(); }

    // Holds of 5 µs with four threads: whenever two of them run at once, or one is
    // preempted while holding the lock, another waits. Every hold is drawn as a critical
    // section and the timeline never shows two at once. On a very busy machine the
    // threads might still run one after another; each retry is longer, so more surely
    // overlapped, than the last.
    void contentionIsShown()
    {
        QFETCH(int, lock);
        const State waiting = waiting_state(lock);
        bool contended = false;
        for (const int increments : {500, 2'000, 8'000}) {
            const int n = scaled(increments);
            Outcome o;
            run_to_end("spinlock",
                       {{"lock", lock}, {"threads", 4}, {"increments", n}, {"critical_ns", 5'000}},
                       o);
            if (QTest::currentTestFailed())
                return;
            check_figures(o, 4LL * n);
            check_lanes(o.timeline, "thread", 4);
            const il::ResourceId res =
                resource_named(o.timeline, lock == StdMutex ? "mutex" : "spinlock");
            QVERIFY(res != il::kNoResource);
            QCOMPARE(max_overlap(o.timeline, State::Critical, res), 1);
            for (const auto &lane : o.timeline.lanes())
                QCOMPARE(segments_where(lane, in_state(State::Critical, res)).size(),
                         std::size_t(n));
            QCOMPARE(count_segments(o.timeline, foreign_state(lock)), std::size_t(0));
            // Every wait is on the lock, and every waiter then went in.
            for (const auto &lane : o.timeline.lanes())
                for (std::size_t i = 0; i < lane.segments.size(); ++i)
                    if (lane.segments[i].state == waiting) {
                        QCOMPARE(lane.segments[i].resource, res);
                        QVERIFY(i + 1 < lane.segments.size());
                        QCOMPARE(lane.segments[i + 1].state, State::Critical);
                    }
            contended = count_segments(o.timeline, waiting) > 0;
            if (contended)
                break;
        }
        QVERIFY2(contended, "four threads never waited for the lock in three runs");
    }

    void oneThreadNeverWaits_data() { add_lock_rows(); }

    // Alone, a thread always finds the lock free: no waiting on the timeline and no CPU
    // time spent waiting.
    void oneThreadNeverWaits()
    {
        QFETCH(int, lock);
        const std::int64_t increments = scaled(20'000);
        Outcome o;
        run_to_end("spinlock", {{"lock", lock}, {"threads", 1}, {"increments", increments}}, o);
        if (QTest::currentTestFailed())
            return;
        check_figures(o, increments);
        check_lanes(o.timeline, "thread", 1);
        QCOMPARE(describe(states_of(o.timeline.lanes()[0])), std::string("running > finished"));
        QCOMPARE(real_metric(o.result.metrics, "spin_ms"), 0.0);
    }

    void criticalWorkIsDone_data() { add_lock_rows(); }

    // 2 threads x 2000 holds of 2 µs each: the count is still exact, and since the holds
    // exclude each other the run cannot take less than their sum (a lower bound only: a
    // busy machine makes it longer, never shorter).
    void criticalWorkIsDone()
    {
        QFETCH(int, lock);
        const int increments = scaled(2'000);
        Outcome o;
        run_to_end(
            "spinlock",
            {{"lock", lock}, {"threads", 2}, {"increments", increments}, {"critical_ns", 2'000}},
            o);
        if (QTest::currentTestFailed())
            return;
        check_figures(o, 2LL * increments);
        check_lanes(o.timeline, "thread", 2);
        const double minMs = 2.0 * increments * 2'000 / 1e6;
        QVERIFY2(real_metric(o.result.metrics, "wall_ms") >= minMs,
                 std::to_string(real_metric(o.result.metrics, "wall_ms")).c_str());
        for (const auto &lane : o.timeline.lanes())
            QCOMPARE(segments_where(lane, in_state(State::Critical)).size(),
                     std::size_t(increments));
    }

    // A lane records at most LaneBudget's worth of changes: past that it says its detail
    // was not kept (Unrecorded, labelled why) and records nothing else but its end, while
    // the count stays exact. 1 thread, so every hold is uncontended: two changes each.
    void longRunsKeepABoundedRecord()
    {
        const std::int64_t holds = il::LaneBudget::kDefaultEvents / 2 + 5'000;
        Outcome o;
        run_to_end(
            "spinlock",
            {{"lock", TestAndSet}, {"threads", 1}, {"increments", holds}, {"critical_ns", 1'000}},
            o);
        if (QTest::currentTestFailed())
            return;
        check_figures(o, holds);
        const auto &lane = o.timeline.lanes().at(0);
        QCOMPARE(segments_where(lane, in_state(State::Critical)).size(),
                 std::size_t(il::LaneBudget::kDefaultEvents / 2));
        const auto unrecorded = segments_where(lane, in_state(State::Unrecorded));
        QCOMPARE(unrecorded.size(), std::size_t(1));
        QVERIFY(o.timeline.resource_name(unrecorded[0].resource).find("budget") !=
                std::string::npos);
        QCOMPARE(lane.segments.size(), std::size_t(il::LaneBudget::kDefaultEvents + 3));
        QCOMPARE(lane.segments.back().state, State::Finished);
        QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
    }

    void moreThreadsThanCoresFinish_data()
    {
        QTest::addColumn<int>("lock");
        QTest::addColumn<int>("criticalNs");
        for (const int lock : {TestAndSet, TestAndTestAndSet})
            for (const int criticalNs : {0, 2'000})
                QTest::addRow("%s, %d ns inside", lock_name(lock), criticalNs)
                    << lock << criticalNs;
    }

    // 16 spinning threads on a machine with far fewer cores: holders get preempted while
    // spinners occupy the cores, yet every thread gets through (no livelock).
    void moreThreadsThanCoresFinish()
    {
        QFETCH(int, lock);
        QFETCH(int, criticalNs);
        const int increments = scaled(criticalNs > 0 ? 200 : 2'000);
        Outcome o;
        run_to_end("spinlock",
                   {{"lock", lock},
                    {"threads", 16},
                    {"increments", increments},
                    {"critical_ns", criticalNs}},
                   o);
        if (QTest::currentTestFailed())
            return;
        check_figures(o, 16LL * increments);
        check_lanes(o.timeline, "thread", 16);
    }

    void stopEndsRunPromptly_data()
    {
        QTest::addColumn<int>("lock");
        QTest::addColumn<int>("criticalNs");
        for (const int lock : {TestAndSet, TestAndTestAndSet, StdMutex})
            QTest::addRow("%s, 100 us holds", lock_name(lock)) << lock << 100'000;
        QTest::newRow("test_and_set, tight loop") << int(TestAndSet) << 0;
    }

    // 4 x 10,000,000 increments stopped part way, as the Stop button does: with 100 µs
    // holds the stop comes while threads wait for the lock, so the waiters (spinners too)
    // must notice it; in the tight loop it comes once contention has been seen. The run ends,
    // reports every figure with what was done until then, and keeps its record.
    void stopEndsRunPromptly()
    {
        QFETCH(int, lock);
        QFETCH(int, criticalNs);
        const State waiting = waiting_state(lock);
        const auto midRun = [&](const il::Timeline &t) {
            if (t.lanes().size() < 4)
                return false;
            // With 100 µs holds someone waits now; in the tight loop, someone has waited
            // (so someone held the lock: something was counted).
            return any_lane(t, [&](const il::TimelineLane &lane) {
                return criticalNs > 0 ? now_in(lane, waiting)
                                      : first_segment(lane, in_state(waiting)) != nullptr;
            });
        };
        Stopped s;
        stop_when("spinlock",
                  {{"lock", lock},
                   {"threads", 4},
                   {"increments", 10'000'000},
                   {"critical_ns", criticalNs}},
                  3, midRun, "no thread ever waited for the lock", s);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(!s.result.completed());
        QCOMPARE(s.timeline.lanes().size(), std::size_t(4));
        check_kept(s.before, s.timeline);
        check_lanes_ended(s.timeline);
        const std::int64_t actual = s.result.metrics.at("actual").get<std::int64_t>();
        QVERIFY2(actual > 0 && actual < 40'000'000, std::to_string(actual).c_str());
        QVERIFY(real_metric(s.result.metrics, "spin_ms") >= 0.0);
        QVERIFY(real_metric(s.result.metrics, "wall_ms") > 0.0);
        QVERIFY(real_metric(s.result.metrics, "throughput_per_ms") > 0.0);
    }

    void stoppedSpinnersGiveUp_data()
    {
        QTest::addColumn<int>("lock");
        for (const int lock : {TestAndSet, TestAndTestAndSet})
            QTest::newRow(lock_name(lock)) << lock;
    }

    // A spinner notices Stop while it spins: it leaves without taking the lock, which the
    // timeline shows as spinning followed by running (otherwise spinning is always
    // followed by the critical section). The holder lets go at most 100 µs after Stop, and
    // then a spinner that had missed Stop takes the lock, so this shows only if a spinner
    // is on a CPU in that window. With 8 threads one usually is, but on a busy machine
    // every spinner may be waiting for a CPU just then: each retry is another chance.
    void stoppedSpinnersGiveUp()
    {
        QFETCH(int, lock);
        const auto spinning = [](const il::Timeline &t) {
            return t.lanes().size() == 8 && any_lane(t, [](const il::TimelineLane &lane) {
                       return now_in(lane, State::Spinning);
                   });
        };
        const auto gaveUp = [](const il::TimelineLane &lane) {
            for (std::size_t i = 0; i + 1 < lane.segments.size(); ++i)
                if (lane.segments[i].state == State::Spinning &&
                    lane.segments[i + 1].state == State::Running)
                    return true;
            return false;
        };
        bool someGaveUp = false;
        for (std::uint64_t seed = 1; seed <= 10 && !someGaveUp; ++seed) {
            Stopped s;
            stop_when("spinlock",
                      {{"lock", lock},
                       {"threads", 8},
                       {"increments", 10'000'000},
                       {"critical_ns", 100'000}},
                      seed, spinning, "no thread was seen spinning", s);
            if (QTest::currentTestFailed())
                return;
            check_lanes_ended(s.timeline);
            someGaveUp = any_lane(s.timeline, gaveUp);
        }
        QVERIFY2(someGaveUp, "no spinner left its spin loop on Stop in ten runs");
    }
};

QTEST_GUILESS_MAIN(TstSpinlock)
#include "tst_spinlock.moc"
