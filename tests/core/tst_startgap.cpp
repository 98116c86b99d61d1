#include "clock.h"
#include "collector.h"
#include "recorder.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <latch>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

Q_DECLARE_METATYPE(iltest::Overrides)

namespace {

// Everything a run recorded, with times since its time 0.
struct Recorded {
    std::vector<std::string> lanes;
    std::vector<il::Event> events;
    std::vector<std::int64_t> readyNs; // per lane: Recorder::lane_ready_ns
    il::RunResult result;
    std::int64_t elapsedAfterEnd = -1;
};

void run_collecting(const std::string &id, const iltest::Overrides &overrides, Recorded &out)
{
    const il::Scenario *scenario = nullptr;
    il::ParamValues params;
    iltest::find_with_params(id, overrides, scenario, params);
    if (QTest::currentTestFailed())
        return;
    il::Run run(*scenario, params, 1);
    il::Batch batch;
    const auto keep = [&] {
        run.take(batch);
        out.lanes.insert(out.lanes.end(), batch.newLanes.begin(), batch.newLanes.end());
        out.events.insert(out.events.end(), batch.events.begin(), batch.events.end());
    };
    const auto deadline = std::chrono::steady_clock::now() + iltest::kRunBound;
    while (!run.wait_finished(20ms)) {
        keep();
        QVERIFY2(std::chrono::steady_clock::now() < deadline, "the run did not end in time");
    }
    keep();
    out.result = run.result();
    out.elapsedAfterEnd = run.elapsed_ns();
    for (std::size_t lane = 0; lane < out.lanes.size(); ++lane)
        out.readyNs.push_back(run.recorder().lane_ready_ns(il::LaneId(lane)));
}

// The collector's view of a recorder: every event drained so far, times since time 0.
std::vector<il::Event> collect(il::Recorder &recorder)
{
    il::Collector collector(recorder);
    collector.finish();
    const il::Batch batch = collector.take();
    return {batch.events.begin(), batch.events.end()};
}

} // namespace

