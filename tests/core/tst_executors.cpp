#include "registry.h"
#include "run.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

using il::State;
using namespace iltest;

namespace {

// The threads scenario's parameters: `files` to download, each URL fetched in
// `urlDelayMs`, the signature checked in `signDelayMs` and valid with `signPercent` %.
Overrides threads_params(int files, int urlDelayMs, int signDelayMs, int signPercent)
{
    return {{"files", files},
            {"url_delay_ms", urlDelayMs},
            {"sign_delay_ms", signDelayMs},
            {"sign_success_percent", signPercent}};
}

std::vector<il::Mark> marks_on(const il::Timeline &timeline, const il::TimelineLane &lane,
                               const std::string &label)
{
    std::vector<il::Mark> out;
    for (const auto &m : lane.marks)
        if (m.value == il::kMarkStep && timeline.resource_name(m.resource) == label)
            out.push_back(m);
    return out;
}

bool flag(const il::Json &metrics, const char *key)
{
    return metrics.at(key).get<bool>();
}

// The pool's figures, with their types: counts, one count per worker, {mean, max} waits.
void check_pool_metrics(const il::Json &m, int workers)
{
    check_metrics_declared(*il::find_scenario("pool"), m);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(m.at("max_concurrency").is_number_integer());
    QVERIFY(m.at("tasks_completed").is_number_integer());
    const il::Json &perWorker = m.at("tasks_per_worker");
    QVERIFY(perWorker.is_array());
    QCOMPARE(perWorker.size(), std::size_t(workers));
    std::int64_t sum = 0;
    for (const auto &n : perWorker) {
        QVERIFY(n.is_number_integer() && n.get<std::int64_t>() >= 0);
        sum += n.get<std::int64_t>();
    }
    QCOMPARE(sum, m.at("tasks_completed").get<std::int64_t>());
    const il::Json &wait = m.at("queue_wait_ms");
    QVERIFY(wait.is_object());
    QCOMPARE(wait.size(), std::size_t(2));
    QVERIFY(wait.at("mean").is_number() && wait.at("max").is_number());
    QVERIFY(wait.at("mean").get<double>() >= 0.0);
    QVERIFY(wait.at("mean").get<double>() <= wait.at("max").get<double>());
}

// Runs the threads scenario to its end with a signature checked at once that is valid or
// not: the files are downloaded only after a valid one, and only then is the worker joined.
void run_threads(int files, int urlDelayMs, bool valid, Outcome &o)
{
    run_to_end("threads", threads_params(files, urlDelayMs, 0, valid ? 100 : 0), o);
    if (QTest::currentTestFailed())
        return;
    check_metrics_declared(o);
    QCOMPARE(flag(o.result.metrics, "signed"), valid);
    QCOMPARE(flag(o.result.metrics, "joined"), valid);
    QCOMPARE(metric(o, "files_downloaded"), std::int64_t(valid ? files : 0));
}

// Stops `id` as soon as `pred` holds for its timeline, as stop_when does, and finds its
// record whole: nothing dropped, every lane ended.
template <typename Pred>
void stop_whole(const std::string &id, const Overrides &overrides, Pred pred, Stopped &out)
{
    stop_when(id, overrides, 3, pred, "the run never reached the moment to stop", out);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(out.timeline.dropped(), std::uint64_t(0));
    check_lanes_ended(out.timeline);
}

// True once the lane called `name` is in `state` on `label`.
auto when_in(const std::string &name, State state, const std::string &label)
{
    return [=](const il::Timeline &t) {
        const il::TimelineLane *lane = lane_named(t, name);
        return lane && now_in(*lane, state) &&
               t.resource_name(lane->segments.back().resource) == label;
    };
}

} // namespace

