#include "philosophers/philosophersview.h"
#include "philosophers/tablepainter.h"
#include "tablefixtures.h"

#include <QTest>

class TstPhilosophersView : public QObject {
    Q_OBJECT
private slots:
    void seatsForEachTableSize_data();
    void seatsForEachTableSize();
    void otherRunsShowTheHint();
    void scrubbingShowsRecordedStates();
    void refreshFollowsTheLiveEdge();
    void deadlockHighlightsTheCycle();
    void exportNeverShowsHalfWayAnimation();
    void screenSettlesOnTheExportedPicture();
};

void TstPhilosophersView::seatsForEachTableSize_data()
{
    QTest::addColumn<int>("seats");
    QTest::newRow("2") << 2;
    QTest::newRow("5") << 5;
    QTest::newRow("16") << 16;
}

void TstPhilosophersView::seatsForEachTableSize()
{
    QFETCH(int, seats);
    il::Timeline timeline;
    TableRun run(seats);
    for (int i = 0; i < seats; ++i)
        run.state(0, i, il::State::Sleeping);
    run.eat(1 * kMs, 5 * kMs, 0);
    run.applyTo(timeline);

    PhilosophersView view;
    QCOMPARE(view.seatCount(), 0);
    view.setTimeline(&timeline);
    QCOMPARE(view.seatCount(), seats);
    view.setDisplayTimeNs(2 * kMs);
    const QImage image = view.renderImage({400, 400}, 1.0);
    QVERIFY(countColour(image, phaseColor(PhilosopherPhase::Eating)) > 100);
    QVERIFY(countColour(image, phaseColor(PhilosopherPhase::Thinking)) > 100);
}

void TstPhilosophersView::otherRunsShowTheHint()
{
    il::Timeline timeline;
    il::Batch batch;
    batch.newLanes = {"thread 0", "thread 1"};
    timeline.apply(batch);
    PhilosophersView view;
    view.setTimeline(&timeline);
    QCOMPARE(view.seatCount(), 0);
    QVERIFY(view.highlightedCycleLanes().isEmpty());
    const QImage image = view.renderImage({400, 300}, 1.0);
    QVERIFY(countColour(image, Qt::white) < 400 * 300); // the hint is written
    QVERIFY(!PhilosophersView::emptyHint().isEmpty());
    view.setTimeline(nullptr);
    QCOMPARE(view.seatCount(), 0);
}

void TstPhilosophersView::scrubbingShowsRecordedStates()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    PhilosophersView view;
    view.setTimeline(&timeline);

    struct Expect {
        qint64 t;
        PhilosopherPhase p0, p1;
        int p0Meals;
    };
    using P = PhilosopherPhase;
    for (const Expect &e :
         {Expect{5 * kMs, P::Thinking, P::Thinking, 0}, Expect{15 * kMs, P::Eating, P::Hungry, 0},
          Expect{25 * kMs, P::Thinking, P::Eating, 1}, Expect{12 * kMs, P::Eating, P::Hungry, 0},
          Expect{55 * kMs, P::Finished, P::Finished, 1}}) {
        view.setDisplayTimeNs(e.t);
        QCOMPARE(view.displayTimeNs(), std::optional<qint64>(e.t));
        QCOMPARE(view.tableState().tNs, e.t);
        QCOMPARE(view.tableState().philosophers[0].phase, e.p0);
        QCOMPARE(view.tableState().philosophers[1].phase, e.p1);
        QCOMPARE(view.tableState().philosophers[0].meals, e.p0Meals);
    }
    view.setDisplayTimeNs(std::nullopt);
    QCOMPARE(view.displayTimeNs(), std::nullopt);
    QCOMPARE(view.tableState().tNs, timeline.end_ns());
}

void TstPhilosophersView::refreshFollowsTheLiveEdge()
{
    il::Timeline timeline;
    TableRun first(3);
    first.state(0, 0, il::State::Sleeping).state(0, 1, il::State::Sleeping);
    first.state(0, 2, il::State::Sleeping);
    first.applyTo(timeline);
    PhilosophersView view;
    view.setTimeline(&timeline);
    QCOMPARE(view.tableState().philosophers[0].phase, PhilosopherPhase::Thinking);

    il::Batch more; // the next batch of the same run
    il::Event e;
    e.t_ns = 3 * kMs;
    e.lane = 0;
    e.state = il::State::Blocked;
    e.resource = first.chopstick(1);
    more.events.push_back(e);
    timeline.apply(more);

    view.setDisplayTimeNs(1 * kMs); // pinned: stays at 1 ms across refreshes
    view.refresh();
    QCOMPARE(view.tableState().philosophers[0].phase, PhilosopherPhase::Thinking);
    view.setDisplayTimeNs(std::nullopt);
    view.refresh();
    QCOMPARE(view.tableState().tNs, 3 * kMs);
    QCOMPARE(view.tableState().philosophers[0].phase, PhilosopherPhase::Hungry);
    QCOMPARE(view.tableState().philosophers[0].waitsFor, 1);
}

void TstPhilosophersView::deadlockHighlightsTheCycle()
{
    il::Timeline timeline;
    const qint64 closes = 30 * kMs;
    TableRun(5).deadlock(10 * kMs, closes).applyTo(timeline);
    PhilosophersView view;
    view.setTimeline(&timeline);

    QList<int> cycle;
    for (const il::LaneId lane : timeline.deadlock()->lanes)
        cycle << int(lane);
    QCOMPARE(view.highlightedCycleLanes(), cycle); // live edge is at the cycle
    const int red = countColour(view.renderImage({500, 500}, 1.0), cycleColor());

    view.setDisplayTimeNs(closes - 1);
    QVERIFY(view.highlightedCycleLanes().isEmpty());
    // Before the cycle only the legend's swatch is red.
    const int redBefore = countColour(view.renderImage({500, 500}, 1.0), cycleColor());
    QVERIFY(redBefore < 100);
    QVERIFY2(red > redBefore + 1000, qPrintable(QStringLiteral("%1 %2").arg(red).arg(redBefore)));

    view.setDisplayTimeNs(closes + 5 * kMs);
    QCOMPARE(view.highlightedCycleLanes(), cycle);
}

void TstPhilosophersView::exportNeverShowsHalfWayAnimation()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    PhilosophersView view;
    view.resize(500, 500);
    view.show();
    view.setTimeline(&timeline);
    view.setDisplayTimeNs(5 * kMs);
    view.setDisplayTimeNs(15 * kMs); // P0 picks up two chopsticks: they glide
    QVERIFY(view.isAnimating());

    PhilosophersView still; // never shown: never animates
    still.setTimeline(&timeline);
    still.setDisplayTimeNs(15 * kMs);
    QVERIFY(!still.isAnimating());
    QCOMPARE(view.renderImage({400, 400}, 1.0), still.renderImage({400, 400}, 1.0));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isAnimating(), 5000);
}

void TstPhilosophersView::screenSettlesOnTheExportedPicture()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    PhilosophersView view;
    view.resize(400, 400);
    view.show();
    view.setTimeline(&timeline);
    view.setDisplayTimeNs(25 * kMs);
    view.setDisplayTimeNs(15 * kMs);
    QTRY_VERIFY_WITH_TIMEOUT(!view.isAnimating(), 5000);
    const QImage onScreen = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QImage exported = view.renderImage(view.size(), onScreen.devicePixelRatio())
                                .convertToFormat(QImage::Format_RGB32);
    QCOMPARE(onScreen.size(), exported.size());
    QVERIFY(onScreen == exported);
}

QTEST_MAIN(TstPhilosophersView)
#include "tst_philosophersview.moc"
