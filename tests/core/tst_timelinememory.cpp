// The timeline's storage: chunked like a vector, a bounded cost per event, and a memory
// budget that drops the oldest detail and keeps the newest exact.
#include "testutil.h"
#include "timeline.h"
#include "timelinetest.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace timelinetest;

namespace {

// Two lanes of `events` state changes (every one a new segment, cycling three states,
// 10 ns apart), with a mark every 10th and an acquire or release every 5th event, in
// batches of 10,000. `after` sees the timeline after every batch. Returns how many
// records (segments, marks, hold changes) the events made.
template <typename After>
std::uint64_t fill_two_lanes(il::Timeline &timeline, std::int64_t events, After after)
{
    std::uint64_t records = 0;
    il::Batch b;
    b.newLanes = {"x", "y"};
    b.newResources = {"lock"};
    for (std::int64_t i = 0; i < events;) {
        b.events.clear();
        for (int k = 0; k < 10'000 && i < events; ++k, ++i) {
            const auto lane = il::LaneId(i % 2);
            const std::int64_t t = i * 10;
            if (i % 10 == 9)
                b.events.push_back(mark_at(lane, t, il::kMarkStep));
            else if (i % 5 == 4)
                b.events.push_back(il::Event{
                    t, 0, lane, 1, i % 20 == 4 ? il::EventKind::Acquire : il::EventKind::Release,
                    State::Running});
            else
                b.events.push_back(state_at(lane, t, State((i / 2) % 3)));
            ++records;
        }
        timeline.apply(b);
        b.newLanes.clear();
        b.newResources.clear();
        after(timeline);
    }
    return records;
}

} // namespace

class TstTimelineMemory : public QObject {
    Q_OBJECT

private slots:
    void storeBehavesLikeAVector()
    {
        // Records in chunks, read like a vector: index, iterate both ways, search, copy.
        il::ChunkedStore<std::int64_t> store;
        const std::size_t n = 3 * il::ChunkedStore<std::int64_t>::kChunk + 17;
        for (std::size_t i = 0; i < n; ++i)
            store.push_back(std::int64_t(2 * i));
        QCOMPARE(store.size(), n);
        QCOMPARE(store.back(), std::int64_t(2 * (n - 1)));
        QCOMPARE(std::size_t(std::distance(store.begin(), store.end())), n);
        QCOMPARE(*store.rbegin(), store.back());
        QCOMPARE(std::lower_bound(store.begin(), store.end(), std::int64_t(2001)) - store.begin(),
                 std::ptrdiff_t(1001));
        QVERIFY(std::equal(store.begin(), store.end(), store.rbegin().base() - std::ptrdiff_t(n)));
        // At most one chunk of spare room, never a vector's doubling.
        QVERIFY(store.capacity() - n < il::ChunkedStore<std::int64_t>::kChunk);

        il::ChunkedStore<std::int64_t> copy = store;
        store[5] = -1;
        QCOMPARE(copy[5], std::int64_t(10));
        QCOMPARE(copy.size(), n);
        store.drop_front_chunks(2);
        QCOMPARE(store.size(), n - 2 * il::ChunkedStore<std::int64_t>::kChunk);
        QCOMPARE(store.front(), copy[2 * il::ChunkedStore<std::int64_t>::kChunk]);
        QCOMPARE(store.back(), copy.back());
    }

    void memoryPerEventIsBounded_data()
    {
        QTest::addColumn<int>("lanes");
        QTest::addColumn<bool>("statesOnly");
        QTest::newRow("1 lane, all state changes") << 1 << true;
        QTest::newRow("64 lanes, all state changes") << 64 << true;
        QTest::newRow("16 lanes, all state changes") << 16 << true;
        QTest::newRow("2 lanes, marks and holds too") << 2 << false;
    }

