#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

// Validation by a real reader: every scenario's exported trace is parsed by Chrome
// DevTools' own trace engine (@paulirish/trace_engine, run with Node.js by
// read_trace.mjs), and what the engine finds must be what Interleave wrote: a thread
// named after every lane, and per thread exactly the lane's complete (X) events, all of
// them placed in the thread's tree, which is what the Performance panel draws.
//
// The engine lives in DEVTOOLS_DIR (the build tree), installed with
// `npm ci --prefix DEVTOOLS_DIR`; without Node.js or the engine the test fails and says so.

namespace {

const QString kEngine = QStringLiteral("@paulirish/trace_engine");

struct Output {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Output run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(QStringLiteral(DEVTOOLS_DIR));
    p.start(program, args);
    if (!p.waitForFinished(180'000)) {
        p.kill();
        p.waitForFinished();
        return {-2, {}, "timed out"};
    }
    if (p.exitStatus() != QProcess::NormalExit)
        return {-3, p.readAllStandardOutput(), p.readAllStandardError()};
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

QJsonObject readObject(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

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

// The lanes of one Interleave trace, from its own JSON.
struct Lane {
    QString name;
    int slices = 0; // ph "X" events on the lane's thread
};

} // namespace

class TstDevtools : public QObject {
    Q_OBJECT

    QString m_node;
    QTemporaryDir m_dir;

    // Writes a trace of `scenario`; its lanes, in order, from the trace itself.
    static QList<Lane> writeTrace(const QString &scenario, const QStringList &params,
                                  const QString &path)
    {
        QStringList args{"--headless", "--scenario", scenario,  "--seed", "1",
                         "--timeout",  "20",         "--trace", path};
        for (const QString &p : params)
            args << QStringLiteral("--param") << p;
        const Output r = run(QStringLiteral(INTERLEAVE_BINARY), args);
        if (r.exitCode != 0) {
            qWarning("interleave %s exited %d: %s", qPrintable(args.join(u' ')), r.exitCode,
                     r.err.constData());
            return {};
        }
        const QJsonObject trace = readObject(path);
        QList<Lane> lanes;
        for (const auto &name :
             trace[QStringLiteral("metadata")][QStringLiteral("lanes")].toArray())
            lanes.append({name.toString(), 0});
        QHash<int, QString> threadNames;
        for (const auto &v : trace[QStringLiteral("traceEvents")].toArray()) {
            const QJsonObject e = v.toObject();
            const int tid = e[QStringLiteral("tid")].toInt();
            const QString ph = e[QStringLiteral("ph")].toString();
            if (ph == u'M' && e[QStringLiteral("name")] == QStringLiteral("thread_name"))
                threadNames[tid] = e[QStringLiteral("args")][QStringLiteral("name")].toString();
            else if (ph == u'X' && tid >= 1 && tid <= lanes.size())
                ++lanes[tid - 1].slices;
        }
        // Lane i is thread i + 1 under the lane's name: checked here so that a mismatch
        // below is the engine's, not ours.
        for (qsizetype i = 0; i < lanes.size(); ++i)
            if (threadNames.value(int(i) + 1) != lanes[i].name) {
                qWarning("%s: lane %d '%s' is not thread %d's name", qPrintable(path), int(i),
                         qPrintable(lanes[i].name), int(i) + 1);
                return {};
            }
        return lanes;
    }

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
        const QJsonObject wanted = readObject(dir + QStringLiteral("/package.json"));
        const QString pinned = wanted[QStringLiteral("dependencies")][kEngine].toString();
        const QJsonObject installed =
            readObject(dir + QStringLiteral("/node_modules/") + kEngine + "/package.json");
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
        const Output r = run(QStringLiteral(INTERLEAVE_BINARY), {"--list", "--json"});
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
            QTest::newRow(qPrintable(id)) << id << params;
        }
    }

    // Interleave's lanes and segments are the threads and slices DevTools reads.
    void scenario()
    {
        QFETCH(QString, scenario);
        QFETCH(QStringList, params);
        const QString path = m_dir.filePath(scenario + QStringLiteral(".json"));
        const QList<Lane> lanes = writeTrace(scenario, params, path);
        QVERIFY2(!lanes.isEmpty(), "no trace, or its thread names are not its lanes");

        const Output r = run(m_node, {QStringLiteral(DEVTOOLS_DIR "/read_trace.mjs"),
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

        int total = 0;
        for (qsizetype i = 0; i < lanes.size(); ++i) {
            const Lane &lane = lanes[i];
            const int tid = int(i) + 1;
            total += lane.slices;
            const auto where =
                QStringLiteral("lane %1 '%2' (tid %3)").arg(i).arg(lane.name).arg(tid);
            QVERIFY2(
                named.value(tid) == lane.name,
                qPrintable(where +
                           QStringLiteral(": the engine names it '%1'").arg(named.value(tid))));
            if (lane.slices == 0)
                continue; // the engine keeps no track for a thread without slices
            QVERIFY2(threads.contains(tid),
                     qPrintable(where + " is not among the engine's threads"));
            const QJsonObject t = threads[tid];
            QVERIFY2(
                t[QStringLiteral("name")].toString() == lane.name,
                qPrintable(where + " is named '" + t[QStringLiteral("name")].toString() + "'"));
            QVERIFY2(t[QStringLiteral("slices")].toInt() == lane.slices,
                     qPrintable(where + QStringLiteral(": %1 X events written, the engine read %2")
                                            .arg(lane.slices)
                                            .arg(t[QStringLiteral("slices")].toInt())));
            QVERIFY2(
                t[QStringLiteral("drawn")].toInt() == lane.slices,
                qPrintable(where + QStringLiteral(": the engine drew %1 of %2 slices; left out: %3")
                                       .arg(t[QStringLiteral("drawn")].toInt())
                                       .arg(lane.slices)
                                       .arg(QString::fromUtf8(
                                           QJsonDocument(t[QStringLiteral("dropped")].toArray())
                                               .toJson(QJsonDocument::Compact)))));
        }
        QCOMPARE(read, total); // and no slices on threads that are not lanes
    }
};

QTEST_GUILESS_MAIN(TstDevtools)
#include "tst_devtools.moc"
