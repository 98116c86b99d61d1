#include "gantt/slicedfill.h"

#include <QImage>
#include <QPainter>
#include <QTest>
#include <QTransform>

#include <array>
#include <cmath>
#include <cstdlib>

// A tall fill cut into slices must look exactly like the fill it replaces: the same
// pixels when crisp, no visible seam when antialiased, at any device scale.
class TstSlicedFill : public QObject {
    Q_OBJECT

private slots:
    void slicesCoverThePolygonExactly();
    void crispSlicesSetTheSamePixels_data();
    void crispSlicesSetTheSamePixels();
    void antialiasedSlicesShowNoSeam_data();
    void antialiasedSlicesShowNoSeam();
    void slicesStayUnderTheThreadedFillThreshold();
};

namespace {

// A band 3 pixels wide from (40, 5) down to (70, 395): a wake arrow across 30 lanes.
const std::array<QPointF, 4> kBand{QPointF(38.5, 5.0), QPointF(68.5, 395.0), QPointF(71.5, 395.0),
                                   QPointF(41.5, 5.0)};

double area(const std::vector<QPointF> &p)
{
    double twice = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const QPointF &a = p[i];
        const QPointF &b = p[(i + 1) % p.size()];
        twice += a.x() * b.y() - b.x() * a.y();
    }
    return std::abs(twice) / 2.0;
}

QImage render(bool sliced, bool antialiased, double scale)
{
    QImage image(int(120 * scale), int(420 * scale), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.scale(scale, scale);
    painter.setRenderHint(QPainter::Antialiasing, antialiased);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(20, 20, 30));
    if (sliced)
        slicedfill::fillConvex(painter, kBand);
    else
        painter.drawConvexPolygon(kBand.data(), int(kBand.size()));
    return image;
}

int largestDifference(const QImage &a, const QImage &b)
{
    int worst = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y);
            const QRgb q = b.pixel(x, y);
            worst = std::max({worst, std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)),
                              std::abs(qBlue(p) - qBlue(q))});
        }
    return worst;
}

} // namespace

void TstSlicedFill::slicesCoverThePolygonExactly()
{
    const std::vector<QPointF> whole(kBand.begin(), kBand.end());
    const std::array<double, 4> cuts{-10.0, 100.0, 200.25, 300.0}; // one above the band
    const auto pieces = slicedfill::slice(kBand, cuts);
    QCOMPARE(pieces.size(), std::size_t(4));
    double sum = 0.0;
    double lastBottom = 5.0;
    for (const auto &piece : pieces) {
        sum += area(piece);
        double top = 1e9;
        double bottom = -1e9;
        for (const QPointF &p : piece) {
            top = std::min(top, p.y());
            bottom = std::max(bottom, p.y());
        }
        QCOMPARE(top, lastBottom); // each piece starts where the last one ended
        lastBottom = bottom;
    }
    QCOMPARE(lastBottom, 395.0);
    QVERIFY(std::abs(sum - area(whole)) < 1e-6 * area(whole));
}

void TstSlicedFill::crispSlicesSetTheSamePixels_data()
{
    QTest::addColumn<double>("scale");
    QTest::newRow("1x") << 1.0;
    QTest::newRow("1.5x") << 1.5;
    QTest::newRow("2x") << 2.0;
}

void TstSlicedFill::crispSlicesSetTheSamePixels()
{
    QFETCH(double, scale);
    const QImage sliced = render(true, false, scale);
    const QImage whole = render(false, false, scale);
    // Each row is one run of dark pixels. The runs are as long in both, and start at the
    // same pixel but where an edge falls exactly halfway between two pixels: there the
    // edges are stepped from different vertices and may round apart by one.
    int moved = 0;
    for (int y = 0; y < whole.height(); ++y) {
        const auto run = [y](const QImage &image) {
            int first = -1;
            int count = 0;
            for (int x = 0; x < image.width(); ++x)
                if (image.pixel(x, y) != qRgb(255, 255, 255)) {
                    first = first < 0 ? x : first;
                    ++count;
                }
            return std::pair(first, count);
        };
        const auto [slicedFirst, slicedCount] = run(sliced);
        const auto [wholeFirst, wholeCount] = run(whole);
        QCOMPARE(slicedCount, wholeCount);
        QVERIFY2(std::abs(slicedFirst - wholeFirst) <= 1, qPrintable(QString::number(y)));
        moved += slicedFirst != wholeFirst ? 1 : 0;
    }
    QVERIFY2(moved * 10 < whole.height(), "most rows must start on the same pixel");
}

void TstSlicedFill::antialiasedSlicesShowNoSeam_data()
{
    crispSlicesSetTheSamePixels_data();
}

void TstSlicedFill::antialiasedSlicesShowNoSeam()
{
    QFETCH(double, scale);
    // Cuts on whole device rows leave each pixel's coverage as it was, give or take the
    // rasteriser's rounding.
    QVERIFY2(largestDifference(render(true, true, scale), render(false, true, scale)) <= 2,
             "an antialiased slice boundary shows");
}

void TstSlicedFill::slicesStayUnderTheThreadedFillThreshold()
{
    // Qt fills up to 95 spans on the calling thread. A crisp convex fill is one span a
    // row; antialiased, a steep thin band is a few a row, a slanted one more.
    const QTransform identity;
    QCOMPARE(slicedfill::rowsPerSlice(kBand, identity, false), 88);
    const int steep = slicedfill::rowsPerSlice(kBand, identity, true);
    QVERIFY(steep >= 8 && steep * 7 < 96);
    const std::array<QPointF, 4> slanted{QPointF(0, 0), QPointF(300, 100), QPointF(303, 100),
                                         QPointF(3, 0)};
    const int rows = slicedfill::rowsPerSlice(slanted, identity, true);
    QVERIFY(rows >= 1 && rows * (2 * 4 + 1) < 96);
    QCOMPARE(slicedfill::rowsPerSlice(kBand, QTransform::fromScale(2, 2), false), 88);
    // So shallow that one row alone is over the threshold: not sliced at all.
    const std::array<QPointF, 4> flat{QPointF(0, 0), QPointF(900, 10), QPointF(903, 10),
                                      QPointF(3, 0)};
    QCOMPARE(slicedfill::rowsPerSlice(flat, identity, true), 0);
}

QTEST_MAIN(TstSlicedFill)
#include "tst_slicedfill.moc"
