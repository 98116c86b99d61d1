#include "philosophers/tablestate.h"
#include "tablefixtures.h"

#include <QTest>

Q_DECLARE_METATYPE(PhilosopherPhase)

class TstTableState : public QObject {
    Q_OBJECT
private slots:
    void names_data();
    void names();
    void onlyPhilosopherRunsMakeATable_data();
    void onlyPhilosopherRunsMakeATable();
    void philosopherAt_data();
    void philosopherAt();
    void chopstickHolders_data();
    void chopstickHolders();
    void lockStyleCriticalWithOneChopstickIsHungry();
    void resourceIdsAreMappedByName();
    void deadlockCycleAppearsFromItsTime_data();
    void deadlockCycleAppearsFromItsTime();
    void captionElidesLongCycles();
    void restingPositions();
};

void TstTableState::names_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("philosopher");
    QTest::addColumn<int>("chopstick");
    QTest::newRow("P0") << "P0" << 0 << -1;
    QTest::newRow("P15") << "P15" << 15 << -1;
    QTest::newRow("P 3") << "P 3" << 3 << -1;
    QTest::newRow("chopstick 7") << "chopstick 7" << -1 << 7;
    QTest::newRow("P") << "P" << -1 << -1;
    QTest::newRow("P-1") << "P-1" << -1 << -1;
    QTest::newRow("P1x") << "P1x" << -1 << -1;
    QTest::newRow("thread 0") << "thread 0" << -1 << -1;
    QTest::newRow("chopsticks") << "chopsticks" << -1 << -1;
}

void TstTableState::names()
{
    QFETCH(QString, name);
    QFETCH(int, philosopher);
    QFETCH(int, chopstick);
    QCOMPARE(philosopherIndex(name.toStdString()).value_or(-1), philosopher);
    QCOMPARE(chopstickIndex(name.toStdString()).value_or(-1), chopstick);
}

void TstTableState::onlyPhilosopherRunsMakeATable_data()
{
    QTest::addColumn<QStringList>("lanes");
    QTest::addColumn<QList<int>>("seats");
    QTest::newRow("in order") << QStringList{"P0", "P1", "P2"} << QList<int>{0, 1, 2};
    QTest::newRow("any order") << QStringList{"P1", "P0"} << QList<int>{1, 0};
    QTest::newRow("one seat") << QStringList{"P0"} << QList<int>{};
    QTest::newRow("gap") << QStringList{"P0", "P2"} << QList<int>{};
    QTest::newRow("twice") << QStringList{"P0", "P0"} << QList<int>{};
    QTest::newRow("other lane") << QStringList{"P0", "P1", "main"} << QList<int>{};
    QTest::newRow("threads") << QStringList{"thread 0", "thread 1"} << QList<int>{};
}

void TstTableState::onlyPhilosopherRunsMakeATable()
{
    QFETCH(QStringList, lanes);
    QFETCH(QList<int>, seats);
    il::Timeline timeline;
    il::Batch batch;
    for (const QString &lane : lanes)
        batch.newLanes.push_back(lane.toStdString());
    timeline.apply(batch);
    QCOMPARE(seatOfLanes(timeline), seats);
    QCOMPARE(tableStateAt(timeline, 0).philosophers.size(), seats.size());
}

