// Images of the timeline, the philosophers' table and the speedup chart, as PNG or SVG,
// with or without title and legend; failed writes leave nothing behind.
#include "gantt/timelineimage.h"
#include "imageexport.h"
#include "philosophers/philosophersview.h"
#include "speedup/speedupchart.h"
#include "timeline.h"
#include "timelinefixtures.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QPainter>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

using fixtures::buildTurns;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Pixels of the SVG rendered at its own size that are not white.
int inkedPixels(const QByteArray &svg, QSize size)
{
    QSvgRenderer renderer(svg);
    if (!renderer.isValid())
        return -1;
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    renderer.render(&p);
    p.end();
    int inked = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            inked += image.pixel(x, y) != qRgb(255, 255, 255);
    return inked;
}

} // namespace

class TstImageExport : public QObject {
    Q_OBJECT
private slots:
    void formatFollowsSuffix();
    void timelineSvgIsVectorWithText();
    void timelinePngHasRequestedPixels();
    void titleAndLegendCanBeLeftOut();
    void speedupAndTableAsSvg();
    void failedWriteLeavesNothing();
    void absurdSizeIsRefused();

private:
    QTemporaryDir m_dir;
};

void TstImageExport::formatFollowsSuffix()
{
    QCOMPARE(imageFormatFor(QStringLiteral("a/b/run.svg")), ImageFormat::Svg);
    QCOMPARE(imageFormatFor(QStringLiteral("RUN.SVG")), ImageFormat::Svg);
    QCOMPARE(imageFormatFor(QStringLiteral("run.png")), ImageFormat::Png);
    QCOMPARE(imageFormatFor(QStringLiteral("run")), ImageFormat::Png);
}

void TstImageExport::timelineSvgIsVectorWithText()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString path = m_dir.filePath(QStringLiteral("timeline.svg"));
    QString error;
    ImageOptions options;
    options.size = QSize(800, 450);
    QVERIFY2(saveTimelineImage({timeline, QStringLiteral("mutex: two workers"), 0, 0}, path,
                               options, &error),
             qPrintable(error));
    const QByteArray svg = readAll(path);
    QVERIFY(svg.startsWith("<?xml"));
    QVERIFY(svg.contains("<svg"));
    QVERIFY(svg.contains("viewBox=\"0 0 800 450\""));
    // Text stays text: the title and the lane names can be searched for.
    QVERIFY(svg.contains("mutex: two workers"));
    QVERIFY(svg.contains("worker 2"));
    QVERIFY(inkedPixels(svg, QSize(800, 450)) > 800 * 450 / 50);
}

void TstImageExport::timelinePngHasRequestedPixels()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString path = m_dir.filePath(QStringLiteral("timeline.png"));
    ImageOptions options;
    options.size = QSize(640, 360);
    options.scale = 1.5;
    QString error;
    QVERIFY2(saveTimelineImage({timeline, QStringLiteral("t"), 0, 0}, path, options, &error),
             qPrintable(error));
    QCOMPARE(QImageReader(path).size(), QSize(960, 540));
}

void TstImageExport::titleAndLegendCanBeLeftOut()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString with = m_dir.filePath(QStringLiteral("with.svg"));
    const QString without = m_dir.filePath(QStringLiteral("without.svg"));
    ImageOptions options;
    options.size = QSize(800, 450);
    QString error;
    QVERIFY(
        saveTimelineImage({timeline, QStringLiteral("the title"), 0, 0}, with, options, &error));
    options.title = false;
    options.legend = false;
    QVERIFY(
        saveTimelineImage({timeline, QStringLiteral("the title"), 0, 0}, without, options, &error));
    const QByteArray a = readAll(with), b = readAll(without);
    // Both name the document <title>the title</title>; only one draws it on the chart.
    QCOMPARE(a.count(">the title<"), 2);
    QCOMPARE(b.count(">the title<"), 1);
    QVERIFY(a.contains(">critical section<")); // the legend
    QVERIFY(!b.contains(">critical section<"));
}

void TstImageExport::speedupAndTableAsSvg()
{
    SpeedupData data;
    data.threads = {1, 2, 4};
    data.speedup = {1.0, 1.8, 2.9};
    data.theoretical = {1.0, 1.9, 3.4};
    data.cores = 2;
    ImageOptions options;
    options.size = QSize(600, 400);
    QString error;
    const QString chart = m_dir.filePath(QStringLiteral("speedup.svg"));
    QVERIFY2(saveSpeedupImage(data, QStringLiteral("amdahl"), chart, options, &error),
             qPrintable(error));
    QVERIFY(inkedPixels(readAll(chart), options.size) > 0);

    PhilosophersView view;
    const QString table = m_dir.filePath(QStringLiteral("table.svg"));
    QVERIFY2(view.saveImage(table, options, &error), qPrintable(error));
    QVERIFY(readAll(table).contains("<svg"));
}

void TstImageExport::failedWriteLeavesNothing()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString dir = m_dir.filePath(QStringLiteral("missing"));
    QString error;
    QVERIFY(!saveTimelineImage({timeline, QString(), 0, 0}, dir + QStringLiteral("/t.svg"), {},
                               &error));
    QVERIFY(error.contains(QStringLiteral("t.svg")));
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY(QDir(m_dir.path()).entryList({QStringLiteral("t.svg*")}).isEmpty());
}

void TstImageExport::absurdSizeIsRefused()
{
    il::Timeline timeline;
    buildTurns(timeline);
    ImageOptions options;
    options.size = QSize(0, 100);
    QString error;
    const QString path = m_dir.filePath(QStringLiteral("empty.svg"));
    QVERIFY(!saveTimelineImage({timeline, QString(), 0, 0}, path, options, &error));
    QVERIFY(error.contains(QStringLiteral("empty")));
    QVERIFY(!QFileInfo::exists(path));
}

QTEST_MAIN(TstImageExport)
#include "tst_imageexport.moc"
