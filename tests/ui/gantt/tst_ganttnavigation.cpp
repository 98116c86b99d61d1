#include "gantt/ganttview.h"
#include "gantt/lanelayout.h"
#include "gantt/statestyle.h"
#include "gantt/timelineitem.h"

#include "../timelinefixtures.h"
#include "ganttfixtures.h"
#include "timeline.h"
#include "wakes.h"

#include <QAction>
#include <QCategoryAxis>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

using fixtures::applySorted;
using fixtures::kMs;
using fixtures::stateEvent;
using ganttfixtures::buildSmallRun;
using ganttfixtures::countColor;

namespace {

// `lanes` threads passing one lock round: every `stepNs` the holder lets go and the
// next lane, blocked on the lock since the step before, takes it. `steps` hand-overs.
// Steps firstStep..steps of the relay; step 0 also creates the lanes and the lock.
void buildLockRelay(il::Timeline &timeline, int lanes, int steps, qint64 stepNs, int firstStep = 0)
{
    using il::State;
    il::Batch b;
    if (firstStep == 0) {
        for (int lane = 0; lane < lanes; ++lane)
            b.newLanes.push_back("thread " + std::to_string(lane));
        b.newResources = {"lock"};
    }
    for (int i = firstStep; i <= steps; ++i) {
        const auto holder = il::LaneId(i % lanes);
        const auto next = il::LaneId((i + 1) % lanes);
        b.events.push_back(stateEvent(i * stepNs, holder, State::Critical, 1));
        b.events.push_back(stateEvent((i + 1) * stepNs, holder, State::Running));
        b.events.push_back(stateEvent(i * stepNs + stepNs / 4, next, State::Blocked, 1));
    }
    applySorted(timeline, b);
}

QStringList actionTexts(const QMenu &menu)
{
    QStringList texts;
    for (const QAction *action : menu.actions())
        if (!action->isSeparator())
            texts << action->text();
    return texts;
}

QAction *actionNamed(const QMenu &menu, const QString &text)
{
    for (QAction *action : menu.actions())
        if (action->text() == text)
            return action;
    return nullptr;
}

} // namespace

// Navigating a long run: selection zoom, W/A/S/D, hidden and collapsed lanes, and the
// arrows that show who woke whom.
class TstGanttNavigation : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void selectionZoomShowsTheSelectedRange_data();
    void selectionZoomShowsTheSelectedRange();
    void selectionNeverShorterThanMinimumSpan();
    void escapeCancelsSelection();
    void rightClickOpensLaneMenu();
    void wasdMoveTheRange_data();
    void wasdMoveTheRange();
    void heldKeyKeepsMovingUntilReleased();
    void layoutGivesHiddenLanesNoRow();
    void hideLaneChangesRowsHitsAndNames();
    void collapsedLaneIsAThinStrip();
    void laneMenuHidesCollapsesAndShowsAll();
    void newLanesAndNewRunsAreShown();
    void hiddenLaneIsNotPainted();
    void arrowsOnlyWhenZoomedIn();
    void arrowsFollowALiveRun();

private:
    void showView(QSize size = {1000, 600});
    void drag(Qt::MouseButton button, Qt::KeyboardModifiers modifiers, QPoint from, QPoint to,
              bool release = true);
    qint64 span() const { return m_view->visibleToNs() - m_view->visibleFromNs(); }

    std::unique_ptr<il::Timeline> m_timeline;
    std::unique_ptr<GanttView> m_view;
};

void TstGanttNavigation::init()
{
    m_timeline = std::make_unique<il::Timeline>();
    buildSmallRun(*m_timeline);
    m_view = std::make_unique<GanttView>();
    m_view->setTimeline(m_timeline.get());
}

void TstGanttNavigation::cleanup()
{
    m_view.reset();
    m_timeline.reset();
}

void TstGanttNavigation::showView(QSize size)
{
    m_view->resize(size);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QTRY_VERIFY(m_view->timelineItem()->boundingRect().width() > size.width() / 2);
    m_view->setFocus();
}

