#include "collector.h"
#include "recorder.h"
#include "testutil.h"
#include "timeline.h"
#include "timelinetest.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using il::State;

using namespace timelinetest;

// The consumer's store: state changes become segments that views binary-search.
class TstTimeline : public QObject {
    Q_OBJECT

private slots:
    void emptyTimeline()
    {
        il::Timeline t;
        QVERIFY(t.lanes().empty());
        QCOMPARE(t.segment_count(), std::size_t(0));
        QCOMPARE(t.end_ns(), std::int64_t(0));
        QCOMPARE(t.event_count(), std::uint64_t(0));
        QCOMPARE(t.dropped(), std::uint64_t(0));
        QVERIFY(t.counters().empty());
        t.close(100);
        QCOMPARE(t.end_ns(), std::int64_t(100));
    }

    void stateChangesBecomeSegments()
    {
        il::Timeline t;
        t.apply(batch_of({"worker"},
                         {state_at(0, 0, State::Running), state_at(0, 10, State::Blocked, 1),
                          state_at(0, 25, State::Critical, 1), state_at(0, 40, State::Running),
                          state_at(0, 50, State::Finished)},
                         {"lock"}));
        QCOMPARE(t.lanes().size(), std::size_t(1));
        const il::TimelineLane &lane = t.lanes()[0];
        QCOMPARE(lane.name, std::string("worker"));
        QCOMPARE(segments_of(lane),
                 QStringLiteral("running[0,10) blocked:1[10,25) critical section:1[25,40) "
                                "running[40,50) finished[50,50)+"));
        QVERIFY(lane.open);
        QCOMPARE(t.segment_count(), std::size_t(5));
        QCOMPARE(t.event_count(), std::uint64_t(5));
        QCOMPARE(t.end_ns(), std::int64_t(50));
        QCOMPARE(t.resource_name(1), std::string("lock"));
    }

    void identicalStatesMerge()
    {
        il::Timeline t;
        t.apply(batch_of({"w"}, {state_at(0, 0, State::Running), state_at(0, 5, State::Running),
                                 state_at(0, 7, State::Running), state_at(0, 10, State::Blocked, 1),
                                 state_at(0, 12, State::Blocked, 1)}));
        QCOMPARE(segments_of(t.lanes()[0]), QStringLiteral("running[0,10) blocked:1[10,10)+"));
        QCOMPARE(t.event_count(), std::uint64_t(5)); // merged events still count as events
    }

    // The same state on another resource is a different segment: blocked on lock 1,
    // then blocked on lock 2, is two waits.
    void sameStateOtherResourceDoesNotMerge()
    {
        il::Timeline t;
        t.apply(
            batch_of({"w"}, {state_at(0, 0, State::Blocked, 1), state_at(0, 5, State::Blocked, 2),
                             state_at(0, 9, State::Running)}));
        QCOMPARE(segments_of(t.lanes()[0]),
                 QStringLiteral("blocked:1[0,5) blocked:2[5,9) running[9,9)+"));
    }

    // Batches are just slices of one stream: lane ids continue and a state that goes on
    // over a batch boundary stays one segment.
    void batchesContinueEachOther()
    {
        il::Timeline t;
        t.apply(batch_of({"a"}, {state_at(0, 0, State::Running)}));
        t.apply(batch_of({"b"}, {state_at(0, 5, State::Running), state_at(1, 6, State::Sleeping)},
                         {"r1"}));
        t.apply(batch_of({}, {state_at(0, 8, State::Finished), state_at(1, 9, State::Finished)},
                         {"r2"}));
        QCOMPARE(t.lanes().size(), std::size_t(2));
        QCOMPARE(t.lanes()[1].name, std::string("b"));
        QCOMPARE(segments_of(t.lanes()[0]), QStringLiteral("running[0,8) finished[8,8)+"));
        QCOMPARE(segments_of(t.lanes()[1]), QStringLiteral("sleeping[6,9) finished[9,9)+"));
        QCOMPARE(t.resources(), (std::vector<std::string>{"", "r1", "r2"}));
        QCOMPARE(t.resource_name(2), std::string("r2"));
        QCOMPARE(t.resource_name(0), std::string());
        QCOMPARE(t.resource_name(99), std::string()); // unknown ids are tolerated
    }

