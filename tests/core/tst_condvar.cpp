#include "event.h"
#include "registry.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using il::State;
using namespace iltest;

namespace {

enum Mode { Polling = 0, CondVar = 1 };

double real_metric(const Outcome &o, const char *key)
{
    return o.result.metrics.at(key).get<double>();
}

// How often each item was ticked off (kMarkStep labelled "item k") on the lanes whose names
// start with `prefix`; -1 in slot 0 if a tick names something else.
std::vector<int> item_ticks(const il::Timeline &timeline, const std::string &prefix,
                            std::int64_t items)
{
    std::vector<int> ticks(std::size_t(items), 0);
    for (const auto &lane : timeline.lanes()) {
        if (!lane.name.starts_with(prefix))
            continue;
        for (const auto &mark : lane.marks) {
            if (mark.value != il::kMarkStep)
                continue;
            const std::string &label = timeline.resource_name(mark.resource);
            const std::int64_t id = label.starts_with("item ") ? std::stoll(label.substr(5)) : -1;
            if (id < 0 || id >= items)
                return {-1};
            ++ticks[std::size_t(id)];
        }
    }
    return ticks;
}

// Segments of the consumers' lanes for which `pred` holds.
template <typename Pred> std::int64_t consumer_segments(const il::Timeline &timeline, Pred pred)
{
    std::int64_t n = 0;
    for (const auto &lane : timeline.lanes())
        if (lane.name.starts_with("consumer "))
            n += std::int64_t(segments_where(lane, pred).size());
    return n;
}

std::int64_t consumer_marks(const il::Timeline &timeline, std::int64_t value)
{
    std::int64_t n = 0;
    for (const auto &lane : timeline.lanes())
        if (lane.name.starts_with("consumer "))
            n += count_marks(lane, value);
    return n;
}

// "producer 0".. then "consumer 0..", each from Running to Finished, nothing dropped.
void check_lanes_of(const il::Timeline &timeline, int producers, int consumers)
{
    QCOMPARE(timeline.dropped(), std::uint64_t(0));
    QCOMPARE(timeline.lanes().size(), std::size_t(producers + consumers));
    for (int i = 0; i < producers + consumers; ++i) {
        const il::TimelineLane &lane = timeline.lanes()[std::size_t(i)];
        const std::string expected = i < producers ? "producer " + std::to_string(i)
                                                   : "consumer " + std::to_string(i - producers);
        QCOMPARE(lane.name, expected);
        QVERIFY2(!lane.segments.empty() && !lane.open, lane.name.c_str());
        const std::string states = describe(states_of(lane));
        QVERIFY2(lane.segments.front().state == State::Running, states.c_str());
        QVERIFY2(lane.segments.back().state == State::Finished, states.c_str());
    }
}

// What holds for any run that ended by itself: every item was made by its own producer and
// consumed exactly once, the figures agree with each other, and each wake-up shows on the
// timeline as the end of one wait, each wasted one with a orange tick.
void check_complete(const Outcome &o, Mode mode, std::int64_t items, int producers, int consumers,
                    std::int64_t pollMs)
{
    check_metrics_declared(o);
    check_lanes_of(o.timeline, producers, consumers);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(metric(o, "items_consumed"), items);

    const std::vector<int> once(std::size_t(items), 1);
    QCOMPARE(item_ticks(o.timeline, "consumer ", items), once);
    QCOMPARE(item_ticks(o.timeline, "producer ", items), once);
    for (int p = 0; p < producers; ++p) { // producer p makes items p, p+P, ...
        const auto &lane = o.timeline.lanes()[std::size_t(p)];
        for (const auto &mark : lane.marks)
            if (mark.value == il::kMarkStep)
                QCOMPARE(
                    std::int64_t(std::stoll(o.timeline.resource_name(mark.resource).substr(5))) %
                        producers,
                    std::int64_t(p));
    }

    const std::int64_t wakeups = metric(o, "wakeups");
    const std::int64_t wasted = metric(o, "wasted_wakeups");
    QVERIFY(wasted >= 0 && wasted <= wakeups);
    QCOMPARE(consumer_marks(o.timeline, il::kMarkWasted), wasted);
    const auto sleeping =
        in_state(o.timeline, State::Sleeping, "poll " + std::to_string(pollMs) + " ms");
    const auto blocked = in_state(o.timeline, State::Blocked, "queue (condition variable)");
    // Every wait ended in a wake-up: none was cut short by Stop.
    if (mode == Polling) {
        QCOMPARE(consumer_segments(o.timeline, sleeping), wakeups);
        QCOMPARE(consumer_segments(o.timeline, in_state(State::Blocked)), std::int64_t(0));
    } else {
        QCOMPARE(consumer_segments(o.timeline, blocked), wakeups);
        QCOMPARE(consumer_segments(o.timeline, in_state(State::Sleeping)), std::int64_t(0));
    }

    const double mean = real_metric(o, "latency_ms_mean");
    const double max = real_metric(o, "latency_ms_max");
    QVERIFY(mean > 0.0 && mean <= max);
    QVERIFY(real_metric(o, "consumer_cpu_ms") > 0.0);

    const il::ResourceId queue = resource_named(o.timeline, "queue");
    QVERIFY(queue != il::kNoResource);
    QVERIFY(o.timeline.counters().count(queue) == 1);
    const auto &samples = o.timeline.counters().at(queue);
    QCOMPARE(std::int64_t(samples.size()), 2 * items); // one put, one take per item
    for (const auto &s : samples)
        QVERIFY(s.value >= 0 && s.value <= items);
}

void add_modes()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("long_polling") << int(Polling);
    QTest::newRow("condition_variable") << int(CondVar);
}

} // namespace