void TstGanttNavigation::drag(Qt::MouseButton button, Qt::KeyboardModifiers modifiers, QPoint from,
                              QPoint to, bool release)
{
    QWidget *viewport = m_view->viewport();
    QTest::mousePress(viewport, button, modifiers, from);
    // Two steps, as a hand would: past the click slop, then to the end.
    for (const QPoint &at : {from + (to - from) / 2, to}) {
        QMouseEvent move(QEvent::MouseMove, QPointF(at), viewport->mapToGlobal(QPointF(at)),
                         Qt::NoButton, button, modifiers);
        QApplication::sendEvent(viewport, &move);
    }
    if (release)
        QTest::mouseRelease(viewport, button, modifiers, to);
}

void TstGanttNavigation::selectionZoomShowsTheSelectedRange_data()
{
    QTest::addColumn<Qt::MouseButton>("button");
    QTest::addColumn<Qt::KeyboardModifiers>("modifiers");
    QTest::newRow("right-drag") << Qt::RightButton << Qt::KeyboardModifiers();
    QTest::newRow("ctrl-drag") << Qt::LeftButton << Qt::KeyboardModifiers(Qt::ControlModifier);
}

void TstGanttNavigation::selectionZoomShowsTheSelectedRange()
{
    QFETCH(Qt::MouseButton, button);
    QFETCH(Qt::KeyboardModifiers, modifiers);
    showView();
    QVERIFY(m_view->followsLiveEdge());
    const double nsPerPixel = double(span()) / m_view->timelineItem()->boundingRect().width();
    const QPoint from = m_view->viewPosition(1, 6 * kMs);
    const QPoint to = m_view->viewPosition(1, 2 * kMs); // dragged leftwards
    drag(button, modifiers, from, to, false);
    // While dragging, a band covers the selection and the view has not moved yet.
    const QRectF band = m_view->selectionBand();
    QVERIFY(!band.isEmpty());
    QCOMPARE(band.height(), m_view->timelineItem()->boundingRect().height());
    QVERIFY(m_view->followsLiveEdge());
    QTest::mouseRelease(m_view->viewport(), button, modifiers, to);

    QVERIFY(m_view->selectionBand().isEmpty());
    QVERIFY(!m_view->followsLiveEdge());
    QVERIFY2(qAbs(m_view->visibleFromNs() - 2 * kMs) <= 2 * nsPerPixel,
             qPrintable(QString::number(m_view->visibleFromNs())));
    QVERIFY2(qAbs(m_view->visibleToNs() - 6 * kMs) <= 2 * nsPerPixel,
             qPrintable(QString::number(m_view->visibleToNs())));
    // A drag is no click: the replay cursor stayed where it was.
    QVERIFY(!m_view->timeCursorNs());
}