void TstTableState::philosopherAt_data()
{
    QTest::addColumn<qint64>("t");
    QTest::addColumn<int>("seat");
    QTest::addColumn<PhilosopherPhase>("phase");
    QTest::addColumn<int>("meals");
    QTest::addColumn<QList<int>>("held");
    QTest::addColumn<int>("waitsFor");
    QTest::addColumn<int>("holder");
    using P = PhilosopherPhase;
    QTest::newRow("before the run")
        << qint64(-1) << 0 << P::Unknown << 0 << QList<int>{} << -1 << -1;
    QTest::newRow("thinking") << 5 * kMs << 0 << P::Thinking << 0 << QList<int>{} << -1 << -1;
    QTest::newRow("reaching") << 10 * kMs << 0 << P::Hungry << 0 << QList<int>{} << -1 << -1;
    QTest::newRow("one in hand") << 11 * kMs << 0 << P::Hungry << 0 << QList<int>{0} << -1 << -1;
    QTest::newRow("eating") << 15 * kMs << 0 << P::Eating << 0 << QList<int>{0, 1} << -1 << -1;
    QTest::newRow("waits for P0") << 15 * kMs << 1 << P::Hungry << 0 << QList<int>{} << 1 << 0;
    QTest::newRow("meal counted at its instant")
        << 20 * kMs << 0 << P::Thinking << 1 << QList<int>{} << -1 << -1;
    QTest::newRow("waits, chopstick free")
        << 20 * kMs << 1 << P::Hungry << 0 << QList<int>{} << 1 << -1;
    QTest::newRow("second eats") << 25 * kMs << 1 << P::Eating << 0 << QList<int>{1, 2} << -1 << -1;
    QTest::newRow("first meal kept")
        << 25 * kMs << 0 << P::Thinking << 1 << QList<int>{} << -1 << -1;
    QTest::newRow("second meal") << 35 * kMs << 1 << P::Thinking << 1 << QList<int>{} << -1 << -1;
    QTest::newRow("never ate") << 35 * kMs << 3 << P::Thinking << 0 << QList<int>{} << -1 << -1;
    QTest::newRow("finished") << 55 * kMs << 0 << P::Finished << 1 << QList<int>{} << -1 << -1;
    QTest::newRow("after the end") << 90 * kMs << 4 << P::Finished << 0 << QList<int>{} << -1 << -1;
}

void TstTableState::philosopherAt()
{
    QFETCH(qint64, t);
    QFETCH(int, seat);
    QFETCH(PhilosopherPhase, phase);
    QFETCH(int, meals);
    QFETCH(QList<int>, held);
    QFETCH(int, waitsFor);
    QFETCH(int, holder);
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    const TableState table = tableStateAt(timeline, t);
    QCOMPARE(table.tNs, t);
    QCOMPARE(table.philosophers.size(), 5);
    const PhilosopherState &p = table.philosophers[seat];
    QCOMPARE(p.name, QStringLiteral("P%1").arg(seat));
    QCOMPARE(p.lane, seat);
    QCOMPARE(p.phase, phase);
    QCOMPARE(p.meals, meals);
    QCOMPARE(p.held, held);
    QCOMPARE(p.waitsFor, waitsFor);
    QCOMPARE(p.waitsForHolder, holder);
    QVERIFY(table.cycleLanes.isEmpty());
}

void TstTableState::chopstickHolders_data()
{
    QTest::addColumn<qint64>("t");
    QTest::addColumn<QList<int>>("holders");
    QTest::newRow("all free") << 5 * kMs << QList<int>{-1, -1, -1, -1, -1};
    QTest::newRow("P0 takes its right") << 11 * kMs << QList<int>{0, -1, -1, -1, -1};
    QTest::newRow("P0 eats") << 15 * kMs << QList<int>{0, 0, -1, -1, -1};
    QTest::newRow("put down") << 20 * kMs << QList<int>{-1, -1, -1, -1, -1};
    QTest::newRow("P1 eats") << 21 * kMs << QList<int>{-1, 1, 1, -1, -1};
}

void TstTableState::chopstickHolders()
{
    QFETCH(qint64, t);
    QFETCH(QList<int>, holders);
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    const TableState table = tableStateAt(timeline, t);
    QList<int> actual;
    for (const ChopstickState &c : table.chopsticks)
        actual << c.holder;
    QCOMPARE(actual, holders);
}

void TstTableState::lockStyleCriticalWithOneChopstickIsHungry()
{
    // An instrumented mutex reports Critical as soon as the first chopstick is taken.
    il::Timeline timeline;
    TableRun run(3);
    run.state(0, 0, il::State::Running).acquire(1 * kMs, 0, 0);
    run.state(1 * kMs, 0, il::State::Critical, 0);
    run.acquire(2 * kMs, 0, 1).state(2 * kMs, 0, il::State::Critical, 1);
    run.applyTo(timeline);
    QCOMPARE(tableStateAt(timeline, 1 * kMs).philosophers[0].phase, PhilosopherPhase::Hungry);
    QCOMPARE(tableStateAt(timeline, 2 * kMs).philosophers[0].phase, PhilosopherPhase::Eating);
}