    void closeEndsOpenSegments()
    {
        il::Timeline t;
        t.apply(batch_of({"a", "b", "idle"},
                         {state_at(0, 0, State::Running), state_at(1, 3, State::Sleeping),
                          state_at(0, 20, State::Finished)}));
        QCOMPARE(t.segment_end(t.lanes()[1], 0), std::int64_t(20)); // open: the live edge
        t.close(30);
        QCOMPARE(t.end_ns(), std::int64_t(30));
        QCOMPARE(segments_of(t.lanes()[0]), QStringLiteral("running[0,20) finished[20,30)"));
        QCOMPARE(segments_of(t.lanes()[1]), QStringLiteral("sleeping[3,30)"));
        QVERIFY(!t.lanes()[0].open);
        QVERIFY(!t.lanes()[1].open);
        QVERIFY(t.lanes()[2].segments.empty()); // a lane without events stays empty
        QCOMPARE(t.segment_end(t.lanes()[1], 0), std::int64_t(30));

        // Closing again, or "earlier" than what was already seen, changes nothing.
        t.close(25);
        QCOMPARE(t.end_ns(), std::int64_t(30));
        QCOMPARE(segments_of(t.lanes()[1]), QStringLiteral("sleeping[3,30)"));
    }

    // While nothing happens (a deadlock) the live edge follows the clock: open segments
    // grow, an event that then arrives from before the edge still ends its segment at
    // its own time, and the edge never moves back.
    void advanceMovesTheLiveEdge()
    {
        il::Timeline t;
        t.apply(
            batch_of({"a", "b"}, {state_at(0, 0, State::Running), state_at(1, 5, State::Blocked)}));
        t.advance(100);
        QCOMPARE(t.end_ns(), std::int64_t(100));
        QCOMPARE(t.segment_end(t.lanes()[1], 0), std::int64_t(100));
        t.advance(50);
        QCOMPARE(t.end_ns(), std::int64_t(100));
        t.apply(batch_of({}, {state_at(0, 80, State::Finished)}));
        QCOMPARE(segments_of(t.lanes()[0]), QStringLiteral("running[0,80) finished[80,80)+"));
        QCOMPARE(t.segment_end(t.lanes()[0], 1), std::int64_t(100));
        t.close(120);
        QCOMPARE(segments_of(t.lanes()[1]), QStringLiteral("blocked[5,120)"));
    }

    // A close() before the last event was seen cannot end a segment before its start.
    void closeNeverEndsBeforeLastEvent()
    {
        il::Timeline t;
        t.apply(
            batch_of({"a"}, {state_at(0, 0, State::Running), state_at(0, 40, State::Finished)}));
        t.close(10);
        QCOMPARE(segments_of(t.lanes()[0]), QStringLiteral("running[0,40) finished[40,40)"));
        QCOMPARE(t.end_ns(), std::int64_t(40));
    }

    // Segments keep 48-bit times: a run past ~39 hours is held at the limit, never
    // wrapped to a negative time.
    void timesBeyondSegmentRangeAreHeld()
    {
        constexpr std::int64_t kMax = il::kMaxSegmentNs;
        il::Timeline t;
        t.apply(batch_of({"a"}, {state_at(0, kMax - 10, State::Running),
                                 state_at(0, kMax + 5, State::Blocked, 1),
                                 state_at(0, std::int64_t(1) << 60, State::Running)}));
        t.close(std::int64_t(1) << 61);
        const il::TimelineLane &lane = t.lanes()[0];
        QCOMPARE(lane.segments.size(), std::size_t(3));
        QCOMPARE(std::int64_t(lane.segments[0].startNs), kMax - 10);
        QCOMPARE(std::int64_t(lane.segments[0].endNs), kMax);
        for (std::size_t i = 1; i < 3; ++i) {
            QCOMPARE(std::int64_t(lane.segments[i].startNs), kMax);
            QCOMPARE(std::int64_t(lane.segments[i].endNs), kMax);
        }
        QCOMPARE(lane.segments[1].state, State::Blocked);
        QCOMPARE(lane.segments[1].resource, il::ResourceId(1));
        QCOMPARE(il::Timeline::first_ending_after(lane, kMax - 1), std::size_t(0));
        QCOMPARE(t.end_ns(), kMax); // the live edge too: a saved run opens again
        t.advance(std::int64_t(1) << 62);
        QCOMPARE(t.end_ns(), kMax);
    }

    void zeroLengthSegmentsKeepOrder()
    {
        il::Timeline t;
        t.apply(
            batch_of({"a"}, {state_at(0, 10, State::Running), state_at(0, 10, State::Blocked, 1),
                             state_at(0, 20, State::Critical, 1)}));
        t.close(30);
        const il::TimelineLane &lane = t.lanes()[0];
        QCOMPARE(segments_of(lane),
                 QStringLiteral("running[10,10) blocked:1[10,20) critical section:1[20,30)"));
        // The empty segment covers no time: t = 10 is in the blocked one.
        QCOMPARE(il::Timeline::first_ending_after(lane, 10), std::size_t(1));
        QCOMPARE(t.segment_at(lane, 10), std::ptrdiff_t(1));
        QCOMPARE(t.segment_at(lane, 9), std::ptrdiff_t(-1));
    }

