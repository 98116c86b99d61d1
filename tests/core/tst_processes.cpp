#include "clock.h"
#include "event.h"
#include "params.h"
#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QCoreApplication>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <set>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using il::State;
using namespace iltest;

namespace {

// Set in the environment of this same binary started as the parent process of
// childrenDieWithTheirParent: the descriptor to report the children on.
constexpr const char *kHelperVariable = "IL_PROCESSES_HELPER_FD";
constexpr int kHelperFd = 47;

// A process as /proc/<pid>/stat describes it.
struct ProcEntry {
    pid_t pid = 0;
    char state = '?';
    pid_t ppid = 0;
    pid_t pgrp = 0;
};

// Every process whose parent is `parent`, zombies included.
std::vector<ProcEntry> children_of(pid_t parent)
{
    std::vector<ProcEntry> out;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(entry.path() / "stat");
        std::string line;
        if (!std::getline(in, line))
            continue; // it ended meanwhile
        // "pid (comm) state ppid pgrp ...": the command may hold spaces and parentheses.
        const auto close = line.rfind(')');
        if (close == std::string::npos)
            continue;
        ProcEntry e;
        e.pid = pid_t(std::stol(name));
        std::istringstream rest(line.substr(close + 1));
        rest >> e.state >> e.ppid >> e.pgrp;
        if (rest && e.ppid == parent)
            out.push_back(e);
    }
    return out;
}

// The PID in a lane name "pid 12345", or -1.
pid_t lane_pid(const std::string &name)
{
    if (name.rfind("pid ", 0) != 0 || name.size() == 4 ||
        name.find_first_not_of("0123456789", 4) != std::string::npos)
        return -1;
    return pid_t(std::stol(name.substr(4)));
}

// The sleep a child drew, from the label of its Sleeping segment "sleep 734 ms"; -1 if
// the lane has no such segment.
std::int64_t drawn_sleep_ms(const il::Timeline &timeline, const il::TimelineLane &lane)
{
    for (const auto &seg : lane.segments) {
        if (seg.state != State::Sleeping)
            continue;
        const std::string &label = timeline.resource_name(seg.resource);
        if (label.rfind("sleep ", 0) != 0 || label.size() < 10 ||
            label.compare(label.size() - 3, 3, " ms") != 0)
            return -1;
        return std::stoll(label.substr(6, label.size() - 9));
    }
    return -1;
}

const il::Segment *first_segment(const il::TimelineLane &lane, State state)
{
    for (const auto &seg : lane.segments)
        if (seg.state == state)
            return &seg;
    return nullptr;
}

// Every lane of `count` is there and has reached its sleep.
auto all_sleeping(std::size_t count)
{
    return [count](const il::Timeline &t) {
        return t.lanes().size() == count &&
               std::all_of(t.lanes().begin(), t.lanes().end(), [](const auto &lane) {
                   return first_segment(lane, State::Sleeping) != nullptr;
               });
    };
}

// Pairs of lanes that started in one order and finished in the other, by the times the
// children recorded: their first Running and their Finished.
std::int64_t inversions_on(const il::Timeline &timeline)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    for (const auto &lane : timeline.lanes())
        spans.emplace_back(lane.segments.front().startNs, lane.segments.back().startNs);
    std::int64_t n = 0;
    for (std::size_t a = 0; a < spans.size(); ++a)
        for (std::size_t b = a + 1; b < spans.size(); ++b)
            n += (spans[a].first < spans[b].first && spans[a].second > spans[b].second) ||
                         (spans[a].first > spans[b].first && spans[a].second < spans[b].second)
                     ? 1
                     : 0;
    return n;
}

il::ParamValues processes_params(std::int64_t processes, std::int64_t maxSleepMs)
{
    const il::Scenario *scenario = il::find_scenario("processes");
    il::ParamValues params = il::default_params(scenario->info());
    params["processes"] = processes;
    params["max_sleep_ms"] = maxSleepMs;
    return params;
}

