#include "params.h"
#include "recorder.h"
#include "registry.h"
#include "run.h"
#include "stats.h"
#include "sync.h"
#include "testutil.h"
#include "timeline.h"
#include "waitforgraph.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <latch>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using il::LaneId;
using il::ResourceId;
using il::State;
using il::WaitForGraph;

namespace {

// Hang guard for a whole run; the runs here take well under a second.
constexpr std::chrono::milliseconds kRunBound{60'000};

// Owner fields as the locks keep them, without any lock: the graph only reads them.
struct FakeLocks {
    FakeLocks(WaitForGraph &graph, int count)
    {
        for (int i = 0; i < count; ++i) {
            owners.emplace_back(WaitForGraph::kNobody);
            graph.track(resource(i), &owners.back());
        }
    }
    // Resource ids start at 1: 0 is kNoResource.
    static ResourceId resource(int i) { return ResourceId(i + 1); }
    void hold(int i, LaneId lane) { owners[std::size_t(i)].store(lane); }

    std::deque<std::atomic<LaneId>> owners; // a deque: atomics stay where they are
};

std::vector<LaneId> lanes_of(std::initializer_list<int> ids)
{
    std::vector<LaneId> out;
    for (int id : ids)
        out.push_back(LaneId(id));
    return out;
}

std::vector<ResourceId> resources_of(std::initializer_list<int> locks)
{
    std::vector<ResourceId> out;
    for (int i : locks)
        out.push_back(FakeLocks::resource(i));
    return out;
}

il::ParamValues params_for(const il::Scenario &scenario, const std::vector<std::string> &assign)
{
    il::ParamValues values = il::default_params(scenario.info());
    for (const auto &a : assign) {
        const auto error = il::assign_param(scenario.info(), a, values);
        if (error)
            qFatal("bad test parameter %s: %s", a.c_str(), error->c_str());
    }
    return values;
}

// Runs a scenario to its end (stop on deadlock, as headless runs do) into `timeline`.
bool run_to_end(const std::string &id, const std::vector<std::string> &assign,
                il::Timeline &timeline, il::RunResult &result, il::ParamValues &params)
{
    const il::Scenario *scenario = il::find_scenario(id);
    if (!scenario)
        return false;
    params = params_for(*scenario, assign);
    il::Run run(*scenario, params, 1);
    if (!iltest::follow_to_end(run, timeline, kRunBound))
        return false;
    result = run.result();
    timeline.close(result.durationNs);
    return true;
}

} // namespace

// The wait-for graph on its own (fake owners, one thread), then a real AB/BA deadlock
// between two threads, then whole runs that must not report one.
class TstDeadlock : public QObject {
    Q_OBJECT

private slots:
    // 0 waits for 1 waits for 2 waits for a free lock, or for one held by a lane that
    // waits for nothing: a chain, not a cycle.
    void chainIsNoCycle()
    {
        WaitForGraph graph;
        int calls = 0;
        graph.set_listener([&](const il::DeadlockCycle &) { ++calls; });
        FakeLocks locks(graph, 4);
        locks.hold(0, 1);
        locks.hold(1, 2);
        locks.hold(3, 3);
        QVERIFY(!graph.request(0, locks.resource(0), 10));
        QVERIFY(!graph.request(1, locks.resource(1), 11));
        QVERIFY(!graph.request(2, locks.resource(2), 12)); // free
        QVERIFY(!graph.request(2, locks.resource(3), 13)); // held by 3, which runs
        QVERIFY(!graph.request(4, locks.resource(0), 14)); // into the chain, not a loop
        QVERIFY(!graph.first_cycle());
        QCOMPARE(calls, 0);
    }

    void cycleFoundByClosingRequest_data()
    {
        QTest::addColumn<std::vector<LaneId>>("lanes"); // around the cycle
        QTest::addColumn<int>("closer");                // index of the last to request
        QTest::addColumn<std::vector<LaneId>>("expectLanes");
        QTest::addColumn<std::vector<ResourceId>>("expectResources");
        // Lane lanes[i] holds lock i and requests lock (i + 1) % n, held by lanes[i + 1].
        QTest::newRow("2-cycle, 0 closes")
            << lanes_of({0, 1}) << 0 << lanes_of({0, 1}) << resources_of({1, 0});
        QTest::newRow("2-cycle, 1 closes")
            << lanes_of({0, 1}) << 1 << lanes_of({0, 1}) << resources_of({1, 0});
        QTest::newRow("2-cycle, higher lane first")
            << lanes_of({7, 3}) << 0 << lanes_of({3, 7}) << resources_of({0, 1});
        QTest::newRow("3-cycle, 0 closes")
            << lanes_of({0, 1, 2}) << 0 << lanes_of({0, 1, 2}) << resources_of({1, 2, 0});
        QTest::newRow("3-cycle, 2 closes")
            << lanes_of({0, 1, 2}) << 2 << lanes_of({0, 1, 2}) << resources_of({1, 2, 0});
        QTest::newRow("3-cycle, lowest in the middle")
            << lanes_of({5, 2, 9}) << 2 << lanes_of({2, 9, 5}) << resources_of({2, 0, 1});
        QTest::newRow("4-cycle, lowest last")
            << lanes_of({4, 6, 8, 1}) << 1 << lanes_of({1, 4, 6, 8}) << resources_of({0, 1, 2, 3});
    }

