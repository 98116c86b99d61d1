#include "tst_cli_run.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <iterator>

// End to end: the built binary runs the scenarios headless, as scripts and tests use it.
// Exports and re-opening: tst_cli_files; argument errors: tst_cli_args.

using cli::processesRunning;
using cli::readJson;
using cli::Result;
using cli::run;

// Every scenario the catalogue has so far, in the order --list gives them.
constexpr const char *kScenarioIds[] = {
    "async",   "processes", "threads",      "pool",     "parallelism", "race",  "mutex",
    "condvar", "semaphore", "philosophers", "peterson", "spinlock",    "amdahl"};

class TstCli : public QObject {
    Q_OBJECT

    // Runs `scenario` headless with `params` and reads its stats into `stats`; fails the
    // test unless the run exits 0 having finished.
    static void runToEnd(const QString &scenario, const QStringList &params, QJsonObject &stats)
    {
        QStringList args{"--headless", "--scenario", scenario, "--timeout", "60", "--stats", "-"};
        for (const QString &p : params)
            args << QStringLiteral("--param") << p;
        const Result r = run(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        stats = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(stats[QStringLiteral("stopped_by")].toString(), QStringLiteral("finished"));
    }

    QTemporaryDir m_dir;

private slots:
    void listText()
    {
        const Result r = run({QStringLiteral("--list")});
        QCOMPARE(r.exitCode, 0);
        for (const char *id : kScenarioIds)
            QVERIFY2(r.out.contains(id), id);
        QVERIFY(r.out.contains("naive | ordered | waiter | polite"));
        QVERIFY(r.out.contains("--param threads=N"));
    }

    void listJson()
    {
        const Result r = run({QStringLiteral("--list"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray all = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(all.size(), qsizetype(std::size(kScenarioIds)));
        for (const auto &v : all) {
            const QJsonObject s = v.toObject();
            QVERIFY(!s[QStringLiteral("id")].toString().isEmpty());
            QVERIFY(!s[QStringLiteral("explanation")].toString().isEmpty());
            QVERIFY(!s[QStringLiteral("params")].toArray().isEmpty());
            QVERIFY(!s[QStringLiteral("metrics")].toArray().isEmpty());
            for (const auto &p : s[QStringLiteral("params")].toArray()) {
                const QJsonObject o = p.toObject();
                QVERIFY(o[QStringLiteral("min")].toDouble() <=
                        o[QStringLiteral("default")].toDouble());
                QVERIFY(o[QStringLiteral("default")].toDouble() <=
                        o[QStringLiteral("max")].toDouble());
            }
        }
    }

    void headlessScenario_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QStringList>("params");
        QTest::addColumn<int>("lanes");
        QTest::newRow("race") << "race" << QStringList{"threads=4", "increments=200000"} << 4;
        QTest::newRow("mutex") << "mutex" << QStringList{"threads=3", "increments=20000"} << 3;
        QTest::newRow("semaphore")
            << "semaphore" << QStringList{"workers=7", "permits=3", "work_ms=20"} << 7;
    }

    void headlessScenario()
    {
        QFETCH(QString, scenario);
        QFETCH(QStringList, params);
        QFETCH(int, lanes);
        const QString stats = m_dir.filePath(scenario + QStringLiteral(".json"));
        const QString png = m_dir.filePath(scenario + QStringLiteral(".png"));
        QStringList args{"--headless", "--scenario", scenario, "--seed", "7", "--timeout",
                         "60",         "--stats",    stats,    "--png",  png};
        for (const QString &p : params)
            args << QStringLiteral("--param") << p;
        const Result r = run(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());

        const QJsonObject s = readJson(stats);
        QCOMPARE(s[QStringLiteral("scenario")].toString(), scenario);
        QCOMPARE(s[QStringLiteral("seed")].toInteger(), 7);
        QCOMPARE(s[QStringLiteral("completed")].toBool(), true);
        QCOMPARE(s[QStringLiteral("stopped_by")].toString(), QStringLiteral("finished"));
        QVERIFY(s[QStringLiteral("duration_ms")].toDouble() > 0);
        QCOMPARE(s[QStringLiteral("lanes")].toInt(), lanes);
        QVERIFY(s[QStringLiteral("events")].toInteger() > lanes);
        QVERIFY(s[QStringLiteral("dropped_events")].isDouble());
        QVERIFY(s[QStringLiteral("deadlock")].isNull());
        for (const QString &p : params) {
            const QString key = p.section('=', 0, 0);
            QCOMPARE(s[QStringLiteral("params")][key].toInteger(), p.section('=', 1).toLongLong());
        }

        const QJsonObject m = s[QStringLiteral("metrics")].toObject();
        if (scenario == QLatin1String("race")) {
            QCOMPARE(m[QStringLiteral("expected")].toInteger(), 800000);
            QCOMPARE(m[QStringLiteral("lost_updates")].toInteger(),
                     m[QStringLiteral("expected")].toInteger() -
                         m[QStringLiteral("actual")].toInteger());
        } else if (scenario == QLatin1String("mutex")) {
            QCOMPARE(m[QStringLiteral("expected")].toInteger(), 60000);
            QCOMPARE(m[QStringLiteral("actual")].toInteger(), 60000);
            QCOMPARE(m[QStringLiteral("max_holders")].toInt(), 1);
            QVERIFY(m[QStringLiteral("lock_wait_ms")].toDouble() >= 0);
        } else {
            QCOMPARE(m[QStringLiteral("max_concurrency")].toInt(), 3);
            QVERIFY(m[QStringLiteral("permit_wait_ms")].toDouble() > 0);
        }

        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1600 && image.height() >= 900);
    }

    // The execution models through the real binary: each run completes and its metrics
    // keep the relations the scenario promises.
    void headlessExecutionModels_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QStringList>("params");
        QTest::newRow("async event_loop")
            << "async" << QStringList{"tasks=4", "max_delay_ms=30", "mode=event_loop"};
        QTest::newRow("async thread_per_task")
            << "async" << QStringList{"tasks=4", "max_delay_ms=30", "mode=thread_per_task"};
        QTest::newRow("processes") << "processes" << QStringList{"processes=6", "max_sleep_ms=50"};
        QTest::newRow("threads") << "threads"
                                 << QStringList{"files=2", "url_delay_ms=100", "sign_delay_ms=10",
                                                "sign_success_percent=100"};
        QTest::newRow("pool") << "pool" << QStringList{"workers=3", "tasks=7", "max_task_ms=200"};
        QTest::newRow("parallelism")
            << "parallelism" << QStringList{"threads=2", "work_ms=30", "affinity=one_core"};
    }

    void headlessExecutionModels()
    {
        QFETCH(QString, scenario);
        QFETCH(QStringList, params);
        QJsonObject s;
        runToEnd(scenario, params, s);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(s[QStringLiteral("dropped_events")].toInt(), 0);
        const QJsonObject m = s[QStringLiteral("metrics")].toObject();
        const auto num = [&m](const char *key) { return m[QLatin1String(key)].toDouble(-1); };
        if (scenario == QLatin1String("async")) {
            QCOMPARE(m[QStringLiteral("completion_order")].toArray().size(), 4);
            QVERIFY(num("switches") >= 4);
            if (params.contains(QStringLiteral("mode=event_loop"))) {
                QCOMPARE(num("os_threads"), 1.0);
                QCOMPARE(num("max_running_tasks"), 1.0);
            } else {
                QCOMPARE(num("os_threads"), 5.0); // main and one thread per task
            }
        } else if (scenario == QLatin1String("processes")) {
            QCOMPARE(num("processes_started"), 6.0);
            QCOMPARE(num("processes_reaped"), 6.0);
            QCOMPARE(num("distinct_pids"), 6.0);
            QCOMPARE(num("child_counter"), 1.0);
            QCOMPARE(num("parent_counter_after"), 0.0);
            QCOMPARE(s[QStringLiteral("lanes")].toInt(), 6);
        } else if (scenario == QLatin1String("threads")) {
            QCOMPARE(m[QStringLiteral("signed")].toBool(), true);
            QCOMPARE(m[QStringLiteral("joined")].toBool(), true);
            QCOMPARE(num("files_downloaded"), 2.0);
        } else if (scenario == QLatin1String("pool")) {
            QCOMPARE(num("max_concurrency"), 3.0);
            QCOMPARE(num("tasks_completed"), 7.0);
            const QJsonObject wait = m[QStringLiteral("queue_wait_ms")].toObject();
            QVERIFY(wait[QStringLiteral("mean")].toDouble() <=
                    wait[QStringLiteral("max")].toDouble());
        } else {
            QCOMPARE(num("cpus_used"), 1.0);
            QVERIFY(num("cpu_ms") >= 60.0);
            QVERIFY(num("parallel_speedup") <= 1.05);
        }
        QVERIFY2(processesRunning().isEmpty(), "a process of the binary outlived the run");
    }

    // The synchronization scenarios through the real binary, small: each completes and its
    // figures keep the relation the scenario is about.
    void headlessSynchronization_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QStringList>("params");
        for (const char *mode : {"long_polling", "condition_variable"})
            QTest::addRow("condvar %s", mode)
                << "condvar"
                << QStringList{"items=5", "produce_interval_ms=10", "poll_ms=5",
                               QStringLiteral("mode=%1").arg(mode)};
        for (const char *lock : {"test_and_set", "test_and_test_and_set", "std_mutex"})
            QTest::addRow("spinlock %s", lock)
                << "spinlock"
                << QStringList{"threads=3", "increments=5000", QStringLiteral("lock=%1").arg(lock)};
        QTest::newRow("peterson seq_cst")
            << "peterson" << QStringList{"iterations=5000", "memory_order=seq_cst"};
    }

