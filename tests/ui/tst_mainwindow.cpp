#include "gantt/ganttview.h"
#include "mainwindow.h"
#include "metricspanel.h"
#include "paramspanel.h"
#include "philosophers/philosophersview.h"
#include "replaybar.h"
#include "runcontroller.h"
#include "speedup/speedupchart.h"

#include <QAction>
#include <QImage>
#include <QLineSeries>
#include <QMenuBar>
#include <QTabWidget>

#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <cstdlib>

class TstMainWindow : public QObject {
    Q_OBJECT

    static bool runToEnd(MainWindow &w)
    {
        QSignalSpy finished(w.controller(), &RunController::finished);
        w.startRun();
        return finished.wait(60'000);
    }

private slots:
    void initTestCase()
    {
        // The user's own settings stay untouched, and each test starts from none.
        QStandardPaths::setTestModeEnabled(true);
    }
    void init() { QSettings().clear(); }

    void semaphoreRunFillsOneLanePerWorker()
    {
        MainWindow w;
        w.show();
        w.selectScenario(QStringLiteral("semaphore"));
        w.paramsPanel()->setValues({{"workers", 6}, {"permits", 2}, {"work_ms", 30}});
        QSignalSpy updated(w.controller(), &RunController::updated);
        QVERIFY(runToEnd(w));
        QVERIFY(updated.count() >= 1);
        const il::Timeline &t = w.controller()->timeline();
        QCOMPARE(t.lanes().size(), std::size_t(6));
        for (const auto &lane : t.lanes()) {
            QVERIFY(!lane.segments.empty());
            QCOMPARE(lane.segments.back().state, il::State::Finished);
        }
        QCOMPARE(w.metricsPanel()->valueText(QStringLiteral("max_concurrency")),
                 QStringLiteral("2"));
    }

    void movingASliderChangesTheNextRun()
    {
        MainWindow w;
        w.selectScenario(QStringLiteral("semaphore"));
        w.paramsPanel()->setValues({{"workers", 3}, {"permits", 1}, {"work_ms", 5}});
        QVERIFY(runToEnd(w));
        QCOMPARE(w.controller()->timeline().lanes().size(), std::size_t(3));

        w.paramsPanel()->slider(QStringLiteral("workers"))->setValue(5);
        QVERIFY(runToEnd(w));
        QCOMPARE(w.controller()->timeline().lanes().size(), std::size_t(5));
        QCOMPARE(w.controller()->params().at("workers"), 5);
    }

    void stopEndsABlockedRunAndKeepsTheRecord()
    {
        MainWindow w;
        w.selectScenario(QStringLiteral("semaphore"));
        w.paramsPanel()->setValues({{"workers", 10}, {"permits", 1}, {"work_ms", 2000}});
        QSignalSpy finished(w.controller(), &RunController::finished);
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->timeline().lanes().size() == 10, 10'000);
        w.stopRun();
        QVERIFY(finished.wait(10'000)); // a hang guard, not a timing assertion
        const auto &result = w.controller()->lastResult();
        QVERIFY(result.has_value());
        QCOMPARE(result->stoppedBy, il::StopReason::User);
        QVERIFY(!result->completed());
        QCOMPARE(w.controller()->timeline().lanes().size(), std::size_t(10));
    }

    void deadlockRaisesTheBannerAndTheTableShowsTheCycle()
    {
        MainWindow w;
        w.show();
        w.selectScenario(QStringLiteral("philosophers"));
        w.paramsPanel()->setValues(
            {{"philosophers", 3}, {"strategy", 0}, {"think_ms", 0}, {"hesitation_ms", 150}});
        QSignalSpy finished(w.controller(), &RunController::finished);
        w.startRun();
        QTRY_COMPARE_WITH_TIMEOUT(w.philosophersView()->seatCount(), 3, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(!w.deadlockBanner().isEmpty(), 20'000);
        const auto &cycle = w.controller()->timeline().deadlock();
        QVERIFY(cycle.has_value());
        QVERIFY(w.deadlockBanner().contains(QStringLiteral("P0")));
        QList<int> lanes;
        for (const auto lane : cycle->lanes)
            lanes << int(lane);
        QTRY_COMPARE_WITH_TIMEOUT(w.philosophersView()->highlightedCycleLanes(), lanes, 5'000);
        QVERIFY(w.controller()->isRunning()); // the GUI keeps the deadlock on screen
        // Nothing happens any more, yet the blocked philosophers are drawn blocked for
        // longer and longer: the timeline's live edge follows the clock.
        const qint64 stuckAt = w.controller()->timeline().end_ns();
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->timeline().end_ns() > stuckAt + 200'000'000,
                                 10'000);
        const il::TimelineLane &first = w.controller()->timeline().lanes().front();
        QCOMPARE(first.segments.back().state, il::State::Blocked);
        QCOMPARE(w.controller()->timeline().segment_end(first, first.segments.size() - 1),
                 w.controller()->timeline().end_ns());
        w.stopRun();
        QVERIFY(finished.wait(10'000)); // Stop ends a deadlocked run
        QCOMPARE(w.controller()->lastResult()->stoppedBy, il::StopReason::User);
        QVERIFY(!w.deadlockBanner().isEmpty()); // and the record of it stays
        QVERIFY(!w.deadlockBanner().contains(QStringLiteral("press Stop")));
        // The run over, the table shows the moment the cycle closed (at the end the
        // threads had given up their chopsticks).
        QCOMPARE(w.replayBar()->pinnedTimeNs(), std::optional<qint64>(cycle->tNs));
        QCOMPARE(w.philosophersView()->highlightedCycleLanes(), lanes);

        // Replay: before the cycle closed nothing is red; from then on the cycle is.
        w.replayBar()->setTimeNs(cycle->tNs - 1);
        QCOMPARE(w.philosophersView()->displayTimeNs(),
                 std::optional<qint64>(w.replayBar()->pinnedTimeNs()));
        QVERIFY(*w.philosophersView()->displayTimeNs() < cycle->tNs);
        QVERIFY(w.philosophersView()->highlightedCycleLanes().isEmpty());
        w.replayBar()->setTimeNs(w.controller()->timeline().end_ns());
        QCOMPARE(w.philosophersView()->highlightedCycleLanes(), lanes);

        // A click on the timeline puts the replay cursor there, and the table follows.
        GanttView *gantt = w.ganttView();
        gantt->fitAll();
        const qint64 early = cycle->tNs / 3;
        QTest::mouseClick(gantt->viewport(), Qt::LeftButton, {}, gantt->viewPosition(0, early));
        QVERIFY(gantt->timeCursorNs().has_value());
        QVERIFY(std::abs(*gantt->timeCursorNs() - early) < cycle->tNs / 10);
        QVERIFY(w.philosophersView()->displayTimeNs().has_value());
        QVERIFY(*w.philosophersView()->displayTimeNs() < cycle->tNs);
        QVERIFY(w.philosophersView()->highlightedCycleLanes().isEmpty());
    }

    void exportPngWritesTheRequestedSize()
    {
        MainWindow w;
        w.selectScenario(QStringLiteral("mutex"));
        w.paramsPanel()->setValues({{"threads", 3}, {"increments", 2000}});
        QVERIFY(runToEnd(w));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("timeline.png"));
        QVERIFY(w.exportPng(path));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(3200, 1800)); // 1600×900 at 2× device pixel ratio
    }

    // Amdahl's run ends on its speedup chart, in a tab only that scenario has, and Ctrl+E
    // then exports the chart rather than the timeline.
    void amdahlShowsItsSpeedupChartAndExportsIt()
    {
        MainWindow w;
        w.show();
        QTabWidget *tabs = w.viewTabs();
        w.selectScenario(QStringLiteral("mutex"));
        QVERIFY(!tabs->isTabVisible(tabs->indexOf(w.speedupChart())));
        w.selectScenario(QStringLiteral("amdahl"));
        QVERIFY(tabs->isTabVisible(tabs->indexOf(w.speedupChart())));
        QVERIFY(!w.speedupChart()->data());
        w.paramsPanel()->setValues({{"serial_percent", 50}, {"max_threads", 3}, {"work_ms", 20}});
        QVERIFY(runToEnd(w));
        QCOMPARE(tabs->currentWidget(), w.speedupChart());
        QVERIFY(w.speedupChart()->data());
        QCOMPARE(w.speedupChart()->data()->threads, (QList<int>{1, 2, 3}));
        QCOMPARE(w.speedupChart()->measuredSeries()->points().size(), 3);

        QAction *exportAction = nullptr;
        for (QAction *a : w.findChildren<QAction *>())
            if (a->shortcut() == QKeySequence(QStringLiteral("Ctrl+E")))
                exportAction = a;
        QVERIFY(exportAction);
        QVERIFY(exportAction->text().contains(QStringLiteral("speedup")));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("speedup.png"));
        QVERIFY(w.exportPng(path));
        QCOMPARE(QImage(path).size(), QSize(2400, 1600)); // 1200×800 at 2×

        tabs->setCurrentIndex(0);
        QVERIFY(exportAction->text().contains(QStringLiteral("timeline")));
        w.selectScenario(QStringLiteral("race")); // another scenario: the chart is not its
        QVERIFY(!w.speedupChart()->data());
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
