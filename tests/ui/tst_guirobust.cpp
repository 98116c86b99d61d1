// The window under rough handling, driven through the widgets and actions a user uses:
// Run pressed again and again, Run and Stop alternating, scenarios switched and sliders
// moved while a run goes, the window closed mid-run, and a seeded random mix of all of
// these. After each: no crash, no hang, the next run still goes to its end, and no
// thread or child process is left behind.
#include "../core/proctest.h"
#include "guidriver.h"
#include "registry.h"
#include "runcontroller.h"

#include <QApplication>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTimer>

#include <memory>
#include <random>
#include <unistd.h>

using namespace iltest;

namespace {

// Every child process of this one, zombies included, whichever thread forked it.
QList<pid_t> childProcesses()
{
    QList<pid_t> pids;
    for (const ProcEntry &child : children_of(getpid()))
        pids << child.pid;
    return pids;
}

} // namespace

class TstGuiRobust : public QObject {
    Q_OBJECT

    Watchdog m_watchdog; // a thread of its own, counted in the baseline
    int m_baseline = 0;  // threads once Qt has started those it keeps
    QTimer m_dialogGuard;
    QStringList m_dialogs; // texts of message boxes that popped up (and were closed)

    // Clicks the scenario, gives it small parameters and runs it to its end.
    void runToEnd(MainWindow &w, int row)
    {
        clickScenario(w, row);
        QCOMPARE(scenarioList(w)->currentRow(), row);
        const il::Scenario *s = il::find_scenario(shownScenario(w).toStdString());
        QVERIFY(s);
        w.paramsPanel()->setValues(quickParams(s->info()));
        QSignalSpy finished(w.controller(), &RunController::finished);
        QTest::mouseClick(button(w, QStringLiteral("Run")), Qt::LeftButton);
        QVERIFY(w.controller()->isRunning());
        QVERIFY2(finished.wait(30'000), qPrintable(shownScenario(w))); // a hang guard
        QVERIFY(w.controller()->lastResult()->completed());
        QCOMPARE(w.controller()->scenario(), s);
    }

    // What must hold after any rough handling: the run ends, no dialog came up, no child
    // process is left, the next scenario in the list runs to its end, and the threads are
    // back to the baseline.
    void expectRecovered(MainWindow &w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isRunning(), 30'000);
        QVERIFY2(m_dialogs.isEmpty(), qPrintable(m_dialogs.join('\n')));
        QTRY_COMPARE_WITH_TIMEOUT(childProcesses(), QList<pid_t>(), 10'000);
        runToEnd(w, (scenarioList(w)->currentRow() + 1) % scenarioList(w)->count());
        if (QTest::currentTestFailed())
            return;
        QTRY_COMPARE_WITH_TIMEOUT(threadCount(), m_baseline, 10'000);
        QCOMPARE(childProcesses(), QList<pid_t>());
    }

    void checkDialogs()
    {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            const auto *box = qobject_cast<QMessageBox *>(modal);
            m_dialogs << (box ? box->text() : modal->windowTitle());
            modal->close();
        }
    }

private slots:
    void initTestCase()
    {
        g_nextHandler = qInstallMessageHandler(quietOffscreen);
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        // A message box would wait for a click forever: close it, and fail saying what.
        m_dialogGuard.setInterval(50);
        connect(&m_dialogGuard, &QTimer::timeout, this, &TstGuiRobust::checkDialogs);
        m_dialogGuard.start();
        { // warm-up: Qt starts the threads it keeps for good
            MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            runToEnd(w, 0);
        }
        QTest::qWait(100);
        m_baseline = threadCount();
        qInfo("baseline: %d threads", m_baseline);
    }
    void init()
    {
        QSettings().clear();
        m_dialogs.clear();
    }

    void runPressedRepeatedly()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QAction *run = actionWithShortcut(w, QKeySequence(QStringLiteral("Ctrl+R")));
        QAction *stop = actionWithShortcut(w, QKeySequence(Qt::Key_Escape));
        QPushButton *runButton = button(w, QStringLiteral("Run"));
        QPushButton *stopButton = button(w, QStringLiteral("Stop"));
        QVERIFY(run && stop && runButton && stopButton);
        QSignalSpy started(w.controller(), &RunController::started);
        QSignalSpy finished(w.controller(), &RunController::finished);
        w.selectScenario(QStringLiteral("semaphore"));
        w.paramsPanel()->setValues({{"workers", 3}, {"permits", 1}, {"work_ms", 20}});

        // A burst of presses before the window can react: one run.
        for (int i = 0; i < 50; ++i) {
            run->trigger();
            QTest::mouseClick(runButton, Qt::LeftButton);
        }
        QCOMPARE(started.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30'000);

        // Ctrl+R held down (the key repeats), then Esc.
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        for (int i = 0; i < 30; ++i)
            QTest::keyClick(&w, Qt::Key_R, Qt::ControlModifier);
        QCOMPARE(started.count(), 2);
        QTest::keyClick(&w, Qt::Key_Escape);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30'000);

        // Presses as fast as the event loop turns: each one while idle starts a run.
        const int startedBefore = int(started.count());
        for (int i = 0; i < 40; ++i) {
            if (i % 2)
                run->trigger();
            else
                QTest::mouseClick(runButton, Qt::LeftButton);
            QCoreApplication::processEvents();
        }
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isRunning(), 30'000);
        QVERIFY(started.count() > startedBefore);
        QCOMPARE(finished.count(), started.count());

        // Run and Stop alternating fast, on a scenario that forks.
        w.selectScenario(QStringLiteral("processes"));
        w.paramsPanel()->setValues({{"processes", 4}, {"max_sleep_ms", 300}});
        for (int i = 0; i < 40; ++i) {
            QTest::mouseClick(runButton, Qt::LeftButton);
            QTest::qWait(i % 4); // now and then the children get forked first
            if (i % 2)
                stop->trigger();
            else
                QTest::mouseClick(stopButton, Qt::LeftButton);
            QCoreApplication::processEvents();
        }
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isRunning(), 30'000);
        QCOMPARE(finished.count(), started.count());
        expectRecovered(w);
    }

    // While a run goes the list ignores clicks; a selection changed behind it (as
    // selectScenario does) leaves the run alone, and the next Run takes the shown one.
    void scenariosSwitchedWhileRunning()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QListWidget *list = scenarioList(w);
        for (int row = 0; row < list->count(); ++row) {
            clickScenario(w, row); // its default parameters: a run that lasts a while
            const QString id = shownScenario(w);
            QSignalSpy finished(w.controller(), &RunController::finished);
            QTest::mouseClick(button(w, QStringLiteral("Run")), Qt::LeftButton);
            const il::Scenario *running = w.controller()->scenario();
            QVERIFY2(w.controller()->isRunning(), qPrintable(id));
            for (int other = 0; other < list->count(); ++other) {
                const bool wasRunning = w.controller()->isRunning();
                clickScenario(w, other);
                if (wasRunning)
                    QCOMPARE(shownScenario(w), id);
                QCoreApplication::processEvents();
            }
            for (int other = 0; other < list->count(); ++other) {
                list->setCurrentRow(other);
                QCOMPARE(w.controller()->scenario(), running);
                if (w.controller()->isRunning()) // the new scenario's controls too
                    for (QWidget *c : paramControls(w))
                        QVERIFY2(!c->isEnabled(), qPrintable(shownScenario(w)));
                QCoreApplication::processEvents();
            }
            list->setCurrentRow(row);
            QTest::mouseClick(button(w, QStringLiteral("Stop")), Qt::LeftButton);
            QVERIFY2(finished.count() == 1 || finished.wait(30'000), qPrintable(id));
            QVERIFY(w.controller()->lastResult()->error.empty());
            QVERIFY2(m_dialogs.isEmpty(), qPrintable(m_dialogs.join('\n')));
        }
        expectRecovered(w);
    }

    // Every parameter control of every scenario to its minimum and maximum while the
    // scenario runs: keys are ignored by the disabled panel, and values set behind it
    // change only the next run, never the one going.
    void slidersMovedWhileRunning()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QListWidget *list = scenarioList(w);
        for (int row = 0; row < list->count(); ++row) {
            clickScenario(w, row);
            const QString id = shownScenario(w);
            QSignalSpy finished(w.controller(), &RunController::finished);
            QTest::mouseClick(button(w, QStringLiteral("Run")), Qt::LeftButton);
            QVERIFY2(w.controller()->isRunning(), qPrintable(id));
            const il::ParamValues runParams = w.controller()->params();
            const il::ParamValues shown = w.paramsPanel()->values();
            for (QWidget *c : paramControls(w)) {
                for (const auto key : {Qt::Key_End, Qt::Key_Home, Qt::Key_PageUp, Qt::Key_Down})
                    QTest::keyClick(c, key);
                QTest::mouseClick(c, Qt::LeftButton);
            }
            QVERIFY2(w.paramsPanel()->values() == shown, qPrintable(id));
            for (const bool max : {true, false, true}) {
                for (QWidget *c : paramControls(w)) {
                    setToEnd(c, max);
                    QCoreApplication::processEvents();
                }
                QVERIFY2(w.controller()->params() == runParams, qPrintable(id));
            }
            QTest::mouseClick(button(w, QStringLiteral("Stop")), Qt::LeftButton);
            QVERIFY2(finished.count() == 1 || finished.wait(30'000), qPrintable(id));
            QVERIFY(w.controller()->params() == runParams);
            QVERIFY(w.controller()->lastResult()->error.empty());
            QVERIFY2(m_dialogs.isEmpty(), qPrintable(m_dialogs.join('\n')));
            w.paramsPanel()->setValues(quickParams(w.controller()->scenario()->info()));
        }
        expectRecovered(w);
    }

    void windowClosedWhileRunning_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("deleteAtOnce");
        QTest::newRow("philosophers deadlocked, deleted at once") << "philosophers" << true;
        QTest::newRow("philosophers deadlocked, deleted later") << "philosophers" << false;
        QTest::newRow("processes forked, deleted at once") << "processes" << true;
        QTest::newRow("processes forked, deleted later") << "processes" << false;
    }
    void windowClosedWhileRunning()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, deleteAtOnce);
        auto w = std::make_unique<MainWindow>();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        w->selectScenario(scenario);
        if (scenario == QStringLiteral("philosophers"))
            w->paramsPanel()->setValues(
                {{"philosophers", 3}, {"strategy", 0}, {"think_ms", 0}, {"hesitation_ms", 150}});
        else
            w->paramsPanel()->setValues({{"processes", 6}, {"max_sleep_ms", 10'000}});
        QTest::mouseClick(button(*w, QStringLiteral("Run")), Qt::LeftButton);
        if (scenario == QStringLiteral("philosophers"))
            QTRY_VERIFY_WITH_TIMEOUT(!w->deadlockBanner().isEmpty(), 20'000);
        else // all forked (each has its lane), and most still sleeping
            QTRY_VERIFY_WITH_TIMEOUT(w->controller()->timeline().lanes().size() >= 6 &&
                                         !childProcesses().isEmpty(),
                                     20'000);
        QVERIFY(w->controller()->isRunning());

        if (deleteAtOnce) { // the window's close button, then main() returns
            QVERIFY(w->close());
        } else { // File > Quit, and the window lives on a while
            QAction *quit = nullptr;
            for (QAction *a : w->findChildren<QAction *>())
                if (a->text() == QStringLiteral("&Quit"))
                    quit = a;
            QVERIFY(quit);
            quit->trigger();
            QVERIFY(!w->isVisible());
            QTRY_VERIFY_WITH_TIMEOUT(!w->controller()->isRunning(), 30'000);
        }
        m_watchdog.arm("deleting the window closed mid-run", std::chrono::seconds(30));
        w.reset();
        m_watchdog.disarm();
        QVERIFY2(m_dialogs.isEmpty(), qPrintable(m_dialogs.join('\n')));
        QTRY_COMPARE_WITH_TIMEOUT(childProcesses(), QList<pid_t>(), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(threadCount(), m_baseline, 10'000);

        MainWindow again; // the app starts again and works
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        again.selectScenario(scenario);
        expectRecovered(again);
    }

    // 200 seeded steps of run, stop, switch scenario, move a control, pick the same
    // scenario again. The seed is fixed, so every run of the suite drives the same
    // sequence; INTERLEAVE_GUI_SEED=N tries another, INTERLEAVE_GUI_STEPS=N a longer one.
    void randomSequence()
    {
        const quint32 seed = qEnvironmentVariableIsSet("INTERLEAVE_GUI_SEED")
                                 ? qEnvironmentVariable("INTERLEAVE_GUI_SEED").toUInt()
                                 : 20261205u;
        const int steps = qEnvironmentVariableIsSet("INTERLEAVE_GUI_STEPS")
                              ? qEnvironmentVariableIntValue("INTERLEAVE_GUI_STEPS")
                              : 200;
        qInfo("seed %u (INTERLEAVE_GUI_SEED=%u repeats this sequence)", seed, seed);
        std::mt19937 rng(seed);
        const auto pick = [&rng](int n) {
            return std::uniform_int_distribution<int>(0, n - 1)(rng);
        };
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QListWidget *list = scenarioList(w);
        QAction *run = actionWithShortcut(w, QKeySequence(QStringLiteral("Ctrl+R")));
        QAction *stop = actionWithShortcut(w, QKeySequence(Qt::Key_Escape));
        QVERIFY(run && stop);
        il::ParamValues runParams;
        connect(w.controller(), &RunController::started, this,
                [&] { runParams = w.controller()->params(); });
        const Qt::Key keys[] = {Qt::Key_Home, Qt::Key_End,  Qt::Key_PageUp, Qt::Key_PageDown,
                                Qt::Key_Up,   Qt::Key_Down, Qt::Key_Space};
        QSignalSpy started(w.controller(), &RunController::started);
        for (int step = 0; step < steps; ++step) {
            m_watchdog.arm("a step of the random sequence", std::chrono::seconds(30));
            const int what = pick(5);
            if (what <= 1) { // Run or Stop, from the menu's action or the button
                if (pick(2))
                    (what == 0 ? run : stop)->trigger();
                else
                    QTest::mouseClick(
                        button(w, what == 0 ? QStringLiteral("Run") : QStringLiteral("Stop")),
                        Qt::LeftButton);
            } else if (what == 2) {
                clickScenario(w, pick(list->count()));
            } else if (what == 3) {
                const QList<QWidget *> controls = paramControls(w);
                if (!controls.isEmpty())
                    QTest::keyClick(controls[pick(int(controls.size()))], keys[pick(7)]);
            } else {
                clickScenario(w, list->currentRow());
                w.selectScenario(shownScenario(w));
            }
            QTest::qWait(pick(20));
            m_watchdog.disarm();
            const bool running = w.controller()->isRunning();
            const QByteArray where = "step " + QByteArray::number(step);
            QVERIFY2(list->isEnabled() != running, where);
            QVERIFY2(run->isEnabled() != running, where);
            QVERIFY2(!running || w.controller()->params() == runParams, where);
            QVERIFY2(m_dialogs.isEmpty(), qPrintable(m_dialogs.join('\n')));
        }
        if (QWidget *popup = QApplication::activePopupWidget()) // a drop-down left open
            QTest::keyClick(popup, Qt::Key_Escape);
        stop->trigger();
        qInfo("%d steps, %d runs started", steps, int(started.count()));
        expectRecovered(w);
    }
};

QTEST_MAIN(TstGuiRobust)
#include "tst_guirobust.moc"