    void marksAndCountersAreKept()
    {
        il::Timeline t;
        t.apply(batch_of({"a", "b"},
                         {state_at(0, 0, State::Running), mark_at(0, 3, 42, 1),
                          counter_at(0, 4, 1, 2), counter_at(1, 5, 1, 1), mark_at(1, 6, -7),
                          counter_at(1, 8, 2, 10), counter_at(0, 9, 1, 2)},
                         {"sem", "other"}));
        // Marks and counters do not touch the lane's states.
        QCOMPARE(segments_of(t.lanes()[0]), QStringLiteral("running[0,0)+"));
        QVERIFY(t.lanes()[1].segments.empty());

        const auto &marksA = t.lanes()[0].marks;
        QCOMPARE(marksA.size(), std::size_t(1));
        QCOMPARE(marksA[0].tNs, std::int64_t(3));
        QCOMPARE(marksA[0].value, std::int64_t(42));
        QCOMPARE(marksA[0].resource, il::ResourceId(1));
        QCOMPARE(t.lanes()[1].marks.size(), std::size_t(1));
        QCOMPARE(t.lanes()[1].marks[0].value, std::int64_t(-7));

        QCOMPARE(t.counters().size(), std::size_t(2));
        const auto &sem = t.counters().at(1);
        QCOMPARE(sem.size(), std::size_t(3));
        QCOMPARE(sem[0].tNs, std::int64_t(4));
        QCOMPARE(sem[0].value, std::int64_t(2));
        QCOMPARE(sem[1].value, std::int64_t(1));
        QCOMPARE(sem[2].tNs, std::int64_t(9));
        QCOMPARE(t.counters().at(2).size(), std::size_t(1));
        QCOMPARE(t.counters().at(2)[0].value, std::int64_t(10));

        QCOMPARE(t.event_count(), std::uint64_t(7));
        QCOMPARE(t.end_ns(), std::int64_t(9)); // any kind of event moves the live edge
    }

    // droppedTotal in a batch is the run's total so far, not an increment.
    void droppedComesFromBatches()
    {
        il::Timeline t;
        t.apply(batch_of({"a"}, {}, {}, 7));
        QCOMPARE(t.dropped(), std::uint64_t(7));
        t.apply(batch_of({}, {state_at(0, 1, State::Running)}, {}, 7));
        QCOMPARE(t.dropped(), std::uint64_t(7));
        t.apply(batch_of({}, {}, {}, 12));
        QCOMPARE(t.dropped(), std::uint64_t(12));
    }

    void eventsOfUnknownLanesAreIgnored()
    {
        il::Timeline t;
        t.apply(batch_of({"a"}, {state_at(0, 1, State::Running), state_at(5, 2, State::Running)}));
        QCOMPARE(t.lanes().size(), std::size_t(1));
        QCOMPARE(t.event_count(), std::uint64_t(1));
        QCOMPARE(t.end_ns(), std::int64_t(1));
    }

    void searchEdgeCases_data()
    {
        QTest::addColumn<bool>("closed");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<qint64>("t");
        QTest::addColumn<int>("firstEndingAfter");
        QTest::addColumn<int>("segmentAt");

        // closed lane a: [0,10) [10,25) [25,40) [40,50)
        QTest::newRow("closed, before first") << true << "a" << -5LL << 0 << -1;
        QTest::newRow("closed, at first start") << true << "a" << 0LL << 0 << 0;
        QTest::newRow("closed, inside first") << true << "a" << 9LL << 0 << 0;
        QTest::newRow("closed, at a boundary") << true << "a" << 10LL << 1 << 1;
        QTest::newRow("closed, just before a boundary") << true << "a" << 24LL << 1 << 1;
        QTest::newRow("closed, at the last start") << true << "a" << 40LL << 3 << 3;
        QTest::newRow("closed, inside last") << true << "a" << 49LL << 3 << 3;
        QTest::newRow("closed, at the end") << true << "a" << 50LL << 4 << -1;
        QTest::newRow("closed, after the end") << true << "a" << 1000LL << 4 << -1;
        QTest::newRow("closed, empty lane") << true << "b" << 10LL << 0 << -1;

        // open lane a: [0,10) [10,25) [25,40) [40, live edge 70)
        QTest::newRow("open, before first") << false << "a" << -1LL << 0 << -1;
        QTest::newRow("open, at a boundary") << false << "a" << 25LL << 2 << 2;
        QTest::newRow("open, at the open start") << false << "a" << 40LL << 3 << 3;
        QTest::newRow("open, inside the open one") << false << "a" << 69LL << 3 << 3;
        QTest::newRow("open, at the live edge") << false << "a" << 70LL << 3 << -1;
        QTest::newRow("open, far beyond") << false << "a" << 1'000'000'000LL << 3 << -1;
        QTest::newRow("open, empty lane") << false << "b" << 0LL << 0 << -1;
    }

