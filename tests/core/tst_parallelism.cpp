#include "params.h"
#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

using il::State;
using namespace iltest;

namespace {

double real_metric(const il::Json &metrics, const char *key)
{
    return metrics.at(key).get<double>();
}

// The CPUs this test process (and so the scenario it starts) may run on.
std::set<std::string> allowed_cpu_labels(int &first)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    std::set<std::string> labels;
    first = -1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return labels;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed)) {
            labels.insert("CPU " + std::to_string(c));
            if (first < 0)
                first = c;
        }
    return labels;
}

// Total time of all segments in `state`, in ms.
double total_ms(const il::Timeline &timeline, State state)
{
    std::int64_t ns = 0;
    for (const auto &lane : timeline.lanes())
        for (const auto &seg : lane.segments)
            if (seg.state == state)
                ns += seg.endNs - seg.startNs;
    return double(ns) / 1e6;
}

// Whether the lane's thread waited for the CPU at some point.
bool was_preempted(const il::TimelineLane &lane)
{
    return first_segment(lane, in_state(State::Preempted)) != nullptr;
}

// The CPUs named by the labels of the running segments.
std::set<std::string> running_cpus(const il::Timeline &timeline)
{
    std::set<std::string> names;
    for (const auto &lane : timeline.lanes())
        for (const auto &seg : lane.segments)
            if (seg.state == State::Running && seg.resource != il::kNoResource)
                names.insert(timeline.resource_name(seg.resource));
    return names;
}

// What holds after any run, complete or stopped: the figures agree with each other
// and with the timeline.
void check_consistent(const il::Timeline &timeline, const il::Json &metrics, int threads)
{
    const double wall = real_metric(metrics, "wall_ms");
    const double cpu = real_metric(metrics, "cpu_ms");
    const double speedup = real_metric(metrics, "parallel_speedup");
    const double preempted = real_metric(metrics, "preempted_ms");
    const std::int64_t cpusUsed = metrics.at("cpus_used").get<std::int64_t>();
    int first = -1;
    const std::set<std::string> allowed = allowed_cpu_labels(first);
    QVERIFY(!allowed.empty());

    QVERIFY(wall > 0.0);
    QVERIFY(cpu > 0.0);
    QVERIFY(preempted >= 0.0);
    QVERIFY(qAbs(speedup - cpu / wall) < 1e-9);
    // Sampled with sched_getcpu: at least the CPU the work started on, never more
    // than the process may use. Parallelism cannot exceed the CPUs the work ran on
    // nor the number of threads (5 % for the two clocks and the sampling).
    QVERIFY(cpusUsed >= 1);
    QVERIFY(cpusUsed <= std::int64_t(allowed.size()));
    QVERIFY2(speedup <= 1.05 * double(std::min<std::int64_t>(cpusUsed, threads)),
             qPrintable(QString::number(speedup)));
    // Every CPU observed labels a running segment, and only those.
    const std::set<std::string> labelled = running_cpus(timeline);
    QCOMPARE(std::int64_t(labelled.size()), cpusUsed);
    QVERIFY(std::includes(allowed.begin(), allowed.end(), labelled.begin(), labelled.end()));
    // The preempted segments on the timeline are exactly the gaps that were counted.
    QVERIFY2(
        qAbs(total_ms(timeline, State::Preempted) - preempted) < 1e-3,
        qPrintable(QString("%1 vs %2").arg(total_ms(timeline, State::Preempted)).arg(preempted)));
}

// Runs `threads` threads of `workMs` CPU work each to the end: every figure is declared,
// there is a lane per thread, the figures are consistent, and the CPU time is the work's.
void run_work(int threads, int workMs, std::int64_t affinity, Outcome &o)
{
    run_to_end("parallelism", {{"threads", threads}, {"work_ms", workMs}, {"affinity", affinity}},
               o);
    if (QTest::currentTestFailed())
        return;
    check_metrics_declared(o);
    check_lanes(o.timeline, "thread", threads);
    check_consistent(o.timeline, o.result.metrics, threads);
    if (QTest::currentTestFailed())
        return;
    // Each thread works until its own CPU clock has advanced work_ms, overshooting by at
    // most a chunk of about 50 µs.
    const double cpu = real_metric(o.result.metrics, "cpu_ms");
    QVERIFY2(cpu >= double(threads * workMs), qPrintable(QString::number(cpu)));
    QVERIFY2(cpu <= 1.25 * double(threads * workMs), qPrintable(QString::number(cpu)));
}

} // namespace

