#include "clock.h"
#include "event.h"
#include "params.h"
#include "proctest.h"
#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QCoreApplication>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using il::State;
using namespace iltest;

namespace {

// Set in the environment of this same binary started as the parent process of
// childrenDieWithTheirParent: the descriptor to report the children on.
constexpr const char *kHelperVariable = "IL_PROCESSES_HELPER_FD";
constexpr int kHelperFd = 47;

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

// When the child of `lane` would wake up, on the recorder's clock: no earlier than the
// start of its Sleeping segment plus the sleep it drew. The lane must have that segment.
std::int64_t sleep_end_ns(const il::Timeline &timeline, const il::TimelineLane &lane)
{
    return first_segment(lane, in_state(State::Sleeping))->startNs +
           drawn_sleep_ms(timeline, lane) * 1'000'000;
}

// Every lane of `count` is there and has reached its sleep.
auto all_sleeping(std::size_t count)
{
    return [count](const il::Timeline &t) {
        return t.lanes().size() == count &&
               std::all_of(t.lanes().begin(), t.lanes().end(), [](const auto &lane) {
                   return first_segment(lane, in_state(State::Sleeping)) != nullptr;
               });
    };
}

// Pairs of lanes (in lane order, the order the children were forked in) that ended in
// the other order, by the end each child recorded: the start of its Finished segment.
std::int64_t inversions_on(const il::Timeline &timeline)
{
    std::vector<std::int64_t> ends;
    for (const auto &lane : timeline.lanes())
        ends.push_back(lane.segments.back().startNs);
    std::int64_t n = 0;
    for (std::size_t a = 0; a < ends.size(); ++a)
        for (std::size_t b = a + 1; b < ends.size(); ++b)
            n += ends[a] > ends[b] ? 1 : 0;
    return n;
}

// What the drawn sleeps alone say about the inversions, without the recorded ends. A
// child ends no earlier than its start plus its sleep (nanosleep never returns early),
// and the children start within `spread` of each other; so a pair whose sleeps differ by
// more than spread + 50 ms surely ends in the order of its sleeps, unless a child that
// woke up waited more than 50 ms for a CPU to write its last events. Other pairs may end
// either way.
struct ExpectedInversions {
    std::int64_t sure = 0;      // pairs that must be inverted
    std::int64_t inOrder = 0;   // pairs that must not be
    std::int64_t uncertain = 0; // pairs that may be either
};

ExpectedInversions expected_inversions(const il::Timeline &timeline)
{
    std::int64_t firstStart = INT64_MAX;
    std::int64_t lastStart = INT64_MIN;
    std::vector<std::int64_t> sleeps;
    for (const auto &lane : timeline.lanes()) {
        firstStart = std::min(firstStart, lane.segments.front().startNs);
        lastStart = std::max(lastStart, lane.segments.front().startNs);
        sleeps.push_back(drawn_sleep_ms(timeline, lane) * 1'000'000);
    }
    const std::int64_t margin = (lastStart - firstStart) + 50'000'000;
    ExpectedInversions e;
    for (std::size_t a = 0; a < sleeps.size(); ++a)
        for (std::size_t b = a + 1; b < sleeps.size(); ++b) {
            if (sleeps[a] - sleeps[b] > margin)
                ++e.sure; // forked first, ends last
            else if (sleeps[b] - sleeps[a] > margin)
                ++e.inOrder;
            else
                ++e.uncertain;
        }
    return e;
}

// finish_order_inversions agrees with the children's recorded ends, and with what their
// sleeps say: at least the sure inversions, at most those and the uncertain pairs.
void check_inversions(const Outcome &o)
{
    const std::int64_t inversions = metric(o, "finish_order_inversions");
    QCOMPARE(inversions, inversions_on(o.timeline));
    const ExpectedInversions e = expected_inversions(o.timeline);
    const std::string why = std::to_string(inversions) + " inversions; sure " +
                            std::to_string(e.sure) + ", uncertain " + std::to_string(e.uncertain) +
                            ", in order " + std::to_string(e.inOrder);
    QVERIFY2(inversions >= e.sure, why.c_str());
    QVERIFY2(inversions <= e.sure + e.uncertain, why.c_str());
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
            const std::int64_t sleepEnd = origin + sleep_end_ns(timeline, lane);
            report += std::to_string(lane_pid(lane.name)) + " " + std::to_string(sleepEnd) + "\n";
        }
    }
    report += "end\n";
    if (write(fd, report.data(), report.size()) != ssize_t(report.size()))
        return 1;
    for (;;)
        pause();
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
    // forked and reaped; as many distinct PIDs reported by the children themselves as
    // the lanes are named by; each child saw its own counter at 1 while the parent's
    // stayed 0; each lane is a real PID that went Running, Sleeping (at least as long as
    // it drew), Running, Finished; the pairs that ended out of creation order are counted
    // right; and no child is left afterwards.
    void everyChildIsRecordedAndReaped()
    {
        QFETCH(int, processes);
        QFETCH(int, maxSleepMs);
        Outcome o;
        run_to_end("processes", {{"processes", processes}, {"max_sleep_ms", maxSleepMs}}, o);
        if (QTest::currentTestFailed())
            return;
        check_metrics_declared(o);
        QCOMPARE(metric(o, "processes_started"), std::int64_t(processes));
        QCOMPARE(metric(o, "processes_reaped"), std::int64_t(processes));
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
        QCOMPARE(metric(o, "distinct_pids"), std::int64_t(pids.size()));
        check_inversions(o);
    }

    void finishOrderFollowsTheSleeps_data()
    {
        QTest::addColumn<int>("seed");
        QTest::newRow("seed 1") << 1;
        QTest::newRow("seed 2") << 2;
    }

    // Sleeps far enough apart decide the order in which children end, whatever order
    // they were created in: finish_order_inversions counts the pairs created in one order
    // and ended in the other, so it holds every pair that the sleeps surely invert and
    // none that they surely keep in order. The seeds draw both kinds.
    void finishOrderFollowsTheSleeps()
    {
        QFETCH(int, seed);
        Outcome o;
        run_to_end("processes", {{"processes", 8}, {"max_sleep_ms", 600}}, o, std::uint64_t(seed));
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(o.timeline.lanes().size(), std::size_t(8));
        for (const auto &lane : o.timeline.lanes())
            QCOMPARE(describe(states_of(lane)),
                     std::string("running > sleeping > running > finished"));
        const ExpectedInversions e = expected_inversions(o.timeline);
        QVERIFY2(e.sure > 0 && e.inOrder > 0, "the sleeps decide no pair either way");
        check_inversions(o);
    }

    // A child keeps none of the parent's descriptors but 0, 1 and 2, close-on-exec or
    // not: here a pipe's write end that the test holds while the children sleep. Once
    // the test closes it, the read end sees end of file at once, not when the children
    // end, so a child cannot hold a caller's pipe or another run's descriptors open.
    void childrenKeepNoInheritedDescriptor()
    {
        int inherited[2];
        QCOMPARE(pipe(inherited), 0); // no close-on-exec: fork copies it anyway
        int cloexec[2];
        QCOMPARE(pipe2(cloexec, O_CLOEXEC), 0);
        struct Close {
            int *a;
            int *b;
            ~Close()
            {
                for (int *fds : {a, b})
                    for (int i = 0; i < 2; ++i)
                        if (fds[i] >= 0)
                            close(fds[i]);
            }
        } closer{inherited, cloexec};

        il::Run run(*il::find_scenario("processes"), processes_params(4, 10'000), 9);
        il::Timeline timeline;
        QVERIFY2(follow_until(run, timeline, all_sleeping(4)), "the children never slept");
        for (const auto &lane : timeline.lanes()) {
            std::vector<int> fds;
            QVERIFY2(descriptors_of(lane_pid(lane.name), fds), lane.name.c_str());
            const bool onlyStandard =
                std::all_of(fds.begin(), fds.end(), [](int fd) { return fd >= 0 && fd <= 2; });
            std::string held;
            for (const int fd : fds)
                held += " " + std::to_string(fd);
            QVERIFY2(onlyStandard, (lane.name + " holds" + held).c_str());
        }

        close(inherited[1]);
        inherited[1] = -1;
        pollfd p{inherited[0], POLLIN, 0};
        QCOMPARE(poll(&p, 1, 0), 1); // end of file now, while the children still sleep
        char byte = 0;
        QCOMPARE(read(inherited[0], &byte, 1), ssize_t(0));
        QVERIFY(!run.finished());

        il::RunResult result;
        QVERIFY2(stop_and_collect(run, timeline, result), "Stop did not end the run");
        QVERIFY(children_of(getpid()).empty());
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
            if (sleep_end_ns(timeline, lane) <= afterScan)
                continue;
            ++mustBeAlive;
            const pid_t pid = lane_pid(lane.name);
            QVERIFY2(std::any_of(alive.begin(), alive.end(),
                                 [pid](const ProcEntry &p) { return p.pid == pid; }),
                     lane.name.c_str());
        }
        QVERIFY2(mustBeAlive > 0, "every child had finished before the check");

        il::RunResult result;
        QVERIFY2(stop_and_collect(run, timeline, result), "Stop did not end the run");
        check_stopped(*scenario, result);
        const auto m = [&](const char *key) { return result.metrics.at(key).get<std::int64_t>(); };
        QCOMPARE(m("processes_started"), std::int64_t(6));
        QCOMPARE(m("processes_reaped"), std::int64_t(6));
        QCOMPARE(m("distinct_pids"), std::int64_t(6));
        QCOMPARE(m("child_counter"), std::int64_t(1));
        QCOMPARE(m("parent_counter_after"), std::int64_t(0));
        QVERIFY(children_of(getpid()).empty());

        check_lanes_ended(timeline);
        if (QTest::currentTestFailed())
            return;
        // A child whose sleep would have ended after the run did was killed, not waited for.
        int killed = 0;
        for (const auto &lane : timeline.lanes()) {
            const std::string &how = timeline.resource_name(lane.segments.back().resource);
            if (sleep_end_ns(timeline, lane) > result.durationNs) {
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
            ended = stop_and_collect(run, timeline, result);
        });
        QVERIFY2(owner.join_within(kRunBound), "Stop did not end the run");
        QVERIFY2(ended, "Stop did not end the run");
        QVERIFY(sawChild == onFirstChild);
        check_stopped(*il::find_scenario("processes"), result);
        const auto m = [&](const char *key) { return result.metrics.at(key).get<std::int64_t>(); };
        QVERIFY(m("processes_started") >= (onFirstChild ? 1 : 0));
        QVERIFY(m("processes_started") <= 32);
        QCOMPARE(m("processes_reaped"), m("processes_started"));
        // A child killed before it reported its PID is not counted.
        QVERIFY(m("distinct_pids") >= 0 && m("distinct_pids") <= m("processes_started"));
        QVERIFY(m("child_counter") == 0 || m("child_counter") == 1);
        QCOMPARE(m("parent_counter_after"), std::int64_t(0));
        QVERIFY(children_of(getpid()).empty());
        QCOMPARE(timeline.lanes().size(), std::size_t(m("processes_started")));
        check_lanes_ended(timeline);
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

        SelfHelper helper(kHelperVariable, kHelperFd);
        QVERIFY2(helper.pid() > 0, "could not start the helper");
        // Its report: "pid sleep-end" lines, then "end".
        std::string report;
        QVERIFY2(helper.read_until("end", kRunBound, report), "the helper sent no report");
        std::vector<std::pair<pid_t, std::int64_t>> children;
        std::istringstream in(report);
        for (std::string word; in >> word && word != "end";) {
            std::int64_t sleepEnd = 0;
            in >> sleepEnd;
            children.emplace_back(pid_t(std::stol(word)), sleepEnd);
            orphans.pids.push_back(children.back().first);
        }
        QCOMPARE(children.size(), std::size_t(6));

        QCOMPARE(kill(helper.pid(), SIGKILL), 0);
        QCOMPARE(waitpid(helper.pid(), nullptr, 0), helper.pid());
        helper.release();
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