    void memoryPerEventIsBounded()
    {
        QFETCH(int, lanes);
        QFETCH(bool, statesOnly);
        // Goal 8: at most 32 bytes per stored event, everything counted (capacity, the
        // level of detail, names), measured after every batch of a 4M-event run.
        constexpr std::int64_t kEvents = 4'000'000;
        il::Timeline timeline;
        std::size_t worst = 0;
        if (statesOnly) {
            il::Batch b;
            for (int l = 0; l < lanes; ++l)
                b.newLanes.push_back("thread " + std::to_string(l));
            for (std::int64_t i = 0; i < kEvents;) {
                b.events.clear();
                for (int k = 0; k < 20'000; ++k, ++i)
                    b.events.push_back(
                        state_at(il::LaneId(i % lanes), i * 10, State((i / lanes) % 3)));
                timeline.apply(b);
                b.newLanes.clear();
                // Short lanes included: from 100k events on (1.6k segments a lane on
                // 64 lanes), while every store's last chunk is still growing.
                if (i >= 100'000)
                    worst = std::max(worst, timeline.memory_bytes() * 1000 / std::size_t(i));
            }
            QCOMPARE(timeline.segment_count(), std::size_t(kEvents));
        } else {
            fill_two_lanes(timeline, kEvents, [&](const il::Timeline &t) {
                if (t.event_count() >= 100'000)
                    worst = std::max(worst, t.memory_bytes() * 1000 / std::size_t(t.event_count()));
            });
        }
        QCOMPARE(timeline.discarded_events(), std::uint64_t(0));
        // Honest: never less than what the records themselves take.
        QVERIFY(timeline.memory_bytes() >= timeline.segment_count() * sizeof(il::Segment));
        QVERIFY2(worst <= 32'000,
                 qPrintable(QStringLiteral("%1 bytes per 1000 events").arg(worst)));
    }

    void budgetDropsOldestDetail()
    {
        // A 1 MiB budget and 2M events (~50 MB of detail): the run goes on, memory stays
        // within the budget plus the documented slack, the newest detail is exact, the
        // oldest is one Unrecorded segment saying why, and the counts add up.
        constexpr std::size_t kBudget = std::size_t(1) << 20;
        constexpr std::size_t kSlack =
            2 * (std::size_t(2) << 20) + il::Timeline::kBudgetCheckEvents * 32;
        constexpr std::int64_t kEvents = 2'000'000;
        il::Timeline timeline;
        timeline.set_memory_budget(kBudget);
        QCOMPARE(timeline.memory_budget(), kBudget);
        std::size_t peak = 0;
        const std::uint64_t records = fill_two_lanes(timeline, kEvents, [&](const il::Timeline &t) {
            peak = std::max(peak, t.memory_bytes());
        });
        QVERIFY2(peak <= kBudget + kSlack, qPrintable(QString::number(peak)));
        QCOMPARE(timeline.event_count(), std::uint64_t(kEvents));
        QVERIFY(timeline.discarded_events() > records / 2);

        std::uint64_t kept = 0;
        for (il::LaneId l = 0; l < 2; ++l) {
            const il::TimelineLane &lane = timeline.lanes()[l];
            const il::Segment &first = lane.segments.front();
            QCOMPARE(first.state, State::Unrecorded);
            QCOMPARE(timeline.resource_name(first.resource),
                     std::string(il::Timeline::kDroppedDetailLabel));
            QCOMPARE(first.startNs, std::int64_t(l * 10)); // it stands for everything before
            QCOMPARE(first.endNs, lane.segments[1].startNs);
            kept += lane.segments.size() - 1 + lane.marks.size() + lane.holds.size();
            // The newest segments are exactly the last state events of the lane: in
            // every 10 events of a lane's 5, 3 are state changes (i % 10 in 0,2,6 or 1,3,7).
            const std::size_t n = lane.segments.size();
            for (std::size_t k = n - 300; k < n; ++k) {
                const std::int64_t i = lane.segments[k].startNs / 10;
                QCOMPARE(std::int64_t(i % 2), std::int64_t(l));
                QCOMPARE(lane.segments[k].state, State((i / 2) % 3));
                if (k + 1 < n)
                    QCOMPARE(lane.segments[k].endNs, lane.segments[k + 1].startNs);
            }
            QCOMPARE(lane.segments.back().startNs / 10 + 10 > kEvents, true);
            QCOMPARE(lane.lod.closed(), n - 1);
        }
        QCOMPARE(timeline.discarded_events() + kept, records);
    }
};

QTEST_GUILESS_MAIN(TstTimelineMemory)
#include "tst_timelinememory.moc"
