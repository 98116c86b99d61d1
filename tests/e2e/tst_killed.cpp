#include "tst_cli_run.h"

#include <QDir>
#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// End to end (issue 8, item 5): the app killed with SIGKILL in the middle of a run leaves
// no process behind. Checked from outside: this test starts the real binary, waits until
// its scenario runs (its forked children exist), kills it, and then follows every child
// it had to its end.
//
// A child that merely ends by itself later would also be "gone" in the end, so the test
// makes sure that cannot be what happens: before the kill it stops (SIGSTOP) every child,
// which then cannot finish its work or exit on its own, and it makes itself the
// children's reaper (PR_SET_CHILD_SUBREAPER), so that it inherits them when the app dies
// and reads how each one ended. Each must die of SIGKILL, the death signal the app gave
// it (PR_SET_PDEATHSIG, core/scenarios/childprocesses.cpp). Without that signal, a stopped
// orphan would live on and the test fails when its hang bound passes; then it kills the
// orphans itself, so a failure leaves nothing behind either.
//
// The children are found through /proc/<pid>/stat (their parent's PID): the kernels this
// runs on may lack /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN).

namespace {

using namespace std::chrono_literals;

// Generous: it tells a hang from a slow machine, it does not measure speed.
constexpr auto kHangBound = 30s;

struct ProcStat {
    char state = '?';
    pid_t ppid = 0;
};

std::optional<ProcStat> procStat(pid_t pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray line = file.readAll();
    // "pid (comm) state ppid …": the command may hold spaces and parentheses.
    const qsizetype close = line.lastIndexOf(')');
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    if (close < 0 || fields.size() < 2 || fields[0].isEmpty())
        return std::nullopt;
    return ProcStat{fields[0][0], pid_t(fields[1].toInt())};
}

// Every process below `root`, children first found first, zombies included.
std::vector<pid_t> descendants(pid_t root)
{
    std::multimap<pid_t, pid_t> byParent;
    for (const QString &name : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        const pid_t pid = pid_t(name.toInt(&isPid));
        if (isPid)
            if (const auto stat = procStat(pid))
                byParent.emplace(stat->ppid, pid);
    }
    std::vector<pid_t> found{root};
    for (std::size_t i = 0; i < found.size(); ++i) {
        const auto [first, last] = byParent.equal_range(found[i]);
        for (auto it = first; it != last; ++it)
            found.push_back(it->second);
    }
    found.erase(found.begin());
    return found;
}

qsizetype threadCount(pid_t pid)
{
    return QDir(QStringLiteral("/proc/%1/task").arg(pid))
        .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
        .size();
}

char stateOf(pid_t pid)
{
    const auto stat = procStat(pid);
    return stat ? stat->state : 'X'; // X: gone
}

template <typename Pred> bool await(Pred pred, std::chrono::milliseconds bound = kHangBound)
{
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return pred();
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Reaps every child of this process that has ended (orphans it inherited included).
void reapEnded()
{
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

} // namespace

class TstKilled : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY2(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, std::strerror(errno)); }

    void killedMidRun_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("children");   // processes it forks
        QTest::addColumn<int>("minThreads"); // threads once the scenario runs
        const QStringList headless{"--headless", "--timeout", "600"};
        // Children that sleep up to 10 s (with seed 2, each for 7.8 s or more), and live as
        // long as their parent at most.
        QTest::newRow("processes")
            << headless + QStringList{"--scenario", "processes",          "--param", "processes=4",
                                      "--param",    "max_sleep_ms=10000", "--seed",  "2"}
            << 4 << 1;
        // No row for philosophers: it runs on threads only, which the kernel ends with the
        // process, so a check there could not fail. `processes` is the scenario that forks.
    }

    void killedMidRun()
    {
        QFETCH(QStringList, args);
        QFETCH(int, children);
        QFETCH(int, minThreads);
        const pid_t app = cli::spawn(QStringLiteral(INTERLEAVE_BINARY), args); // output discarded
        QVERIFY(app > 0);
        auto killApp = qScopeGuard([app] {
            kill(app, SIGKILL);
            waitpid(app, nullptr, 0);
        });

        // Running: every child exists and is asleep (S), so it is past setting up its
        // death signal, which comes before anything in a child can sleep.
        std::vector<pid_t> had;
        const bool running = await([&] {
            had = descendants(app);
            if (stateOf(app) == 'X' || qsizetype(had.size()) != children ||
                threadCount(app) < minThreads)
                return false;
            for (const pid_t pid : had)
                if (stateOf(pid) != 'S')
                    return false;
            return true;
        });
        QVERIFY2(
            running,
            qPrintable(
                QStringLiteral("%1 children, %2 threads").arg(had.size()).arg(threadCount(app))));

        // Frozen, they can no longer end by themselves. One that ended before it could be
        // stopped (a zombie, or gone) is not followed: it did not outlive anyone.
        for (const pid_t pid : had)
            kill(pid, SIGSTOP);
        const auto stopped = [](pid_t pid) {
            const char s = stateOf(pid);
            return s == 'T' || s == 't';
        };
        QVERIFY(await([&] {
            return std::all_of(had.begin(), had.end(), [&](pid_t pid) {
                return stopped(pid) || stateOf(pid) == 'Z' || stateOf(pid) == 'X';
            });
        }));
        std::vector<pid_t> frozen;
        std::copy_if(had.begin(), had.end(), std::back_inserter(frozen), stopped);
        QCOMPARE(frozen.empty(), had.empty());
        auto killOrphans = qScopeGuard([&frozen] {
            for (const pid_t pid : frozen)
                if (kill(pid, SIGKILL) == 0)
                    waitpid(pid, nullptr, 0);
            reapEnded();
        });

        QCOMPARE(kill(app, SIGKILL), 0);
        int status = 0;
        QCOMPARE(waitpid(app, &status, 0), app);
        killApp.dismiss();
        QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        // Each child is ours now; each must have died of the signal its parent's death
        // sent it.
        for (const pid_t pid : frozen) {
            pid_t reaped = 0;
            const bool ended = await([&] {
                reaped = waitpid(pid, &status, WNOHANG);
                return reaped != 0;
            });
            QVERIFY2(ended, qPrintable(QStringLiteral("child %1 still lives (state %2) after "
                                                      "its parent was killed")
                                           .arg(pid)
                                           .arg(stateOf(pid))));
            QCOMPARE(reaped, pid);
            QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                     qPrintable(QStringLiteral("child %1 ended with status %2, not by SIGKILL")
                                    .arg(pid)
                                    .arg(status)));
        }
        // From outside, by name and tag: no process of the binary that this test started
        // lives on.
        QVERIFY2(cli::processesRunning().isEmpty(),
                 qPrintable(cli::processesRunning().join(QLatin1Char(' '))));
        QVERIFY(descendants(getpid()).empty());
    }
};

QTEST_GUILESS_MAIN(TstKilled)
#include "tst_killed.moc"