    // Every request before the closing one finds nothing; the closing one returns the
    // cycle in the documented order (lanes[i] waits for resources[i], held by
    // lanes[i + 1]), started at its lowest lane whoever closed it, with the time of the
    // closing request; it is kept as the first cycle and the listener hears of it once.
    void cycleFoundByClosingRequest()
    {
        QFETCH(std::vector<LaneId>, lanes);
        QFETCH(int, closer);
        QFETCH(std::vector<LaneId>, expectLanes);
        QFETCH(std::vector<ResourceId>, expectResources);
        const int n = int(lanes.size());
        WaitForGraph graph;
        std::vector<il::DeadlockCycle> heard;
        graph.set_listener([&](const il::DeadlockCycle &c) { heard.push_back(c); });
        FakeLocks locks(graph, n);
        for (int i = 0; i < n; ++i)
            locks.hold(i, lanes[std::size_t(i)]);

        std::optional<il::DeadlockCycle> closed;
        for (int k = 1; k <= n; ++k) {
            const int i = (closer + k) % n; // `closer` goes last
            auto found = graph.request(lanes[std::size_t(i)], locks.resource((i + 1) % n), 100 + k);
            if (k < n) {
                QVERIFY2(!found, qPrintable(QString("request %1 of %2").arg(k).arg(n)));
                QVERIFY(!graph.first_cycle());
            } else {
                closed = found;
            }
        }
        QVERIFY(closed);
        QCOMPARE(closed->lanes, expectLanes);
        QCOMPARE(closed->resources, expectResources);
        QCOMPARE(closed->tNs, std::int64_t(100 + n));
        const auto first = graph.first_cycle();
        QVERIFY(first);
        QCOMPARE(first->lanes, expectLanes);
        QCOMPARE(first->resources, expectResources);
        QCOMPARE(heard.size(), std::size_t(1));
        QCOMPARE(heard[0].lanes, expectLanes);
        QCOMPARE(heard[0].resources, expectResources);
    }

    // A lane that gave up waiting (or got its lock) is no edge any more.
    void doneWaitingRemovesTheEdge()
    {
        WaitForGraph graph;
        FakeLocks locks(graph, 2);
        locks.hold(0, 0);
        locks.hold(1, 1);
        QVERIFY(!graph.request(0, locks.resource(1), 1));
        graph.done_waiting(0);
        QVERIFY(!graph.request(1, locks.resource(0), 2)); // 0 waits no more
        QVERIFY(!graph.first_cycle());
        graph.done_waiting(7); // a lane the graph never saw: nothing happens
        const auto again = graph.request(0, locks.resource(1), 3); // 1 still waits
        QVERIFY(again);
        QCOMPARE(again->lanes, lanes_of({0, 1}));
        QCOMPARE(again->resources, resources_of({1, 0}));
    }

    // A lock that is gone (untracked) has no holder, so waiting for it closes nothing.
    void untrackedLockHasNoHolder()
    {
        WaitForGraph graph;
        FakeLocks locks(graph, 2);
        locks.hold(0, 0);
        locks.hold(1, 1);
        QVERIFY(!graph.request(0, locks.resource(1), 1));
        graph.untrack(locks.resource(0));
        QVERIFY(!graph.request(1, locks.resource(0), 2));
        QVERIFY(!graph.first_cycle());
    }

    void waitingForOwnLockIsCycleOfOne()
    {
        WaitForGraph graph;
        int calls = 0;
        graph.set_listener([&](const il::DeadlockCycle &) { ++calls; });
        FakeLocks locks(graph, 3);
        locks.hold(2, 4);
        const auto cycle = graph.request(4, locks.resource(2), 55);
        QVERIFY(cycle);
        QCOMPARE(cycle->lanes, lanes_of({4}));
        QCOMPARE(cycle->resources, resources_of({2}));
        QCOMPARE(cycle->tNs, std::int64_t(55));
        QCOMPARE(calls, 1);
    }

