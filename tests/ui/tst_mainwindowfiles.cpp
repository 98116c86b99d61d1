// The window's File menu as a user drives it: save a run, open it again (from the menu,
// the recent list, a drop), bad files, exports, and what the window remembers.
#include "mainwindow.h"
#include "metricspanel.h"
#include "paramspanel.h"
#include "philosophers/philosophersview.h"
#include "runcontroller.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

namespace {

bool runToEnd(MainWindow &w)
{
    QSignalSpy finished(w.controller(), &RunController::finished);
    w.startRun();
    return finished.wait(60'000);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// Answers every message box that opens while it lives, keeping what each said.
class MessageBoxCatcher : public QObject {
public:
    MessageBoxCatcher()
    {
        connect(&m_timer, &QTimer::timeout, this, [this] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                m_texts << box->text();
                box->close();
            }
        });
        m_timer.start(20);
    }
    const QStringList &texts() const { return m_texts; }

private:
    QTimer m_timer;
    QStringList m_texts;
};

QAction *actionWithShortcut(const MainWindow &w, const QKeySequence &keys)
{
    for (QAction *a : w.findChildren<QAction *>())
        if (a->shortcut() == keys)
            return a;
    return nullptr;
}

void runSmallMutex(MainWindow &w)
{
    w.selectScenario(QStringLiteral("mutex"));
    w.paramsPanel()->setValues({{"threads", 3}, {"increments", 500}});
}

// A finished small mutex run, saved to `path` by a window of its own.
bool saveSmallMutexRun(const QString &path)
{
    MainWindow w;
    runSmallMutex(w);
    return runToEnd(w) && w.saveRun(path);
}

} // namespace

