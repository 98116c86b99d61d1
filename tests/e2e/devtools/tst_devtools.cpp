#include "../tst_cli_run.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <numeric>

// Validation by a real reader: every scenario's exported trace is parsed by Chrome
// DevTools' own trace engine (@paulirish/trace_engine, run with Node.js by
// read_trace.mjs), and what the engine finds must be what Interleave recorded: a thread
// named after every lane, and per thread exactly the lane's segments as complete slices,
// all of them placed in the thread's tree, which is what the Performance panel draws. The
// lanes and segments come from the same run's stats and CSV export, not from the trace.
// Hand-overs (who woke whom, the trace's "s"/"f" flow pairs) must be arrows too.
//
// The engine lives in DEVTOOLS_DIR (the build tree), installed with
// `npm ci --prefix DEVTOOLS_DIR`; without Node.js or the engine the test fails and says so.

namespace {

const QString kEngine = QStringLiteral("@paulirish/trace_engine");

// The binary and node run from the engine's folder, where node finds its packages.
cli::Result run(const QString &program, const QStringList &args)
{
    return cli::runProgram(program, args, 180'000, QStringLiteral(DEVTOOLS_DIR));
}

using cli::readBytes;
using cli::readJson;

// A small value for a numeric parameter, so that every scenario runs in well under a
// second while still showing its threads interleave. Choices and switches keep their
// defaults; percentages too.
QString smallValue(const QJsonObject &param)
{
    const QString key = param[QStringLiteral("key")].toString();
    const double def = param[QStringLiteral("default")].toDouble();
    double v = 3; // threads, workers, tasks, meals, …
    if (key.endsWith(QStringLiteral("_ms")))
        v = 5;
    else if (key.endsWith(QStringLiteral("_ns")))
        v = 0;
    else if (key.contains(QStringLiteral("percent")))
        v = def;
    else if (def > 1000) // increments, iterations
        v = 500;
    v = std::clamp(v, param[QStringLiteral("min")].toDouble(),
                   param[QStringLiteral("max")].toDouble());
    return QStringLiteral("%1=%2").arg(key).arg(qint64(v));
}

// The first field of a CSV row: the lane, quoted when it holds a comma or a quote.
QString firstField(const QByteArray &row)
{
    if (!row.startsWith('"'))
        return QString::fromUtf8(row.left(row.indexOf(',')));
    QByteArray field;
    for (qsizetype i = 1; i < row.size(); ++i) {
        if (row[i] == '"' && (i + 1 == row.size() || row[i + 1] != '"'))
            break;
        if (row[i] == '"')
            ++i;
        field += row[i];
    }
    return QString::fromUtf8(field);
}

// One lane as Interleave recorded it.
struct Lane {
    QString name;
    int segments = 0; // rows of the CSV export: one per segment
};

// One run as Interleave wrote it.
struct Written {
    QList<Lane> lanes;
    int handovers = 0; // flow pairs whose ends lie at different times (see below)
};

// The lanes of the stats and the CSV export, checked against the trace's own thread
// names and X events, so that a mismatch with the engine is the engine's reading, not
// the writer's. Returns why not, or an empty string.
QString readRun(const QString &base, Written &run)
{
    const int laneCount = readJson(base + QStringLiteral(".stats.json"))[u"lanes"].toInt(-1);
    const QByteArray csv = readBytes(base + QStringLiteral(".csv"));
    const QJsonObject trace = readJson(base + QStringLiteral(".json"));
    for (const auto &name : trace[u"metadata"][u"lanes"].toArray())
        run.lanes.append({name.toString(), 0});
    if (laneCount < 1 || run.lanes.size() != laneCount)
        return QStringLiteral("the stats say %1 lanes, the trace's metadata %2")
            .arg(laneCount)
            .arg(run.lanes.size());

    // Rows come lane after lane, in lane order; a lane without segments has none.
    const QList<QByteArray> rows = csv.split('\n');
    qsizetype row = 1; // after the header
    for (Lane &lane : run.lanes)
        for (; row < rows.size() && !rows[row].isEmpty() && firstField(rows[row]) == lane.name;
             ++row)
            ++lane.segments;
    if (rows.size() < 2 || row != rows.size() - 1 || !rows.last().isEmpty())
        return QStringLiteral("CSV row %1 belongs to no lane: %2")
            .arg(row)
            .arg(QString::fromUtf8(rows.value(row)));

    QHash<int, QString> threadNames;
    QHash<int, int> slices;
    QHash<qint64, double> releases; // flow id -> ts of its "s"
    QList<std::pair<qint64, double>> acquires;
    for (const auto &v : trace[u"traceEvents"].toArray()) {
        const QJsonObject e = v.toObject();
        const int tid = e[u"tid"].toInt();
        const QString ph = e[u"ph"].toString();
        if (ph == u'M' && e[u"name"] == QStringLiteral("thread_name"))
            threadNames[tid] = e[u"args"][u"name"].toString();
        else if (ph == u'X')
            ++slices[tid];
        else if (ph == u's')
            releases[e[u"id"].toInteger()] = e[u"ts"].toDouble();
        else if (ph == u'f')
            acquires.append({e[u"id"].toInteger(), e[u"ts"].toDouble()});
    }
    int written = 0;
    for (qsizetype i = 0; i < run.lanes.size(); ++i) {
        const Lane &lane = run.lanes[i];
        const int tid = int(i) + 1; // lane i is thread i + 1
        written += slices.value(tid);
        if (threadNames.value(tid) != lane.name || slices.value(tid) != lane.segments)
            return QStringLiteral("lane %1 '%2' has %3 segments; the trace's thread %4 is "
                                  "named '%5' and holds %6 X events")
                .arg(i)
                .arg(lane.name)
                .arg(lane.segments)
                .arg(tid)
                .arg(threadNames.value(tid))
                .arg(slices.value(tid));
    }
    if (written != std::accumulate(slices.cbegin(), slices.cend(), 0))
        return QStringLiteral("the trace holds X events on threads that are no lane");

    // The engine keys a flow's steps by time, so a release and an acquire at the same
    // microsecond (to the nanosecond written) make one step and no arrow.
    for (const auto &[id, ts] : acquires) {
        if (!releases.contains(id))
            return QStringLiteral("flow %1 ends but never starts").arg(id);
        if (releases[id] != ts)
            ++run.handovers;
    }
    if (acquires.size() != releases.size())
        return QStringLiteral("%1 flows start, %2 end").arg(releases.size()).arg(acquires.size());
    return {};
}

} // namespace

class TstDevtools : public QObject {
    Q_OBJECT