// The `threads` scenario (start a worker, join it only if the signature is valid) and the
// `pool` scenario (W workers, T tasks from a queue), run through il::Run as the app runs them.
class TstExecutors : public QObject {
    Q_OBJECT

private slots:
    // A valid signature: main waits in join() for the slow worker, then downloads. Fetching
    // (1.5 s) outlasts main's steps before the join (0.2 s), so main really waits.
    void threadsValidSignatureJoinsThenDownloads()
    {
        Outcome o;
        run_threads(3, 1500, true, o);
        if (QTest::currentTestFailed())
            return;
        const il::Json &m = o.result.metrics;

        QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
        QCOMPARE(o.timeline.lanes().size(), std::size_t(2));
        const il::TimelineLane *mainLane = lane_named(o.timeline, "main");
        const il::TimelineLane *worker = lane_named(o.timeline, "url worker");
        QVERIFY(mainLane && worker);
        QCOMPARE(mainLane->segments.back().state, State::Finished);
        QCOMPARE(worker->segments.back().state, State::Finished);

        // The start of the worker is marked on main before the worker's first moment.
        const auto started = marks_on(o.timeline, *mainLane, "start url worker");
        QCOMPARE(started.size(), std::size_t(1));
        QVERIFY(started.front().tNs <= worker->segments.front().startNs);

        // The worker fetched every URL, each a labelled sleep ending in a step mark.
        for (int i = 1; i <= 3; ++i) {
            const std::string url = "fetching URL " + std::to_string(i);
            QCOMPARE(segments_where(*worker, in_state(o.timeline, State::Sleeping, url)).size(),
                     std::size_t(1));
            QCOMPARE(marks_on(o.timeline, *worker, url).size(), std::size_t(1));
        }
        QVERIFY(marks_on(o.timeline, *worker, "stopped early").empty());

        // Main is blocked exactly once, on the join, and it waited for the worker's end:
        // the worker finished inside main's blocked bar. The bar spans the measured wait.
        QCOMPARE(segments_where(*mainLane, in_state(State::Blocked)).size(), std::size_t(1));
        const auto join =
            segments_where(*mainLane, in_state(o.timeline, State::Blocked, "join url worker"));
        QCOMPARE(join.size(), std::size_t(1));
        const std::int64_t workerEnd = worker->segments.back().startNs;
        QVERIFY(join.front().startNs < workerEnd && workerEnd <= join.front().endNs);
        const double waitMs = m.at("join_wait_ms").get<double>();
        QVERIFY(waitMs > 0.0);
        QVERIFY(double(join.front().endNs - join.front().startNs) / 1e6 >= waitMs - 1e-6);

        // Then the files, one after another, only once the join returned.
        std::int64_t previousEnd = join.front().endNs;
        for (int i = 1; i <= 3; ++i) {
            const std::string file = "downloading file " + std::to_string(i);
            const auto dl = segments_where(*mainLane, in_state(o.timeline, State::Sleeping, file));
            QCOMPARE(dl.size(), std::size_t(1));
            QVERIFY(dl.front().startNs >= previousEnd);
            previousEnd = dl.front().endNs;
            QCOMPARE(marks_on(o.timeline, *mainLane, file).size(), std::size_t(1));
        }
    }

    // An invalid signature: main does not wait, it stops the worker, which ends early.
    void threadsInvalidSignatureStopsTheWorker()
    {
        Outcome o;
        run_threads(5, 10000, false, o);
        if (QTest::currentTestFailed())
            return;
        const il::Json &m = o.result.metrics;
        QCOMPARE(m.at("join_wait_ms").get<double>(), 0.0);

        const il::TimelineLane *mainLane = lane_named(o.timeline, "main");
        const il::TimelineLane *worker = lane_named(o.timeline, "url worker");
        QVERIFY(mainLane && worker);
        QCOMPARE(o.timeline.dropped(), std::uint64_t(0));
        for (const auto &seg : mainLane->segments) {
            QVERIFY(seg.state != State::Blocked);
            QVERIFY(!o.timeline.resource_name(seg.resource).starts_with("downloading"));
        }
        const auto stopAsked = marks_on(o.timeline, *mainLane, "stop url worker");
        QCOMPARE(stopAsked.size(), std::size_t(1));

        // The worker ended because it was asked to, before fetching every URL (10 s of
        // fetching would have outlived the run otherwise).
        QCOMPARE(worker->segments.back().state, State::Finished);
        QVERIFY(worker->segments.back().startNs >= stopAsked.front().tNs);
        QCOMPARE(marks_on(o.timeline, *worker, "stopped early").size(), std::size_t(1));
        int fetched = 0;
        for (int i = 1; i <= 5; ++i)
            fetched +=
                int(marks_on(o.timeline, *worker, "fetching URL " + std::to_string(i)).size());
        QVERIFY(fetched < 5);
    }