class TstMainWindowFiles : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        // The user's own settings stay untouched.
        QStandardPaths::setTestModeEnabled(true);
    }

    void init() { QSettings().clear(); }

    void saveThenOpenShowsTheRunAsItWas()
    {
        const QString path = m_dir.filePath(QStringLiteral("mutex.json"));
        std::size_t lanes = 0;
        std::size_t events = 0;
        QString metric;
        {
            MainWindow w;
            QAction *save = actionWithShortcut(w, QKeySequence::Save);
            QVERIFY(save);
            QVERIFY(!save->isEnabled()); // nothing to save yet
            runSmallMutex(w);
            QVERIFY(runToEnd(w));
            QVERIFY(save->isEnabled());
            QVERIFY(w.saveRun(path));
            QVERIFY(w.windowTitle().contains(QStringLiteral("mutex.json")));
            lanes = w.controller()->timeline().lanes().size();
            events = w.controller()->timeline().event_count();
            metric = w.metricsPanel()->valueText(QStringLiteral("lock_wait_ms"));
            QVERIFY(!metric.isEmpty());
        }
        MainWindow w;
        w.selectScenario(QStringLiteral("semaphore")); // somewhere else first
        QSignalSpy loaded(w.controller(), &RunController::loaded);
        QVERIFY(w.openRun(path));
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(w.controller()->scenario()->info().id, std::string("mutex"));
        QCOMPARE(w.controller()->timeline().lanes().size(), lanes);
        QCOMPARE(w.controller()->timeline().event_count(), events);
        QCOMPARE(w.paramsPanel()->values().at("threads"), std::int64_t(3));
        QCOMPARE(w.paramsPanel()->values().at("increments"), std::int64_t(500));
        QCOMPARE(w.metricsPanel()->valueText(QStringLiteral("lock_wait_ms")), metric);
        QVERIFY(w.windowTitle().contains(QStringLiteral("mutex.json")));

        // Saved again as it was opened: the same bytes.
        const QString again = m_dir.filePath(QStringLiteral("again.json"));
        QVERIFY(w.saveRun(again));
        QCOMPARE(readAll(again), readAll(path));

        // And it runs again from there, with the file's parameters.
        QVERIFY(runToEnd(w));
        QCOMPARE(w.controller()->timeline().lanes().size(), std::size_t(3));
        QVERIFY(w.controller()->filePath().isEmpty());
        QCOMPARE(w.windowTitle(), QStringLiteral("Interleave"));
    }

    // A deadlocked philosophers run, re-opened in a shown window that was on another
    // scenario: the views switch to the new timeline before the layout changes (they
    // once painted the freed one), and the table shows the deadlock.
    void deadlockedRunReopensShowingTheCycle()
    {
        const QString path = m_dir.filePath(QStringLiteral("philosophers.json"));
        {
            MainWindow w;
            w.selectScenario(QStringLiteral("philosophers"));
            w.paramsPanel()->setValues(
                {{"philosophers", 3}, {"strategy", 0}, {"think_ms", 0}, {"hesitation_ms", 150}});
            QSignalSpy finished(w.controller(), &RunController::finished);
            w.startRun();
            QTRY_VERIFY_WITH_TIMEOUT(w.controller()->timeline().deadlock().has_value(), 20'000);
            w.stopRun();
            QVERIFY(finished.wait(10'000));
            QVERIFY(w.saveRun(path));
        }
        MainWindow w;
        w.selectScenario(QStringLiteral("mutex"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openRun(path));
        QTest::qWait(50); // layout and paint with the new timeline
        const auto &cycle = w.controller()->timeline().deadlock();
        QVERIFY(cycle.has_value());
        QVERIFY(w.deadlockBanner().contains(QStringLiteral("Deadlock")));
        QVERIFY(!w.deadlockBanner().contains(QStringLiteral("press Stop")));
        QCOMPARE(w.philosophersView()->seatCount(), 3);
        QCOMPARE(w.philosophersView()->highlightedCycleLanes().size(), 3);
        QCOMPARE(w.controller()->lastResult()->stoppedBy, il::StopReason::User);
    }

    void badFileIsNamedAndTheRunStays()
    {
        MainWindow w;
        runSmallMutex(w);
        QVERIFY(runToEnd(w));
        const std::size_t events = w.controller()->timeline().event_count();
        const QString good = m_dir.filePath(QStringLiteral("good.json"));
        QVERIFY(w.saveRun(good));
        const QString truncated = m_dir.filePath(QStringLiteral("truncated.json"));
        QVERIFY(writeFile(truncated, readAll(good).left(readAll(good).size() / 2)));

        MessageBoxCatcher boxes;
        QVERIFY(!w.openRun(truncated));
        QCOMPARE(boxes.texts().size(), 1);
        QVERIFY2(boxes.texts().front().contains(QStringLiteral("truncated.json")),
                 qPrintable(boxes.texts().front()));
        QCOMPARE(w.controller()->timeline().event_count(), events);
        QCOMPARE(w.controller()->filePath(), QFileInfo(good).absoluteFilePath());
    }

    // A run that lost events says so in the status bar, in the alarm colour: here a
    // saved run whose recorder dropped 1234 events (as the stats JSON says).
    void droppedEventsAreShown()
    {
        const QString path = m_dir.filePath(QStringLiteral("drops.json"));
        QVERIFY(saveSmallMutexRun(path));
        QByteArray trace = readAll(path);
        QCOMPARE(trace.count("\"dropped_events\":0"), 2); // the metadata and the stats
        trace.replace("\"dropped_events\":0", "\"dropped_events\":1234");
        QVERIFY(writeFile(path, trace));
        MainWindow w;
        QVERIFY(w.openRun(path));
        QCOMPARE(w.controller()->timeline().dropped(), std::uint64_t(1234));
        const QString expected = QLocale().toString(1234) + QStringLiteral(" dropped");
        QLabel *shown = nullptr;
        for (QLabel *label : w.statusBar()->findChildren<QLabel *>())
            if (label->text() == expected)
                shown = label;
        QVERIFY2(shown, qPrintable(expected));
        QVERIFY(shown->styleSheet().contains(QStringLiteral("color")));
    }

    // A recent file that has gone away is named in the message and leaves the list.
    void recentFilesListAndForget()
    {
        const QString path = m_dir.filePath(QStringLiteral("recent.json"));
        QVERIFY(saveSmallMutexRun(path));
        MainWindow w;
        QMenu *recent = w.recentFilesMenu();
        QAction *entry = nullptr;
        for (QAction *a : recent->actions())
            if (a->toolTip() == QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath()))
                entry = a;
        QVERIFY(entry);
        entry->trigger(); // opens once the menu's signal has returned
        QTRY_COMPARE(w.controller()->filePath(), QFileInfo(path).absoluteFilePath());

        QVERIFY(QFile::remove(path));
        MessageBoxCatcher boxes;
        QVERIFY(!w.openRun(path));
        QCOMPARE(boxes.texts().size(), 1);
        for (QAction *a : w.recentFilesMenu()->actions())
            QVERIFY(!a->toolTip().contains(QStringLiteral("recent.json")));
    }

    void droppedFileOpens()
    {
        const QString path = m_dir.filePath(QStringLiteral("dropped.json"));
        QVERIFY(saveSmallMutexRun(path));
        MainWindow w;
        w.show();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&w, &drop);
        QTRY_COMPARE(w.controller()->filePath(), QFileInfo(path).absoluteFilePath());
        QVERIFY(!w.controller()->timeline().lanes().empty());

        QMimeData text;
        text.setText(QStringLiteral("not a file"));
        QDragEnterEvent refused(QPoint(50, 50), Qt::CopyAction, &text, Qt::LeftButton,
                                Qt::NoModifier);
        refused.ignore();
        QCoreApplication::sendEvent(&w, &refused);
        QVERIFY(!refused.isAccepted());
    }

    // Another tool's trace: each thread a lane, the file's name as the title, and no
    // metrics of a scenario it never ran.
    void foreignTraceOpens()
    {
        const QString path = m_dir.filePath(QStringLiteral("chrome.json"));
        QVERIFY(writeFile(path, R"({"traceEvents":[
            {"ph":"M","name":"thread_name","pid":7,"tid":1,"args":{"name":"main"}},
            {"ph":"X","name":"work","pid":7,"tid":1,"ts":10,"dur":40},
            {"ph":"B","name":"io","pid":7,"tid":2,"ts":15},
            {"ph":"E","pid":7,"tid":2,"ts":35}]})"));
        MainWindow w;
        QVERIFY(w.openRun(path));
        QVERIFY(!w.controller()->scenario());
        QCOMPARE(w.controller()->timeline().lanes().size(), std::size_t(2));
        QVERIFY(w.windowTitle().contains(QStringLiteral("chrome.json")));
        // Saved as Interleave's own trace, it opens again the same.
        const QString again = m_dir.filePath(QStringLiteral("chrome-again.json"));
        QVERIFY(w.saveRun(again));
        MainWindow other;
        QVERIFY(other.openRun(again));
        QCOMPARE(other.controller()->timeline().lanes().size(), std::size_t(2));
    }

    void exportsImagesAndCsv()
    {
        MainWindow w;
        runSmallMutex(w);
        QVERIFY(runToEnd(w));
        ImageOptions options;
        options.size = {800, 500};
        const QString svg = m_dir.filePath(QStringLiteral("timeline.svg"));
        QVERIFY(w.exportImage(svg, options));
        const QByteArray bytes = readAll(svg);
        QVERIFY(bytes.contains("<svg"));
        const QString csv = m_dir.filePath(QStringLiteral("segments.csv"));
        QVERIFY(w.exportCsv(csv));
        const QList<QByteArray> rows = readAll(csv).trimmed().split('\n');
        QVERIFY(rows.size() > 3); // the header and a row per segment
        QVERIFY(rows.front().startsWith("lane,state,resource,start_us,end_us"));

        // A folder that does not exist: a message, no file.
        MessageBoxCatcher boxes;
        QVERIFY(!w.exportCsv(m_dir.filePath(QStringLiteral("missing/segments.csv"))));
        QCOMPARE(boxes.texts().size(), 1);
    }

    // Slider edits survive a trip to another scenario; a re-opened run's parameters are
    // shown but not remembered as the user's own unless run.
    void parametersAreTheUsersOwn()
    {
        const QString path = m_dir.filePath(QStringLiteral("threads7.json"));
        {
            MainWindow w;
            w.selectScenario(QStringLiteral("mutex"));
            w.paramsPanel()->setValues({{"threads", 7}, {"increments", 300}});
            QVERIFY(runToEnd(w));
            QVERIFY(w.saveRun(path));
        }
        QSettings().clear();
        MainWindow w;
        w.selectScenario(QStringLiteral("mutex"));
        w.paramsPanel()->setValues({{"threads", 2}, {"increments", 900}});
        w.selectScenario(QStringLiteral("race"));
        w.selectScenario(QStringLiteral("mutex"));
        QCOMPARE(w.paramsPanel()->values().at("threads"), std::int64_t(2));

        QVERIFY(w.openRun(path));
        QCOMPARE(w.paramsPanel()->values().at("threads"), std::int64_t(7));
        w.close(); // saves the settings
        MainWindow next;
        next.selectScenario(QStringLiteral("race"));
        next.selectScenario(QStringLiteral("mutex"));
        QCOMPARE(next.paramsPanel()->values().at("threads"), std::int64_t(2));
        QCOMPARE(next.paramsPanel()->values().at("increments"), std::int64_t(900));
    }

    void openingWhileARunGoesOnIsRefused()
    {
        const QString path = m_dir.filePath(QStringLiteral("any.json"));
        MainWindow w;
        runSmallMutex(w);
        QVERIFY(runToEnd(w));
        QVERIFY(w.saveRun(path));
        w.selectScenario(QStringLiteral("philosophers"));
        w.paramsPanel()->setValues(
            {{"philosophers", 3}, {"strategy", 0}, {"think_ms", 0}, {"hesitation_ms", 150}});
        QSignalSpy finished(w.controller(), &RunController::finished);
        w.startRun();
        QVERIFY(w.controller()->isRunning()); // deadlocks and stays until Stop
        QAction *open = actionWithShortcut(w, QKeySequence::Open);
        QVERIFY(open && !open->isEnabled());
        QVERIFY(!w.recentFilesMenu()->isEnabled());
        {
            MessageBoxCatcher boxes;
            QVERIFY(!w.openRun(path));
            QCOMPARE(boxes.texts().size(), 1);
        }
        QVERIFY(w.controller()->isRunning());
        w.stopRun();
        QVERIFY(finished.wait(20'000));
        QVERIFY(open->isEnabled());
        QVERIFY(w.openRun(path));
    }

    void remembersScenarioParametersAndLayout()
    {
        QByteArray geometry;
        {
            MainWindow w;
            w.selectScenario(QStringLiteral("semaphore"));
            w.paramsPanel()->setValues({{"workers", 5}, {"permits", 2}, {"work_ms", 5}});
            w.resize(1100, 700);
            w.show();
            w.close();
        }
        MainWindow w;
        QVERIFY(w.paramsPanel()->values().count("workers")); // the semaphore is selected
        QCOMPARE(w.paramsPanel()->values().at("workers"), std::int64_t(5));
        QCOMPARE(w.paramsPanel()->values().at("permits"), std::int64_t(2));
        w.show();
        QCOMPARE(w.size(), QSize(1100, 700));
    }
};

QTEST_MAIN(TstMainWindowFiles)
#include "tst_mainwindowfiles.moc"