// Time 0 of a run is when its scenario starts, after the app's own set-up: the collector's
// buffers, the run's thread, and the rings of the lanes made before anything was recorded
// (each ring is ~1.5 MB mapped and populated, ~0.5 ms; they used to put ~6 ms of empty
// timeline before the first event, ~40 ms with 50 threads). The checks compare the order of
// instants on one clock (a lane's ring was ready at or before time 0; no event precedes
// time 0), never how long anything took: a slow or busy machine moves both instants alike.
class TstStartGap : public QObject {
    Q_OBJECT

private slots:
    void scenarioStartsAtTimeZero_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<iltest::Overrides>("overrides");
        // Lanes over rings from the pool, made before the threads start.
        QTest::addColumn<bool>("pooledLanes");
        QTest::newRow("mutex") << "mutex" << iltest::Overrides{{"increments", 2000}} << true;
        QTest::newRow("threads") << "threads"
                                 << iltest::Overrides{{"files", 2},
                                                      {"url_delay_ms", 0},
                                                      {"sign_delay_ms", 0}}
                                 << true;
        QTest::newRow("semaphore")
            << "semaphore" << iltest::Overrides{{"workers", 20}, {"permits", 4}, {"work_ms", 1}}
            << true;
        // Forked children record into shared rings the scenario made; the forks happen
        // after time 0, as the scenario's own work.
        QTest::newRow("processes")
            << "processes" << iltest::Overrides{{"processes", 4}, {"max_sleep_ms", 5}} << false;
    }

    void scenarioStartsAtTimeZero()
    {
        QFETCH(QString, id);
        QFETCH(iltest::Overrides, overrides);
        QFETCH(bool, pooledLanes);
        Recorded rec;
        run_collecting(id.toStdString(), overrides, rec);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(rec.result.completed(), rec.result.error.c_str());
        QVERIFY(!rec.lanes.empty());
        QVERIFY(!rec.events.empty());

        // No event before time 0 or after the end; the run's length is the same figure
        // whether asked while it runs or in its result.
        std::int64_t first = INT64_MAX;
        for (const il::Event &e : rec.events) {
            QVERIFY2(e.t_ns >= 0, std::to_string(e.t_ns).c_str());
            QVERIFY(e.t_ns <= rec.result.durationNs);
            first = std::min(first, e.t_ns);
        }
        QCOMPARE(rec.elapsedAfterEnd, rec.result.durationNs);

        for (std::size_t lane = 0; lane < rec.lanes.size(); ++lane) {
            const std::int64_t ready = rec.readyNs[lane];
            const auto own = std::find_if(rec.events.begin(), rec.events.end(),
                                          [&](const il::Event &e) { return e.lane == lane; });
            QVERIFY2(own != rec.events.end(), rec.lanes[lane].c_str());
            QCOMPARE(own->kind, il::EventKind::State);
            QCOMPARE(own->state, il::State::Running);
            // A lane records only once it exists.
            QVERIFY2(own->t_ns >= ready, rec.lanes[lane].c_str());
            if (pooledLanes) {
                // Its ring was mapped before anything was recorded: set-up, not run time.
                if (ready < first)
                    QVERIFY2(
                        ready <= 0,
                        (rec.lanes[lane] + " ready at " + std::to_string(ready) + " ns").c_str());
            } else {
                // A lane over the scenario's own ring: added during the run, after time 0.
                QVERIFY2(ready >= 0, rec.lanes[lane].c_str());
            }
        }
    }

    // A lane's first event fixes time 0; lanes added later do not move it any more.
    void firstEventFixesTimeZero()
    {
        il::Recorder recorder(1024);
        il::Lane &a = recorder.add_lane("a");
        il::Lane &b = recorder.add_lane("b");
        QVERIFY(!recorder.origin_fixed());
        QVERIFY(recorder.lane_ready_ns(a.id()) <= 0);
        QCOMPARE(recorder.lane_ready_ns(b.id()), std::int64_t(0)); // the last one made
        a.state(il::State::Running);
        QVERIFY(recorder.origin_fixed());
        const std::int64_t origin = recorder.origin_ns();
        il::Lane &c = recorder.add_lane("c"); // during the run: its set-up is run time
        QCOMPARE(recorder.origin_ns(), origin);
        QVERIFY(recorder.lane_ready_ns(c.id()) >= 0);
        c.state(il::State::Running);
        const auto events = collect(recorder);
        QCOMPARE(events.size(), std::size_t(2));
        for (const il::Event &e : events)
            QVERIFY(e.t_ns >= 0);
        QVERIFY(events[1].t_ns >= recorder.lane_ready_ns(c.id()));
    }

    // A moment taken before time 0 last moved (state_at as a lane's first event) is shown
    // at time 0, not before it.
    void momentBeforeTimeZeroIsShownAtZero()
    {
        il::Recorder recorder(1024);
        const std::int64_t early = il::now_ns();
        il::Lane &lane = recorder.add_lane("lane"); // moves time 0 past `early`
        QVERIFY(recorder.origin_ns() >= early);
        lane.state_at(early, il::State::Sleeping);
        lane.state(il::State::Running);
        const auto events = collect(recorder);
        QCOMPARE(events.size(), std::size_t(2));
        QCOMPARE(events[0].t_ns, std::int64_t(0));
        QVERIFY(events[1].t_ns >= 0);
    }

    // A forked child records into a caller's ring without telling the recorder, so adding
    // such a lane fixes time 0 where it is: no later set-up can move it past the child's
    // events.
    void lanesOverCallersRingsFixTimeZero()
    {
        il::Recorder recorder(1024);
        recorder.begin_run();
        const std::int64_t origin = recorder.origin_ns();
        recorder.add_lane("child", il::make_shared_ring(256));
        QVERIFY(recorder.origin_fixed());
        QCOMPARE(recorder.origin_ns(), origin);
        recorder.add_lane("pooled");
        QCOMPARE(recorder.origin_ns(), origin);
    }

    // With recording off no lane ever records, so beginning the run fixes time 0.
    void recordingOffFixesTimeZeroAtBegin()
    {
        il::Recorder recorder(1024, il::Recording::Off);
        recorder.add_lane("lane").state(il::State::Running);
        QVERIFY(!recorder.origin_fixed());
        recorder.begin_run();
        QVERIFY(recorder.origin_fixed());
        const std::int64_t origin = recorder.origin_ns();
        recorder.add_lane("later");
        QCOMPARE(recorder.origin_ns(), origin);
    }

    // A thread whose first event races lanes being added on another thread never records
    // before time 0, wherever in the additions it lands.
    void firstEventsRacingNewLanesAreNeverBeforeTimeZero()
    {
        const int rounds = iltest::scaled(200);
        for (int round = 0; round < rounds; ++round) {
            il::Recorder recorder(1024);
            il::Lane &early = recorder.add_lane("early");
            std::latch go(2);
            {
                std::jthread adder([&] {
                    go.arrive_and_wait();
                    for (int i = 0; i < 8; ++i)
                        recorder.add_lane("late " + std::to_string(i));
                });
                go.arrive_and_wait();
                for (int i = 0; i < round % 8; ++i)
                    std::this_thread::yield();
                early.state(il::State::Running);
                early.state(il::State::Blocked);
            }
            for (const il::Event &e : collect(recorder))
                QVERIFY2(e.t_ns >= 0,
                         ("round " + std::to_string(round) + ": " + std::to_string(e.t_ns) + " ns")
                             .c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TstStartGap)
#include "tst_startgap.moc"