    QString m_node;
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString dir = QStringLiteral(DEVTOOLS_DIR);
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (m_node.isEmpty())
            m_node = QStandardPaths::findExecutable(QStringLiteral("nodejs"));
        QVERIFY2(!m_node.isEmpty(),
                 "Node.js is not on PATH: this test runs Chrome DevTools' trace engine with it. "
                 "Install it (Debian: apt-get install nodejs npm) and then the engine with "
                 "`npm ci --prefix " DEVTOOLS_DIR "` (bash .ci/dev test does both).");
        const QJsonObject wanted = readJson(dir + QStringLiteral("/package.json"));
        const QString pinned = wanted[QStringLiteral("dependencies")][kEngine].toString();
        const QJsonObject installed =
            readJson(dir + QStringLiteral("/node_modules/") + kEngine + "/package.json");
        QVERIFY2(!installed.isEmpty(),
                 "Chrome DevTools' trace engine (@paulirish/trace_engine) is not installed: run "
                 "`npm ci --prefix " DEVTOOLS_DIR "` (bash .ci/dev test does).");
        QVERIFY2(
            installed[QStringLiteral("version")].toString() == pinned,
            qPrintable(QStringLiteral("installed trace engine %1, package.json pins %2: run "
                                      "`npm ci --prefix %3` again")
                           .arg(installed[QStringLiteral("version")].toString(), pinned, dir)));
    }

    void scenario_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QStringList>("params");
        QTest::addColumn<bool>("contended"); // must hand resources over
        const cli::Result r = run(QStringLiteral(INTERLEAVE_BINARY), {"--list", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray all = QJsonDocument::fromJson(r.out).array();
        QVERIFY(!all.isEmpty());
        for (const auto &v : all) {
            const QJsonObject s = v.toObject();
            QStringList params;
            for (const auto &p : s[QStringLiteral("params")].toArray())
                if (p[QStringLiteral("default")].isDouble()) // not a choice or a switch
                    params << smallValue(p.toObject());
            const QString id = s[QStringLiteral("id")].toString();
            QTest::newRow(qPrintable(id)) << id << params << false;
        }
        // Hand-overs, with small values too: six workers share two permits, so four of
        // them wait (their wake-ups end a Blocked segment where the waker's Critical one
        // ends); five philosophers eat longer than they think, so neighbours wait (their
        // wake-ups are release and acquire marks).
        QTest::newRow("semaphore handovers")
            << QStringLiteral("semaphore") << QStringList{"workers=6", "permits=2", "work_ms=20"}
            << true;
        QTest::newRow("philosophers handovers") << QStringLiteral("philosophers")
                                                << QStringList{"philosophers=5", "strategy=ordered",
                                                               "meals=3", "think_ms=1", "eat_ms=10"}
                                                << true;
    }

    // Interleave's lanes and segments are the threads and slices DevTools reads, and its
    // hand-overs the flows.
    void scenario()
    {
        QFETCH(QString, scenario);
        QFETCH(QStringList, params);
        QFETCH(bool, contended);
        const QString base = m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()));
        const QString path = base + QStringLiteral(".json");
        QStringList args{"--headless",
                         "--scenario",
                         scenario,
                         "--seed",
                         "1",
                         "--timeout",
                         "20",
                         "--trace",
                         path,
                         "--csv",
                         base + ".csv",
                         "--stats",
                         base + ".stats.json"};
        for (const QString &p : params)
            args << QStringLiteral("--param") << p;
        const cli::Result wrote = run(QStringLiteral(INTERLEAVE_BINARY), args);
        QVERIFY2(wrote.exitCode == 0, wrote.err.constData());
        Written written;
        const QString why = readRun(base, written);
        QVERIFY2(why.isEmpty(), qPrintable(path + QStringLiteral(": ") + why));
        const QList<Lane> &lanes = written.lanes;
        if (contended)
            QVERIFY2(written.handovers > 0, "no resource changed hands: nothing to check");

