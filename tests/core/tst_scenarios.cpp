#include "params.h"
#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "stats.h"
#include "testutil.h"
#include "timeline.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using il::State;
using namespace iltest;

namespace {

// How often a resource's critical sections, in time order, pass from one lane to another;
// `ties` counts the sections whose place in that order the times leave open (empty ones,
// or those starting in the same nanosecond as the one before: taken and given back
// faster than the clock's resolution). Each can move the count by at most two.
std::int64_t lane_changes(const il::Timeline &timeline, il::ResourceId resource, std::int64_t &ties)
{
    const std::vector<CriticalSection> held = critical_sections(timeline, resource);
    std::int64_t changes = 0;
    ties = 0;
    for (std::size_t i = 0; i < held.size(); ++i) {
        const bool tie =
            held[i].startNs == held[i].endNs || (i > 0 && held[i].startNs == held[i - 1].startNs);
        ties += tie ? 1 : 0;
        if (i > 0)
            changes += held[i].lane != held[i - 1].lane ? 1 : 0;
    }
    return changes;
}

} // namespace

// Scenarios run as the app runs them: looked up in the registry, started through
// il::Run on real threads, followed batch by batch into a timeline, and stopped at will.
class TstScenarios : public QObject {
    Q_OBJECT

private slots:
    // Whether updates get lost is up to the scheduler: one thread's read and write must
    // straddle another's, by running at the same moment on the other core or by being
    // preempted between the two. On an idle two-core machine four threads doing a
    // million increments each practically always lose some; on a busy one (ctest -j2,
    // and scenario threads run at a lower priority) each loop may fit in a time slice of
    // its own and nothing overlaps, which is legitimate. So up to three runs, each
    // longer and so more often preempted mid-loop than the last; one must lose updates.
    void raceLosesUpdates()
    {
        bool lost = false;
        for (const std::int64_t increments : {1'000'000, 3'000'000, 10'000'000}) {
            Outcome o;
            run_to_end("race", {{"threads", 4}, {"increments", increments}}, o);
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(metric(o, "expected"), 4 * increments);
            QCOMPARE(metric(o, "actual") + metric(o, "lost_updates"), 4 * increments);
            QVERIFY(metric(o, "actual") > 0);
            QVERIFY(metric(o, "lost_updates") >= 0);
            check_lanes(o.timeline, "thread", 4);
            for (const auto &lane : o.timeline.lanes())
                QCOMPARE(iltest::describe(iltest::states_of(lane)),
                         std::string("running > critical section > finished"));
            lost = metric(o, "lost_updates") > 0;
            if (lost)
                break;
        }
        QVERIFY2(lost, "4 threads lost no update in three runs of 1, 3 and 10 million each");
    }

