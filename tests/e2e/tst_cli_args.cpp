#include "tst_cli_run.h"

#include <QTest>

// End to end: a wrong command line gets one clear line on stderr and exit status 2 (bad
// arguments) or 3 (a file that cannot be read or written), before anything runs.

using cli::Result;
using cli::run;

class TstCliArgs : public QObject {
    Q_OBJECT

private slots:
    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QStringList race{"--headless", "--scenario", "race"};
        QTest::newRow("below range") << race + QStringList{"--param", "threads=0"} << 2
                                     << "threads: 0 is out of range; allowed range is 1 to 64";
        QTest::newRow("above range")
            << race + QStringList{"--param", "threads=65"} << 2 << "allowed range is 1 to 64";
        QTest::newRow("not a number") << race + QStringList{"--param", "increments=many"} << 2
                                      << "increments: 'many' is not a whole number";
        QTest::newRow("unknown param")
            << race + QStringList{"--param", "permits=2"} << 2 << "unknown parameter 'permits'";
        QTest::newRow("no equals") << race + QStringList{"--param", "threads"} << 2 << "key=value";
        QTest::newRow("repeated param")
            << race + QStringList{"--param", "threads=2", "--param", "threads=3"} << 2
            << "given more than once";
        QTest::newRow("unknown scenario") << QStringList{"--headless", "--scenario", "teleport"}
                                          << 2 << "unknown scenario 'teleport'";
        QTest::newRow("no scenario") << QStringList{"--headless"} << 2 << "needs --scenario";
        QTest::newRow("unknown option") << QStringList{"--frobnicate"} << 2 << "frobnicate";
        QTest::newRow("bad timeout") << race + QStringList{"--timeout", "-1"} << 2 << "--timeout";
        QTest::newRow("bad seed") << race + QStringList{"--seed", "x"} << 2 << "--seed";
        QTest::newRow("budget too small") << race + QStringList{"--memory-budget", "1"} << 2
                                          << "--memory-budget '1' must be a whole number of MiB";
        QTest::newRow("budget not a number")
            << QStringList{"--memory-budget", "lots"} << 2 << "--memory-budget 'lots'";
        QTest::newRow("unknown choice")
            << QStringList{"--headless", "--scenario", "philosophers", "--param", "strategy=rude"}
            << 2 << "'rude' is not one of naive | ordered | waiter | polite";
        QTest::newRow("bad switch")
            << QStringList{"--headless", "--scenario", "philosophers", "--param", "jitter=2"} << 2
            << "is not on or off";
        QTest::newRow("missing directory")
            << race + QStringList{"--stats", "/nonexistent-dir/s.json"} << 3 << "does not exist";
        QTest::newRow("directory as output")
            << race + QStringList{"--png", "/tmp"} << 3 << "is a directory";
        QTest::newRow("trace into a directory")
            << race + QStringList{"--trace", "/tmp"} << 3 << "is a directory";
        QTest::newRow("csv to stdout")
            << race + QStringList{"--csv", "-"} << 2 << "--csv cannot write to standard output";
        QTest::newRow("svg not named .svg")
            << race + QStringList{"--svg", "out.png"} << 2 << "--svg: out.png must end in .svg";
        QTest::newRow("png named .svg") << race + QStringList{"--png", "out.SVG"} << 2
                                        << "--png: out.SVG ends in .svg; use --svg";
        QTest::newRow("speedup png named .svg")
            << QStringList{"--headless", "--scenario", "amdahl", "--speedup-png", "s.svg"} << 2
            << "--speedup-png: s.svg ends in .svg; use --speedup-svg";
        QTest::newRow("svg to stdout")
            << race + QStringList{"--svg", "-"} << 2 << "--svg cannot write to standard output";
        QTest::newRow("svg twice") << race + QStringList{"--svg", "a.svg", "--svg", "b.svg"} << 2
                                   << "--svg given more than once";
        QTest::newRow("svg missing directory")
            << race + QStringList{"--svg", "/nonexistent-dir/t.svg"} << 3 << "does not exist";
        QTest::newRow("svg without headless")
            << QStringList{"--svg", "t.svg"} << 2 << "--svg needs --headless";
        QTest::newRow("one file for two outputs")
            << race + QStringList{"--stats", "/tmp/same.json", "--trace", "/tmp/same.json"} << 2
            << "--stats and --trace both write /tmp/same.json";
        QTest::newRow("trace without headless")
            << QStringList{"--trace", "x.json"} << 2 << "--trace needs --headless";
        QTest::newRow("open with a scenario")
            << QStringList{"--open", "x.json", "--scenario", "race"} << 2
            << "--open cannot be combined with --scenario";
        QTest::newRow("open with a speedup chart")
            << QStringList{"--open", "x.json", "--speedup-svg", "s.svg"} << 2
            << "--open cannot be combined with --speedup-svg";
        // In the window too: a wrong path gets one line and no window.
        QTest::newRow("open a missing file in the window")
            << QStringList{"--open", "/nonexistent/run.json"} << 3
            << "/nonexistent/run.json: cannot open: No such file or directory";
        QTest::newRow("open a directory in the window")
            << QStringList{"--open", "/tmp"} << 3 << "/tmp: is a directory, not a trace file";
        QTest::newRow("open a missing file")
            << QStringList{"--open", "/nonexistent/run.json", "--headless"} << 3
            << "/nonexistent/run.json: cannot open";
    }

    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Result r = run(args, 30'000); // an error ends at once, with no window
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1); // one clear line
    }
};

QTEST_GUILESS_MAIN(TstCliArgs)
#include "tst_cli_args.moc"
