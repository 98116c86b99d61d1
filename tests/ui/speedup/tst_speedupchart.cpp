// The speedup chart: what it reads from an Amdahl run's metrics, what it draws, and
// the PNG it writes.
#include "speedup/speedupchart.h"

#include <QLineSeries>
#include <QTemporaryDir>
#include <QTest>

namespace {

il::Json amdahlMetrics()
{
    return il::Json{{"threads", {1, 2, 3, 4}},
                    {"speedup", {0.98, 1.7, 1.8, 1.85}},
                    {"theoretical", {1.0, 1.8181818181818181, 2.5, 3.0769230769230766}},
                    {"cores", 2}};
}

// How many pixels of `image` are close to `color`.
int pixelsNear(const QImage &image, QColor color)
{
    int count = 0;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x)
            if (std::abs(qRed(line[x]) - color.red()) < 24 &&
                std::abs(qGreen(line[x]) - color.green()) < 24 &&
                std::abs(qBlue(line[x]) - color.blue()) < 24)
                ++count;
    }
    return count;
}

} // namespace

class TstSpeedupChart : public QObject {
    Q_OBJECT
private slots:
    void readsTheFourMetrics()
    {
        const auto data = SpeedupData::fromMetrics(amdahlMetrics());
        QVERIFY(data);
        QCOMPARE(data->threads, (QList<int>{1, 2, 3, 4}));
        QCOMPARE(data->speedup.size(), 4);
        QCOMPARE(data->theoretical[2], 2.5);
        QCOMPARE(data->cores, 2);
        QCOMPARE(data->maxThreads(), 4);
    }

    void rejectsMetricsOfTheWrongShape_data()
    {
        QTest::addColumn<QString>("what");
        QTest::newRow("not an object") << "array";
        QTest::newRow("missing cores") << "cores";
        QTest::newRow("list of text") << "text";
        QTest::newRow("lengths differ") << "length";
        QTest::newRow("cores not a number") << "cores-text";
    }
    void rejectsMetricsOfTheWrongShape()
    {
        QFETCH(QString, what);
        il::Json m = amdahlMetrics();
        if (what == "array")
            m = il::Json::array({1, 2});
        else if (what == "cores")
            m.erase("cores");
        else if (what == "text")
            m["speedup"] = {"fast", "faster", "x", "y"};
        else if (what == "length")
            m["theoretical"] = {1.0, 2.0};
        else
            m["cores"] = "two";
        QVERIFY(!SpeedupData::fromMetrics(m));
    }

    void drawsOnePointPerThreadCount()
    {
        SpeedupChart chart;
        chart.setData(SpeedupData::fromMetrics(amdahlMetrics()), QStringLiteral("amdahl"));
        const auto points = chart.measuredSeries()->points();
        QCOMPARE(points.size(), 4);
        QCOMPARE(points[1], QPointF(2, 1.7));
        QCOMPARE(chart.amdahlSeries()->points().at(3).y(), 3.0769230769230766);
        chart.setData(std::nullopt, QString());
        QVERIFY(chart.measuredSeries()->points().isEmpty());
        QVERIFY(chart.chart()->title().contains("Run the scenario"));
    }

    void rendersTheMeasuredCurveAndTheLaw()
    {
        SpeedupChart chart;
        chart.setData(SpeedupData::fromMetrics(amdahlMetrics()), QStringLiteral("amdahl"));
        const QImage image = chart.renderImage({800, 500}, 1.0);
        QCOMPARE(image.size(), QSize(800, 500));
        const int measured = pixelsNear(image, QColor(0x00, 0x72, 0xb2));
        QVERIFY(pixelsNear(image, QColor(0xd5, 0x5e, 0x00)) > 50); // Amdahl's law
        // Without data only the legend's marker is blue.
        SpeedupChart empty;
        const int legendOnly =
            pixelsNear(empty.renderImage({800, 500}, 1.0), QColor(0x00, 0x72, 0xb2));
        QVERIFY2(measured > legendOnly + 200,
                 qPrintable(QString("%1 vs %2").arg(measured).arg(legendOnly)));
    }

    void savesPngOrSaysWhyNot()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("speedup.png");
        QString error;
        QVERIFY2(saveSpeedupPng(SpeedupData::fromMetrics(amdahlMetrics()), "t", path, &error,
                                {600, 400}, 1.0),
                 qPrintable(error));
        QCOMPARE(QImage(path).size(), QSize(600, 400));
        const QString bad = dir.filePath("missing/speedup.png");
        QVERIFY(!saveSpeedupPng(std::nullopt, "t", bad, &error, {600, 400}, 1.0));
        QVERIFY2(error.contains(bad), qPrintable(error));
        QVERIFY(!QFile::exists(bad));
    }
};

QTEST_MAIN(TstSpeedupChart)
#include "tst_speedupchart.moc"
