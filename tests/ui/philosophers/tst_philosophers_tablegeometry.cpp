#include "philosophers/tablegeometry.h"

#include <QTest>

#include <cmath>

namespace {

qreal distance(QPointF a, QPointF b)
{
    return std::hypot(a.x() - b.x(), a.y() - b.y());
}

} // namespace

class TstTableGeometry : public QObject {
    Q_OBJECT
private slots:
    void layoutFits_data();
    void layoutFits();
    void seatZeroIsAtTheTopAndSeatsGoClockwise();
    void heldChopsticksMoveToTheirHolder_data();
    void heldChopsticksMoveToTheirHolder();
    void waitArrowStaysOffTheTable();
};

void TstTableGeometry::layoutFits_data()
{
    QTest::addColumn<int>("seats");
    QTest::addColumn<QSizeF>("size");
    for (const int n : {2, 3, 5, 8, 16})
        for (const QSizeF size :
             {QSizeF(300, 300), QSizeF(900, 900), QSizeF(1400, 600), QSizeF(500, 1000)})
            QTest::addRow("%d seats, %gx%g", n, size.width(), size.height()) << n << size;
}

void TstTableGeometry::layoutFits()
{
    QFETCH(int, seats);
    QFETCH(QSizeF, size);
    const QRectF bounds(QPointF(10, 20), size);
    const TableGeometry g(bounds, seats);
    const qreal r = g.seatRadius();
    QVERIFY(r > 0);
    QVERIFY(g.tableRadius() > r);
    QVERIFY(g.header().bottom() < g.legend().top());
    QVERIFY(bounds.contains(g.header()));
    QVERIFY(bounds.contains(g.legend()));
    for (int i = 0; i < seats; ++i) {
        const QPointF c = g.seatCentre(i);
        // Seats and the arrows that bow around them stay between header and legend.
        const qreal outer = 1.3 * r;
        QVERIFY2(c.y() - outer >= g.header().bottom() && c.y() + outer <= g.legend().top(),
                 qPrintable(QStringLiteral("seat %1 at %2").arg(i).arg(c.y())));
        QVERIFY(c.x() - outer >= bounds.left() && c.x() + outer <= bounds.right());
        const QPointF next = g.seatCentre((i + 1) % seats);
        QVERIFY(distance(c, next) >= 2.2 * r);
        // Chopsticks stay on the table, wherever they are.
        for (const qreal pos : {-1.0, 0.0, 1.0}) {
            const QLineF stick = g.chopstick(i, pos);
            QVERIFY(distance(stick.p1(), g.centre()) <= g.tableRadius());
            QVERIFY(distance(stick.p2(), g.centre()) <= g.tableRadius());
            // ... and clear of the seats that reach over the table's edge.
            for (int seat = 0; seat < seats; ++seat)
                QVERIFY(distance(stick.p2(), g.seatCentre(seat)) >= 1.29 * r);
        }
    }
}

void TstTableGeometry::seatZeroIsAtTheTopAndSeatsGoClockwise()
{
    const TableGeometry g(QRectF(0, 0, 800, 800), 4);
    QVERIFY(qAbs(g.seatCentre(0).x() - g.centre().x()) < 1e-6);
    QVERIFY(g.seatCentre(0).y() < g.centre().y());
    QVERIFY(g.seatCentre(1).x() > g.centre().x()); // clockwise: seat 1 to the right
    // Chopstick 1 (seat 0's left, seat 1's right) lies between them, top right.
    const QPointF stick = g.chopstick(1, 0).center();
    QVERIFY(stick.x() > g.centre().x() && stick.y() < g.centre().y());
}

void TstTableGeometry::heldChopsticksMoveToTheirHolder_data()
{
    QTest::addColumn<int>("seats");
    QTest::newRow("2") << 2;
    QTest::newRow("5") << 5;
    QTest::newRow("16") << 16;
}

void TstTableGeometry::heldChopsticksMoveToTheirHolder()
{
    QFETCH(int, seats);
    const TableGeometry g(QRectF(0, 0, 900, 900), seats);
    for (int k = 0; k < seats; ++k) {
        const QPointF right = g.plateCentre(k);                      // holder at +1
        const QPointF left = g.plateCentre((k + seats - 1) % seats); // holder at -1
        const QPointF free = g.chopstick(k, 0).center();
        QVERIFY(qAbs(distance(free, right) - distance(free, left)) < 1e-6);
        const QPointF toRight = g.chopstick(k, 1).center();
        const QPointF toLeft = g.chopstick(k, -1).center();
        QVERIFY(distance(toRight, right) < distance(free, right) - g.chopstickWidth());
        QVERIFY(distance(toLeft, left) < distance(free, left) - g.chopstickWidth());
        // Beside the plate, not on it.
        const QLineF held = g.chopstick(k, 1);
        QVERIFY(distance(held.center(), g.plateCentre(k)) > g.plateRadius());
    }
}

void TstTableGeometry::waitArrowStaysOffTheTable()
{
    for (const int seats : {2, 5, 16}) {
        const TableGeometry g(QRectF(0, 0, 900, 900), seats);
        for (int from = 0; from < seats; ++from) {
            const int to = (from + 1) % seats;
            const QPainterPath path = g.waitArrow(from, to, to);
            for (int step = 0; step <= 20; ++step) {
                const QPointF p = path.pointAtPercent(step / 20.0);
                QVERIFY(distance(p, g.centre()) > g.tableRadius());
            }
            QVERIFY(distance(path.pointAtPercent(0), g.seatCentre(from)) > g.seatRadius());
            QVERIFY(distance(path.pointAtPercent(1), g.seatCentre(to)) > g.seatRadius());
        }
    }
}

QTEST_GUILESS_MAIN(TstTableGeometry)
#include "tst_philosophers_tablegeometry.moc"
