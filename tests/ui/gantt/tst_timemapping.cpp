#include "gantt/laneaxis.h"
#include "gantt/lanelayout.h"
#include "gantt/timeaxis.h"
#include "gantt/timemapping.h"

#include <QTest>

namespace {
TimeMapping makeMapping(qint64 from, qint64 to, double left, double width)
{
    TimeMapping m;
    m.fromNs = from;
    m.toNs = to;
    m.left = left;
    m.width = width;
    return m;
}
} // namespace

class TstTimeMapping : public QObject {
    Q_OBJECT
private slots:
    void timeToPixel_data();
    void timeToPixel();
    void zoomKeepsAnchor_data();
    void zoomKeepsAnchor();
    void zoomStopsAtMinimumSpan();
    void pan_data();
    void pan();
    void clamp_data();
    void clamp();
    void setRangeOrdersAndWidens_data();
    void setRangeOrdersAndWidens();
    void tickStep_data();
    void tickStep();
    void laneLayout_data();
    void laneLayout();
    void laneLabelStep_data();
    void laneLabelStep();
};

void TstTimeMapping::timeToPixel_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<double>("left");
    QTest::addColumn<double>("width");
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<double>("x");

    QTest::newRow("start") << qint64(0) << qint64(1000) << 0.0 << 100.0 << qint64(0) << 0.0;
    QTest::newRow("end") << qint64(0) << qint64(1000) << 0.0 << 100.0 << qint64(1000) << 100.0;
    QTest::newRow("middle, offset")
        << qint64(0) << qint64(1000) << 50.0 << 100.0 << qint64(500) << 100.0;
    QTest::newRow("shifted range")
        << qint64(2'000'000) << qint64(3'000'000) << 10.0 << 1000.0 << qint64(2'250'000) << 260.0;
    QTest::newRow("before range") << qint64(1000) << qint64(2000) << 0.0 << 100.0 << qint64(0)
                                  << -100.0;
    QTest::newRow("after range") << qint64(1000) << qint64(2000) << 0.0 << 100.0 << qint64(3000)
                                 << 200.0;
    QTest::newRow("long run, device pixels") << qint64(0) << qint64(3'600'000'000'000) << 120.0
                                             << 2800.0 << qint64(1'800'000'000'000) << 1520.0;
}

void TstTimeMapping::timeToPixel()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(double, left);
    QFETCH(double, width);
    QFETCH(qint64, ns);
    QFETCH(double, x);

    const TimeMapping m = makeMapping(from, to, left, width);
    QCOMPARE(m.x(double(ns)), x);
    QCOMPARE(m.ns(x), ns);
}

