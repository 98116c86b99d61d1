#include "collector.h"
#include "recorder.h"
#include "run.h"
#include "stats.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// Overload (issue 8, item 6): when events come faster than they can be kept, recording
// drops them and counts them, nothing blocks or crashes, and the count a user reads in the
// stats JSON (dropped_events) is exactly what is missing from the recording: per lane and
// in total, kept + dropped == produced. The ring-level counting is in tst_recorder; here
// the whole way, rings → collector → timeline → stats, with producers on real threads,
// a consumer that keeps up or is away, and a forked child's shared ring.

namespace {

// Floods its lanes with numbered marks (0, 1, 2, …) from one thread each, as fast as it
// can: at least `events` per lane, and on until the lane has dropped some, which a small
// ring drained once a millisecond makes certain. Reports what each lane produced and what
// the lane itself counted as dropped.
class FloodScenario final : public il::Scenario {
public:
    const il::ScenarioInfo &info() const override
    {
        static const il::ScenarioInfo info{
            "flood",
            "Flood",
            "Records faster than anything can keep.",
            {il::ParamSpec::integer("lanes", "Lanes", 1, 16, 4),
             il::ParamSpec::integer("events", "Events per lane", 1, 10'000'000, 50'000)},
            {"produced", "dropped"}};
        return info;
    }

    il::Json run(il::RunContext &ctx) const override
    {
        const auto lanes = std::size_t(ctx.param("lanes"));
        const std::int64_t atLeast = ctx.param("events");
        std::vector<std::int64_t> produced(lanes, 0);
        std::vector<std::int64_t> dropped(lanes, 0);
        {
            std::vector<std::jthread> threads;
            for (std::size_t l = 0; l < lanes; ++l)
                threads.emplace_back([&, l] {
                    il::Lane &lane = ctx.recorder.add_lane("flood " + std::to_string(l));
                    std::int64_t k = 0;
                    while ((k < atLeast || lane.dropped() == 0) && !ctx.stop.stop_requested())
                        lane.mark(k++);
                    produced[l] = k;
                    dropped[l] = std::int64_t(lane.dropped());
                });
        }
        return il::Json{{"produced", produced}, {"dropped", dropped}};
    }
};

// What a consumer saw of one lane of numbered marks.
struct LaneTally {
    std::int64_t kept = 0;       // marks received
    std::int64_t next = 0;       // the number the next mark has if none was lost
    std::int64_t holes = 0;      // marks that came after lost ones
    std::int64_t markers = 0;    // Unrecorded events: "lost from here on"
    std::int64_t unmarked = 0;   // a hole without a marker before it
    std::int64_t needless = 0;   // a marker before a mark that follows on without a hole
    std::int64_t misordered = 0; // a number that went back, or a time that did
    bool markerPending = false;
    std::int64_t lastT = 0;
};

// Everything a consumer received, lane by lane (by name: producers add their lanes in
// whatever order they start).
struct Tally {
    std::vector<std::string> names;
    std::map<std::string, LaneTally> lanes;
    std::int64_t others = 0; // events that are neither numbered marks nor markers
    std::uint64_t droppedTotal = 0;

    void add(const il::Batch &batch)
    {
        names.insert(names.end(), batch.newLanes.begin(), batch.newLanes.end());
        droppedTotal = batch.droppedTotal;
        for (const il::Event &e : batch.events) {
            LaneTally &t = lanes[names.at(e.lane)];
            if (e.t_ns < t.lastT)
                ++t.misordered;
            t.lastT = e.t_ns;
            if (e.kind == il::EventKind::State && e.state == il::State::Unrecorded) {
                // Several in a row when the event after a marker was lost as well.
                ++t.markers;
                t.markerPending = true;
            } else if (e.kind == il::EventKind::Mark) {
                if (e.value < t.next)
                    ++t.misordered;
                else if (e.value > t.next) {
                    ++t.holes;
                    t.unmarked += t.markerPending ? 0 : 1;
                } else if (t.markerPending) {
                    ++t.needless;
                }
                t.markerPending = false;
                t.next = e.value + 1;
                ++t.kept;
            } else {
                ++others;
            }
        }
    }
};

std::int64_t sum(const il::Json &values)
{
    std::int64_t total = 0;
    for (const auto &v : values)
        total += v.get<std::int64_t>();
    return total;
}

} // namespace

class TstOverload : public QObject {
    Q_OBJECT

private slots:
    // Bursts larger than the ring, drained in between, in one thread: every number is
    // known. Each burst keeps what fits (after the first, a slot goes to the marker of the
    // hole before it), the rest is counted, and the timeline and the stats JSON say the
    // same.
    void burstsAreCountedExactly()
    {
        constexpr std::int64_t kRing = 8;
        constexpr std::int64_t kBurst = 20;
        il::Recorder recorder{std::size_t(kRing)};
        il::Lane &bursty = recorder.add_lane("bursty");
        il::Lane &calm = recorder.add_lane("calm");
        il::Timeline timeline;
        Tally tally;
        std::int64_t k = 0;
        for (int burst = 0; burst < 3; ++burst) {
            for (std::int64_t i = 0; i < kBurst; ++i)
                bursty.mark(k++);
            calm.mark(burst);
            il::Batch batch;
            if (burst == 0)
                batch.newLanes = recorder.lane_names_from(0);
            recorder.drain(batch.events);
            batch.droppedTotal = recorder.dropped();
            tally.add(batch);
            timeline.apply(batch);
        }
        // Kept: 8, then 7 + a marker, twice. Lost: 12, 13, 13.
        const LaneTally &b = tally.lanes["bursty"];
        QCOMPARE(b.kept, std::int64_t(8 + 7 + 7));
        QCOMPARE(b.markers, std::int64_t(2));
        QCOMPARE(b.holes, std::int64_t(2));
        QCOMPARE(b.unmarked + b.needless + b.misordered, std::int64_t(0));
        QCOMPARE(bursty.dropped(), std::uint64_t(3 * kBurst - b.kept));
        QCOMPARE(tally.lanes["calm"].kept, std::int64_t(3));
        QCOMPARE(calm.dropped(), std::uint64_t(0));
        QCOMPARE(recorder.dropped(), std::uint64_t(38));

        QCOMPARE(timeline.lanes().size(), std::size_t(2));
        QCOMPARE(std::int64_t(timeline.lanes()[bursty.id()].marks.size()), b.kept);
        QVERIFY(timeline.has_state(il::State::Unrecorded));
        timeline.close(timeline.end_ns());
        const FloodScenario flood;
        const il::ParamValues params{{"lanes", 2}, {"events", kBurst}};
        const il::Json stats = il::make_stats(flood.info(), params, 1, {}, timeline);
        QCOMPARE(stats["dropped_events"].get<std::uint64_t>(), std::uint64_t(38));
        QCOMPARE(stats["events"].get<std::uint64_t>(), std::uint64_t(22 + 2 + 3));
        QCOMPARE(stats["discarded_events"].get<std::uint64_t>(), std::uint64_t(0));
    }