        const cli::Result r = run(m_node, {QStringLiteral(DEVTOOLS_DIR "/read_trace.mjs"),
                                           QDir::toNativeSeparators(path)});
        const QJsonObject seen = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(r.exitCode == 0 && !seen.isEmpty(), (r.out + r.err).constData());
        const QJsonArray errors = seen[QStringLiteral("errors")].toArray();
        QVERIFY2(errors.isEmpty(), QJsonDocument(errors).toJson().constData());

        QHash<int, QJsonObject> threads; // pid 1, by tid
        int read = 0;                    // slices on all threads
        for (const auto &t : seen[QStringLiteral("threads")].toArray()) {
            read += t[QStringLiteral("slices")].toInt();
            if (t[QStringLiteral("pid")].toInt() == 1)
                threads[t[QStringLiteral("tid")].toInt()] = t.toObject();
        }
        QHash<int, QString> named;
        for (const auto &t : seen[QStringLiteral("named_threads")].toArray())
            if (t[QStringLiteral("pid")].toInt() == 1)
                named[t[QStringLiteral("tid")].toInt()] = t[QStringLiteral("name")].toString();
        QCOMPARE(named.size(), lanes.size()); // no thread that is not a lane

        int total = 0;
        int busy = 0; // lanes with segments: the engine keeps no thread without slices
        for (qsizetype i = 0; i < lanes.size(); ++i) {
            const Lane &lane = lanes[i];
            const int tid = int(i) + 1;
            total += lane.segments;
            const auto where =
                QStringLiteral("lane %1 '%2' (tid %3)").arg(i).arg(lane.name).arg(tid);
            QVERIFY2(
                named.value(tid) == lane.name,
                qPrintable(where +
                           QStringLiteral(": the engine names it '%1'").arg(named.value(tid))));
            if (lane.segments == 0)
                continue;
            ++busy;
            QVERIFY2(threads.contains(tid),
                     qPrintable(where + " is not among the engine's threads"));
            const QJsonObject t = threads[tid];
            QVERIFY2(
                t[QStringLiteral("name")].toString() == lane.name,
                qPrintable(where + " is named '" + t[QStringLiteral("name")].toString() + "'"));
            QVERIFY2(t[QStringLiteral("slices")].toInt() == lane.segments,
                     qPrintable(where + QStringLiteral(": %1 segments, the engine read %2 slices")
                                            .arg(lane.segments)
                                            .arg(t[QStringLiteral("slices")].toInt())));
            QVERIFY2(
                t[QStringLiteral("drawn")].toInt() == lane.segments,
                qPrintable(where + QStringLiteral(": the engine drew %1 of %2 slices; left out: %3")
                                       .arg(t[QStringLiteral("drawn")].toInt())
                                       .arg(lane.segments)
                                       .arg(QString::fromUtf8(
                                           QJsonDocument(t[QStringLiteral("dropped")].toArray())
                                               .toJson(QJsonDocument::Compact)))));
        }
        QCOMPARE(threads.size(), busy);
        QCOMPARE(read, total); // and no slices on threads that are not lanes

        // The engine binds a flow's "s" and "f" to the first event of the same ts, pid, tid
        // and cat, and pairs them by cat, name and id: every written hand-over must bind.
        QCOMPARE(seen[QStringLiteral("flows")].toInt(), written.handovers);
    }
};

QTEST_GUILESS_MAIN(TstDevtools)
#include "tst_devtools.moc"
