#include "gantt/ganttview.h"
#include "gantt/segmentpainter.h"
#include "gantt/segmenttooltip.h"
#include "gantt/statestyle.h"
#include "gantt/timelineimage.h"
#include "gantt/timelineitem.h"

#include "../timelinefixtures.h"
#include "ganttfixtures.h"
#include "timeline.h"

#include <QCategoryAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

#include <algorithm>

Q_DECLARE_METATYPE(SegmentPainter::Output)

using fixtures::applySorted;
using fixtures::kMs;
using fixtures::markEvent;
using fixtures::stateEvent;
using ganttfixtures::buildSmallRun;
using ganttfixtures::countColor;

namespace {

// `lanes` lanes cycling running → blocked → critical, `perLane` segments each of
// `segmentNs`.
void buildDenseRun(il::Timeline &timeline, int lanes, int perLane, qint64 segmentNs)
{
    static constexpr il::State cycle[] = {il::State::Running, il::State::Blocked,
                                          il::State::Critical};
    il::Batch b;
    for (int lane = 0; lane < lanes; ++lane)
        b.newLanes.push_back("thread " + std::to_string(lane));
    b.newResources = {"lock"};
    b.events.reserve(std::size_t(lanes) * std::size_t(perLane));
    for (int i = 0; i < perLane; ++i)
        for (int lane = 0; lane < lanes; ++lane)
            b.events.push_back(stateEvent(i * segmentNs + lane, il::LaneId(lane), cycle[i % 3],
                                          i % 3 == 0 ? 0 : 1));
    timeline.apply(b);
}

QWheelEvent wheelAt(const QPoint &pos, int angle)
{
    return QWheelEvent(QPointF(pos), QPointF(pos), QPoint(), QPoint(0, angle), Qt::NoButton,
                       Qt::NoModifier, Qt::NoScrollPhase, false);
}

} // namespace

class TstGanttView : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void laneAxisNamesTheLanes();
    void legendNamesEveryState();
    void legendExplainsStripesWhileShown();
    void toolTipDescribesSegment();
    void toolTipEmptyOffSegments();
    void followsLiveEdgeWhileRunning();
    void wheelZoomStopsFollowing();
    void doubleClickAndFitAllRestore();
    void dragPans();
    void keysZoomAndFit();
    void setVisibleRangeStopsFollowing();
    void emptyAndNullTimelines();
    void manyLanesThinTheirLabels();
    void subPixelSegmentsMergeIntoColumns_data();
    void subPixelSegmentsMergeIntoColumns();
    void columnsFollowDominantStateAndGaps();
    void largeTimelinePaints();
    void formatMs_data();
    void formatMs();

private:
    void showView(QSize size = {1000, 600});

    il::Timeline *m_timeline = nullptr;
    GanttView *m_view = nullptr;
};

void TstGanttView::init()
{
    m_timeline = new il::Timeline;
    buildSmallRun(*m_timeline);
    m_view = new GanttView;
    m_view->setChartTitle(QStringLiteral("mutex"));
    m_view->setTimeline(m_timeline);
}

void TstGanttView::cleanup()
{
    delete m_view;
    m_view = nullptr;
    delete m_timeline;
    m_timeline = nullptr;
}

void TstGanttView::showView(QSize size)
{
    m_view->resize(size);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    // The chart lays itself out on a posted event; wait until the item has its size.
    QTRY_VERIFY(m_view->timelineItem()->boundingRect().width() > size.width() / 2);
}

void TstGanttView::laneAxisNamesTheLanes()
{
    showView();
    const QStringList labels = m_view->laneAxis()->categoriesLabels();
    QCOMPARE(labels.size(), 3);
    for (const char *name : {"main", "worker 1", "worker 2"})
        QVERIFY2(labels.contains(QLatin1String(name)), name);
    // Lane 0 sits at the top: its label has the largest axis value.
    QCOMPARE(m_view->laneAxis()->endValue(QStringLiteral("main")), 2.5);
    QCOMPARE(m_view->timeAxis()->titleText(), QStringLiteral("time (ms)"));
    QCOMPARE(m_view->chart()->title(), QStringLiteral("mutex"));
}

