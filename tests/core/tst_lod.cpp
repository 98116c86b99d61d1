#include "lod.h"
#include "timeline.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

// The level of detail decides each pixel column's state from all of its segments: the
// same answer as weighing every segment one by one, in every column, at any zoom.
class TstLod : public QObject {
    Q_OBJECT

private slots:
    void columnsMatchBruteForce_data();
    void columnsMatchBruteForce();
    void denseColumnTakesMajorityNotFirstSegments();
    void tiesGoToHigherRank();
    void fastAlternationIsMixed();
    void oneShortSegmentBetweenTwoIsNotMixed();
    void lodTotalsMatchSegments();
    void lodSurvivesDroppedDetail();
};

namespace {

using il::State;

// Legend order is not interest order; any strict order does for the comparison.
const il::StateRank kRank = {2, 6, 5, 4, 1, 3, 0, 7};

il::Event stateEvent(std::int64_t t, il::LaneId lane, State state)
{
    il::Event e;
    e.t_ns = t;
    e.lane = lane;
    e.state = state;
    e.kind = il::EventKind::State;
    return e;
}

// Weighs every segment of the lane against every column: obviously right, O(n) a column.
// `mixedWith` gets the runner-up where four or more segments start and the leader holds
// less than three quarters.
std::vector<std::uint8_t> bruteForce(const il::Timeline &timeline, std::size_t laneIndex,
                                     const il::ColumnGrid &grid,
                                     std::vector<std::uint8_t> &mixedWith)
{
    const il::TimelineLane &lane = timeline.lanes()[laneIndex];
    std::vector<std::uint8_t> out(std::size_t(grid.columns), il::kNoColumnState);
    mixedWith.assign(std::size_t(grid.columns), il::kNoColumnState);
    for (int c = 0; c < grid.columns; ++c) {
        const std::int64_t a = grid.boundary(c);
        const std::int64_t b = grid.boundary(c + 1);
        il::StateTimes time{};
        int covering = -1;
        int startsInside = 0;
        for (std::size_t k = 0; k < lane.segments.size(); ++k) {
            const il::Segment &s = lane.segments[k];
            const std::int64_t end = timeline.segment_end(lane, k);
            time[std::size_t(s.state)] +=
                std::max<std::int64_t>(0, std::min(end, b) - std::max(s.startNs, a));
            if (s.startNs <= a && a < end)
                covering = int(s.state);
            startsInside += a < s.startNs && s.startNs <= b ? 1 : 0;
        }
        const auto beats = [&](int s, int other) {
            const auto t = time[std::size_t(s)];
            return t > 0 && (other < 0 || t > time[std::size_t(other)] ||
                             (t == time[std::size_t(other)] &&
                              kRank[std::size_t(s)] > kRank[std::size_t(other)]));
        };
        int best = -1;
        for (int s = 0; s < il::kStateCount; ++s)
            if (beats(s, best))
                best = s;
        int second = -1;
        for (int s = 0; s < il::kStateCount; ++s)
            if (s != best && beats(s, second))
                second = s;
        std::int64_t total = 0;
        for (const auto t : time)
            total += t;
        if (second >= 0 && startsInside >= 4 && time[std::size_t(best)] * 4 < total * 3)
            mixedWith[std::size_t(c)] = std::uint8_t(second);
        if (best < 0)
            best = covering;
        if (best >= 0)
            out[std::size_t(c)] = std::uint8_t(best);
    }
    return out;
}

// Three lanes of random segments: mostly short, some zero-length, some long, durations
// in steps of 10 ns so that equal times (ties) happen. With `reopen` the run is closed
// half-way and goes on after a gap; with `closeAtEnd` the last segments are closed,
// otherwise they stay open up to the live edge.
il::Timeline randomTimeline(std::uint32_t seed, int perLane, bool reopen, bool closeAtEnd,
                            std::size_t memoryBudget = il::Timeline::kDefaultMemoryBudget)
{
    std::mt19937 rng(seed);
    il::Timeline timeline;
    timeline.set_memory_budget(memoryBudget);
    il::Batch batch;
    batch.newLanes = {"a", "b", "c"};
    std::vector<std::int64_t> t = {0, 137, 5000};
    const auto duration = [&]() -> std::int64_t {
        const unsigned r = rng() % 100;
        if (r < 5)
            return 0;
        if (r < 90)
            return 10 * (1 + rng() % 6);
        if (r < 98)
            return 10 * (1 + rng() % 100);
        return 10 * (1 + rng() % 5000);
    };
    const auto appendEvents = [&](int from, int to) {
        for (int i = from; i < to; ++i)
            for (il::LaneId lane = 0; lane < 3; ++lane) {
                batch.events.push_back(stateEvent(t[lane], lane, State(rng() % il::kStateCount)));
                t[lane] += duration();
            }
        // Batches are applied as the collector hands them over: in pieces.
        for (std::size_t from0 = 0; from0 < batch.events.size(); from0 += 777) {
            il::Batch piece;
            if (from0 == 0)
                piece.newLanes = batch.newLanes;
            piece.events.assign(batch.events.begin() + std::ptrdiff_t(from0),
                                batch.events.begin() +
                                    std::ptrdiff_t(std::min(batch.events.size(), from0 + 777)));
            timeline.apply(piece);
        }
        batch.newLanes.clear();
        batch.events.clear();
    };
    appendEvents(0, perLane / 2);
    if (reopen) {
        const std::int64_t pause = *std::max_element(t.begin(), t.end());
        timeline.close(pause);
        for (auto &lane : t)
            lane = pause + 3000 + std::int64_t(rng() % 2000);
    }
    appendEvents(perLane / 2, perLane);
    if (closeAtEnd)
        timeline.close(*std::max_element(t.begin(), t.end()) + 50);
    else {
        // The live edge moves past the open segments' starts.
        il::Batch edge;
        edge.events = {stateEvent(*std::max_element(t.begin(), t.end()) + 500, 0, State::Finished)};
        timeline.apply(edge);
    }
    return timeline;
}

// Each column of `got` equals `want`; a mismatch names the lane, the column and `what`.
void compareColumns(const std::vector<std::uint8_t> &got, const std::vector<std::uint8_t> &want,
                    std::size_t lane, const il::ColumnGrid &grid, const char *what)
{
    QCOMPARE(got.size(), want.size());
    for (std::size_t c = 0; c < got.size(); ++c)
        QVERIFY2(got[c] == want[c],
                 qPrintable(QStringLiteral("lane %1 column %2 (of %3, %4 ns each): %5 %6, "
                                           "expected %7")
                                .arg(lane)
                                .arg(c)
                                .arg(grid.columns)
                                .arg(grid.nsPerColumn)
                                .arg(what)
                                .arg(int(got[c]))
                                .arg(int(want[c]))));
}

void compareAllLanes(const il::Timeline &timeline, const il::ColumnGrid &grid)
{
    std::vector<std::uint8_t> columns;
    for (std::size_t lane = 0; lane < timeline.lanes().size(); ++lane) {
        std::vector<std::uint8_t> mixed;
        il::classify_columns(timeline, lane, grid, kRank, columns, &mixed);
        std::vector<std::uint8_t> expectedMixed;
        const auto expected = bruteForce(timeline, lane, grid, expectedMixed);
        compareColumns(mixed, expectedMixed, lane, grid, "mixed with");
        compareColumns(columns, expected, lane, grid, "state");
    }
}

// Each lane's level of detail counts every closed segment, not the open one, and its sums
// at the end of the lane equal the segments' own totals.
void compareLodTotals(const il::Timeline &timeline)
{
    for (const auto &lane : timeline.lanes()) {
        QCOMPARE(lane.lod.closed(), lane.segments.size() - (lane.open ? 1 : 0));
        il::StateTimes expected{};
        for (std::size_t k = 0; k < lane.segments.size(); ++k)
            expected[std::size_t(lane.segments[k].state)] +=
                timeline.segment_end(lane, k) - lane.segments[k].startNs;
        il::StateTimes got{};
        lane.lod.time_before(lane, lane.segments.size(), timeline.end_ns(), timeline.end_ns(), got);
        QCOMPARE(got, expected);
    }
}

} // namespace