    void searchEdgeCases()
    {
        QFETCH(bool, closed);
        QFETCH(QString, lane);
        QFETCH(qint64, t);
        QFETCH(int, firstEndingAfter);
        QFETCH(int, segmentAt);
        const il::Timeline timeline = search_fixture(closed);
        const il::TimelineLane &l = timeline.lanes()[lane == QLatin1String("a") ? 0 : 1];
        QCOMPARE(l.open, !closed && !l.segments.empty());
        QCOMPARE(il::Timeline::first_ending_after(l, t), std::size_t(firstEndingAfter));
        QCOMPARE(timeline.segment_at(l, t), std::ptrdiff_t(segmentAt));
    }

    void openSegmentReachesLiveEdge()
    {
        const il::Timeline t = search_fixture(false);
        const il::TimelineLane &a = t.lanes()[0];
        QCOMPARE(t.end_ns(), std::int64_t(70));
        QCOMPARE(t.segment_end(a, 2), std::int64_t(40));
        QCOMPARE(t.segment_end(a, 3), std::int64_t(70));
    }

    // The binary searches agree with a plain scan on a long lane with uneven segments.
    void searchMatchesLinearScan()
    {
        il::Timeline t;
        std::vector<il::Event> events;
        std::int64_t time = 0;
        for (int i = 0; i < 500; ++i) {
            time += (i * 7919) % 13; // some zero-length segments on purpose
            events.push_back(state_at(0, time, i % 2 ? State::Running : State::Blocked));
        }
        t.apply(batch_of({"long"}, events));
        t.close(time + 5);
        const il::TimelineLane &lane = t.lanes()[0];
        for (std::int64_t q = -2; q <= time + 7; ++q) {
            std::size_t first = lane.segments.size();
            std::ptrdiff_t at = -1;
            for (std::size_t i = 0; i < lane.segments.size(); ++i) {
                const il::Segment &s = lane.segments[i];
                if (first == lane.segments.size() && s.endNs > q)
                    first = i;
                if (at < 0 && s.startNs <= q && q < s.endNs)
                    at = std::ptrdiff_t(i);
            }
            QCOMPARE(il::Timeline::first_ending_after(lane, q), first);
            QCOMPARE(t.segment_at(lane, q), at);
        }
    }

    // From real recording through the collector into the store.
    void buildsFromCollectorBatches()
    {
        il::Recorder recorder;
        const il::ResourceId lock = recorder.add_resource("lock");
        il::Lane &a = recorder.add_lane("a");
        il::Lane &b = recorder.add_lane("b");
        il::Collector collector(recorder);
        il::Timeline timeline;

        a.state(State::Running);
        b.state(State::Running);
        a.state(State::Critical, lock);
        b.state(State::Blocked, lock);
        timeline.apply(collector.take()); // possibly empty: the collector runs on its own
        a.state(State::Running);
        b.state(State::Critical, lock);
        a.mark(1);
        b.state(State::Running);
        a.state(State::Finished);
        b.state(State::Finished);
        collector.finish();
        timeline.apply(collector.take());
        timeline.close(timeline.end_ns());

        QCOMPARE(timeline.lanes().size(), std::size_t(2));
        QCOMPARE(timeline.resource_name(lock), std::string("lock"));
        QCOMPARE(iltest::describe(iltest::states_of(timeline.lanes()[0])),
                 std::string("running > critical section > running > finished"));
        QCOMPARE(iltest::describe(iltest::states_of(timeline.lanes()[1])),
                 std::string("running > blocked > critical section > running > finished"));
        QCOMPARE(timeline.lanes()[0].marks.size(), std::size_t(1));
        QCOMPARE(timeline.event_count(), std::uint64_t(10));
        QCOMPARE(timeline.dropped(), std::uint64_t(0));
        for (const auto &lane : timeline.lanes())
            for (std::size_t i = 1; i < lane.segments.size(); ++i)
                QVERIFY(lane.segments[i - 1].endNs == lane.segments[i].startNs);
    }
};

QTEST_GUILESS_MAIN(TstTimeline)
#include "tst_timeline.moc"