// The parent process for childrenDieWithTheirParent: runs the scenario with long sleeps,
// reports each child as "pid earliest-end-of-its-sleep" (CLOCK_MONOTONIC ns, shared by
// every process) once all sleep, then waits to be killed.
int helper_main(int fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the test
    il::Run run(*il::find_scenario("processes"), processes_params(6, 10'000), 3);
    il::Timeline timeline;
    std::string report;
    if (follow_until(run, timeline, all_sleeping(6))) {
        // No later than the recorder's origin: elapsed is read after the clock here.
        const std::int64_t origin = il::now_ns() - run.elapsed_ns();
        for (const auto &lane : timeline.lanes()) {
            const std::int64_t sleepEnd = origin + first_segment(lane, State::Sleeping)->startNs +
                                          drawn_sleep_ms(timeline, lane) * 1'000'000;
            report += std::to_string(lane_pid(lane.name)) + " " + std::to_string(sleepEnd) + "\n";
        }
    }
    report += "end\n";
    if (write(fd, report.data(), report.size()) != ssize_t(report.size()))
        return 1;
    for (;;)
        pause();
}

// Reaps `pid` if it has ended; true once it has (its status in `status`).
bool try_reap(pid_t pid, int &status)
{
    return waitpid(pid, &status, WNOHANG) == pid;
}

} // namespace

// Real forked children recording into shared memory: what the parent counts, what the
// timeline shows, and that no child outlives a run, a Stop, or its parent.
class TstProcesses : public QObject {
    Q_OBJECT

private slots:
    void cleanup()
    {
        // Whatever a test did, the next one starts without children.
        QVERIFY(children_of(getpid()).empty());
    }

    void everyChildIsRecordedAndReaped_data()
    {
        QTest::addColumn<int>("processes");
        QTest::addColumn<int>("maxSleepMs");
        QTest::newRow("1 process") << 1 << 50;
        QTest::newRow("5 processes") << 5 << 100;
        QTest::newRow("32 processes") << 32 << 50;
        QTest::newRow("4 processes, no sleep") << 4 << 0;
    }

    // The parent's figures agree with each other and with the children's own record: N
    // forked, N distinct PIDs, N reaped; each child saw its own counter at 1 while the
    // parent's stayed 0; and each lane is a real PID that went Running, Sleeping (at least
    // as long as it drew), Running, Finished, with no child left afterwards.
    void everyChildIsRecordedAndReaped()
    {
        QFETCH(int, processes);
        QFETCH(int, maxSleepMs);
        Outcome o;
        run_to_end("processes", {{"processes", processes}, {"max_sleep_ms", maxSleepMs}}, o);
        if (QTest::currentTestFailed())
            return;
        check_metrics_declared(*il::find_scenario("processes"), o.result.metrics);
        QCOMPARE(metric(o, "processes_started"), std::int64_t(processes));
        QCOMPARE(metric(o, "processes_reaped"), std::int64_t(processes));
        QCOMPARE(metric(o, "distinct_pids"), std::int64_t(processes));
        QCOMPARE(metric(o, "child_counter"), std::int64_t(1));
        QCOMPARE(metric(o, "parent_counter_after"), std::int64_t(0));

        QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
        QCOMPARE(o.timeline.lanes().size(), std::size_t(processes));
        std::set<pid_t> pids;
        for (const auto &lane : o.timeline.lanes()) {
            const pid_t pid = lane_pid(lane.name);
            QVERIFY2(pid > 0 && pid != getpid(), lane.name.c_str());
            pids.insert(pid);
            QCOMPARE(describe(states_of(lane)),
                     std::string("running > sleeping > running > finished"));
            QCOMPARE(lane.marks.size(), std::size_t(1));
            QCOMPARE(lane.marks.front().value, std::int64_t(il::kMarkStep));
            const std::int64_t drawn = drawn_sleep_ms(o.timeline, lane);
            QVERIFY2(drawn >= 0 && drawn <= maxSleepMs, lane.name.c_str());
            const il::Segment &sleep = lane.segments[1];
            QVERIFY2(sleep.endNs - sleep.startNs >= drawn * 1'000'000, lane.name.c_str());
        }
        QCOMPARE(pids.size(), std::size_t(processes));

        const std::int64_t inversions = metric(o, "finish_order_inversions");
        QCOMPARE(inversions, inversions_on(o.timeline));
        QVERIFY(inversions >= 0 && inversions <= processes * (processes - 1) / 2);
    }

    // The same seed draws the same sleeps; a second run in the same process works as
    // the first (fresh rings, lanes, gate and process group).
    void runsTwiceInARow()
    {
        std::vector<std::string> labels[2];
        for (auto &seen : labels) {
            Outcome o;
            run_to_end("processes", {{"processes", 5}, {"max_sleep_ms", 100}}, o, 11);
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(metric(o, "processes_reaped"), std::int64_t(5));
            QCOMPARE(metric(o, "distinct_pids"), std::int64_t(5));
            QCOMPARE(metric(o, "child_counter"), std::int64_t(1));
            QCOMPARE(metric(o, "parent_counter_after"), std::int64_t(0));
            for (const auto &lane : o.timeline.lanes())
                seen.push_back(std::to_string(drawn_sleep_ms(o.timeline, lane)));
            QVERIFY(children_of(getpid()).empty());
        }
        QCOMPARE(labels[0], labels[1]);
    }

    // Mid-run the children are real processes: children of this process, alive while
    // they sleep, in a process group of their own founded by the first. Stop kills them:
    // the run ends before their sleeps would have, every child is reaped, and the
    // killed ones' lanes end Finished, labelled with what killed them.
    void stopKillsSleepingChildren()
    {
        const il::Scenario *scenario = il::find_scenario("processes");
        il::Run run(*scenario, processes_params(6, 10'000), 7);
        il::Timeline timeline;
        QVERIFY2(follow_until(run, timeline, all_sleeping(6)), "the children never slept");
        const std::int64_t beforeScan = run.elapsed_ns();
        const std::vector<ProcEntry> alive = children_of(getpid());
        const std::int64_t afterScan = run.elapsed_ns();
        QVERIFY(beforeScan > 0);

        std::set<pid_t> lanePids;
        for (const auto &lane : timeline.lanes())
            lanePids.insert(lane_pid(lane.name));
        const pid_t group = lane_pid(timeline.lanes().front().name);
        for (const ProcEntry &p : alive) {
            QVERIFY2(lanePids.count(p.pid) == 1, "a child that is not on the timeline");
            QCOMPARE(p.pgrp, group);
        }
        QVERIFY(group != getpgrp());
        // A child whose sleep had not ended by the end of the scan was alive during it.
        int mustBeAlive = 0;
        for (const auto &lane : timeline.lanes()) {
            const std::int64_t end = first_segment(lane, State::Sleeping)->startNs +
                                     drawn_sleep_ms(timeline, lane) * 1'000'000;
            if (end <= afterScan)
                continue;
            ++mustBeAlive;
            const pid_t pid = lane_pid(lane.name);
            QVERIFY2(std::any_of(alive.begin(), alive.end(),
                                 [pid](const ProcEntry &p) { return p.pid == pid; }),
                     lane.name.c_str());
        }
        QVERIFY2(mustBeAlive > 0, "every child had finished before the check");

        run.request_stop(il::StopReason::User);
        QVERIFY2(run.wait_finished(kHangBound), "Stop did not end the run");
        timeline.apply(run.take());
        const il::RunResult result = run.result();
        timeline.close(result.durationNs);
        QCOMPARE(result.stoppedBy, il::StopReason::User);
        QVERIFY2(result.error.empty(), result.error.c_str());
        check_metrics_declared(*scenario, result.metrics);
        const auto m = [&](const char *key) { return result.metrics.at(key).get<std::int64_t>(); };
        QCOMPARE(m("processes_started"), std::int64_t(6));
        QCOMPARE(m("processes_reaped"), std::int64_t(6));
        QCOMPARE(m("distinct_pids"), std::int64_t(6));
        QCOMPARE(m("child_counter"), std::int64_t(1));
        QCOMPARE(m("parent_counter_after"), std::int64_t(0));
        QVERIFY(children_of(getpid()).empty());

        // A child whose sleep would have ended after the run did was killed, not waited for.
        int killed = 0;
        for (const auto &lane : timeline.lanes()) {
            QVERIFY2(!lane.segments.empty() && lane.segments.back().state == State::Finished,
                     lane.name.c_str());
            const std::string &how = timeline.resource_name(lane.segments.back().resource);
            const std::int64_t end = first_segment(lane, State::Sleeping)->startNs +
                                     drawn_sleep_ms(timeline, lane) * 1'000'000;
            if (end > result.durationNs) {
                QCOMPARE(how, std::string("killed by SIGKILL"));
                ++killed;
            } else {
                QVERIFY2(how.empty() || how == "killed by SIGKILL", how.c_str());
            }
        }
        QVERIFY2(killed > 0, "no child was still sleeping when the run ended");
        QVERIFY(m("finish_order_inversions") >= 0);
    }

    void stopWhileStartingLeavesNoChild_data()
    {
        QTest::addColumn<bool>("onFirstChild");
        QTest::newRow("at once") << false;
        QTest::newRow("once the first child exists") << true;
    }

    // Stop early: before anything was forked, or while the parent may still be forking
    // and the children wait at the gate. Whatever was started is killed and reaped, its
    // lane ends Finished, and the figures say so. (The run is owned by a thread of its
    // own: if Stop could not end it, the test fails instead of hanging.)
    void stopWhileStartingLeavesNoChild()
    {
        QFETCH(bool, onFirstChild);
        il::RunResult result;
        il::Timeline timeline;
        bool sawChild = false;
        bool ended = false;
        Threads owner;
        owner.start([&] {
            il::Run run(*il::find_scenario("processes"), processes_params(32, 10'000), 5);
            if (onFirstChild)
                sawChild = await([] { return !children_of(getpid()).empty(); });
            run.request_stop(il::StopReason::User);
            ended = follow_to_end(run, timeline, kHangBound);
            if (ended)
                result = run.result();
        });
        QVERIFY2(owner.join_within(kRunBound), "Stop did not end the run");
        QVERIFY2(ended, "Stop did not end the run");
        QVERIFY(sawChild == onFirstChild);
        QVERIFY2(result.error.empty(), result.error.c_str());
        QCOMPARE(result.stoppedBy, il::StopReason::User);
        check_metrics_declared(*il::find_scenario("processes"), result.metrics);
        const auto m = [&](const char *key) { return result.metrics.at(key).get<std::int64_t>(); };
        QVERIFY(m("processes_started") >= (onFirstChild ? 1 : 0));
        QVERIFY(m("processes_started") <= 32);
        QCOMPARE(m("processes_reaped"), m("processes_started"));
        QCOMPARE(m("distinct_pids"), m("processes_started"));
        QVERIFY(m("child_counter") == 0 || m("child_counter") == 1);
        QCOMPARE(m("parent_counter_after"), std::int64_t(0));
        QVERIFY(children_of(getpid()).empty());
        timeline.close(result.durationNs);
        QCOMPARE(timeline.lanes().size(), std::size_t(m("processes_started")));
        for (const auto &lane : timeline.lanes())
            QVERIFY2(!lane.segments.empty() && lane.segments.back().state == State::Finished,
                     lane.name.c_str());
    }

    // The parent process dies (SIGKILL: no chance to clean up) while its children sleep:
    // each child still sleeping then is killed by its death signal instead of living on.
    // This process adopts the orphans (child subreaper) to see how they ended.
    void childrenDieWithTheirParent()
    {
        QCOMPARE(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
        struct Restore {
            ~Restore() { prctl(PR_SET_CHILD_SUBREAPER, 0); }
        } restore;
        // Should the test fail part way: the orphans it adopted are killed and reaped
        // (only while they are this process's unreaped children, so never a stranger).
        struct Orphans {
            std::vector<pid_t> pids;
            ~Orphans()
            {
                for (const pid_t pid : pids)
                    if (waitpid(pid, nullptr, WNOHANG) == 0 && kill(pid, SIGKILL) == 0)
                        waitpid(pid, nullptr, 0);
            }
        } orphans;

        int fds[2];
        QCOMPARE(pipe2(fds, O_CLOEXEC), 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], kHelperFd);
        std::vector<std::string> env{std::string(kHelperVariable) + "=" +
                                     std::to_string(kHelperFd)};
        for (char **e = environ; *e; ++e)
            env.emplace_back(*e);
        std::vector<char *> envp;
        for (auto &s : env)
            envp.push_back(s.data());
        envp.push_back(nullptr);
        char name[] = "tst_processes";
        char *argv[] = {name, nullptr};
        pid_t helper = 0;
        const int spawned =
            posix_spawn(&helper, "/proc/self/exe", &actions, nullptr, argv, envp.data());
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        struct Helper {
            pid_t pid;
            int fd;
            ~Helper()
            {
                close(fd);
                if (pid > 0 && kill(pid, SIGKILL) == 0)
                    waitpid(pid, nullptr, 0);
            }
        } guard{spawned == 0 ? helper : 0, fds[0]};
        QCOMPARE(spawned, 0);

        // Its report: "pid sleep-end" lines, then "end".
        std::string report;
        while (report.find("end\n") == std::string::npos) {
            pollfd p{fds[0], POLLIN, 0};
            QVERIFY2(poll(&p, 1, int(kRunBound.count())) == 1, "the helper said nothing");
            char buf[512];
            const ssize_t n = read(fds[0], buf, sizeof buf);
            QVERIFY2(n > 0, "the helper ended without a report");
            report.append(buf, std::size_t(n));
        }
        std::vector<std::pair<pid_t, std::int64_t>> children;
        std::istringstream in(report);
        for (std::string word; in >> word && word != "end";) {
            std::int64_t sleepEnd = 0;
            in >> sleepEnd;
            children.emplace_back(pid_t(std::stol(word)), sleepEnd);
            orphans.pids.push_back(children.back().first);
        }
        QCOMPARE(children.size(), std::size_t(6));

        QCOMPARE(kill(guard.pid, SIGKILL), 0);
        QCOMPARE(waitpid(guard.pid, nullptr, 0), guard.pid);
        guard.pid = 0;
        const std::int64_t parentGone = il::now_ns(); // every death signal was sent by now

        int killed = 0;
        for (const auto &[pid, sleepEnd] : children) {
            int status = 0;
            // Adopted by this process once their parent is gone, then reaped here.
            QVERIFY2(await([&, pid = pid] { return try_reap(pid, status); }), "an orphan lived on");
            const bool byKill = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            QVERIFY(byKill || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
            if (sleepEnd > parentGone) { // still asleep when its parent died
                QVERIFY2(byKill, "a sleeping child outlived its parent");
                ++killed;
            }
        }
        QVERIFY2(killed > 0, "no child was still asleep when the parent died");
    }
};

int main(int argc, char *argv[])
{
    if (const char *fd = std::getenv(kHelperVariable))
        return helper_main(std::atoi(fd));
    QCoreApplication app(argc, argv);
    TstProcesses test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_processes.moc"