    // Two separate deadlocks: the second is returned to its closer, but the run's
    // deadlock stays the first, and the listener is not called again.
    void onlyFirstCycleIsKept()
    {
        WaitForGraph graph;
        std::vector<il::DeadlockCycle> heard;
        graph.set_listener([&](const il::DeadlockCycle &c) { heard.push_back(c); });
        FakeLocks locks(graph, 4);
        locks.hold(0, 2);
        locks.hold(1, 3);
        locks.hold(2, 0);
        locks.hold(3, 1);
        // 2 and 3 deadlock on locks 0 and 1 first; then 0 and 1 on locks 2 and 3.
        QVERIFY(!graph.request(2, locks.resource(1), 1));
        QVERIFY(graph.request(3, locks.resource(0), 2));
        QVERIFY(!graph.request(0, locks.resource(3), 3));
        const auto second = graph.request(1, locks.resource(2), 4);
        QVERIFY(second);
        QCOMPARE(second->lanes, lanes_of({0, 1}));
        QCOMPARE(second->resources, resources_of({3, 2}));
        QCOMPARE(second->tNs, std::int64_t(4));

        const auto first = graph.first_cycle();
        QVERIFY(first);
        QCOMPARE(first->lanes, lanes_of({2, 3}));
        QCOMPARE(first->resources, resources_of({1, 0}));
        QCOMPARE(first->tNs, std::int64_t(2));
        QCOMPARE(heard.size(), std::size_t(1));
        QCOMPARE(heard[0].lanes, lanes_of({2, 3}));
        QCOMPARE(graph.first_cycle()->lanes, lanes_of({2, 3})); // stays
    }

    // A lane waiting into somebody else's cycle is not in it: its request must end
    // (not walk the loop forever) and report nothing new.
    void waitingIntoAnotherCycleIsNotACycle()
    {
        WaitForGraph graph;
        FakeLocks locks(graph, 3);
        locks.hold(0, 0);
        locks.hold(1, 1);
        locks.hold(2, 2);
        QVERIFY(!graph.request(0, locks.resource(1), 1));
        QVERIFY(graph.request(1, locks.resource(0), 2));
        QVERIFY(!graph.request(2, locks.resource(0), 3));
        QVERIFY(!graph.request(3, locks.resource(2), 4)); // 3 → 2 → 0 ⇄ 1
        QCOMPARE(graph.first_cycle()->lanes, lanes_of({0, 1}));
    }

    // The listener runs outside the graph's lock, so it may ask the graph (a Run's
    // listener stops the run, which wakes waiters that then call done_waiting).
    void listenerMayUseTheGraph()
    {
        WaitForGraph graph;
        FakeLocks locks(graph, 2);
        locks.hold(0, 0);
        locks.hold(1, 1);
        std::atomic<bool> sawItself{false};
        graph.set_listener([&](const il::DeadlockCycle &c) {
            const auto first = graph.first_cycle();
            sawItself = first && first->lanes == c.lanes;
            graph.done_waiting(c.lanes.front());
        });
        iltest::Threads closer; // a listener called under the lock would hang: the guard
        closer.start([&] {
            (void)graph.request(0, locks.resource(1), 1);
            (void)graph.request(1, locks.resource(0), 2);
        });
        QVERIFY2(closer.join_within(iltest::kHangBound), "the listener hangs on the graph");
        QVERIFY(sawItself);
    }

