#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using il::State;
using namespace iltest;

namespace {

// How far a measured speedup may exceed n. By construction T(n) >= S + P / n (the serial
// part runs before the workers start, each worker's CPU time is at least its share, and
// T(n) is never taken as less than the CPU time used in a row), while the baseline is the
// 1-thread job's CPU time: S + P plus what its two parts overshot their targets by, about
// a chunk (~50 µs) each, a few hundred µs if the CPU clock jumps on a loaded virtual
// machine. Against the 40 ms of work used here that is 0.25-1.5 %.
constexpr double kOvershoot = 0.05;
// CPU work is not slowed by ThreadSanitizer (the arithmetic touches no memory), so the
// runs keep this size everywhere.
constexpr int kWorkMs = 40;

std::vector<std::int64_t> ints(const il::Json &metrics, const char *key)
{
    std::vector<std::int64_t> out;
    for (const auto &v : metrics.at(key))
        out.push_back(v.get<std::int64_t>());
    return out;
}

std::vector<double> reals(const il::Json &metrics, const char *key)
{
    std::vector<double> out;
    for (const auto &v : metrics.at(key))
        out.push_back(v.get<double>());
    return out;
}

// Amdahl's law for a serial fraction of `percent` % and n threads.
double amdahl(int percent, std::int64_t n)
{
    const double s = double(percent) / 100.0;
    return 1.0 / (s + (1.0 - s) / double(n));
}

int allowed_cpus()
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return -1;
    return CPU_COUNT(&allowed);
}

// Lanes "main", "thread 0" … "thread <count - 1>", each begun Running and ended Finished.
void check_amdahl_lanes(const il::Timeline &timeline, int count)
{
    QCOMPARE(timeline.lanes().size(), std::size_t(count) + 1);
    for (std::size_t i = 0; i < timeline.lanes().size(); ++i) {
        const il::TimelineLane &lane = timeline.lanes()[i];
        QCOMPARE(lane.name, i == 0 ? std::string("main") : "thread " + std::to_string(i - 1));
        QVERIFY2(!lane.segments.empty(), lane.name.c_str());
        QVERIFY2(!lane.open, lane.name.c_str());
        const std::string states = describe(states_of(lane));
        QVERIFY2(lane.segments.front().state == State::Running, states.c_str());
        QVERIFY2(lane.segments.back().state == State::Finished, states.c_str());
    }
}