void TstGanttNavigation::selectionNeverShorterThanMinimumSpan()
{
    showView();
    m_view->setVisibleRangeNs(5 * kMs, 5 * kMs + 20'000);
    const QPoint from = m_view->viewPosition(1, 5 * kMs + 10'000);
    drag(Qt::RightButton, {}, from, from + QPoint(8, 0));
    QCOMPARE(span(), TimeMapping::kMinSpanNs);
    QVERIFY(m_view->visibleFromNs() >= 5 * kMs + 9'000);
    QVERIFY(m_view->visibleToNs() <= 5 * kMs + 12'000);
}

void TstGanttNavigation::escapeCancelsSelection()
{
    showView();
    QSignalSpy spy(m_view.get(), &GanttView::visibleRangeChanged);
    const QPoint from = m_view->viewPosition(0, 2 * kMs);
    const QPoint to = m_view->viewPosition(0, 7 * kMs);
    drag(Qt::RightButton, {}, from, to, false);
    QVERIFY(!m_view->selectionBand().isEmpty());
    QTest::keyClick(m_view.get(), Qt::Key_Escape);
    QVERIFY(m_view->selectionBand().isEmpty());
    QTest::mouseRelease(m_view->viewport(), Qt::RightButton, {}, to);
    QCOMPARE(spy.count(), 0);
    QVERIFY(m_view->followsLiveEdge());
    QCOMPARE(m_view->findChildren<QMenu *>().size(), 0); // no menu either
}

void TstGanttNavigation::rightClickOpensLaneMenu()
{
    showView();
    const QPoint at = m_view->viewPosition(1, 3 * kMs);
    QTest::mouseClick(m_view->viewport(), Qt::RightButton, {}, at);
    QMenu *menu = nullptr;
    QTRY_VERIFY((menu = m_view->findChild<QMenu *>()) != nullptr);
    QVERIFY(actionTexts(*menu).contains(QStringLiteral("Hide lane 'worker 1'")));
    QVERIFY(m_view->followsLiveEdge()); // a click is no selection
    menu->close();
}

void TstGanttNavigation::wasdMoveTheRange_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("spanSign");  // -1 shorter, +1 longer, 0 equal
    QTest::addColumn<int>("shiftSign"); // which way the middle moves
    QTest::newRow("W zooms in") << int(Qt::Key_W) << -1 << 0;
    QTest::newRow("S zooms out") << int(Qt::Key_S) << 1 << 0;
    QTest::newRow("A pans left") << int(Qt::Key_A) << 0 << -1;
    QTest::newRow("D pans right") << int(Qt::Key_D) << 0 << 1;
}

void TstGanttNavigation::wasdMoveTheRange()
{
    QFETCH(int, key);
    QFETCH(int, spanSign);
    QFETCH(int, shiftSign);
    showView();
    // Any of them stops following the live edge, even where the range cannot move.
    QVERIFY(m_view->followsLiveEdge());
    QTest::keyClick(m_view.get(), Qt::Key(key));
    QVERIFY(!m_view->followsLiveEdge());

    m_view->setVisibleRangeNs(4 * kMs, 6 * kMs);
    QTest::keyClick(m_view.get(), Qt::Key(key));
    const qint64 spanAfter = span();
    const qint64 middle = (m_view->visibleFromNs() + m_view->visibleToNs()) / 2;
    if (spanSign < 0)
        QVERIFY2(spanAfter < 2 * kMs, qPrintable(QString::number(spanAfter)));
    else if (spanSign > 0)
        QVERIFY2(spanAfter > 2 * kMs, qPrintable(QString::number(spanAfter)));
    else
        QCOMPARE(spanAfter, 2 * kMs);
    if (shiftSign < 0)
        QVERIFY(middle < 5 * kMs);
    else if (shiftSign > 0)
        QVERIFY(middle > 5 * kMs);

    QTest::keyClick(m_view.get(), Qt::Key_0);
    QVERIFY(m_view->followsLiveEdge());
}

void TstGanttNavigation::heldKeyKeepsMovingUntilReleased()
{
    showView();
    m_view->setVisibleRangeNs(kMs, 3 * kMs);
    QTest::keyPress(m_view.get(), Qt::Key_D);
    const qint64 afterTap = m_view->visibleFromNs();
    QVERIFY(afterTap > kMs);
    // Held down, it keeps panning on its own.
    QTRY_VERIFY(m_view->visibleFromNs() > afterTap);
    QTest::keyRelease(m_view.get(), Qt::Key_D);
    QSignalSpy spy(m_view.get(), &GanttView::visibleRangeChanged);
    QTest::qWait(150); // several timer ticks
    QCOMPARE(spy.count(), 0);
}

void TstGanttNavigation::layoutGivesHiddenLanesNoRow()
{
    using M = LaneMode;
    const LaneLayout layout{QRectF(0, 0, 200, 100), 4, 1.0, {M::Normal, M::Hidden, M::Collapsed}};
    QCOMPARE(layout.mode(3), M::Normal); // past the list
    const double strip = LaneLayout::kCollapsedRow;
    const double row = (100 - strip) / 2;
    QCOMPARE(layout.rowHeight(), row);
    QCOMPARE(layout.rowRect(0), QRectF(0, 0, 200, row));
    QCOMPARE(layout.rowRect(1).height(), 0.0);
    QVERIFY(layout.barRect(1).isEmpty());
    QCOMPARE(layout.barRect(1).height(), 0.0);
    QCOMPARE(layout.rowRect(2), QRectF(0, row, 200, strip));
    QCOMPARE(layout.barRect(2).height(), LaneLayout::kCollapsedBar);
    QCOMPARE(layout.rowRect(3), QRectF(0, row + strip, 200, row));
    QCOMPARE(layout.laneAtY(row), 2);
    QCOMPARE(layout.laneAtY(row + strip / 2), 2);
    QCOMPARE(layout.barAtY(row + strip / 2), 2);
    QCOMPARE(layout.laneAtY(99.9), 3);
    for (double y = 0; y < 100; y += 0.5)
        QVERIFY(layout.laneAtY(y) != 1 && layout.barAtY(y) != 1);

    // Only strips: they stack at the top and the rest belongs to no lane.
    const LaneLayout strips{QRectF(0, 0, 200, 100), 2, 2.0, {M::Collapsed, M::Collapsed}};
    QCOMPARE(strips.rowRect(1), QRectF(0, 2 * strip, 200, 2 * strip));
    QCOMPARE(strips.laneAtY(50), -1);
    // All Normal is the plain equal split.
    const LaneLayout plain{QRectF(0, 0, 200, 90), 3, 1.0, {M::Normal}};
    QCOMPARE(plain.rowRect(2), QRectF(0, 60, 200, 30));
}

void TstGanttNavigation::hideLaneChangesRowsHitsAndNames()
{
    showView();
    const QPoint worker1 = m_view->viewPosition(1, 3 * kMs);
    QVERIFY(m_view->toolTipAt(worker1).startsWith(QStringLiteral("worker 1\n")));
    const double fullRow = m_view->timelineItem()->laneLayout().rowHeight();

    m_view->setLaneMode(1, LaneMode::Hidden);
    QCOMPARE(m_view->laneMode(1), LaneMode::Hidden);
    const LaneLayout layout = m_view->timelineItem()->laneLayout();
    QVERIFY(layout.barRect(1).isEmpty());
    QVERIFY(qAbs(layout.rowHeight() - fullRow * 1.5) < 1e-6);
    // Nothing over there is worker 1 any more; the other lanes answer at their new rows.
    QVERIFY(!m_view->toolTipAt(worker1).startsWith(QStringLiteral("worker 1\n")));
    QCOMPARE(m_view->laneAt(worker1) == 1, false);
    QVERIFY(m_view->toolTipAt(m_view->viewPosition(2, 2 * kMs))
                .startsWith(QStringLiteral("worker 2\nsleeping")));
    QVERIFY(m_view->toolTipAt(m_view->viewPosition(0, 2 * kMs)).startsWith(QStringLiteral("main")));
    // The names follow: two lanes, each at the centre of its half.
    const QStringList labels = m_view->laneAxis()->categoriesLabels();
    QCOMPARE(labels.size(), 2);
    QVERIFY(!labels.contains(QStringLiteral("worker 1")));
    QCOMPARE(m_view->laneAxis()->endValue(QStringLiteral("main")), 1.5);
    QCOMPARE(m_view->laneAxis()->endValue(QStringLiteral("worker 2")), 0.5);
    QVERIFY(m_view->showAllLanesAction()->isEnabled());

    m_view->showAllLanes();
    QCOMPARE(m_view->laneMode(1), LaneMode::Normal);
    QVERIFY(m_view->toolTipAt(worker1).startsWith(QStringLiteral("worker 1\n")));
    QCOMPARE(m_view->laneAxis()->categoriesLabels().size(), 3);
    QCOMPARE(m_view->laneAxis()->endValue(QStringLiteral("main")), 2.5);
    QVERIFY(!m_view->showAllLanesAction()->isEnabled());
}

void TstGanttNavigation::collapsedLaneIsAThinStrip()
{
    showView();
    m_view->setLaneMode(1, LaneMode::Collapsed);
    const LaneLayout layout = m_view->timelineItem()->laneLayout();
    QCOMPARE(layout.barRect(1).height(), LaneLayout::kCollapsedBar);
    QVERIFY(layout.barRect(0).height() > 4 * LaneLayout::kCollapsedBar);
    // Still there to hover: the strip's centre is worker 1, blocked.
    const QString tip = m_view->toolTipAt(m_view->viewPosition(1, 3 * kMs));
    QVERIFY2(tip.startsWith(QStringLiteral("worker 1\nblocked")), qPrintable(tip));
    // Just off the thin bar is no lane's segment.
    const QPoint off = m_view->viewPosition(1, 3 * kMs) + QPoint(0, 4);
    QVERIFY(!m_view->toolTipAt(off).startsWith(QStringLiteral("worker 1")));
    // Its colours still show.
    const QImage image = m_view->grab().toImage();
    const QPoint centre = m_view->viewPosition(1, 3 * kMs);
    const qreal dpr = image.devicePixelRatio();
    QCOMPARE(image.pixelColor(QPoint(int(centre.x() * dpr), int(centre.y() * dpr))).rgb(),
             stateColor(il::State::Blocked).rgb());
}

void TstGanttNavigation::laneMenuHidesCollapsesAndShowsAll()
{
    showView();
    // On the lane's name, left of the plot, as on its row.
    const QPoint onName(8, m_view->viewPosition(1, 0).y());
    QCOMPARE(m_view->laneAt(onName), 1);
    std::unique_ptr<QMenu> menu(m_view->createLaneMenu(onName));
    QCOMPARE(actionTexts(*menu), (QStringList{QStringLiteral("Hide lane 'worker 1'"),
                                              QStringLiteral("Collapse lane 'worker 1'"),
                                              m_view->showAllLanesAction()->text(),
                                              m_view->wakeArrowsAction()->text()}));
    QVERIFY(!m_view->showAllLanesAction()->isEnabled());
    actionNamed(*menu, QStringLiteral("Collapse lane 'worker 1'"))->trigger();
    QCOMPARE(m_view->laneMode(1), LaneMode::Collapsed);

    menu.reset(m_view->createLaneMenu(m_view->viewPosition(1, 0)));
    QVERIFY(actionNamed(*menu, QStringLiteral("Expand lane 'worker 1'")));
    QVERIFY(m_view->showAllLanesAction()->isEnabled());
    actionNamed(*menu, QStringLiteral("Hide lane 'worker 1'"))->trigger();
    QCOMPARE(m_view->laneMode(1), LaneMode::Hidden);

    // Away from any lane only the general entries are offered.
    menu.reset(m_view->createLaneMenu(QPoint(2, 2)));
    QCOMPARE(actionTexts(*menu).size(), 2);
    m_view->showAllLanesAction()->trigger();
    QCOMPARE(m_view->laneMode(1), LaneMode::Normal);
}

void TstGanttNavigation::newLanesAndNewRunsAreShown()
{
    showView();
    m_view->setLaneMode(0, LaneMode::Hidden);
    m_view->setLaneMode(2, LaneMode::Collapsed);
    il::Batch more;
    more.newLanes = {"worker 3"};
    more.events = {stateEvent(10 * kMs, 3, il::State::Running)};
    m_timeline->apply(more);
    m_view->refresh();
    QCOMPARE(m_view->laneMode(3), LaneMode::Normal);
    QVERIFY(m_view->laneAxis()->categoriesLabels().contains(QStringLiteral("worker 3")));
    QVERIFY(!m_view->laneAxis()->categoriesLabels().contains(QStringLiteral("main")));
    QCOMPARE(m_view->laneMode(0), LaneMode::Hidden);

    // A new run (the view is given its timeline again) starts with every lane shown.
    m_view->setTimeline(m_timeline.get());
    for (int lane = 0; lane < 4; ++lane)
        QCOMPARE(m_view->laneMode(lane), LaneMode::Normal);
    QCOMPARE(m_view->laneAxis()->categoriesLabels().size(), 4);
}

void TstGanttNavigation::hiddenLaneIsNotPainted()
{
    showView();
    const QRect plot = m_view->chart()->plotArea().toRect();
    const qreal dpr = m_view->grab().devicePixelRatio();
    const QRect pixels(plot.topLeft() * dpr, plot.size() * dpr);
    const QColor blocked = stateColor(il::State::Blocked);
    QVERIFY(countColor(m_view->grab().toImage(), pixels, blocked) > 100);
    m_view->setLaneMode(1, LaneMode::Hidden); // the only lane ever blocked
    const QImage hidden = m_view->grab().toImage();
    QCOMPARE(countColor(hidden, pixels, blocked), 0);
    QVERIFY(countColor(hidden, pixels, stateColor(il::State::Sleeping)) > 100);
}

void TstGanttNavigation::arrowsOnlyWhenZoomedIn()
{
    il::Timeline relay;
    buildLockRelay(relay, 4, 2000, 10'000); // 2000 hand-overs over 20 ms
    m_view->setTimeline(&relay);
    showView({1200, 600});
    TimelineItem *item = m_view->timelineItem();

    // Zoomed out, 2000 arrows would be a smear: none are drawn.
    QVERIFY(!m_view->grab().isNull());
    QCOMPARE(item->lastArrowCount(), 0);

    // 200 µs hold about 20 hand-overs, far apart: each gets its arrow.
    m_view->setVisibleRangeNs(5 * kMs, 5 * kMs + 200'000);
    const QImage with = m_view->grab().toImage();
    const auto expected = il::find_wakes(relay, 5 * kMs, 5 * kMs + 200'000, 1000);
    QVERIFY(expected.size() >= 15);
    QVERIFY2(std::abs(item->lastArrowCount() - int(expected.size())) <= 1,
             qPrintable(QString::number(item->lastArrowCount())));

    // Hiding a lane drops its arrows; turning arrows off drops them all.
    m_view->setLaneMode(2, LaneMode::Hidden);
    QVERIFY(!m_view->grab().isNull());
    QVERIFY(item->lastArrowCount() > 0);
    QVERIFY(item->lastArrowCount() <= int(expected.size()) / 2 + 1);
    m_view->showAllLanes();
    m_view->wakeArrowsAction()->setChecked(false);
    const QImage without = m_view->grab().toImage();
    QCOMPARE(item->lastArrowCount(), 0);
    QVERIFY(with != without);
    m_view->setTimeline(nullptr);
}

void TstGanttNavigation::arrowsFollowALiveRun()
{
    il::Timeline relay;
    buildLockRelay(relay, 4, 10, 10'000); // 10 hand-overs in the first 110 µs
    m_view->setTimeline(&relay);
    showView({1200, 600});
    TimelineItem *item = m_view->timelineItem();
    const qint64 to = 400'000;
    m_view->setVisibleRangeNs(0, to);
    QVERIFY(!m_view->grab().isNull());
    const int before = item->lastArrowCount();
    QVERIFY(before > 0);
    QCOMPARE(before, int(il::find_wakes(relay, 0, to, 1000).size()));

    // More hand-overs arrive inside the same window: the next paint shows them too.
    buildLockRelay(relay, 4, 30, 10'000, 11);
    m_view->setVisibleRangeNs(0, to);
    QVERIFY(!m_view->grab().isNull());
    QCOMPARE(item->lastArrowCount(), int(il::find_wakes(relay, 0, to, 1000).size()));
    QVERIFY(item->lastArrowCount() > before);
    m_view->setTimeline(nullptr);
}

QTEST_MAIN(TstGanttNavigation)
#include "tst_ganttnavigation.moc"