void TstLod::columnsMatchBruteForce_data()
{
    QTest::addColumn<std::uint32_t>("seed");
    QTest::addColumn<bool>("reopen");
    QTest::addColumn<bool>("closeAtEnd");
    for (std::uint32_t seed : {1u, 2u, 3u})
        for (bool reopen : {false, true})
            for (bool closeAtEnd : {false, true})
                QTest::addRow("seed %u%s%s", seed, reopen ? " reopened" : "",
                              closeAtEnd ? " closed" : " open")
                    << seed << reopen << closeAtEnd;
}

void TstLod::columnsMatchBruteForce()
{
    QFETCH(std::uint32_t, seed);
    QFETCH(bool, reopen);
    QFETCH(bool, closeAtEnd);
    // 9000 segments a lane: past two chunk ends of the segment store.
    const il::Timeline timeline = randomTimeline(seed, 9000, reopen, closeAtEnd);
    const double span = double(timeline.end_ns());

    struct View {
        double from, to;
        int columns;
    };
    std::mt19937 rng(seed);
    const double at = span * double(rng() % 1000) / 1000.0;
    const View views[] = {
        {0, span, 3},                     // thousands of segments a column: the LOD
        {0, span, 31},                    // hundreds a column: read one by one or LOD
        {0, span, 400},                   // tens a column
        {-span / 3, span * 1.5, 97},      // past both ends
        {at, at + span / 10, 350},        // 10 %
        {at, at + span / 100, 300},       // 1 %: most segments wider than a column
        {at + 0.3, at + 120.3, 400},      // a third of a nanosecond a column
        {span - 2000.5, span + 400, 123}, // the live edge
    };
    for (const View &v : views) {
        const il::ColumnGrid grid{v.from, (v.to - v.from) / v.columns, v.columns};
        compareAllLanes(timeline, grid);
        if (QTest::currentTestFailed())
            return;
    }
}

