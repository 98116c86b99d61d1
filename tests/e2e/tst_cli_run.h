#pragma once
// Shared by the end-to-end tests of the command line: the built binary, run as scripts
// and tests run it.
#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace cli {

struct Result {
    int exitCode = -1; // -2: timed out, -3: crashed
    QByteArray out;
    QByteArray err;
};

// Every process a test starts, and every child it forks, carries this variable with
// the test's PID, so that tests running side by side (ctest -j) tell theirs apart.
inline QByteArray ownerTag()
{
    return "INTERLEAVE_E2E_OWNER=" + QByteArray::number(QCoreApplication::applicationPid());
}

// PIDs of live processes running the binary that this test started (or that they
// forked), orphans included.
inline QStringList processesRunning()
{
    const QString binary = QFileInfo(QStringLiteral(INTERLEAVE_BINARY)).canonicalFilePath();
    const QByteArray tag = ownerTag();
    QStringList pids;
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        pid.toInt(&isPid);
        if (!isPid || QFileInfo(QStringLiteral("/proc/%1/exe").arg(pid)).symLinkTarget() != binary)
            continue;
        QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
        if (environ.open(QIODevice::ReadOnly) && environ.readAll().split('\0').contains(tag))
            pids << pid;
    }
    return pids;
}

// Runs `program` to its end (tagged with ownerTag()), in `workingDir` if given.
inline Result runProgram(const QString &program, const QStringList &args, int timeoutMs = 120'000,
                         const QString &workingDir = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QByteArray tag = ownerTag();
    const qsizetype eq = tag.indexOf('=');
    env.insert(QString::fromLatin1(tag.left(eq)), QString::fromLatin1(tag.mid(eq + 1)));
    p.setProcessEnvironment(env);
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-2, {}, "timed out"};
    }
    if (p.exitStatus() != QProcess::NormalExit)
        return {-3, p.readAllStandardOutput(), p.readAllStandardError()};
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

// The binary under test.
inline Result run(const QStringList &args, int timeoutMs = 120'000)
{
    return runProgram(QStringLiteral(INTERLEAVE_BINARY), args, timeoutMs);
}

inline QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(readBytes(path)).object();
}

} // namespace cli