    // A lane whose last events were dropped must not show its last recorded state to the
    // end of the run: once nothing records any more, the hole gets its marker as soon as
    // the ring has room.
    void lastEventsLostEndInAHole()
    {
        il::Recorder recorder{std::size_t(4)};
        il::Lane &lane = recorder.add_lane("worker");
        lane.state(il::State::Running);
        for (int i = 0; i < 3; ++i)
            lane.mark(i);
        lane.state(il::State::Critical); // the ring is full: dropped, like everything after
        lane.state(il::State::Finished);
        QVERIFY(!recorder.close_holes()); // no room for the marker yet
        il::Batch batch;
        batch.newLanes = recorder.lane_names_from(0);
        recorder.drain(batch.events);
        QVERIFY(recorder.close_holes());
        QVERIFY(recorder.close_holes()); // once is enough
        recorder.drain(batch.events);
        il::Timeline timeline;
        timeline.apply(batch);
        timeline.close(timeline.end_ns() + 1000);
        const auto &segments = timeline.lanes()[0].segments;
        QCOMPARE(segments.size(), std::size_t(2));
        QCOMPARE(segments[0].state, il::State::Running);
        QCOMPARE(segments[1].state, il::State::Unrecorded); // not "running" to the end
        QCOMPARE(lane.dropped(), std::uint64_t(2));
    }

