#include "tst_cli_run.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

// End to end: what the binary writes — PNG and SVG images, traces, CSV — and what it
// reads back with --open.

using cli::readBytes;
using cli::readJson;
using cli::Result;
using cli::run;

namespace {

// An SVG file as a viewer sees it: well-formed XML that Qt Svg renders, its <title>
// and the strings its <text> elements draw.
struct SvgFile {
    QString error; // empty: the file is a valid SVG document
    QString title;
    QStringList texts;
};

SvgFile readSvg(const QString &path)
{
    SvgFile svg;
    const QByteArray bytes = readBytes(path);
    if (!bytes.startsWith("<?xml") || !bytes.contains("<svg")) {
        svg.error = path + QStringLiteral(" is not an SVG document");
        return svg;
    }
    QXmlStreamReader xml(bytes);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("title") && svg.title.isEmpty())
            svg.title = xml.readElementText(QXmlStreamReader::IncludeChildElements);
        else if (xml.name() == QLatin1String("text"))
            svg.texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    if (xml.hasError())
        svg.error = path + QStringLiteral(": ") + xml.errorString();
    else if (!QSvgRenderer(bytes).isValid())
        svg.error = path + QStringLiteral(": Qt Svg cannot render it");
    return svg;
}

} // namespace

class TstCliFiles : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    // --svg draws the same timeline as --png, as vectors: lane names stay text.
    void timelineSvg()
    {
        const QString svg = m_dir.filePath(QStringLiteral("race.svg"));
        const QString png = m_dir.filePath(QStringLiteral("race.png"));
        const Result r = run({"--headless", "--scenario", "race", "--param", "threads=3", "--param",
                              "increments=20000", "--seed", "1", "--svg", svg, "--png", png});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const SvgFile drawn = readSvg(svg);
        QVERIFY2(drawn.error.isEmpty(), qPrintable(drawn.error));
        for (int i = 0; i < 3; ++i)
            QVERIFY2(drawn.texts.contains(QStringLiteral("thread %1").arg(i)),
                     qPrintable(drawn.texts.join(QStringLiteral(" | "))));
        QVERIFY2(drawn.title.contains(QStringLiteral("threads=3")), qPrintable(drawn.title));
        QVERIFY(drawn.texts.contains(drawn.title)); // the chart's title is drawn too
        QCOMPARE(QImage(png).size(), QSize(3200, 1800));
    }

    // Amdahl's speedup chart comes out as a PNG or an SVG of its own; other scenarios
    // have none.
    void speedupChartOnlyForAmdahl()
    {
        const QString png = m_dir.filePath(QStringLiteral("speedup.png"));
        const QString svg = m_dir.filePath(QStringLiteral("speedup.svg"));
        const Result ok =
            run({"--headless", "--scenario", "amdahl", "--param", "max_threads=2", "--param",
                 "work_ms=10", "--speedup-png", png, "--speedup-svg", svg});
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        QCOMPARE(QImage(png).size(), QSize(2400, 1600));
        const SvgFile drawn = readSvg(svg);
        QVERIFY2(drawn.error.isEmpty(), qPrintable(drawn.error));
        QVERIFY2(drawn.title.startsWith(QStringLiteral("Amdahl")), qPrintable(drawn.title));

        for (const char *option : {"--speedup-png", "--speedup-svg"}) {
            const QString other = m_dir.filePath(QStringLiteral("race") + option + ".svg");
            const Result bad = run({"--headless", "--scenario", "race", option, other});
            QCOMPARE(bad.exitCode, 2);
            QVERIFY2(bad.err.contains("only amdahl"), bad.err.constData());
            QVERIFY(!QFile::exists(other));
        }
    }

    // An image that cannot be written is refused before the run, with exit status 3,
    // one line, and no file.
    void svgIntoADirectory()
    {
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("folder.svg")));
        const QString folder = m_dir.filePath(QStringLiteral("folder.svg"));
        const QString png = m_dir.filePath(QStringLiteral("never.png"));
        const Result r = run({"--headless", "--scenario", "race", "--svg", folder, "--png", png});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("is a directory"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(QFileInfo(folder).isDir());
        QVERIFY(!QFile::exists(png));
    }

    // --trace and --csv after a run, then --open of that trace re-exports the same bytes,
    // the same stats and the same CSV, and draws the same lanes; nothing is left behind
    // under a temporary name.
    void traceCsvAndOpen()
    {
        const QString trace = m_dir.filePath(QStringLiteral("run.json"));
        const QString csv = m_dir.filePath(QStringLiteral("run.csv"));
        const QString stats = m_dir.filePath(QStringLiteral("run.stats.json"));
        Result r = run({"--headless", "--scenario", "philosophers", "--param", "strategy=ordered",
                        "--param", "meals=2", "--seed", "5", "--timeout", "60", "--trace", trace,
                        "--csv", csv, "--stats", stats});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject doc = readJson(trace);
        const QJsonArray events = doc[QStringLiteral("traceEvents")].toArray();
        QVERIFY(!events.isEmpty());
        const QJsonObject meta = doc[QStringLiteral("metadata")].toObject();
        QCOMPARE(meta[QStringLiteral("scenario")].toString(), QStringLiteral("philosophers"));
        QCOMPARE(meta[QStringLiteral("seed")].toInt(), 5);
        int complete = 0;
        for (const auto &e : events)
            complete += e.toObject()[QStringLiteral("ph")].toString() == QLatin1String("X");
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csvFile.readAll().split('\n');
        QCOMPARE(rows.first(), QByteArray("lane,state,resource,start_us,end_us"));
        QCOMPARE(rows.size() - 2, complete); // header and the empty piece after the last \n

        const QString trace2 = m_dir.filePath(QStringLiteral("again.json"));
        const QString csv2 = m_dir.filePath(QStringLiteral("again.csv"));
        const QString png = m_dir.filePath(QStringLiteral("again.png"));
        const QString svg = m_dir.filePath(QStringLiteral("again.svg"));
        r = run({"--open", trace, "--trace", trace2, "--csv", csv2, "--stats", "-", "--png", png,
                 "--svg", svg});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(readBytes(trace2) == readBytes(trace));
        QVERIFY(readBytes(csv2) == readBytes(csv));
        QCOMPARE(QJsonDocument::fromJson(r.out).object(), readJson(stats));
        QVERIFY(!QImage(png).isNull());
        const SvgFile drawn = readSvg(svg);
        QVERIFY2(drawn.error.isEmpty(), qPrintable(drawn.error));
        for (int i = 0; i < 6; ++i) // six philosophers by default
            QVERIFY2(drawn.texts.contains(QStringLiteral("P%1").arg(i)), qPrintable(svg));
        QVERIFY(drawn.title.startsWith(QStringLiteral("Dining philosophers")));
        const QStringList left =
            QDir(m_dir.path())
                .entryList(QDir::Files)
                .filter(QRegularExpression("\\.json\\.|\\.csv\\.|\\.svg\\.|\\.png\\."));
        QVERIFY2(left.isEmpty(), qPrintable(left.join(' ')));
    }

    // A bad file gets exit status 3 and one line naming it, where and what was expected.
    void openBadFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray() << "the file is empty";
        QTest::newRow("truncated")
            << QByteArray(R"({"traceEvents":[{"ph":"X","ts":1,)") << "not valid JSON";
        QTest::newRow("wrong type")
            << QByteArray(R"([{"ph":"X","ts":"now","dur":1}])") << "event #0";
        QTest::newRow("negative duration")
            << QByteArray(R"([{"ph":"X","ts":1,"dur":-1}])") << "\"dur\" must not be negative";
    }

    void openBadFile()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        const QString path = m_dir.filePath(QStringLiteral("bad.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        const QString out = m_dir.filePath(QStringLiteral("never.csv"));
        const Result r = run({"--open", path, "--csv", out});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).startsWith("interleave: " + path + ": "),
                 r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TstCliFiles)
#include "tst_cli_files.moc"