    // The same seed gives the same signature outcome; different seeds give both outcomes
    // at 50 %. The runs go side by side: they mostly sleep.
    void threadsSignatureFollowsTheSeed()
    {
        const il::Scenario *scenario = nullptr;
        il::ParamValues params;
        find_with_params("threads", threads_params(1, 0, 0, 50), scenario, params);
        if (QTest::currentTestFailed())
            return;
        constexpr int kSeeds = 8;
        std::vector<std::unique_ptr<il::Run>> runs;
        for (int copy = 0; copy < 2; ++copy)
            for (int seed = 1; seed <= kSeeds; ++seed)
                runs.push_back(std::make_unique<il::Run>(*scenario, params, seed));
        std::vector<bool> outcome;
        for (auto &run : runs) {
            QVERIFY2(run->wait_finished(kRunBound), "a run did not end in time");
            const il::RunResult r = run->result();
            QVERIFY(r.completed());
            const bool signedOk = flag(r.metrics, "signed");
            QCOMPARE(flag(r.metrics, "joined"), signedOk);
            QCOMPARE(r.metrics.at("files_downloaded").get<int>(), signedOk ? 1 : 0);
            outcome.push_back(signedOk);
        }
        std::set<bool> seen;
        for (int i = 0; i < kSeeds; ++i) {
            QCOMPARE(outcome[std::size_t(i + kSeeds)], outcome[std::size_t(i)]);
            seen.insert(outcome[std::size_t(i)]);
        }
        QCOMPARE(seen.size(), std::size_t(2));
    }

    void threadsStopEndsRunPromptly_data()
    {
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QString>("label");
        QTest::addColumn<int>("signDelay");
        QTest::newRow("while main signs") << "main"
                                          << "signing" << 5000;
        QTest::newRow("while main waits in join") << "main"
                                                  << "join url worker" << 0;
    }

    // Fetching takes 15 s and signing up to 5 s; Stop must cut both short.
    void threadsStopEndsRunPromptly()
    {
        QFETCH(QString, lane);
        QFETCH(QString, label);
        QFETCH(int, signDelay);
        const State state = label == QLatin1String("signing") ? State::Sleeping : State::Blocked;
        Stopped s;
        stop_whole("threads", threads_params(3, 15000, signDelay, 100),
                   when_in(lane.toStdString(), state, label.toStdString()), s);
        if (QTest::currentTestFailed())
            return;
        const il::RunResult &result = s.result;
        QCOMPARE(result.metrics.at("files_downloaded").get<int>(), 0);
        // Stopped before the signature was done, nothing is signed; stopped in the join,
        // the join returns as the worker gives up.
        QCOMPARE(flag(result.metrics, "signed"), state == State::Blocked);
        QCOMPARE(flag(result.metrics, "joined"), state == State::Blocked);
        QCOMPARE(s.timeline.lanes().size(), std::size_t(2));
        const il::TimelineLane *worker = lane_named(s.timeline, "url worker");
        QVERIFY(worker);
        QCOMPARE(marks_on(s.timeline, *worker, "stopped early").size(), std::size_t(1));
    }