// What holds for every run, complete or stopped: all four figures, the lists as long as
// the trials main marked as done, threads 1..k and Amdahl's figure for each.
void check_lists(const il::Timeline &timeline, const il::Json &metrics, int percent)
{
    const std::vector<std::int64_t> threads = ints(metrics, "threads");
    const std::size_t trials = std::size_t(count_marks(timeline.lanes().front(), il::kMarkStep));
    QCOMPARE(threads.size(), trials);
    QCOMPARE(metrics.at("speedup").size(), trials);
    QCOMPARE(metrics.at("theoretical").size(), trials);
    for (std::size_t i = 0; i < trials; ++i)
        QCOMPARE(threads[i], std::int64_t(i) + 1);
    const std::vector<double> theoretical = reals(metrics, "theoretical");
    for (std::size_t i = 0; i < trials; ++i) {
        const double expected = amdahl(percent, threads[i]);
        QVERIFY2(std::abs(theoretical[i] - expected) <= 1e-12 * expected,
                 qPrintable(QString("n = %1: %2 vs %3")
                                .arg(threads[i])
                                .arg(theoretical[i], 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
    }
    QCOMPARE(metrics.at("cores").get<std::int64_t>(), std::int64_t(allowed_cpus()));
}

// Runs the job to its end: every figure is declared, every lane there and ended, nothing
// dropped, one entry per thread count.
void run_amdahl(int percent, int maxThreads, int workMs, Outcome &o)
{
    run_to_end("amdahl",
               {{"serial_percent", percent}, {"max_threads", maxThreads}, {"work_ms", workMs}}, o);
    if (QTest::currentTestFailed())
        return;
    check_metrics_declared(o);
    QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
    check_amdahl_lanes(o.timeline, maxThreads);
    if (QTest::currentTestFailed())
        return;
    check_lists(o.timeline, o.result.metrics, percent);
    QCOMPARE(o.result.metrics.at("threads").size(), std::size_t(maxThreads));
}

// Total time of the segments of `lane` in `state` labelled `label`, in ns.
std::int64_t time_in(const il::Timeline &timeline, const il::TimelineLane &lane, State state,
                     const std::string &label)
{
    std::int64_t ns = 0;
    for (const il::Segment &s : segments_where(lane, in_state(timeline, state, label)))
        ns += s.endNs - s.startNs;
    return ns;
}

// Wall time `lane` spent on the work labelled `label`: running it or preempted from it.
std::int64_t time_on(const il::Timeline &timeline, const il::TimelineLane &lane,
                     const std::string &label)
{
    return time_in(timeline, lane, State::Running, label) +
           time_in(timeline, lane, State::Preempted, label);
}

// The wall time of some CPU work is at least its CPU time, up to the few hundred µs a
// thread's CPU clock may run ahead on a loaded virtual machine; 10 % of the 7.5 ms and
// more compared here covers that.
constexpr double kClockSlack = 0.9;

// Whether any segment of `lane`, in any state, is labelled `label`.
bool has_label(const il::Timeline &timeline, const il::TimelineLane &lane, const std::string &label)
{
    const il::ResourceId id = resource_named(timeline, label);
    return id != il::kNoResource &&
           first_segment(lane, [id](const il::Segment &s) { return s.resource == id; }) != nullptr;
}

// The moments main marked trials as done, in order.
std::vector<std::int64_t> trial_ends(const il::TimelineLane &mainLane)
{
    std::vector<std::int64_t> out;
    for (const il::Mark &m : mainLane.marks)
        if (m.value == il::kMarkStep)
            out.push_back(m.tNs);
    return out;
}

// How long each trial took as main's lane shows it: from the start of its first segment on
// the job ("serial part", or "join" when there is no serial part) to the end of its last;
// main's step marks separate the trials.
std::vector<std::int64_t> trial_lengths(const il::Timeline &timeline,
                                        const il::TimelineLane &mainLane)
{
    const il::ResourceId serial = resource_named(timeline, "serial part");
    const il::ResourceId join = resource_named(timeline, "join");
    const std::vector<std::int64_t> ends = trial_ends(mainLane);
    std::vector<std::int64_t> first(ends.size(), std::numeric_limits<std::int64_t>::max());
    std::vector<std::int64_t> last(ends.size(), std::numeric_limits<std::int64_t>::min());
    for (const il::Segment &seg : mainLane.segments) {
        if (seg.resource == il::kNoResource || (seg.resource != serial && seg.resource != join))
            continue;
        // The trial is the one after the marks made by the time it started.
        const auto k =
            std::size_t(std::upper_bound(ends.begin(), ends.end(), seg.startNs) - ends.begin());
        if (k >= ends.size())
            continue; // a trial cut short by Stop
        first[k] = std::min(first[k], seg.startNs);
        last[k] = std::max(last[k], seg.endNs);
    }
    std::vector<std::int64_t> out;
    for (std::size_t k = 0; k < ends.size(); ++k)
        out.push_back(last[k] > first[k] ? last[k] - first[k] : 0);
    return out;
}

// The speedups are measured, not computed from a model: speedup(n) = baseline / T(n), with
// T(n) trial n's wall time and the baseline the 1-thread job's CPU time, which is at least
// work_ms (each part runs until its thread's CPU clock reached its target) and more by the
// chunk overshoot only. So speedup(n) times the length of trial n on the timeline gives the
// baseline back for every n, whatever the machine made of the trial's wall time. Slack:
// T(n) may be up to ~0.3 ms longer than the timeline shows (the clamp to the CPU path, 3 %
// of the 10 ms and more a trial takes here), and the timeline's trial longer than T(n) by
// any time main lost its CPU in the microseconds between reading the clock and recording.
void check_speedups_match_timeline(const il::Timeline &timeline, const il::Json &metrics,
                                   int workMs)
{
    const std::vector<double> speedup = reals(metrics, "speedup");
    const std::vector<std::int64_t> lengths = trial_lengths(timeline, timeline.lanes().front());
    QCOMPARE(lengths.size(), speedup.size());
    const double workNs = double(workMs) * 1e6;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        const double baseline = speedup[i] * double(lengths[i]);
        QVERIFY2(baseline >= 0.9 * workNs && baseline <= 1.5 * workNs,
                 qPrintable(QString("n = %1: speedup %2 x %3 ms = %4 ms of CPU work, not ~%5 ms")
                                .arg(i + 1)
                                .arg(speedup[i])
                                .arg(double(lengths[i]) / 1e6)
                                .arg(baseline / 1e6)
                                .arg(workMs)));
    }
}

} // namespace

class TstAmdahl : public QObject {
    Q_OBJECT

private slots:
    void describesItself()
    {
        const il::Scenario *scenario = il::find_scenario("amdahl");
        QVERIFY(scenario);
        const il::ScenarioInfo &info = scenario->info();
        QCOMPARE(info.params.size(), std::size_t(3));
        check_param(info.params[0], "serial_percent", il::ParamKind::Int, 0, 100, 10, "%");
        check_param(info.params[1], "max_threads", il::ParamKind::Int, 1, 32, 8, "threads");
        check_param(info.params[2], "work_ms", il::ParamKind::Int, 10, 10000, 400, "ms");
        QVERIFY(info.metrics ==
                std::vector<std::string>({"threads", "speedup", "theoretical", "cores"}));
    }

    void everyThreadCountIsMeasured_data()
    {
        QTest::addColumn<int>("percent");
        QTest::addColumn<int>("maxThreads");
        QTest::newRow("0 % serial") << 0 << 4;
        QTest::newRow("10 % serial") << 10 << 3;
        QTest::newRow("33 % serial") << 33 << 4;
        QTest::newRow("100 % serial") << 100 << 3;
    }

    // One trial per thread count 1..max_threads, in order; `theoretical` is Amdahl's
    // 1 / (s + (1 - s) / n) for each; `cores` is how many CPUs this process may use; and
    // no measured speedup exceeds its thread count (kOvershoot says by how little it may).
    void everyThreadCountIsMeasured()
    {
        QFETCH(int, percent);
        QFETCH(int, maxThreads);
        Outcome o;
        run_amdahl(percent, maxThreads, kWorkMs, o);
        if (QTest::currentTestFailed())
            return;
        const std::vector<std::int64_t> threads = ints(o.result.metrics, "threads");
        const std::vector<double> speedup = reals(o.result.metrics, "speedup");
        for (std::size_t i = 0; i < threads.size(); ++i) {
            const QByteArray what =
                QByteArray::number(qlonglong(threads[i])) + ": " + QByteArray::number(speedup[i]);
            QVERIFY2(speedup[i] > 0.0, what);
            // Holds by construction (T(n) is clamped at >= the CPU path S + P / n): guards
            // the clamp, not the measurement.
            QVERIFY2(speedup[i] <= double(threads[i]) * (1.0 + kOvershoot), what);
        }
        // With one thread the trial took at least the CPU time it used, the baseline. Also
        // by construction (the clamp again): check_speedups_match_timeline tests what was
        // measured.
        QVERIFY2(speedup.front() <= 1.0, QByteArray::number(speedup.front()));
        check_speedups_match_timeline(o.timeline, o.result.metrics, kWorkMs);
        if (percent == 0) // no serial part: Amdahl's law promises n
            for (std::size_t i = 0; i < threads.size(); ++i)
                QVERIFY(std::abs(reals(o.result.metrics, "theoretical")[i] - double(threads[i])) <
                        1e-12 * double(threads[i]));
    }

    // All serial: more threads cannot help. Amdahl says exactly 1 for every n, and the
    // measured speedup never exceeds 1 either (T(n) is at least the serial part's CPU
    // time, the baseline that plus one chunk's overshoot); how far below 1 it falls is
    // the machine's business. The workers get nothing to do and main never joins them.
    void fullySerialJobDoesNotSpeedUp()
    {
        Outcome o;
        run_amdahl(100, 4, kWorkMs, o);
        if (QTest::currentTestFailed())
            return;
        for (const double t : reals(o.result.metrics, "theoretical"))
            QCOMPARE(t, 1.0);
        // The upper bound holds by construction (T(n) is clamped at >= the serial part's
        // CPU time): it guards the clamp; the timeline check tests the measurement.
        for (const double s : reals(o.result.metrics, "speedup"))
            QVERIFY2(s > 0.0 && s <= 1.0 + kOvershoot, QByteArray::number(s));
        check_speedups_match_timeline(o.timeline, o.result.metrics, kWorkMs);
        const il::TimelineLane &mainLane = o.timeline.lanes().front();
        QVERIFY(!first_segment(mainLane, in_state(o.timeline, State::Blocked, "join")));
        for (std::size_t i = 1; i < o.timeline.lanes().size(); ++i) {
            const il::TimelineLane &lane = o.timeline.lanes()[i];
            QCOMPARE(describe(states_of(lane)), std::string("running > blocked > finished"));
            QCOMPARE(o.timeline.resource_name(lane.segments[1].resource),
                     std::string("waiting for work"));
        }
    }

    // The timeline tells the story of each trial n: main runs the serial part alone, then
    // exactly the workers 0..n-1 run the parallel part (labelled "n = <n>"), each for at
    // least its equal share of CPU time, while main is blocked joining them; main marks the
    // trial done only after they all finished, and the next trial's work starts after it.
    void timelineShowsEachTrial()
    {
        const int maxThreads = 4;
        const int percent = 25;
        const int workMs = kWorkMs;
        Outcome o;
        run_amdahl(percent, maxThreads, workMs, o);
        if (QTest::currentTestFailed())
            return;
        const il::Timeline &t = o.timeline;
        const il::TimelineLane &mainLane = t.lanes().front();
        const std::int64_t workNs = std::int64_t(workMs) * 1'000'000;
        const std::int64_t serialNs = workNs * percent / 100;
        const std::int64_t parallelNs = workNs - serialNs;

        const std::vector<std::int64_t> ends = trial_ends(mainLane);
        QCOMPARE(ends.size(), std::size_t(maxThreads));
        // Before the first trial main waits for its workers to start, and says so.
        const il::Segment *starting =
            first_segment(mainLane, in_state(t, State::Blocked, "starting workers"));
        const il::Segment *firstSerial =
            first_segment(mainLane, in_state(t, State::Running, "serial part"));
        QVERIFY(starting && firstSerial);
        QVERIFY(starting->endNs <= firstSerial->startNs);
        QVERIFY(double(time_on(t, mainLane, "serial part")) >=
                kClockSlack * double(maxThreads * serialNs));
        QCOMPARE(segments_where(mainLane, in_state(t, State::Blocked, "join")).size(),
                 std::size_t(maxThreads));
        for (int n = 1; n <= maxThreads; ++n) {
            const std::string label = "n = " + std::to_string(n);
            QCOMPARE(t.resource_name(mainLane.marks[std::size_t(n - 1)].resource), label);
            QVERIFY2(!has_label(t, mainLane, label), label.c_str());
            for (int i = 0; i < maxThreads; ++i) {
                const il::TimelineLane &lane = t.lanes()[std::size_t(i) + 1];
                const std::string where = label + " on " + lane.name;
                QCOMPARE(has_label(t, lane, label), i < n);
                if (i >= n)
                    continue;
                QVERIFY2(double(time_on(t, lane, label)) >= kClockSlack * double(parallelNs / n),
                         where.c_str());
                for (const il::Segment &s : lane.segments) {
                    if (t.resource_name(s.resource) != label)
                        continue;
                    QVERIFY2(s.endNs <= ends[std::size_t(n - 1)], where.c_str());
                    if (n > 1)
                        QVERIFY2(s.startNs >= ends[std::size_t(n - 2)], where.c_str());
                }
            }
        }
        // Workers only ever run their share, wait for the next, or are preempted.
        for (std::size_t i = 1; i < t.lanes().size(); ++i)
            for (const il::Segment &s : t.lanes()[i].segments)
                QVERIFY2(s.state == State::Running || s.state == State::Blocked ||
                             s.state == State::Preempted || s.state == State::Finished,
                         describe(states_of(t.lanes()[i])).c_str());
    }

    // Stop during the first trial of a long job (10 s of work with 1 thread), as the Stop
    // button does: the worker notices between two chunks of work and the run ends at once,
    // every lane finished, every figure present, the lists empty since no trial was done.
    // (1 % serial: the worker starts after 0.1 s of CPU work on main.)
    void stopDuringFirstTrialEndsPromptly()
    {
        const auto workerRuns = [](const il::Timeline &t) {
            const il::TimelineLane *lane = lane_named(t, "thread 0");
            return lane && lane->open && lane->segments.back().state == State::Running &&
                   t.resource_name(lane->segments.back().resource) == "n = 1";
        };
        Stopped s;
        stop_when("amdahl", {{"serial_percent", 1}, {"max_threads", 8}, {"work_ms", 10000}}, 5,
                  workerRuns, "thread 0 never started the parallel part of the first trial", s);
        if (QTest::currentTestFailed())
            return;
        check_kept(s.before, s.timeline);
        check_amdahl_lanes(s.timeline, 8);
        if (QTest::currentTestFailed())
            return;
        check_lists(s.timeline, s.result.metrics, 1);
        QCOMPARE(s.result.metrics.at("threads").size(), std::size_t(0));
    }

    // Stop after a few trials of many: the lists keep exactly the trials completed by then.
    // The first two trials take about 0.1 s of CPU work; the 30 others at least 7 ms each
    // (6 ms serial) even with a core per thread, so the run is still going at the stop.
    void stopKeepsCompletedTrials()
    {
        const auto twoDone = [](const il::Timeline &t) {
            const il::TimelineLane *lane = lane_named(t, "main");
            return lane && count_marks(*lane, il::kMarkStep) >= 2;
        };
        Stopped s;
        stop_when("amdahl", {{"max_threads", 32}, {"work_ms", 60}}, 6, twoDone,
                  "main never completed two trials", s);
        if (QTest::currentTestFailed())
            return;
        check_kept(s.before, s.timeline);
        check_amdahl_lanes(s.timeline, 32);
        if (QTest::currentTestFailed())
            return;
        check_lists(s.timeline, s.result.metrics, 10);
        const std::size_t trials = s.result.metrics.at("threads").size();
        QVERIFY2(trials >= 2 && trials < 32, QByteArray::number(qulonglong(trials)));
    }
};

QTEST_GUILESS_MAIN(TstAmdahl)
#include "tst_amdahl.moc"