void TstLod::denseColumnTakesMajorityNotFirstSegments()
{
    // One column of 10,000 ns: 20 blocked segments of 10 ns first, then 980 running ones.
    // Judged by its first few segments the column would be blocked; running covers 98 %.
    il::Timeline timeline;
    il::Batch b;
    b.newLanes = {"dense"};
    for (int i = 0; i < 1000; ++i)
        b.events.push_back(stateEvent(i * 10, 0, i < 20 ? State::Blocked : State::Running));
    b.events.push_back(stateEvent(10'000, 0, State::Finished));
    timeline.apply(b);
    timeline.close(10'000);

    std::vector<std::uint8_t> columns;
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 10'000, 1}, kRank, columns);
    QCOMPARE(columns, std::vector<std::uint8_t>{std::uint8_t(State::Running)});
    // Zoomed in on the start, the blocked segments show.
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 200, 2}, kRank, columns);
    QCOMPARE(columns, (std::vector<std::uint8_t>{std::uint8_t(State::Blocked),
                                                 std::uint8_t(State::Running)}));
}

void TstLod::tiesGoToHigherRank()
{
    // 64 alternating segments of 10 ns: running and sleeping cover a column equally.
    il::Timeline timeline;
    il::Batch b;
    b.newLanes = {"even"};
    for (int i = 0; i < 64; ++i)
        b.events.push_back(stateEvent(i * 10, 0, i % 2 ? State::Sleeping : State::Running));
    timeline.apply(b);
    timeline.close(640);
    std::vector<std::uint8_t> columns;
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 640, 1}, kRank, columns);
    QCOMPARE(int(columns[0]), int(State::Running)); // rank 2 beats sleeping's 1
    il::StateRank flipped = kRank;
    std::swap(flipped[std::size_t(State::Running)], flipped[std::size_t(State::Sleeping)]);
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 640, 1}, flipped, columns);
    QCOMPARE(int(columns[0]), int(State::Sleeping));
}