    void poolRunsEveryTaskOnce_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<int>("tasks");
        for (const auto &[w, t] : std::vector<std::pair<int, int>>{
                 {1, 1}, {1, 4}, {2, 5}, {3, 3}, {5, 2}, {4, 10}, {8, 20}})
            QTest::addRow("%d workers, %d tasks", w, t) << w << t;
    }

    // Tasks take 300-600 ms, far longer than handing them out (even to late-waking workers
    // under ThreadSanitizer on a busy machine), so the first wave overlaps:
    // exactly min(workers, tasks) run at once, by the pool's count and on the timeline.
    void poolRunsEveryTaskOnce()
    {
        QFETCH(int, workers);
        QFETCH(int, tasks);
        constexpr int kMaxTaskMs = 600;
        Outcome o;
        run_to_end("pool", {{"workers", workers}, {"tasks", tasks}, {"max_task_ms", kMaxTaskMs}},
                   o);
        if (QTest::currentTestFailed())
            return;
        const il::Json &m = o.result.metrics;
        check_pool_metrics(m, workers);
        if (QTest::currentTestFailed())
            return;
        const int expected = std::min(workers, tasks);
        QCOMPARE(metric(o, "max_concurrency"), std::int64_t(expected));
        QCOMPARE(metric(o, "tasks_completed"), std::int64_t(tasks));
        // Beyond the first wave, tasks wait in the queue until a worker has finished one.
        if (tasks > workers)
            QVERIFY(m.at("queue_wait_ms").at("max").get<double>() >= kMaxTaskMs / 2);

        check_lanes(o.timeline, "worker", workers);
        const il::ResourceId queue = resource_named(o.timeline, "task queue");
        QVERIFY(queue != il::kNoResource);
        std::vector<int> runsOf(std::size_t(tasks) + 1, 0);
        std::vector<std::pair<std::int64_t, int>> edges; // task bars: starts +1, ends -1
        for (std::size_t w = 0; w < o.timeline.lanes().size(); ++w) {
            const il::TimelineLane &lane = o.timeline.lanes()[w];
            int onLane = 0;
            int lastId = 0;
            bool waited = false;
            for (std::size_t i = 0; i < lane.segments.size(); ++i) {
                const il::Segment &seg = lane.segments[i];
                const std::string &label = o.timeline.resource_name(seg.resource);
                if (seg.state == State::Blocked) {
                    QCOMPARE(seg.resource, queue); // idle workers wait on the queue only
                    waited = true;
                    continue;
                }
                if (seg.state != State::Sleeping)
                    continue;
                QVERIFY2(label.starts_with("task "), label.c_str());
                const int id = std::stoi(label.substr(5));
                QVERIFY(id >= 1 && id <= tasks);
                ++runsOf[std::size_t(id)];
                ++onLane;
                QVERIFY(id > lastId); // a worker takes tasks in the order they were queued
                lastId = id;
                edges.emplace_back(seg.startNs, +1);
                edges.emplace_back(o.timeline.segment_end(lane, i), -1);
            }
            // Every worker was idle on the queue before the first task arrived.
            QVERIFY2(waited, lane.name.c_str());
            QCOMPARE(onLane, m.at("tasks_per_worker")[w].get<int>());
        }
        for (int id = 1; id <= tasks; ++id)
            QVERIFY2(runsOf[std::size_t(id)] == 1, std::to_string(id).c_str());
        QCOMPARE(peak(std::move(edges)), expected);
        // The queue's length as the workers saw it after taking a task.
        for (const auto &sample : o.timeline.counters().at(queue))
            QVERIFY(sample.value >= 0 && sample.value < tasks);
    }

    // Forty tasks of up to 5 s each on two workers: Stop ends it long before that.
    void poolStopEndsRunPromptly()
    {
        const auto anyTaskRunning = [](const il::Timeline &t) {
            return any_lane(t, [&](const il::TimelineLane &lane) {
                return now_in(lane, State::Sleeping) &&
                       t.resource_name(lane.segments.back().resource).starts_with("task ");
            });
        };
        Stopped s;
        stop_whole("pool", {{"workers", 2}, {"tasks", 40}, {"max_task_ms", 5000}}, anyTaskRunning,
                   s);
        if (QTest::currentTestFailed())
            return;
        const il::RunResult &result = s.result;
        check_pool_metrics(result.metrics, 2);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(result.metrics.at("tasks_completed").get<int>() < 40);
        QVERIFY(result.metrics.at("max_concurrency").get<int>() >= 1);
        QVERIFY(result.metrics.at("max_concurrency").get<int>() <= 2);
        check_lanes(s.timeline, "worker", 2);
    }
};

QTEST_GUILESS_MAIN(TstExecutors)
#include "tst_executors.moc"