void TstTimeMapping::zoomKeepsAnchor_data()
{
    QTest::addColumn<double>("anchorX");
    QTest::addColumn<double>("factor");
    QTest::addColumn<qint64>("expectedFrom");
    QTest::addColumn<qint64>("expectedTo");

    // Range [0, 1 ms] over 1000 px.
    QTest::newRow("in at left edge") << 0.0 << 2.0 << qint64(0) << qint64(500'000);
    QTest::newRow("in at right edge") << 1000.0 << 2.0 << qint64(500'000) << qint64(1'000'000);
    QTest::newRow("in at middle") << 500.0 << 4.0 << qint64(375'000) << qint64(625'000);
    QTest::newRow("out at middle") << 500.0 << 0.5 << qint64(-500'000) << qint64(1'500'000);
    QTest::newRow("anchor outside clamps to edge")
        << 5000.0 << 2.0 << qint64(500'000) << qint64(1'000'000);
}

void TstTimeMapping::zoomKeepsAnchor()
{
    QFETCH(double, anchorX);
    QFETCH(double, factor);
    QFETCH(qint64, expectedFrom);
    QFETCH(qint64, expectedTo);

    TimeMapping m = makeMapping(0, 1'000'000, 0.0, 1000.0);
    m.zoomAt(anchorX, factor);
    QCOMPARE(m.fromNs, expectedFrom);
    QCOMPARE(m.toNs, expectedTo);
}

void TstTimeMapping::zoomStopsAtMinimumSpan()
{
    TimeMapping m = makeMapping(0, 1'000'000, 0.0, 1000.0);
    const qint64 anchorNs = m.ns(300.0);
    for (int i = 0; i < 40; ++i)
        m.zoomAt(300.0, 3.0);
    QCOMPARE(m.spanNs(), TimeMapping::kMinSpanNs);
    QVERIFY(qAbs(m.ns(300.0) - anchorNs) <= 1);
}

void TstTimeMapping::pan_data()
{
    QTest::addColumn<double>("dx");
    QTest::addColumn<qint64>("expectedFrom");

    // Range [1 ms, 2 ms] over 500 px: 2 µs per pixel.
    QTest::newRow("drag right shows earlier") << 100.0 << qint64(800'000);
    QTest::newRow("drag left shows later") << -50.0 << qint64(1'100'000);
    QTest::newRow("no move") << 0.0 << qint64(1'000'000);
    QTest::newRow("sub-pixel") << 0.5 << qint64(999'000);
}

void TstTimeMapping::pan()
{
    QFETCH(double, dx);
    QFETCH(qint64, expectedFrom);

    TimeMapping m = makeMapping(1'000'000, 2'000'000, 40.0, 500.0);
    m.panByPixels(dx);
    QCOMPARE(m.fromNs, expectedFrom);
    QCOMPARE(m.spanNs(), qint64(1'000'000));
}

void TstTimeMapping::clamp_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<qint64>("expectedFrom");
    QTest::addColumn<qint64>("expectedTo");

    // Bounds [0, 10000].
    QTest::newRow("inside untouched")
        << qint64(2000) << qint64(4000) << qint64(2000) << qint64(4000);
    QTest::newRow("before start shifts in")
        << qint64(-1500) << qint64(500) << qint64(0) << qint64(2000);
    QTest::newRow("past end shifts in")
        << qint64(9000) << qint64(12000) << qint64(7000) << qint64(10000);
    QTest::newRow("wider shrinks to bounds")
        << qint64(-5000) << qint64(20000) << qint64(0) << qint64(10000);
}

void TstTimeMapping::clamp()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(qint64, expectedFrom);
    QFETCH(qint64, expectedTo);

    TimeMapping m = makeMapping(from, to, 0.0, 100.0);
    m.clampTo(0, 10000);
    QCOMPARE(m.fromNs, expectedFrom);
    QCOMPARE(m.toNs, expectedTo);
}

void TstTimeMapping::setRangeOrdersAndWidens_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<qint64>("expectedFrom");
    QTest::addColumn<qint64>("expectedTo");

    QTest::newRow("plain") << qint64(10) << qint64(5000) << qint64(10) << qint64(5000);
    QTest::newRow("reversed") << qint64(5000) << qint64(10) << qint64(10) << qint64(5000);
    QTest::newRow("empty widens around it")
        << qint64(7000) << qint64(7000) << qint64(6500) << qint64(7500);
}

void TstTimeMapping::setRangeOrdersAndWidens()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(qint64, expectedFrom);
    QFETCH(qint64, expectedTo);

    TimeMapping m;
    m.setRange(from, to);
    QCOMPARE(m.fromNs, expectedFrom);
    QCOMPARE(m.toNs, expectedTo);
}

void TstTimeMapping::tickStep_data()
{
    QTest::addColumn<double>("spanMs");
    QTest::addColumn<double>("widthPx");
    QTest::addColumn<double>("step");
    QTest::addColumn<int>("decimals");

    // At most one tick per 90 px.
    QTest::newRow("1 ms over 900 px") << 1.0 << 900.0 << 0.1 << 1;
    QTest::newRow("500 ms over 1400 px") << 500.0 << 1400.0 << 50.0 << 0;
    QTest::newRow("2 s over 900 px") << 2000.0 << 900.0 << 200.0 << 0;
    QTest::newRow("1 us over 1400 px") << 0.001 << 1400.0 << 0.0001 << 4;
    QTest::newRow("narrow plot") << 10.0 << 100.0 << 10.0 << 0;
    QTest::newRow("3 ms over 450 px") << 3.0 << 450.0 << 1.0 << 0;
}

void TstTimeMapping::tickStep()
{
    QFETCH(double, spanMs);
    QFETCH(double, widthPx);
    QFETCH(double, step);
    QFETCH(int, decimals);

    const double got = niceTickStepMs(spanMs, widthPx);
    QVERIFY2(qAbs(got - step) <= step * 1e-9, qPrintable(QString::number(got)));
    QCOMPARE(tickDecimals(got), decimals);
    QVERIFY(widthPx * got / spanMs >= 90.0 - 1e-6 || got >= spanMs);
}

void TstTimeMapping::laneLayout_data()
{
    QTest::addColumn<int>("lanes");
    QTest::addColumn<double>("height");
    QTest::addColumn<double>("y");
    QTest::addColumn<int>("row");
    QTest::addColumn<bool>("onBar");

    QTest::newRow("top lane centre") << 3 << 300.0 << 50.0 << 0 << true;
    QTest::newRow("bottom lane centre") << 3 << 300.0 << 250.0 << 2 << true;
    QTest::newRow("gap between bars") << 3 << 300.0 << 99.0 << 0 << false;
    QTest::newRow("above the area") << 3 << 300.0 << -1.0 << -1 << false;
    QTest::newRow("below the area") << 3 << 300.0 << 300.0 << -1 << false;
    QTest::newRow("64 thin lanes") << 64 << 640.0 << 635.0 << 63 << true;
}

void TstTimeMapping::laneLayout()
{
    QFETCH(int, lanes);
    QFETCH(double, height);
    QFETCH(double, y);
    QFETCH(int, row);
    QFETCH(bool, onBar);

    const LaneLayout layout{QRectF(0, 0, 800, height), lanes, 1.0};
    QCOMPARE(layout.laneAtY(y), row);
    QCOMPARE(layout.barAtY(y), onBar ? row : -1);
    if (row >= 0) {
        const QRectF bar = layout.barRect(row);
        QVERIFY(layout.rowRect(row).contains(bar));
        QVERIFY(bar.height() >= 1.0);
        QCOMPARE(bar.center().y(), layout.laneCentreY(row));
    }
}

void TstTimeMapping::laneLabelStep_data()
{
    QTest::addColumn<int>("lanes");
    QTest::addColumn<double>("plotHeight");
    QTest::addColumn<int>("step");

    // Labels 14 px tall plus 2 px spacing.
    QTest::newRow("no lanes") << 0 << 500.0 << 1;
    QTest::newRow("few lanes") << 3 << 500.0 << 1;
    QTest::newRow("exactly fits") << 10 << 160.0 << 1;
    QTest::newRow("64 lanes in 550 px") << 64 << 550.0 << 2;
    QTest::newRow("64 lanes in 200 px") << 64 << 200.0 << 6;
}

void TstTimeMapping::laneLabelStep()
{
    QFETCH(int, lanes);
    QFETCH(double, plotHeight);
    QFETCH(int, step);
    QCOMPARE(::laneLabelStep(lanes, plotHeight, 14.0), step);
}

QTEST_APPLESS_MAIN(TstTimeMapping)
#include "tst_timemapping.moc"