// Every state has its square; those the run has never been in are hidden, so the
// legend stays readable where the view is narrow. Before a run all are listed.
void TstGanttView::legendNamesEveryState()
{
    showView();
    const auto markers = m_view->chart()->legend()->markers();
    QCOMPARE(markers.size(), int(il::State::Count) + 1); // and the striped entry, last
    QVERIFY(markers.last()->label().startsWith(QStringLiteral("striped")));
    QVERIFY(!markers.last()->isVisible()); // nothing here changes faster than a pixel
    QStringList shown;
    for (int s = 0; s < int(il::State::Count); ++s) {
        QCOMPARE(markers[s]->label(), stateLabel(il::State(s)));
        QCOMPARE(markers[s]->brush().color(), stateColor(il::State(s)));
        if (markers[s]->isVisible())
            shown << markers[s]->label();
    }
    using il::State;
    QCOMPARE(shown, (QStringList{stateLabel(State::Running), stateLabel(State::Blocked),
                                 stateLabel(State::Critical), stateLabel(State::Sleeping),
                                 stateLabel(State::Finished)}));

    il::Timeline empty;
    m_view->setTimeline(&empty);
    const auto all = m_view->chart()->legend()->markers();
    for (int s = 0; s < int(il::State::Count); ++s)
        QVERIFY(all[s]->isVisible());
    QVERIFY(!all.last()->isVisible());
    m_view->setTimeline(m_timeline);
}

// A lane that takes a lock thousands of times a pixel is drawn striped; the legend then
// says what stripes mean, and stops saying it when zoomed in far enough to see each one.
void TstGanttView::legendExplainsStripesWhileShown()
{
    il::Timeline busy;
    il::Batch b;
    b.newLanes = {"holder"};
    for (int i = 0; i < 20'000; ++i) {
        b.events.push_back(fixtures::stateEvent(i * 100, 0, il::State::Critical));
        b.events.push_back(fixtures::stateEvent(i * 100 + 50, 0, il::State::Running));
    }
    busy.apply(b);
    busy.close(2'000'000);
    m_view->setTimeline(&busy);
    showView();
    const auto striped = [&] { return m_view->chart()->legend()->markers().last()->isVisible(); };
    QTRY_VERIFY(m_view->timelineItem()->mixedShown());
    QTRY_VERIFY(striped());
    m_view->setVisibleRangeNs(0, 2000); // 20 iterations across the plot: every change shows
    QTRY_VERIFY(!m_view->timelineItem()->mixedShown());
    QTRY_VERIFY(!striped());
    m_view->setTimeline(m_timeline);
}

void TstGanttView::toolTipDescribesSegment()
{
    showView();
    const QString blocked = m_view->toolTipAt(m_view->viewPosition(1, 3 * kMs + kMs / 2));
    QVERIFY2(blocked.contains(QStringLiteral("worker 1")), qPrintable(blocked));
    QVERIFY2(blocked.contains(QStringLiteral("blocked on counter mutex")), qPrintable(blocked));
    QVERIFY2(blocked.contains(QStringLiteral("start 2.000 ms")), qPrintable(blocked));
    QVERIFY2(blocked.contains(QStringLiteral("duration 3.000 ms")), qPrintable(blocked));

    const QString critical = m_view->toolTipAt(m_view->viewPosition(1, 6 * kMs));
    QVERIFY2(critical.contains(QStringLiteral("critical section holding counter mutex")),
             qPrintable(critical));

    const QString sleeping = m_view->toolTipAt(m_view->viewPosition(2, 2 * kMs));
    QVERIFY2(sleeping.startsWith(QStringLiteral("worker 2\nsleeping\n")), qPrintable(sleeping));
}

void TstGanttView::toolTipEmptyOffSegments()
{
    showView();
    // Before lane 2's first event, in the gap between two bars, and outside the plot.
    QCOMPARE(m_view->toolTipAt(m_view->viewPosition(2, kMs / 2)), QString());
    const QPoint lane0 = m_view->viewPosition(0, 5 * kMs);
    const QPoint lane1 = m_view->viewPosition(1, 5 * kMs);
    QCOMPARE(m_view->toolTipAt((lane0 + lane1) / 2), QString());
    QCOMPARE(m_view->toolTipAt(QPoint(2, 2)), QString());
}

void TstGanttView::followsLiveEdgeWhileRunning()
{
    showView();
    QVERIFY(m_view->followsLiveEdge());
    QCOMPARE(m_view->visibleFromNs(), 0);
    QCOMPARE(m_view->visibleToNs(), 10 * kMs);

    QSignalSpy spy(m_view, &GanttView::visibleRangeChanged);
    il::Batch more;
    more.events = {stateEvent(25 * kMs, 2, il::State::Finished)};
    m_timeline->apply(more);
    m_view->refresh();
    QCOMPARE(m_view->visibleToNs(), 25 * kMs);
    QCOMPARE(spy.count(), 1);

    // A run shorter than a millisecond still shows one.
    il::Timeline tiny;
    il::Batch b;
    b.newLanes = {"solo"};
    b.events = {stateEvent(0, 0, il::State::Running), stateEvent(200, 0, il::State::Finished)};
    tiny.apply(b);
    m_view->setTimeline(&tiny);
    QCOMPARE(m_view->visibleToNs(), kMs);
    m_view->setTimeline(nullptr);
}