    // Two threads, two locks, opposite order: both hold their first lock before asking
    // for the second, so they deadlock for sure. The graph names both lanes and both
    // locks; stopping makes both lock() calls give up, and both threads end.
    void realDeadlockIsDetectedAndStopEndsIt()
    {
        il::Recorder recorder;
        il::Lane &laneA = recorder.add_lane("A");
        il::Lane &laneB = recorder.add_lane("B");
        il::InstrumentedMutex lockX(recorder, "lock X");
        il::InstrumentedMutex lockY(recorder, "lock Y");
        il::WaitForGraph &graph = recorder.wait_for_graph();
        std::atomic<int> heard{0};
        graph.set_listener([&](const il::DeadlockCycle &) { heard.fetch_add(1); });

        // One stop for both, as a run has. Each keeps its first lock until both have
        // come back from the second, so neither can get in through the other giving up.
        std::stop_source stop;
        std::latch bothHoldOne(2);
        std::latch bothBack(2);
        std::atomic<int> gotSecond{0};
        std::atomic<int> gaveUp{0};
        auto body = [&](il::Lane &lane, il::InstrumentedMutex &first,
                        il::InstrumentedMutex &second) {
            if (!first.lock(lane, stop.get_token()))
                return;
            bothHoldOne.arrive_and_wait();
            const bool got = second.lock(lane, stop.get_token());
            (got ? gotSecond : gaveUp).fetch_add(1);
            bothBack.arrive_and_wait();
            if (got)
                second.unlock(lane);
            first.unlock(lane);
        };
        {
            iltest::Threads threads;
            threads.start([&] { body(laneA, lockX, lockY); });
            threads.start([&] { body(laneB, lockY, lockX); });
            // On a failed check below, stop too (before ~Threads waits for them).
            const std::unique_ptr<std::stop_source, void (*)(std::stop_source *)> stopOnExit(
                &stop, [](std::stop_source *s) { s->request_stop(); });

            // The cycle is kept first, then the listener is told (outside the lock).
            QVERIFY2(iltest::await([&] { return graph.first_cycle() && heard.load() > 0; }),
                     "the deadlock was not detected");
            const auto cycle = graph.first_cycle();
            // A (lower lane) waits for Y, held by B, which waits for X, held by A.
            QCOMPARE(cycle->lanes, (std::vector<LaneId>{laneA.id(), laneB.id()}));
            QCOMPARE(cycle->resources,
                     (std::vector<ResourceId>{lockY.resource(), lockX.resource()}));
            QVERIFY(cycle->tNs >= recorder.origin_ns());
            QCOMPARE(heard.load(), 1);
            QCOMPARE(gotSecond.load() + gaveUp.load(), 0); // deadlocked, truly

            stop.request_stop();
            QVERIFY2(threads.join_within(iltest::kHangBound),
                     "stop did not end the deadlocked lock() calls");
        }
        QCOMPARE(gotSecond.load(), 0);
        QCOMPARE(gaveUp.load(), 2);
        QCOMPARE(heard.load(), 1);

        // Both locks are free again, and nobody waits: taking them closes nothing.
        QVERIFY(lockX.try_lock(laneA));
        QVERIFY(lockY.try_lock(laneB));
        lockY.unlock(laneB);
        lockX.unlock(laneA);

        // The record: each lane was Blocked on the other's lock, exactly one of them
        // (the closer) carries the deadlock mark, and each ended Running after giving up.
        il::EventBuffer events;
        recorder.drain(events);
        QCOMPARE(recorder.dropped(), std::uint64_t(0));
        int deadlockMarks = 0;
        bool blockedA = false, blockedB = false;
        for (const il::Event &e : events) {
            if (e.kind == il::EventKind::Mark && e.value == il::kMarkDeadlock)
                ++deadlockMarks;
            if (e.kind == il::EventKind::State && e.state == State::Blocked) {
                blockedA |= e.lane == laneA.id() && e.resource == lockY.resource();
                blockedB |= e.lane == laneB.id() && e.resource == lockX.resource();
            }
        }
        QCOMPARE(deadlockMarks, 1);
        QVERIFY(blockedA);
        QVERIFY(blockedB);
    }

    void runsWithoutDeadlockReportNone_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QStringList>("assign");
        QTest::newRow("mutex, 4 threads") << "mutex" << QStringList{"threads=4", "increments=2000"};
        QTest::newRow("philosophers, ordered, 5 meals")
            << "philosophers" << QStringList{"philosophers=5", "strategy=ordered", "think_ms=1",
                                             "eat_ms=1",       "hesitation_ms=1",  "meals=5"};
    }

    // No cycle, so no deadlock anywhere: not in the stop reason, the timeline, the
    // stats or the metrics.
    void runsWithoutDeadlockReportNone()
    {
        QFETCH(QString, id);
        QFETCH(QStringList, assign);
        std::vector<std::string> a;
        for (const auto &s : assign)
            a.push_back(s.toStdString());
        il::Timeline timeline;
        il::RunResult result;
        il::ParamValues params;
        QVERIFY2(run_to_end(id.toStdString(), a, timeline, result, params),
                 "the run did not end in time");
        QVERIFY2(result.error.empty(), result.error.c_str());
        QCOMPARE(result.stoppedBy, il::StopReason::Finished);
        QVERIFY(result.completed());
        QVERIFY(!timeline.deadlock());
        QVERIFY(il::deadlock_names(timeline).empty());
        QCOMPARE(il::deadlock_text(timeline), std::string());
        const il::Scenario &scenario = *il::find_scenario(id.toStdString());
        const il::Json stats = il::make_stats(scenario.info(), params, 1, result, timeline);
        QVERIFY(stats.at("deadlock").is_null());
        for (const auto &lane : timeline.lanes())
            for (const auto &mark : lane.marks)
                QVERIFY2(mark.value != il::kMarkDeadlock, lane.name.c_str());
        if (result.metrics.contains("deadlock"))
            QCOMPARE(result.metrics.at("deadlock").get<bool>(), false);
    }
};

QTEST_GUILESS_MAIN(TstDeadlock)
#include "tst_deadlock.moc"
