#include "cli.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

// The command line as main() receives it, for what the binary cannot show without
// opening a window: `--open FILE` alone asks for the window with that trace.

class TstCliParse : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_trace; // exists and is readable; its content is the window's business

    static CliParse parse(QStringList args)
    {
        args.prepend(QStringLiteral("interleave"));
        return parseCommandLine(args);
    }

private slots:
    void initTestCase()
    {
        m_trace = m_dir.filePath(QStringLiteral("run.json"));
        QFile f(m_trace);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[]");
    }

    void openInTheWindow()
    {
        const CliParse p = parse({QStringLiteral("--open"), m_trace});
        QVERIFY2(p.options, qPrintable(p.message));
        QCOMPARE(p.options->mode, CliOptions::Mode::Gui);
        QCOMPARE(p.options->openPath, m_trace);
    }

    void openInTheWindowKeepsTheMemoryBudget()
    {
        const CliParse p = parse({QStringLiteral("--memory-budget"), QStringLiteral("64"),
                                  QStringLiteral("--open"), m_trace});
        QVERIFY2(p.options, qPrintable(p.message));
        QCOMPARE(p.options->mode, CliOptions::Mode::Gui);
        QCOMPARE(p.options->memoryBudgetBytes, std::size_t(64) << 20);
    }

    void windowWithoutATrace()
    {
        const CliParse p = parse({});
        QVERIFY(p.options);
        QCOMPARE(p.options->mode, CliOptions::Mode::Gui);
        QVERIFY(p.options->openPath.isEmpty());
    }

    // --headless, or any output, re-opens without a window.
    void openWithoutAWindow_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("headless") << QStringList{"--headless"};
        QTest::newRow("svg") << QStringList{"--svg", "out.svg"};
        QTest::newRow("stats") << QStringList{"--stats", "-"};
    }

    void openWithoutAWindow()
    {
        QFETCH(QStringList, extra);
        for (QString &arg : extra)
            if (arg.endsWith(QLatin1String(".svg")))
                arg = m_dir.filePath(arg);
        const CliParse p = parse(QStringList{QStringLiteral("--open"), m_trace} + extra);
        QVERIFY2(p.options, qPrintable(p.message));
        QCOMPARE(p.options->mode, CliOptions::Mode::Open);
        QCOMPARE(p.options->openPath, m_trace);
        QCOMPARE(p.options->svgPath.isEmpty(), !extra.contains(QStringLiteral("--svg")));
    }

    // Each image option fills its own field; the suffix check ignores case.
    void imageOutputs()
    {
        const QString svg = m_dir.filePath(QStringLiteral("t.SVG"));
        const QString png = m_dir.filePath(QStringLiteral("t.png"));
        const QString chart = m_dir.filePath(QStringLiteral("s.svg"));
        const CliParse p = parse({"--headless", "--scenario", "amdahl", "--svg", svg, "--png", png,
                                  "--speedup-svg", chart});
        QVERIFY2(p.options, qPrintable(p.message));
        QCOMPARE(p.options->mode, CliOptions::Mode::Headless);
        QCOMPARE(p.options->svgPath, svg);
        QCOMPARE(p.options->pngPath, png);
        QCOMPARE(p.options->speedupSvgPath, chart);
        QVERIFY(p.options->speedupPngPath.isEmpty());
    }

    // --help names the program as it was started, not Qt's placeholder for a program
    // without a QCoreApplication (main() parses before it makes one), and lists the options.
    void helpNamesTheProgram()
    {
        const CliParse p =
            parseCommandLine({QStringLiteral("/opt/bin/interleave"), QStringLiteral("--help")});
        QVERIFY(!p.options);
        QCOMPARE(p.exitCode, ExitOk);
        QVERIFY2(p.message.startsWith(QLatin1String("Usage: interleave [options]\n")),
                 qPrintable(p.message));
        QVERIFY(!p.message.contains(QLatin1String("executable_name")));
        QVERIFY(p.message.contains(QLatin1String("--scenario <ID>")));
    }
};

QTEST_GUILESS_MAIN(TstCliParse)
#include "tst_cli_parse.moc"
