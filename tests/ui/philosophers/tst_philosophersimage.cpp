#include "philosophers/philosophersview.h"
#include "philosophers/tablepainter.h"
#include "tablefixtures.h"

#include <QDir>
#include <QFile>
#include <QImageReader>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Five philosophers mid-dinner: P0 and P2 eat, P1 and P3 wait for them, P4 thinks
// after two meals.
void buildMidDinner(il::Timeline &timeline)
{
    using il::State;
    TableRun run(5);
    for (int i = 0; i < 5; ++i)
        run.state(0, i, State::Sleeping);
    run.eat(1 * kMs, 3 * kMs, 4).eat(4 * kMs, 6 * kMs, 4);
    run.eat(2 * kMs, 5 * kMs, 0).eat(7 * kMs, 20 * kMs, 0);
    run.eat(8 * kMs, 20 * kMs, 2);
    run.state(9 * kMs, 1, State::Blocked, 1).state(10 * kMs, 3, State::Blocked, 3);
    run.applyTo(timeline);
}

} // namespace

class TstPhilosophersImage : public QObject {
    Q_OBJECT
private slots:
    void renderedImageHasPixelSizeAndContent();
    void pngRoundTrip();
    void saveIntoMissingDirectoryFails();
    void svgLeavesOutTitleAndLegendOnRequest();
    void writeLookingPngs();
};

// The export dialog's "title" and "legend" boxes: the header line and the legend are
// drawn only when asked for (in SVG their words are text, so they can be looked for).
void TstPhilosophersImage::svgLeavesOutTitleAndLegendOnRequest()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    PhilosophersView view;
    view.setTimeline(&timeline);
    view.setDisplayTimeNs(15 * kMs);
    QTemporaryDir dir;
    const auto svg = [&](bool title, bool legend) {
        ImageOptions options;
        options.size = {900, 900};
        options.title = title;
        options.legend = legend;
        const QString path = dir.filePath(QStringLiteral("table-%1-%2.svg").arg(title).arg(legend));
        QString error;
        if (!view.saveImage(path, options, &error))
            return QByteArray("failed: ") + error.toUtf8();
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("unreadable");
    };
    const QByteArray all = svg(true, true);
    QVERIFY2(all.contains("5 seats"), all.left(300).constData());
    QVERIFY(all.contains("thinking"));
    const QByteArray none = svg(false, false);
    QVERIFY(none.contains("<svg"));
    QVERIFY(!none.contains("5 seats"));
    QVERIFY(!none.contains("thinking"));
    const QByteArray legendOnly = svg(false, true);
    QVERIFY(!legendOnly.contains("5 seats"));
    QVERIFY(legendOnly.contains("thinking"));
}

void TstPhilosophersImage::renderedImageHasPixelSizeAndContent()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    PhilosophersView view;
    view.setTimeline(&timeline);
    view.setDisplayTimeNs(15 * kMs);
    const QImage image = view.renderImage();
    QCOMPARE(image.size(), QSize(1800, 1800));
    QCOMPARE(image.devicePixelRatio(), 2.0);
    QVERIFY(countColour(image, Qt::white) < image.width() * image.height() * 95 / 100);
    QVERIFY(countColour(image, phaseColor(PhilosopherPhase::Eating)) > 1000);
    QVERIFY(countColour(image, phaseColor(PhilosopherPhase::Hungry)) > 1000);
    QCOMPARE(view.renderImage({300, 200}, 1.5).size(), QSize(450, 300));
    QVERIFY(view.renderImage({0, 100}).isNull());
}

void TstPhilosophersImage::pngRoundTrip()
{
    il::Timeline timeline;
    buildFiveAtDinner(timeline);
    PhilosophersView view;
    view.setTimeline(&timeline);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("table.png"));
    QString error;
    QVERIFY2(view.savePng(path, &error, {320, 240}, 2.0), qPrintable(error));
    QImageReader reader(path);
    QCOMPARE(reader.format(), QByteArray("png"));
    const QImage loaded = reader.read();
    QCOMPARE(loaded.size(), QSize(640, 480));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"table.png"});
}

void TstPhilosophersImage::saveIntoMissingDirectoryFails()
{
    PhilosophersView view;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing/table.png"));
    QString error;
    QVERIFY(!view.savePng(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!view.savePng(path, nullptr)); // no message wanted: still fails cleanly
}

// Writes the PNGs a person looks at when changing the drawing, into the directory
// named by INTERLEAVE_LOOK_DIR; does nothing without it.
void TstPhilosophersImage::writeLookingPngs()
{
    const QString dir = qEnvironmentVariable("INTERLEAVE_LOOK_DIR");
    if (dir.isEmpty())
        QSKIP("set INTERLEAVE_LOOK_DIR to write the pictures");
    const auto save = [&](const il::Timeline &timeline, std::optional<qint64> t,
                          const QString &name, QSize size = {900, 900}) {
        PhilosophersView view;
        view.setTimeline(&timeline);
        view.setDisplayTimeNs(t);
        QString error;
        QVERIFY2(view.savePng(QDir(dir).filePath(name), &error, size), qPrintable(error));
    };
    il::Timeline dinner;
    buildMidDinner(dinner);
    save(dinner, 12 * kMs, QStringLiteral("phil-5-meal.png"));
    save(dinner, 12 * kMs, QStringLiteral("phil-5-wide.png"), {1400, 600});
    il::Timeline five;
    TableRun(5).deadlock(10 * kMs, 30 * kMs).applyTo(five);
    save(five, std::nullopt, QStringLiteral("phil-5-deadlock.png"));
    il::Timeline sixteen;
    TableRun(16).deadlock(10 * kMs, 40 * kMs).applyTo(sixteen);
    save(sixteen, 20 * kMs, QStringLiteral("phil-16.png"));
    save(sixteen, std::nullopt, QStringLiteral("phil-16-deadlock.png"));
    save(sixteen, std::nullopt, QStringLiteral("phil-16-small.png"), {360, 360});
    il::Timeline two;
    TableRun(2).deadlock(10 * kMs, 20 * kMs).applyTo(two);
    save(two, std::nullopt, QStringLiteral("phil-2-deadlock.png"));
    il::Timeline other;
    il::Batch batch;
    batch.newLanes = {"thread 0"};
    other.apply(batch);
    save(other, std::nullopt, QStringLiteral("phil-hint.png"), {600, 400});
}

QTEST_MAIN(TstPhilosophersImage)
#include "tst_philosophersimage.moc"