class TstCondvar : public QObject {
    Q_OBJECT

private slots:
    void declaresItsParameters()
    {
        const il::Scenario *s = il::find_scenario("condvar");
        QVERIFY(s);
        const auto &p = s->info().params;
        QCOMPARE(p.size(), std::size_t(6));
        check_choice(p[0], "mode", {"long_polling", "condition_variable"}, 0);
        check_param(p[1], "items", il::ParamKind::Int, 1, 1000, 20, "items");
        check_param(p[2], "producers", il::ParamKind::Int, 1, 8, 1, "threads");
        check_param(p[3], "consumers", il::ParamKind::Int, 1, 8, 1, "threads");
        check_param(p[4], "produce_interval_ms", il::ParamKind::Int, 0, 2000, 200, "ms");
        check_param(p[5], "poll_ms", il::ParamKind::Int, 1, 1000, 100, "ms");
        QCOMPARE(s->info().metrics, (std::vector<std::string>{
                                        "items_consumed", "wakeups", "wasted_wakeups",
                                        "latency_ms_mean", "latency_ms_max", "consumer_cpu_ms"}));
    }

    void consumesEveryItemOnce_data() { add_modes(); }

    void consumesEveryItemOnce()
    {
        QFETCH(int, mode);
        Outcome o;
        run_to_end("condvar",
                   {{"mode", mode}, {"items", 8}, {"produce_interval_ms", 20}, {"poll_ms", 5}}, o);
        if (QTest::currentTestFailed())
            return;
        check_complete(o, Mode(mode), 8, 1, 1, 5);
    }

    // The producer waits 25 to 75 ms before each item and the consumer looks every 5 ms,
    // so most looks find nothing. The first look after the start already does: it ends
    // the consumer's first 5 ms sleep, at least 20 ms before the first item exists. Only if
    // the consumer lost the CPU for that long at every single look could no look be wasted.
    void pollingWastesWakeups()
    {
        Outcome o;
        run_to_end("condvar",
                   {{"mode", Polling}, {"items", 6}, {"produce_interval_ms", 50}, {"poll_ms", 5}},
                   o);
        if (QTest::currentTestFailed())
            return;
        check_complete(o, Polling, 6, 1, 1, 5);
        QVERIFY2(metric(o, "wasted_wakeups") >= 1, o.result.metrics.dump().c_str());
        const auto *consumer = lane_named(o.timeline, "consumer 0");
        QVERIFY(consumer);
        QVERIFY(first_segment(*consumer, in_state(o.timeline, State::Sleeping, "poll 5 ms")));
    }

