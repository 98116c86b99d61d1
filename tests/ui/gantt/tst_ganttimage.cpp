// The timeline as an image file: pixel size, what a sub-range shows, and writes that
// leave nothing behind when they fail.
#include "gantt/statestyle.h"
#include "gantt/timelineimage.h"
#include "ganttfixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using ganttfixtures::countColor;
using ganttfixtures::kMs;

class TstGanttImage : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        m_timeline = std::make_unique<il::Timeline>();
        ganttfixtures::buildSmallRun(*m_timeline);
    }
    void renderedImageHasPixelSize();
    void pngRoundTrip();
    void saveIntoMissingDirectoryFails();

private:
    std::unique_ptr<il::Timeline> m_timeline;
};

void TstGanttImage::renderedImageHasPixelSize()
{
    const QImage image =
        renderTimelineImage(*m_timeline, QStringLiteral("mutex"), 0, 0, QSize(1600, 900), 2.0);
    QCOMPARE(image.width(), 3200);
    QCOMPARE(image.height(), 1800);
    QCOMPARE(image.devicePixelRatio(), 2.0);
    // The middle of the image is inside the plot area; all three lanes show up there.
    const QRect middle(image.width() / 4, image.height() / 5, image.width() / 2,
                       image.height() * 3 / 5);
    QVERIFY(countColor(image, middle, stateColor(il::State::Running)) > 1000);
    QVERIFY(countColor(image, middle, stateColor(il::State::Blocked)) > 1000);

    // A sub-range shows only what is in it: 2–5 ms is all blocked on lane 1.
    const QImage part =
        renderTimelineImage(*m_timeline, QString(), 2 * kMs, 5 * kMs, QSize(800, 450), 1.0);
    QCOMPARE(part.size(), QSize(800, 450));
    const QRect partMiddle(part.width() / 4, part.height() / 5, part.width() / 2,
                           part.height() * 3 / 5);
    QVERIFY(countColor(part, partMiddle, stateColor(il::State::Blocked)) > 500);
    QCOMPARE(countColor(part, partMiddle, stateColor(il::State::Critical)), 0);
}

void TstGanttImage::pngRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("run.png"));
    QString error;
    QVERIFY2(saveTimelinePng(*m_timeline, QStringLiteral("mutex"), 0, 0, path, &error),
             qPrintable(error));
    QVERIFY(error.isEmpty());
    const QImage loaded(path);
    QVERIFY(!loaded.isNull());
    QCOMPARE(loaded.size(), QSize(3200, 1800));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("run.png")});
}

void TstGanttImage::saveIntoMissingDirectoryFails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("missing/run.png"));
    QString error;
    QVERIFY(!saveTimelinePng(*m_timeline, QString(), 0, 0, path, &error, QSize(200, 100), 1.0));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

QTEST_MAIN(TstGanttImage)
#include "tst_ganttimage.moc"