void TstTableState::resourceIdsAreMappedByName()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    const TableState table = tableStateAt(timeline, 0);
    for (int k = 0; k < 5; ++k) {
        QCOMPARE(timeline.resource_name(table.chopsticks[k].resource),
                 "chopstick " + std::to_string(k));
        QVERIFY(table.chopsticks[k].resource != il::ResourceId(k + 1));
    }
}

void TstTableState::deadlockCycleAppearsFromItsTime_data()
{
    QTest::addColumn<int>("seats");
    QTest::newRow("2") << 2;
    QTest::newRow("5") << 5;
    QTest::newRow("16") << 16;
}

void TstTableState::deadlockCycleAppearsFromItsTime()
{
    QFETCH(int, seats);
    il::Timeline timeline;
    const qint64 closes = 40 * kMs;
    TableRun(seats).deadlock(10 * kMs, closes).applyTo(timeline);
    QVERIFY(timeline.deadlock());

    const TableState before = tableStateAt(timeline, closes - 1);
    QVERIFY(before.cycleLanes.isEmpty());
    QVERIFY(before.cycleCaption.isEmpty());
    for (const PhilosopherState &p : before.philosophers)
        QVERIFY(!p.inCycle);

    const TableState after = tableStateAt(timeline, closes);
    QList<int> expected;
    for (const il::LaneId lane : timeline.deadlock()->lanes)
        expected << int(lane);
    QCOMPARE(after.cycleLanes, expected);
    QCOMPARE(after.cycleTNs, closes);
    for (int i = 0; i < seats; ++i) {
        const PhilosopherState &p = after.philosophers[i];
        QVERIFY(p.inCycle);
        QVERIFY(after.chopsticks[i].inCycle);
        QCOMPARE(p.phase, PhilosopherPhase::Hungry);
        QCOMPARE(p.held, QList<int>{i});
        QCOMPARE(p.waitsFor, (i + 1) % seats);
        QCOMPARE(p.waitsForHolder, (i + 1) % seats);
    }
    QVERIFY(after.cycleCaption.startsWith(QStringLiteral("P0 \u2192 chopstick 1 \u2192 P1")));
    QVERIFY(after.cycleCaption.endsWith(
        QStringLiteral("P%1 \u2192 chopstick 0 \u2192 P0").arg(seats - 1)));
}

void TstTableState::captionElidesLongCycles()
{
    il::Timeline timeline;
    TableRun(6).deadlock(1 * kMs, 20 * kMs).applyTo(timeline);
    const auto &cycle = *timeline.deadlock();
    QList<int> lanes;
    QList<il::ResourceId> resources;
    for (std::size_t i = 0; i < cycle.lanes.size(); ++i) {
        lanes << int(cycle.lanes[i]);
        resources << cycle.resources[i];
    }
    QCOMPARE(deadlockCaption(timeline, lanes, resources, 3),
             QStringLiteral("P0 \u2192 chopstick 1 \u2192 P1 \u2192 chopstick 2 \u2192 \u2026 "
                            "\u2192 P5 \u2192 chopstick 0 \u2192 P0"));
    QCOMPARE(tableStateAt(timeline, 20 * kMs).cycleCaptionShort,
             deadlockCaption(timeline, lanes, resources, 3));
    QCOMPARE(deadlockCaption(timeline, {}, {}), QString());
}

void TstTableState::restingPositions()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    const TableState eating = tableStateAt(timeline, 15 * kMs);
    // Chopstick 0 lies between P4 and P0, chopstick 1 between P0 and P1: P0 holds both.
    QCOMPARE(chopstickRestingPosition(eating, 0), 1.0);
    QCOMPARE(chopstickRestingPosition(eating, 1), -1.0);
    QCOMPARE(chopstickRestingPosition(eating, 2), 0.0);
    QCOMPARE(chopstickRestingPosition(eating, 9), 0.0);
    const TableState second = tableStateAt(timeline, 25 * kMs);
    QCOMPARE(chopstickRestingPosition(second, 1), 1.0);
    QCOMPARE(chopstickRestingPosition(second, 2), -1.0);
}

QTEST_GUILESS_MAIN(TstTableState)
#include "tst_philosophers_tablestate.moc"