class TstParallelism : public QObject {
    Q_OBJECT

private slots:
    void describesItself()
    {
        const il::Scenario *scenario = il::find_scenario("parallelism");
        QVERIFY(scenario);
        const il::ScenarioInfo &info = scenario->info();
        QCOMPARE(info.params.size(), std::size_t(3));
        check_param(info.params[0], "threads", il::ParamKind::Int, 1, 16, 4, "threads");
        check_param(info.params[1], "work_ms", il::ParamKind::Int, 10, 10000, 1000, "ms");
        check_choice(info.params[2], "affinity", {"one_core", "all_cores"}, 0);
        QVERIFY(info.metrics == std::vector<std::string>({"cpus_used", "wall_ms", "cpu_ms",
                                                          "parallel_speedup", "preempted_ms"}));
    }

    void oneCoreIsConcurrentNotParallel_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("workMs");
        QTest::newRow("1 thread") << 1 << 40;
        QTest::newRow("2 threads") << 2 << 60;
        QTest::newRow("3 threads") << 3 << 40;
    }

    // All threads pinned to one CPU: the kernel time-slices them. Their CPU times add
    // up to at most the wall time (speedup at most 1: there is nothing to run them in
    // parallel on), and with two or more each lane shows the slices it waited through.
    // How far below 1 the speedup falls depends on what else the machine runs, so the
    // lower bound only says the work ran at all.
    void oneCoreIsConcurrentNotParallel()
    {
        QFETCH(int, threads);
        QFETCH(int, workMs);
        Outcome o;
        run_work(threads, workMs, 0, o);
        if (QTest::currentTestFailed())
            return;

        QCOMPARE(metric(o, "cpus_used"), std::int64_t(1));
        int first = -1;
        allowed_cpu_labels(first);
        QVERIFY(running_cpus(o.timeline) == std::set<std::string>{"CPU " + std::to_string(first)});

        const double speedup = real_metric(o.result.metrics, "parallel_speedup");
        QVERIFY2(speedup > 0.05 && speedup <= 1.05, qPrintable(QString::number(speedup)));

        if (threads >= 2) {
            QVERIFY(real_metric(o.result.metrics, "preempted_ms") > 0.0);
            // Fair scheduling cannot let one thread run its tens of milliseconds while
            // another, runnable on the same CPU, waits all along: every lane waits.
            for (const auto &lane : o.timeline.lanes())
                QVERIFY2(was_preempted(lane), describe(states_of(lane)).c_str());
        }
    }

    // Unpinned, threads may spread over the CPUs. Whether they do depends on what else
    // runs on the machine, so only the bounds that always hold are checked: run_work's.
    void allCoresRunsEveryThread()
    {
        Outcome o;
        run_work(3, 40, 1, o);
    }

    // Stop during a long run, as the Stop button does: the threads notice between two
    // chunks of work, so the run ends at once with every figure measured up to then.
    void stopEndsRunPromptly()
    {
        // Mid-run, with time-slicing already on the timeline.
        const auto sliced = [](const il::Timeline &t) { return any_lane(t, was_preempted); };
        Stopped s;
        stop_when("parallelism", {{"threads", 4}, {"work_ms", 10000}, {"affinity", 0}}, 3, sliced,
                  "no preempted segment appeared while 4 threads shared one CPU", s);
        if (QTest::currentTestFailed())
            return;
        const il::RunResult &result = s.result;
        check_lanes(s.timeline, "thread", 4);
        check_consistent(s.timeline, result.metrics, 4);
        QCOMPARE(result.metrics.at("cpus_used").get<std::int64_t>(), std::int64_t(1));
        const double cpu = real_metric(result.metrics, "cpu_ms");
        QVERIFY2(cpu < 4 * 10000.0, qPrintable(QString::number(cpu))); // cut short
        QVERIFY(real_metric(result.metrics, "preempted_ms") > 0.0);
    }
};

QTEST_GUILESS_MAIN(TstParallelism)
#include "tst_parallelism.moc"