    void headlessSynchronization()
    {
        QFETCH(QString, scenario);
        QFETCH(QStringList, params);
        QJsonObject s;
        runToEnd(scenario, params, s);
        if (QTest::currentTestFailed())
            return;
        const QJsonObject m = s[QStringLiteral("metrics")].toObject();
        const auto num = [&m](const char *key) { return m[QLatin1String(key)].toDouble(-1); };
        if (scenario == QLatin1String("condvar")) {
            QCOMPARE(num("items_consumed"), 5.0);
            QVERIFY(num("wasted_wakeups") >= 0 && num("wasted_wakeups") <= num("wakeups"));
        } else if (scenario == QLatin1String("spinlock")) {
            QCOMPARE(num("actual"), 15000.0);
        } else {
            QCOMPARE(num("violations"), 0.0);
            QCOMPARE(num("iterations"), 5000.0);
        }
    }

    // Stopped by --timeout while its children sleep: the binary kills and reaps them all.
    void processesTimeoutLeavesNoChild()
    {
        const Result r =
            run({"--headless", "--scenario", "processes", "--param", "processes=5", "--param",
                 "max_sleep_ms=10000", "--seed", "3", "--timeout", "1", "--stats", "-"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s[QStringLiteral("stopped_by")].toString(), QStringLiteral("timeout"));
        const QJsonObject m = s[QStringLiteral("metrics")].toObject();
        QCOMPARE(m[QStringLiteral("processes_reaped")].toInt(),
                 m[QStringLiteral("processes_started")].toInt());
        QVERIFY2(processesRunning().isEmpty(), "a forked child outlived the run");
    }

    void naivePhilosophersDeadlockAndSayWhere()
    {
        const QString stats = m_dir.filePath(QStringLiteral("philosophers.json"));
        const QString png = m_dir.filePath(QStringLiteral("philosophers.png"));
        const Result r =
            run({"--headless", "--scenario", "philosophers", "--param", "philosophers=4", "--param",
                 "strategy=naive", "--param", "think_ms=0", "--param", "hesitation_ms=150",
                 "--timeout", "60", "--stats", stats, "--png", png});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject s = readJson(stats);
        QCOMPARE(s[QStringLiteral("stopped_by")].toString(), QStringLiteral("deadlock"));
        QCOMPARE(s[QStringLiteral("completed")].toBool(), false);
        QCOMPARE(s[QStringLiteral("params")][QStringLiteral("strategy")].toString(),
                 QStringLiteral("naive"));
        QCOMPARE(s[QStringLiteral("params")][QStringLiteral("jitter")].toBool(), false);
        const QJsonArray cycle = s[QStringLiteral("deadlock")].toArray();
        QCOMPARE(cycle.size(), 8); // four philosophers and four chopsticks, alternating
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(cycle[2 * i].toString(), QStringLiteral("P%1").arg(i));
            QCOMPARE(cycle[2 * i + 1].toString(), QStringLiteral("chopstick %1").arg((i + 1) % 4));
        }
        QCOMPARE(s[QStringLiteral("metrics")][QStringLiteral("deadlock")].toBool(), true);
        QVERIFY(!QImage(png).isNull());
    }