void TstGanttView::wheelZoomStopsFollowing()
{
    showView();
    QSignalSpy spy(m_view, &GanttView::visibleRangeChanged);
    const QPoint at = m_view->viewPosition(1, 2 * kMs);
    QWheelEvent wheel = wheelAt(at, 240);
    QApplication::sendEvent(m_view->viewport(), &wheel);

    QVERIFY(!m_view->followsLiveEdge());
    QCOMPARE(spy.count(), 1);
    const qint64 span = m_view->visibleToNs() - m_view->visibleFromNs();
    QVERIFY2(span < 10 * kMs * 0.7, qPrintable(QString::number(span)));
    // The time under the cursor stays under the cursor.
    QVERIFY(qAbs(m_view->viewPosition(1, 2 * kMs).x() - at.x()) <= 1);

    // New data no longer moves the view.
    const qint64 from = m_view->visibleFromNs();
    const qint64 to = m_view->visibleToNs();
    il::Batch more;
    more.events = {stateEvent(40 * kMs, 0, il::State::Finished)};
    m_timeline->apply(more);
    m_view->refresh();
    QCOMPARE(m_view->visibleFromNs(), from);
    QCOMPARE(m_view->visibleToNs(), to);

    // Zooming out never goes past the whole run.
    QWheelEvent out = wheelAt(at, -120 * 40);
    QApplication::sendEvent(m_view->viewport(), &out);
    QCOMPARE(m_view->visibleFromNs(), 0);
    QCOMPARE(m_view->visibleToNs(), 40 * kMs);
    QVERIFY(!m_view->followsLiveEdge());
}

void TstGanttView::doubleClickAndFitAllRestore()
{
    showView();
    m_view->zoomBy(4.0);
    QVERIFY(!m_view->followsLiveEdge());
    QTest::mouseDClick(m_view->viewport(), Qt::LeftButton, {}, m_view->viewPosition(0, 5 * kMs));
    QVERIFY(m_view->followsLiveEdge());
    QCOMPARE(m_view->visibleFromNs(), 0);
    QCOMPARE(m_view->visibleToNs(), 10 * kMs);

    m_view->zoomBy(4.0);
    m_view->fitAll();
    QVERIFY(m_view->followsLiveEdge());
    QCOMPARE(m_view->visibleToNs(), 10 * kMs);
}