    void raceWithOneThreadLosesNothing()
    {
        Outcome o;
        run_to_end("race", {{"threads", 1}, {"increments", 200'000}}, o);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(metric(o, "expected"), std::int64_t(200'000));
        QCOMPARE(metric(o, "actual"), std::int64_t(200'000));
        QCOMPARE(metric(o, "lost_updates"), std::int64_t(0));
        check_lanes(o.timeline, "thread", 1);
    }

    // The counter in a real text file: every thread reads it, pauses 5-50 ms, and writes
    // back what it read plus its increments. Threads that start together all read 0
    // before the first write, so the last writer erases the others' work. Only if every
    // thread began after the previous one had written could nothing be lost, which would
    // take start delays longer than the pauses, several times in a row.
    void fileRaceLosesUpdatesAndLeavesNoFile_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("4 threads") << 4;
        QTest::newRow("8 threads") << 8;
    }

    void fileRaceLosesUpdatesAndLeavesNoFile()
    {
        QFETCH(int, threads);
        QTemporaryDir tmp; // the scenario's own temporary directory goes in here
        QVERIFY(tmp.isValid());
        // Restored however the test ends (a failed check returns at once).
        struct TmpDirOverride {
            QByteArray old = qgetenv("TMPDIR");
            explicit TmpDirOverride(const QString &dir)
            {
                qputenv("TMPDIR", QFile::encodeName(dir));
            }
            ~TmpDirOverride()
            {
                if (old.isNull())
                    qunsetenv("TMPDIR");
                else
                    qputenv("TMPDIR", old);
            }
        } tmpDirOverride(tmp.path());
        bool lost = false;
        for (std::uint64_t seed = 1; seed <= 3 && !lost; ++seed) {
            Outcome o;
            run_to_end("race", {{"threads", threads}, {"increments", 1000}, {"variant", 1}}, o,
                       seed);
            if (QTest::currentTestFailed())
                break;
            QCOMPARE(metric(o, "expected"), std::int64_t(threads) * 1000);
            QCOMPARE(metric(o, "actual") + metric(o, "lost_updates"), metric(o, "expected"));
            // Whatever was lost, the file holds whole writes of 1000: some thread's work.
            QVERIFY(metric(o, "actual") >= 1000 && metric(o, "actual") % 1000 == 0);
            check_lanes(o.timeline, "thread", threads);
            QVERIFY2(QDir(tmp.path()).isEmpty(), "the scenario left files behind");
            lost = metric(o, "lost_updates") > 0;
            if (threads == 1)
                QCOMPARE(metric(o, "lost_updates"), std::int64_t(0));
        }
        if (threads > 1)
            QVERIFY2(lost, "no run lost an update through the file");
    }

    void mutexCountsExactly_data()
    {
        QTest::addColumn<int>("threads");
        for (int n : {1, 2, 4, 7})
            QTest::addRow("%d threads", n) << n;
    }

    void mutexCountsExactly()
    {
        QFETCH(int, threads);
        // Few enough that every lane's events fit its ring, so the record is complete.
        const std::int64_t increments = iltest::scaled(5'000);
        Outcome o;
        run_to_end("mutex", {{"threads", threads}, {"increments", increments}}, o);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(metric(o, "expected"), threads * increments);
        QCOMPARE(metric(o, "actual"), threads * increments);
        QCOMPARE(metric(o, "max_holders"), std::int64_t(1));
        QVERIFY(o.result.metrics.at("lock_wait_ms").get<double>() >= 0.0);
        check_lanes(o.timeline, "thread", threads);

        const il::ResourceId lock = resource_named(o.timeline, "counter mutex");
        QVERIFY(lock != il::kNoResource);
        QCOMPARE(iltest::max_overlap(o.timeline, State::Critical, lock), 1);

        // Handovers: each thread took the lock at least once, so it changed threads at
        // least threads - 1 times, and the timeline shows every one of them: the lock's
        // critical sections in time order, counting each that is another lane's than
        // the one before (up to sections the clock cannot order).
        const std::int64_t handovers = metric(o, "handovers");
        QVERIFY(handovers >= threads - 1);
        QVERIFY(handovers < threads * increments);
        if (o.timeline.dropped() == 0) {
            std::int64_t ties = 0;
            const std::int64_t seen = lane_changes(o.timeline, lock, ties);
            QVERIFY2(std::abs(seen - handovers) <= 2 * ties,
                     qPrintable(QStringLiteral("timeline %1, metric %2, %3 ties")
                                    .arg(seen)
                                    .arg(handovers)
                                    .arg(ties)));
        }
    }

    void semaphoreMaxConcurrency_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<int>("permits");
        QTest::addColumn<int>("implementation");
        for (const auto &[name, implementation] :
             {std::pair{"mutex_condvar", 0}, std::pair{"std_counting_semaphore", 1}}) {
            for (const auto &[workers, permits] :
                 std::vector<std::pair<int, int>>{{1, 1}, {4, 1}, {5, 2}, {8, 3}, {2, 4}, {6, 6}})
                QTest::addRow("%s, %d workers, %d permits", name, workers, permits)
                    << workers << permits << implementation;
        }
    }

    // Each worker holds its permit for `work_ms`, long enough for all workers to have
    // started and queued (thread starts take microseconds; 100 ms leaves room for a busy
    // machine), so the semaphore is saturated: exactly min(permits, workers) inside at
    // the peak, by the scenario's own count and on the timeline.
    void semaphoreMaxConcurrency()
    {
        QFETCH(int, workers);
        QFETCH(int, permits);
        QFETCH(int, implementation);
        Outcome o;
        run_to_end("semaphore",
                   {{"workers", workers},
                    {"permits", permits},
                    {"work_ms", 100},
                    {"implementation", implementation}},
                   o);
        if (QTest::currentTestFailed())
            return;
        const int expected = std::min(permits, workers);
        QCOMPARE(metric(o, "max_concurrency"), std::int64_t(expected));
        QVERIFY(o.result.metrics.at("permit_wait_ms").get<double>() >= 0.0);
        check_lanes(o.timeline, "worker", workers);

        const il::ResourceId sem = resource_named(o.timeline, "semaphore");
        QVERIFY(sem != il::kNoResource);
        QCOMPARE(iltest::max_overlap(o.timeline, State::Critical, sem), expected);
        for (const auto &lane : o.timeline.lanes()) // each worker got in exactly once
            QCOMPARE(segments_where(lane, in_state(State::Critical)).size(), std::size_t(1));
        for (const auto &sample : o.timeline.counters().at(sem))
            QVERIFY(sample.value >= 0 && sample.value <= permits);
    }

    void everyScenarioRunsAtItsMinimum_data()
    {
        QTest::addColumn<QString>("id");
        for (const auto &s : il::scenarios())
            QTest::newRow(s->info().id.c_str()) << QString::fromStdString(s->info().id);
    }

    // Any scenario in the registry, with every parameter at its smallest: it ends by
    // itself, reports exactly the metrics it declares, and leaves a complete record.
    void everyScenarioRunsAtItsMinimum()
    {
        QFETCH(QString, id);
        const il::Scenario *scenario = il::find_scenario(id.toStdString());
        QVERIFY(scenario);
        Overrides minimum;
        for (const auto &p : scenario->info().params)
            minimum.emplace_back(p.key, p.min);
        // The philosophers' minimum of 0 meals means "until stopped", and the first
        // strategy (naive) may deadlock (tst_philosophers covers that): ask for one meal
        // with resource ordering, the smallest run that always ends by itself.
        if (id == QLatin1String("philosophers"))
            for (auto &[key, value] : minimum) {
                if (key == "meals")
                    value = 1;
                if (key == "strategy")
                    value = 1; // ordered
            }
        Outcome o;
        run_to_end(id.toStdString(), minimum, o);
        if (QTest::currentTestFailed())
            return;
        check_metrics_declared(*scenario, o.result.metrics);
        QVERIFY(!o.timeline.lanes().empty());
        QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
        check_lanes_ended(o.timeline);
    }

    void stopEndsRunPromptly_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<int>("lanes");
        QTest::addColumn<bool>("waitsForBlocked");
        // Whether every event fits the rings: the mutex records two per increment as fast
        // as it can, so its rings may overflow before the stop, and a drop may be any
        // event, the last one too.
        QTest::addColumn<bool>("lossless");
        QTest::newRow("semaphore, 20 workers, 2 s of work") << "semaphore"
                                                            << "worker" << 20 << true << true;
        QTest::newRow("race, 8 x 10,000,000") << "race"
                                              << "thread" << 8 << false << true;
        QTest::newRow("mutex, 8 x 10,000,000") << "mutex"
                                               << "thread" << 8 << false << false;
    }

    // Stop in the middle, as the Stop button does. The run must end promptly (the bound
    // guards against a hang; it is not a speed test), say it was stopped by the user,
    // and keep the record made up to then.
    void stopEndsRunPromptly()
    {
        QFETCH(QString, id);
        QFETCH(QString, prefix);
        QFETCH(int, lanes);
        QFETCH(bool, waitsForBlocked);
        QFETCH(bool, lossless);
        const Overrides overrides =
            id == QLatin1String("semaphore")
                ? Overrides{{"workers", 20}, {"permits", 2}, {"work_ms", 2000}}
                : Overrides{{"threads", lanes}, {"increments", 10'000'000}};
        // Mid-run: some lane inside, and for the semaphore every permit taken with
        // workers queueing behind them.
        const auto midRun = [&](const il::Timeline &t) {
            int inside = 0;
            int blocked = 0;
            for (const auto &lane : t.lanes()) {
                inside += now_in(lane, State::Critical) ? 1 : 0;
                blocked += now_in(lane, State::Blocked) ? 1 : 0;
            }
            return waitsForBlocked ? inside == 2 && blocked > 0 : inside > 0;
        };
        Stopped s;
        // A Timeout asked after the Stop: the first reason given is kept.
        stop_when(id.toStdString(), overrides, 7, midRun,
                  "the run never reached the state to stop it in", s,
                  {il::StopReason::User, il::StopReason::Timeout});
        if (QTest::currentTestFailed())
            return;
        const il::RunResult &result = s.result;
        const il::Timeline &timeline = s.timeline;
        QVERIFY(!result.completed());
        QCOMPARE(il::stop_reason_name(result.stoppedBy), std::string_view("user"));

        // The record up to the stop is intact: the same lanes, and each lane's states
        // seen before the stop are the beginning of its final states.
        QCOMPARE(timeline.lanes().size(), std::size_t(lanes));
        check_kept(s.before, timeline);
        if (lossless)
            check_lanes(timeline, prefix.toStdString(), lanes);

        const il::Json stats = il::make_stats(s.scenario->info(), s.params, 7, result, timeline);
        QVERIFY(stats.at("completed").is_boolean() && !stats.at("completed").get<bool>());
        QCOMPARE(stats.at("stopped_by").get<std::string>(), std::string("user"));

        if (id == QLatin1String("semaphore")) {
            QCOMPARE(result.metrics.at("max_concurrency").get<int>(), 2);
            QVERIFY(iltest::max_overlap(timeline, State::Critical,
                                        resource_named(timeline, "semaphore")) <= 2);
            // Stop cut the work short: had the 2 s sleeps not been interrupted, the
            // holders' critical sections would have lasted the full 2 s. (A causal
            // check with seconds of slack, not a speed test.)
            for (const auto &lane : timeline.lanes())
                for (const auto &seg : lane.segments)
                    if (seg.state == State::Critical)
                        QVERIFY2(seg.endNs - seg.startNs < 2'000'000'000, lane.name.c_str());
        } else {
            const std::int64_t expected = result.metrics.at("expected").get<std::int64_t>();
            QVERIFY(expected > 0 && expected < lanes * 10'000'000LL); // stopped part way
            if (id == QLatin1String("mutex"))
                QCOMPARE(result.metrics.at("actual").get<std::int64_t>(), expected);
        }
    }

    // Closing the app mid-run destroys the Run: that must stop and join its threads, not
    // wait for two seconds of work per worker.
    void destroyingARunningRunStopsIt()
    {
        const il::Scenario *scenario = nullptr;
        il::ParamValues params;
        find_with_params("semaphore", {{"workers", 20}, {"permits", 2}, {"work_ms", 2000}},
                         scenario, params);
        if (QTest::currentTestFailed())
            return;
        std::atomic<bool> sawWorkers{false};
        iltest::Threads owner;
        owner.start([&] {
            il::Run run(*scenario, params, 1);
            il::Timeline timeline;
            sawWorkers = iltest::follow_until(run, timeline, [](const il::Timeline &t) {
                return any_lane(
                    t, [](const il::TimelineLane &l) { return now_in(l, State::Critical); });
            });
        }); // ~Run here
        QVERIFY2(owner.join_within(iltest::kHangBound), "~Run did not stop the scenario");
        QVERIFY(sawWorkers);
    }

    // The `--stats` object of DESIGN.md: every field, with its type.
    void statsHaveEveryDesignField()
    {
        Outcome o;
        run_to_end("mutex", {{"threads", 3}, {"increments", 1000}}, o, 42);
        if (QTest::currentTestFailed())
            return;
        const il::Scenario &scenario = *il::find_scenario("mutex");
        const il::Json stats = il::make_stats(scenario.info(), o.params, 42, o.result, o.timeline);

        // DESIGN.md's fields plus discarded_events (issue 6: detail given up to the memory budget).
        const std::set<std::string> fields{
            "scenario", "params", "seed",           "completed",        "stopped_by", "duration_ms",
            "lanes",    "events", "dropped_events", "discarded_events", "deadlock",   "metrics"};
        std::set<std::string> present;
        for (const auto &item : stats.items())
            present.insert(item.key());
        QCOMPARE(present, fields); // and no "error" after a clean run

        QVERIFY(stats.at("scenario").is_string());
        QCOMPARE(stats.at("scenario").get<std::string>(), std::string("mutex"));
        const il::Json &params = stats.at("params");
        QVERIFY(params.is_object());
        QCOMPARE(params.size(), scenario.info().params.size());
        std::size_t i = 0;
        for (const auto &item : params.items()) { // declaration order
            QCOMPARE(item.key(), scenario.info().params[i++].key);
            QVERIFY(item.value().is_number_integer());
        }
        QCOMPARE(params.at("threads").get<std::int64_t>(), std::int64_t(3));
        QCOMPARE(params.at("increments").get<std::int64_t>(), std::int64_t(1000));
        QVERIFY(stats.at("seed").is_number_unsigned());
        QCOMPARE(stats.at("seed").get<std::uint64_t>(), std::uint64_t(42));
        QVERIFY(stats.at("completed").is_boolean());
        QCOMPARE(stats.at("completed").get<bool>(), true);
        QVERIFY(stats.at("stopped_by").is_string());
        QCOMPARE(stats.at("stopped_by").get<std::string>(), std::string("finished"));
        QVERIFY(stats.at("duration_ms").is_number_float());
        QVERIFY(stats.at("duration_ms").get<double>() > 0.0);
        QVERIFY(stats.at("lanes").is_number_integer());
        QCOMPARE(stats.at("lanes").get<std::int64_t>(), std::int64_t(3));
        QVERIFY(stats.at("events").is_number_integer());
        QCOMPARE(stats.at("events").get<std::uint64_t>(), o.timeline.event_count());
        QVERIFY(stats.at("events").get<std::uint64_t>() >= 3 * 2 * 1000); // lock + unlock
        QVERIFY(stats.at("dropped_events").is_number_integer());
        QCOMPARE(stats.at("dropped_events").get<std::uint64_t>(), std::uint64_t(0));
        QVERIFY(stats.at("deadlock").is_null());
        QVERIFY(stats.at("metrics").is_object());
        check_metrics_declared(scenario, stats.at("metrics"));
        QCOMPARE(stats.at("metrics").at("actual").get<std::int64_t>(), std::int64_t(3000));
    }

    void runKeepsWhatItWasGiven()
    {
        const il::Scenario *scenario = nullptr;
        il::ParamValues params;
        find_with_params("race", {{"threads", 2}, {"increments", 10}}, scenario, params);
        if (QTest::currentTestFailed())
            return;
        il::Run run(*scenario, params, 1234);
        QCOMPARE(&run.scenario(), scenario);
        QVERIFY(run.params() == params);
        QCOMPARE(run.seed(), std::uint64_t(1234));
        QVERIFY(run.wait_finished(kRunBound));
        QVERIFY(run.finished());
        QCOMPARE(run.elapsed_ns(), run.result().durationNs); // frozen once finished
    }
};

QTEST_GUILESS_MAIN(TstScenarios)
#include "tst_scenarios.moc"