    void orderedPhilosophersEat()
    {
        const Result r =
            run({"--headless", "--scenario", "philosophers", "--param", "strategy=ordered",
                 "--param", "meals=3", "--param", "think_ms=1", "--param", "eat_ms=1", "--param",
                 "hesitation_ms=5", "--timeout", "60", "--stats", "-"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s[QStringLiteral("stopped_by")].toString(), QStringLiteral("finished"));
        QVERIFY(s[QStringLiteral("deadlock")].isNull());
        QCOMPARE(s[QStringLiteral("metrics")][QStringLiteral("meals_total")].toInt(), 18);
    }

    void statsToStdout()
    {
        const Result r = run({"--headless", "--scenario", "mutex", "--param", "threads=2",
                              "--param", "increments=1000", "--stats", "-"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(s[QStringLiteral("metrics")][QStringLiteral("actual")].toInt(), 2000);
    }

    // A run that outgrows its memory budget finishes, keeps its newest detail and says how
    // much older detail it gave up.
    void memoryBudgetDropsOlderDetail()
    {
        const QString stats = m_dir.filePath(QStringLiteral("budget.json"));
        const QString png = m_dir.filePath(QStringLiteral("budget.png"));
        const Result r =
            run({"--headless", "--scenario", "mutex", "--param", "threads=4", "--param",
                 "increments=200000", "--memory-budget", "4", "--stats", stats, "--png", png});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = readJson(stats);
        QCOMPARE(s[QStringLiteral("completed")].toBool(), true);
        QCOMPARE(s[QStringLiteral("metrics")][QStringLiteral("actual")].toInt(), 800000);
        QVERIFY2(s[QStringLiteral("discarded_events")].toDouble() > 0, r.err.constData());
        QVERIFY(QFileInfo(png).size() > 0);
    }

    void timeoutStopsTheRun()
    {
        const QString stats = m_dir.filePath(QStringLiteral("timeout.json"));
        const Result r =
            run({"--headless", "--scenario", "semaphore", "--param", "workers=8", "--param",
                 "permits=1", "--param", "work_ms=2000", "--timeout", "0.5", "--stats", stats});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = readJson(stats);
        QCOMPARE(s[QStringLiteral("stopped_by")].toString(), QStringLiteral("timeout"));
        QCOMPARE(s[QStringLiteral("completed")].toBool(), false);
        QCOMPARE(s[QStringLiteral("lanes")].toInt(), 8);
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