void TstLod::fastAlternationIsMixed()
{
    // A thread that takes the lock 500 times in a column: 45 ns inside, 55 ns outside.
    // Judged by the leader alone it would look as if it never held the lock.
    il::Timeline timeline;
    il::Batch b;
    b.newLanes = {"holder", "mostly running"};
    for (int i = 0; i < 500; ++i) {
        b.events.push_back(stateEvent(i * 100, 0, State::Critical));
        b.events.push_back(stateEvent(i * 100 + 45, 0, State::Running));
        // Lane 1: 80 % running, 20 % in the critical section: clearly running.
        b.events.push_back(stateEvent(i * 100, 1, State::Running));
        b.events.push_back(stateEvent(i * 100 + 80, 1, State::Critical));
    }
    timeline.apply(b);
    timeline.close(50'000);
    std::vector<std::uint8_t> columns;
    std::vector<std::uint8_t> mixed;
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 50'000, 1}, kRank, columns, &mixed);
    QCOMPARE(int(columns[0]), int(State::Running));
    QCOMPARE(int(mixed[0]), int(State::Critical));
    il::classify_columns(timeline, 1, il::ColumnGrid{0, 50'000, 1}, kRank, columns, &mixed);
    QCOMPARE(int(columns[0]), int(State::Running));
    QCOMPARE(int(mixed[0]), int(il::kNoColumnState));
    // Zoomed in to 5 ns a column, each column is one state again.
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 5, 40}, kRank, columns, &mixed);
    QCOMPARE(std::count(mixed.begin(), mixed.end(), il::kNoColumnState), 40);
}

void TstLod::oneShortSegmentBetweenTwoIsNotMixed()
{
    // Critical until 40 ns, running for 5 ns, then finished: the column holds critical and
    // finished about equally, but the lane did not go back and forth.
    il::Timeline timeline;
    il::Batch b;
    b.newLanes = {"worker"};
    b.events = {stateEvent(0, 0, State::Critical), stateEvent(40, 0, State::Running),
                stateEvent(45, 0, State::Finished)};
    timeline.apply(b);
    timeline.close(100);
    std::vector<std::uint8_t> columns;
    std::vector<std::uint8_t> mixed;
    il::classify_columns(timeline, 0, il::ColumnGrid{0, 100, 1}, kRank, columns, &mixed);
    QCOMPARE(int(columns[0]), int(State::Finished));
    QCOMPARE(int(mixed[0]), int(il::kNoColumnState));
}

void TstLod::lodTotalsMatchSegments()
{
    // The prefix sums at the end of a lane equal the segments' own totals, and every
    // closed segment has been counted, the open one not.
    compareLodTotals(randomTimeline(7, 2000, true, false));
}

void TstLod::lodSurvivesDroppedDetail()
{
    // A budget of 1 MiB and 150k segments a lane: the oldest half of every lane is dropped
    // again and again, and the level of detail keeps answering for what remains (the
    // placeholder included) as if built from it.
    const il::Timeline timeline = randomTimeline(11, 150'000, true, false, std::size_t(1) << 20);
    QVERIFY(timeline.discarded_events() > 0);
    const double span = double(timeline.end_ns());
    for (const auto &lane : timeline.lanes())
        QCOMPARE(lane.segments.front().state, State::Unrecorded);
    compareLodTotals(timeline);
    if (QTest::currentTestFailed())
        return;
    // Columns of thousands of segments, read through the LOD, against every segment.
    const double kept = double(timeline.lanes()[0].segments[1].startNs);
    for (const auto &[from, columns] : {std::pair{0.0, 7}, std::pair{kept, 40}}) {
        compareAllLanes(timeline, il::ColumnGrid{from, (span - from) / columns, columns});
        if (QTest::currentTestFailed())
            return;
    }
}

QTEST_GUILESS_MAIN(TstLod)
#include "tst_lod.moc"