    // The same work, both ways: a lone consumer on a condition variable wakes only when
    // the producer signals an item, which it then takes; polling looks ten times per item.
    void conditionVariableWastesLess()
    {
        const Overrides common{{"items", 6}, {"produce_interval_ms", 50}, {"poll_ms", 5}};
        Outcome polling;
        Overrides withMode = common;
        withMode.emplace_back("mode", Polling);
        run_to_end("condvar", withMode, polling);
        if (QTest::currentTestFailed())
            return;
        Outcome condvar;
        withMode.back().second = CondVar;
        run_to_end("condvar", withMode, condvar);
        if (QTest::currentTestFailed())
            return;
        check_complete(condvar, CondVar, 6, 1, 1, 5);
        const std::string both =
            polling.result.metrics.dump() + " | " + condvar.result.metrics.dump();
        QVERIFY2(metric(condvar, "wasted_wakeups") < metric(polling, "wasted_wakeups"),
                 both.c_str());
        const auto *consumer = lane_named(condvar.timeline, "consumer 0");
        QVERIFY(consumer);
        QVERIFY(first_segment(
            *consumer, in_state(condvar.timeline, State::Blocked, "queue (condition variable)")));
    }

    void severalProducersAndConsumers_data() { add_modes(); }

    void severalProducersAndConsumers()
    {
        QFETCH(int, mode);
        Outcome o;
        run_to_end("condvar",
                   {{"mode", mode},
                    {"items", 10},
                    {"producers", 3},
                    {"consumers", 3},
                    {"produce_interval_ms", 10},
                    {"poll_ms", 5}},
                   o);
        if (QTest::currentTestFailed())
            return;
        check_complete(o, Mode(mode), 10, 3, 3, 5);
    }

    // Without a pause producers flood the queue; the largest run there is must end too.
    void noIntervalAndLargest_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("items");
        QTest::addColumn<int>("threads");
        for (const auto &[name, mode] : {std::pair{"long_polling", int(Polling)},
                                         std::pair{"condition_variable", int(CondVar)}}) {
            QTest::addRow("%s, 50 items, 2 x 2", name) << mode << 50 << 2;
            QTest::addRow("%s, 1000 items, 8 x 8", name) << mode << 1000 << 8;
        }
    }

    void noIntervalAndLargest()
    {
        QFETCH(int, mode);
        QFETCH(int, items);
        QFETCH(int, threads);
        Outcome o;
        run_to_end("condvar",
                   {{"mode", mode},
                    {"items", items},
                    {"producers", threads},
                    {"consumers", threads},
                    {"produce_interval_ms", 0},
                    {"poll_ms", 5}},
                   o);
        if (QTest::currentTestFailed())
            return;
        check_complete(o, Mode(mode), items, threads, threads, 5);
    }

    void stopMidRun_data() { add_modes(); }

    // 100 items 2 s apart would take minutes: Stop while the consumers wait for the first
    // ones must end the run, with every figure there.
    void stopMidRun()
    {
        QFETCH(int, mode);
        const State waiting = mode == Polling ? State::Sleeping : State::Blocked;
        Stopped s;
        stop_when(
            "condvar",
            {{"mode", mode},
             {"items", 100},
             {"producers", 2},
             {"consumers", 2},
             {"produce_interval_ms", 2000},
             {"poll_ms", 1000}},
            3,
            [waiting](const il::Timeline &t) {
                const auto *c = lane_named(t, "consumer 1");
                return c && now_in(*c, waiting);
            },
            "the consumer never waited", s);
        if (QTest::currentTestFailed())
            return;
        check_kept(s.before, s.timeline);
        check_lanes_of(s.timeline, 2, 2);
        const std::int64_t consumed = s.result.metrics.at("items_consumed").get<std::int64_t>();
        QVERIFY(consumed >= 0 && consumed < 100);
        QVERIFY(s.result.metrics.at("latency_ms_max").get<double>() >= 0.0);
    }
};

QTEST_GUILESS_MAIN(TstCondvar)
#include "tst_condvar.moc"