    void overloadedRunKeepsExactAccount_data()
    {
        QTest::addColumn<int>("lanes");
        QTest::addColumn<int>("ring");
        QTest::addColumn<bool>("consumerKeepsUp"); // or takes nothing until the run ended
        QTest::addColumn<int>("backlog");          // the collector's bound, 0: the default
        QTest::addColumn<int>("events");           // at least, per lane
        const int some = iltest::scaled(50'000);
        QTest::newRow("1 lane, ring of 2") << 1 << 2 << true << 0 << some;
        QTest::newRow("4 lanes, ring of 64") << 4 << 64 << true << 0 << some;
        QTest::newRow("4 lanes, ring of 64, consumer away") << 4 << 64 << false << 0 << some;
        QTest::newRow("8 lanes, ring of 1024") << 8 << 1024 << true << 0 << some;
        QTest::newRow("8 lanes, ring of 1024, consumer away") << 8 << 1024 << false << 0 << some;
        // Long enough for the collector to drain many times over: unbounded, it would
        // keep nearly everything.
        QTest::newRow("2 lanes, ring of 4096, consumer away, backlog of 4096")
            << 2 << 4096 << false << 4096 << iltest::scaled(2'000'000);
    }

    // A real run whose threads record faster than the collector drains: the run finishes
    // (recording never waits), every lane's marks arrive in order with a marker before
    // each hole, and per lane and in total what arrived plus what was counted as dropped
    // is what was produced: in the batches, the timeline and the stats JSON alike. With
    // a bound on the collector's backlog and the consumer away, the collector keeps no
    // more than the bound (and what the rings held when it stopped and when the run ended)
    // and the rest is dropped and counted like any overflow.
    void overloadedRunKeepsExactAccount()
    {
        QFETCH(int, lanes);
        QFETCH(int, ring);
        QFETCH(bool, consumerKeepsUp);
        QFETCH(int, backlog);
        QFETCH(int, events);
        const FloodScenario flood;
        const il::ParamValues params{{"lanes", lanes}, {"events", events}};
        il::Timeline timeline;
        Tally tally;
        il::RunResult result;
        {
            il::RunOptions options{true, std::size_t(ring)};
            if (backlog > 0)
                options.maxBacklogEvents = std::size_t(backlog);
            il::Run run(flood, params, 1, options);
            il::Batch batch;
            const auto consume = [&] {
                run.take(batch);
                tally.add(batch);
                timeline.apply(batch);
            };
            const bool finished = iltest::await([&] {
                if (consumerKeepsUp)
                    consume();
                return run.finished();
            });
            QVERIFY2(finished, "the flooding run did not finish: recording blocked");
            consume();
            result = run.result();
        }
        timeline.close(result.durationNs);
        QVERIFY2(result.completed(), result.error.c_str());

        const il::Json &produced = result.metrics["produced"];
        const il::Json &dropped = result.metrics["dropped"];
        QCOMPARE(tally.names.size(), std::size_t(lanes));
        QCOMPARE(tally.others, std::int64_t(0));
        std::int64_t kept = 0;
        std::int64_t markers = 0;
        for (int l = 0; l < lanes; ++l) {
            const std::string name = "flood " + std::to_string(l);
            const LaneTally &t = tally.lanes[name];
            const auto made = produced[std::size_t(l)].get<std::int64_t>();
            const auto lost = dropped[std::size_t(l)].get<std::int64_t>();
            QVERIFY2(lost > 0, name.c_str()); // overloaded indeed
            QCOMPARE(t.kept + lost, made);
            QVERIFY(t.next <= made);       // no number beyond what was made
            QVERIFY(t.markers >= t.holes); // a marker may be followed by a lost event
            QCOMPARE(t.unmarked, std::int64_t(0));
            QCOMPARE(t.needless, std::int64_t(0));
            QCOMPARE(t.misordered, std::int64_t(0));
            const il::TimelineLane *lane = iltest::lane_named(timeline, name);
            QVERIFY(lane);
            QCOMPARE(std::int64_t(lane->marks.size()), t.kept);
            kept += t.kept;
            markers += t.markers;
        }
        if (backlog > 0)
            QVERIFY(kept + markers <= backlog + 2 * lanes * ring);
        const std::int64_t missing = sum(produced) - kept;
        QCOMPARE(missing, sum(dropped));
        QCOMPARE(std::int64_t(tally.droppedTotal), missing);
        QCOMPARE(std::int64_t(timeline.dropped()), missing);
        // A hole is drawn from its marker on; one at a lane's very end has none (there was
        // no room left for it), but is counted all the same.
        QCOMPARE(timeline.has_state(il::State::Unrecorded), markers > 0);

        const il::Json stats = il::make_stats(flood.info(), params, 1, result, timeline);
        QCOMPARE(stats["dropped_events"].get<std::int64_t>(), missing);
        QCOMPARE(stats["events"].get<std::int64_t>(), kept + markers);
        QCOMPARE(stats["discarded_events"].get<std::int64_t>(), std::int64_t(0));
        QCOMPARE(stats["stopped_by"].get<std::string>(), std::string("finished"));
    }

    // A forked child records into a ring in shared memory: what it drops is counted in
    // that memory, so the parent reads the child's count after the child is gone.
    void forkedChildDropsAreCounted()
    {
        constexpr std::int64_t kRing = 16;
        constexpr std::int64_t kMade = 1000;
        il::Recorder recorder;
        std::unique_ptr<il::EventRing> shared = il::make_shared_ring(kRing);
        il::EventRing &ring = *shared;
        const il::LaneId id = recorder.add_lane("child", std::move(shared)).id();
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) { // the child: async-signal-safe from here on
            il::Lane lane(id, ring);
            for (std::int64_t k = 0; k < kMade; ++k)
                lane.mark(k);
            _exit(lane.dropped() == std::uint64_t(kMade - kRing) ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(waitpid(pid, &status, 0), pid);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);

        il::Collector collector(recorder);
        collector.finish();
        Tally tally;
        tally.add(collector.take());
        const LaneTally &t = tally.lanes["child"];
        QCOMPARE(t.kept, kRing);
        QCOMPARE(t.next, kRing); // the oldest are kept
        QCOMPARE(tally.droppedTotal, std::uint64_t(kMade - kRing));
        QCOMPARE(recorder.dropped(), std::uint64_t(kMade - kRing));
    }
};

QTEST_GUILESS_MAIN(TstOverload)
#include "tst_overload.moc"