void TstGanttView::dragPans()
{
    showView();
    m_view->setVisibleRangeNs(4 * kMs, 6 * kMs);
    const QPoint start = m_view->viewPosition(1, 5 * kMs);
    const QPoint end = start - QPoint(100, 0);
    QTest::mousePress(m_view->viewport(), Qt::LeftButton, {}, start);
    QMouseEvent move(QEvent::MouseMove, QPointF(end), m_view->viewport()->mapToGlobal(QPointF(end)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_view->viewport(), &move);
    QTest::mouseRelease(m_view->viewport(), Qt::LeftButton, {}, end);

    // Dragging left shows later times; what was under the cursor moved with it.
    QVERIFY(m_view->visibleFromNs() > 4 * kMs);
    QCOMPARE(m_view->visibleToNs() - m_view->visibleFromNs(), 2 * kMs);
    QVERIFY(qAbs(m_view->viewPosition(1, 5 * kMs).x() - end.x()) <= 1);
    QVERIFY(!m_view->followsLiveEdge());
}

void TstGanttView::keysZoomAndFit()
{
    showView();
    m_view->setFocus();
    QTest::keyClick(m_view, Qt::Key_Plus);
    QVERIFY(m_view->visibleToNs() - m_view->visibleFromNs() < 10 * kMs);
    QVERIFY(!m_view->followsLiveEdge());
    QTest::keyClick(m_view, Qt::Key_0);
    QVERIFY(m_view->followsLiveEdge());
    QCOMPARE(m_view->visibleToNs() - m_view->visibleFromNs(), 10 * kMs);
}

void TstGanttView::setVisibleRangeStopsFollowing()
{
    QSignalSpy spy(m_view, &GanttView::visibleRangeChanged);
    m_view->setVisibleRangeNs(3 * kMs, 4 * kMs);
    QCOMPARE(spy.count(), 1);
    QVERIFY(!m_view->followsLiveEdge());
    QCOMPARE(m_view->visibleFromNs(), 3 * kMs);
    QCOMPARE(m_view->visibleToNs(), 4 * kMs);
    QCOMPARE(m_view->timeAxis()->min(), 3.0);
    QCOMPARE(m_view->timeAxis()->max(), 4.0);
}

void TstGanttView::emptyAndNullTimelines()
{
    m_view->setTimeline(nullptr);
    showView();
    QVERIFY(m_view->laneAxis()->categoriesLabels().isEmpty());
    QCOMPARE(m_view->toolTipAt(m_view->rect().center()), QString());
    QVERIFY(!m_view->grab().isNull());

    il::Timeline empty;
    m_view->setTimeline(&empty);
    m_view->refresh();
    QCOMPARE(m_view->visibleToNs(), kMs);
    QVERIFY(!m_view->grab().isNull());

    il::Batch one;
    one.newLanes = {"only"};
    one.events = {stateEvent(0, 0, il::State::Running),
                  stateEvent(2 * kMs, 0, il::State::Sleeping)};
    empty.apply(one);
    m_view->refresh();
    QCOMPARE(m_view->laneAxis()->categoriesLabels(), QStringList{QStringLiteral("only")});
    QVERIFY(!m_view->toolTipAt(m_view->viewPosition(0, kMs / 2)).isEmpty());
}

void TstGanttView::manyLanesThinTheirLabels()
{
    il::Timeline many;
    buildDenseRun(many, 64, 30, 100'000);
    m_view->setTimeline(&many);
    showView({1000, 700});
    QTRY_VERIFY(m_view->laneAxis()->count() > 0);

    const QStringList labels = m_view->laneAxis()->categoriesLabels();
    QVERIFY2(labels.size() < 64, qPrintable(QString::number(labels.size())));
    QVERIFY(labels.contains(QStringLiteral("thread 0")));
    // Neighbouring labels are at least a text line apart.
    const double plotHeight = m_view->chart()->plotArea().height();
    const double lanePx = plotHeight / 64;
    const double labelPx = QFontMetricsF(m_view->laneAxis()->labelsFont()).height();
    const double spacing =
        (m_view->laneAxis()->endValue(labels[1]) - m_view->laneAxis()->endValue(labels[0])) *
        lanePx;
    QVERIFY2(spacing >= labelPx, qPrintable(QStringLiteral("%1 < %2").arg(spacing).arg(labelPx)));
    m_view->setTimeline(nullptr);
}

void TstGanttView::subPixelSegmentsMergeIntoColumns_data()
{
    QTest::addColumn<SegmentPainter::Output>("output");
    QTest::addColumn<int>("draws");

    // Equal columns merge into one rectangle each; a scanline is one draw per lane.
    QTest::newRow("rects") << SegmentPainter::Output::Rects << 2;
    QTest::newRow("scanlines") << SegmentPainter::Output::Scanlines << 1;
}

void TstGanttView::subPixelSegmentsMergeIntoColumns()
{
    QFETCH(SegmentPainter::Output, output);
    QFETCH(int, draws);

    // One lane over 1 ms, 100 px: 10 µs per pixel. Segments of 1 µs: 9 running for
    // every blocked one in the first half, then one wide critical segment.
    il::Timeline timeline;
    il::Batch b;
    b.newLanes = {"dense"};
    for (int i = 0; i < 500; ++i)
        b.events.push_back(
            stateEvent(i * 1000, 0, i % 10 == 0 ? il::State::Blocked : il::State::Running));
    b.events.push_back(stateEvent(500'000, 0, il::State::Critical));
    b.events.push_back(stateEvent(1'000'000, 0, il::State::Finished));
    timeline.apply(b);
    timeline.close(1'000'000);

    TimeMapping map;
    map.fromNs = 0;
    map.toNs = 1'000'000;
    map.left = 0;
    map.width = 100;
    const LaneLayout layout{QRectF(0, 0, 100, 20), 1, 1.0};
    const SegmentPainter painter(timeline, map, layout);

    std::vector<std::uint8_t> columns;
    painter.classifyLane(0, columns);
    QCOMPARE(columns.size(), std::size_t(100));
    for (int c = 0; c < 50; ++c)
        QCOMPARE(columns[std::size_t(c)], std::uint8_t(il::State::Running));
    for (int c = 50; c < 100; ++c)
        QCOMPARE(columns[std::size_t(c)], std::uint8_t(il::State::Critical));

    QImage image(100, 20, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    QCOMPARE(painter.paintLanes(p, 0, 0, output), draws);
    p.end();
    const int y = 10;
    QCOMPARE(QColor(image.pixel(10, y)), stateColor(il::State::Running));
    QCOMPARE(QColor(image.pixel(49, y)), stateColor(il::State::Running));
    QCOMPARE(QColor(image.pixel(50, y)), stateColor(il::State::Critical));
    QCOMPARE(QColor(image.pixel(99, y)), stateColor(il::State::Critical));
    QCOMPARE(QColor(image.pixel(50, 0)), QColor(Qt::white)); // the gap above the bar
}

void TstGanttView::columnsFollowDominantStateAndGaps()
{
    // 10 columns of 100 ns. Column 0: 70 ns blocked + 30 ns running; column 1: a gap;
    // columns 2-3: sleeping; column 4: equal running and critical (critical wins the tie).
    il::Timeline timeline;
    il::Batch b;
    b.newLanes = {"lane"};
    b.events = {stateEvent(0, 0, il::State::Blocked), stateEvent(70, 0, il::State::Running),
                stateEvent(100, 0, il::State::Finished)};
    timeline.apply(b);
    timeline.close(100);
    il::Timeline later; // a second run whose first segment starts late
    il::Batch c;
    c.newLanes = {"lane"};
    c.events = {stateEvent(200, 0, il::State::Sleeping), stateEvent(400, 0, il::State::Running),
                stateEvent(450, 0, il::State::Critical), stateEvent(500, 0, il::State::Finished)};
    later.apply(c);
    later.close(1000);

    TimeMapping map;
    map.fromNs = 0;
    map.toNs = 1000;
    map.left = 0;
    map.width = 10;
    const LaneLayout layout{QRectF(0, 0, 10, 10), 1, 1.0};
    std::vector<std::uint8_t> columns;
    SegmentPainter(timeline, map, layout).classifyLane(0, columns);
    QCOMPARE(columns[0], std::uint8_t(il::State::Blocked));
    QCOMPARE(columns[1], SegmentPainter::kNoState);

    SegmentPainter(later, map, layout).classifyLane(0, columns);
    QCOMPARE(columns[0], SegmentPainter::kNoState);
    QCOMPARE(columns[1], SegmentPainter::kNoState);
    QCOMPARE(columns[2], std::uint8_t(il::State::Sleeping));
    QCOMPARE(columns[3], std::uint8_t(il::State::Sleeping));
    QCOMPARE(columns[4], std::uint8_t(il::State::Critical));
    QCOMPARE(columns[9], std::uint8_t(il::State::Finished));
}

void TstGanttView::largeTimelinePaints()
{
    il::Timeline big;
    buildDenseRun(big, 8, 25'000, 2'000); // 200k segments over 50 ms
    QCOMPARE(big.segment_count(), std::size_t(200'000));
    m_view->setTimeline(&big);
    showView({1200, 700});

    const QImage frame = m_view->grab().toImage();
    QVERIFY(!frame.isNull());
    TimelineItem *item = m_view->timelineItem();
    // Bounded by pixels, not by segments.
    const int columns = int(item->boundingRect().width() * frame.devicePixelRatio()) + 1;
    QVERIFY2(item->lastRectCount() > 0, "nothing painted");
    QVERIFY2(item->lastRectCount() <= 8 * columns,
             qPrintable(QString::number(item->lastRectCount())));

    // Zoomed in, every segment is wide and still drawn.
    m_view->setVisibleRangeNs(10 * kMs, 10 * kMs + 20'000);
    const QImage zoomed = m_view->grab().toImage();
    const QRect plot = m_view->chart()->plotArea().toRect();
    for (const il::State state : {il::State::Running, il::State::Blocked, il::State::Critical})
        QVERIFY2(countColor(zoomed, plot, stateColor(state)) > 8 * 50,
                 qPrintable(stateLabel(state)));
    m_view->setTimeline(nullptr);
}

void TstGanttView::formatMs_data()
{
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<QString>("text");

    QTest::newRow("zero") << qint64(0) << QStringLiteral("0.000 ms");
    QTest::newRow("micro") << qint64(1000) << QStringLiteral("0.0010 ms");
    QTest::newRow("50 us") << qint64(50'000) << QStringLiteral("0.050 ms");
    QTest::newRow("few ns") << qint64(42) << QStringLiteral("0.000042 ms");
    QTest::newRow("ms") << qint64(2'000'000) << QStringLiteral("2.000 ms");
    QTest::newRow("long") << qint64(123'456'789) << QStringLiteral("123.457 ms");
}

void TstGanttView::formatMs()
{
    QFETCH(qint64, ns);
    QFETCH(QString, text);
    QCOMPARE(::formatMs(ns), text);
}

QTEST_MAIN(TstGanttView)
#include "tst_ganttview.moc"
