// Saving and opening runs from the GUI: the trace round trip, the threaded read with its
// progress dialog, and failures that name the file and leave nothing behind.
#include "params.h"
#include "registry.h"
#include "runfile.h"
#include "timelinefixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using fixtures::kMs;

namespace {

// fixtures::buildTurns, ended at 10 ms as a finished run is.
void buildTurns(il::Timeline &timeline)
{
    fixtures::buildTurns(timeline);
    timeline.close(10 * kMs);
}

il::RunInfo mutexInfo()
{
    il::RunInfo info;
    info.scenario = "mutex";
    info.params = il::default_params(il::find_scenario("mutex")->info());
    info.params["threads"] = 2;
    info.seed = 42;
    info.stats = il::Json{{"scenario", "mutex"}, {"metrics", {{"expected", 8}, {"actual", 8}}}};
    return info;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TstRunFile : public QObject {
    Q_OBJECT
private slots:
    void saveOpenSaveIsByteStable();
    void openWithDialogRestoresTheRun();
    void badFileIsNamedInTheError();
    void failedSaveLeavesNothing();
    void csvHasOneRowPerSegment();
    void shippedSampleOpens();

private:
    QTemporaryDir m_dir;
};

void TstRunFile::saveOpenSaveIsByteStable()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString first = m_dir.filePath(QStringLiteral("first.json"));
    const QString second = m_dir.filePath(QStringLiteral("second.json"));
    QString error;
    QVERIFY2(saveRunFile(first, timeline, mutexInfo(), &error), qPrintable(error));
    std::optional<LoadedRun> run = readRunFile(first, &error);
    QVERIFY2(run, qPrintable(error));
    QVERIFY(!run->foreign);
    QCOMPARE(run->path, QFileInfo(first).absoluteFilePath());
    QVERIFY2(saveRunFile(second, *run->timeline, run->info, &error), qPrintable(error));
    QCOMPARE(readAll(second), readAll(first));
}

void TstRunFile::openWithDialogRestoresTheRun()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString path = m_dir.filePath(QStringLiteral("dialog.json"));
    QString error;
    QVERIFY(saveRunFile(path, timeline, mutexInfo(), &error));
    QWidget parent;
    std::optional<LoadedRun> run = openRunFile(&parent, path, &error);
    QVERIFY2(run, qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(run->info.scenario, std::string("mutex"));
    QCOMPARE(run->info.seed, std::uint64_t(42));
    QCOMPARE(run->info.params.at("threads"), std::int64_t(2));
    QCOMPARE(run->timeline->lanes().size(), std::size_t(2));
    QCOMPARE(run->timeline->lanes()[1].name, std::string("worker 2"));
    QCOMPARE(run->timeline->segment_count(), timeline.segment_count());
    QCOMPARE(run->timeline->end_ns(), timeline.end_ns());
}

void TstRunFile::badFileIsNamedInTheError()
{
    const QString path = m_dir.filePath(QStringLiteral("truncated.json"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"traceEvents\":[{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":1,");
    }
    QString error;
    QWidget parent;
    QVERIFY(!openRunFile(&parent, path, &error));
    QVERIFY2(error.contains(QStringLiteral("truncated.json")), qPrintable(error));

    QVERIFY(!readRunFile(m_dir.filePath(QStringLiteral("missing.json")), &error));
    QVERIFY2(error.contains(QStringLiteral("missing.json")), qPrintable(error));
}

void TstRunFile::failedSaveLeavesNothing()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString dir = m_dir.filePath(QStringLiteral("no-such-folder"));
    QString error;
    QVERIFY(!saveRunFile(dir + QStringLiteral("/run.json"), timeline, mutexInfo(), &error));
    QVERIFY2(error.contains(QStringLiteral("run.json")), qPrintable(error));
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY(!saveCsvFile(dir + QStringLiteral("/run.csv"), timeline, &error));
    QVERIFY(!QFileInfo::exists(dir));
}

void TstRunFile::csvHasOneRowPerSegment()
{
    il::Timeline timeline;
    buildTurns(timeline);
    const QString path = m_dir.filePath(QStringLiteral("run.csv"));
    QString error;
    QVERIFY2(saveCsvFile(path, timeline, &error), qPrintable(error));
    const QList<QByteArray> rows = readAll(path).trimmed().split('\n');
    QCOMPARE(rows.first().trimmed(), QByteArray("lane,state,resource,start_us,end_us"));
    QCOMPARE(qsizetype(rows.size() - 1), qsizetype(timeline.segment_count()));
    QVERIFY(rows.at(1).startsWith("worker 1,critical section,counter mutex,0.000,"));
}

// The sample run in resources/samples (README points to it) still opens as what it is:
// six naive philosophers, deadlocked.
void TstRunFile::shippedSampleOpens()
{
    const QString path = QFINDTESTDATA("../../resources/samples/philosophers-deadlock.json");
    QVERIFY(!path.isEmpty());
    QString error;
    const std::optional<LoadedRun> run = readRunFile(path, &error);
    QVERIFY2(run, qPrintable(error));
    QVERIFY(!run->foreign);
    QCOMPARE(run->info.scenario, std::string("philosophers"));
    QCOMPARE(run->timeline->lanes().size(), std::size_t(6));
    QVERIFY(run->timeline->deadlock().has_value());
    QCOMPARE(run->timeline->deadlock()->lanes.size(), std::size_t(6));
    QCOMPARE(run->timeline->memory_budget(), il::Timeline::kDefaultMemoryBudget);

    // --open FILE --memory-budget MIB: the re-opened timeline keeps to the same budget.
    const std::optional<LoadedRun> small = readRunFile(path, &error, std::size_t(4) << 20);
    QVERIFY2(small, qPrintable(error));
    QCOMPARE(small->timeline->memory_budget(), std::size_t(4) << 20);
}

QTEST_MAIN(TstRunFile)
#include "tst_runfile.moc"
