#include "collector.h"
#include "params.h"
#include "recorder.h"
#include "registry.h"
#include "spscring.h"
#include "testutil.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <latch>
#include <string>
#include <vector>

// Recording: the per-lane rings, their drop counting, and the collector that drains them
// while producers keep recording. What a user relies on: nothing recorded is silently
// lost, every lane's events stay in order, and an overfull ring says how much it lost.
class TstRecorder : public QObject {
    Q_OBJECT

    static il::EventBuffer drain_all(il::Recorder &recorder)
    {
        il::EventBuffer out;
        recorder.drain(out);
        return out;
    }

private slots:
    void ringCapacityRoundsUpToPowerOfTwo_data()
    {
        QTest::addColumn<qulonglong>("requested");
        QTest::addColumn<qulonglong>("expected");
        QTest::newRow("2") << 2ULL << 2ULL;
        QTest::newRow("3") << 3ULL << 4ULL;
        QTest::newRow("4") << 4ULL << 4ULL;
        QTest::newRow("5") << 5ULL << 8ULL;
        QTest::newRow("1000") << 1000ULL << 1024ULL;
        QTest::newRow("1024") << 1024ULL << 1024ULL;
        QTest::newRow("1025") << 1025ULL << 2048ULL;
        QTest::newRow("65536") << 65536ULL << 65536ULL;
    }

    void ringCapacityRoundsUpToPowerOfTwo()
    {
        QFETCH(qulonglong, requested);
        QFETCH(qulonglong, expected);
        il::SpscRing<int> ring(requested);
        QCOMPARE(qulonglong(ring.capacity()), expected);

        // The whole rounded capacity is usable, and not one slot more.
        for (std::size_t i = 0; i < ring.capacity(); ++i)
            QVERIFY(ring.push(int(i)));
        QVERIFY(!ring.push(-1));
    }

    void ringTinyCapacityStillWorks_data()
    {
        QTest::addColumn<qulonglong>("requested");
        QTest::newRow("0") << 0ULL;
        QTest::newRow("1") << 1ULL;
    }

    void ringTinyCapacityStillWorks()
    {
        QFETCH(qulonglong, requested);
        il::SpscRing<int> ring(requested);
        QVERIFY(ring.capacity() >= 1);
        QVERIFY(std::has_single_bit(ring.capacity()));
        QVERIFY(ring.push(7));
        std::vector<int> out;
        QCOMPARE(ring.drain(out), std::size_t(1));
        QCOMPARE(out, std::vector<int>{7});
    }

    void ringKeepsOrderAcrossWrapAround()
    {
        il::SpscRing<int> ring(8);
        int next = 0;
        int expected = 0;
        // 5 in, 5 out, many times: the indices wrap the 8 slots again and again.
        for (int round = 0; round < 100; ++round) {
            for (int i = 0; i < 5; ++i)
                QVERIFY(ring.push(next++));
            std::vector<int> out;
            QCOMPARE(ring.drain(out), std::size_t(5));
            for (int v : out)
                QCOMPARE(v, expected++);
        }
        std::vector<int> none;
        QCOMPARE(ring.drain(none), std::size_t(0));
    }

    void ringAcceptsAgainAfterDrain()
    {
        il::SpscRing<int> ring(4);
        for (int i = 0; i < 4; ++i)
            QVERIFY(ring.push(i));
        QVERIFY(!ring.push(4));
        std::vector<int> out;
        QCOMPARE(ring.drain(out), std::size_t(4));
        QCOMPARE(out, (std::vector<int>{0, 1, 2, 3})); // the rejected push left no trace
        QVERIFY(ring.push(5));
    }

    // One producer and one consumer on the bare ring, each retrying (yielding) when the
    // ring is full or empty: every value arrives exactly once and in order, and
    // ThreadSanitizer checks that the ring's acquire/release pairs publish the slots.
    void ringConcurrentProducerConsumer()
    {
        const int total = iltest::scaled(500'000);
        il::SpscRing<int> ring(1024);
        std::atomic<bool> producerGaveUp{false};
        const auto deadline = std::chrono::steady_clock::now() + iltest::kHangBound;
        auto late = [&] { return std::chrono::steady_clock::now() > deadline; };
        iltest::Threads threads;
        threads.start([&] {
            for (int i = 0; i < total; ++i)
                while (!ring.push(i)) {
                    if (late()) {
                        producerGaveUp = true;
                        return;
                    }
                    std::this_thread::yield();
                }
        });

        int expected = 0;
        int outOfOrder = 0;
        std::vector<int> out;
        while (expected < total && !late()) {
            out.clear();
            if (ring.drain(out) == 0) {
                std::this_thread::yield();
                continue;
            }
            for (int v : out)
                if (v != expected++)
                    ++outOfOrder;
        }
        QVERIFY(threads.join_within(iltest::kHangBound));
        QVERIFY(!producerGaveUp);
        QCOMPARE(expected, total);
        QCOMPARE(outOfOrder, 0);
    }

    void fullRingCountsDropsExactly_data()
    {
        QTest::addColumn<int>("capacity"); // already a power of two
        QTest::addColumn<int>("pushed");
        QTest::newRow("exactly full") << 8 << 8;
        QTest::newRow("one over") << 8 << 9;
        QTest::newRow("far over") << 8 << 1000;
        QTest::newRow("1024 ring, 5000 pushed") << 1024 << 5000;
        QTest::newRow("default ring, 100000 pushed")
            << int(il::Recorder::kDefaultRingCapacity)
            << int(il::Recorder::kDefaultRingCapacity) + 100'000;
    }

    // Nobody drains: the ring keeps the first `capacity` events, refuses the rest, and
    // counts each refusal. Recording never blocks, so this returns at once.
    void fullRingCountsDropsExactly()
    {
        QFETCH(int, capacity);
        QFETCH(int, pushed);
        il::Recorder recorder{std::size_t(capacity)};
        il::Lane &lane = recorder.add_lane("overfull");
        for (int i = 0; i < pushed; ++i)
            lane.mark(i);

        const std::uint64_t expectedDrops = std::uint64_t(pushed - capacity);
        QCOMPARE(lane.dropped(), expectedDrops);
        QCOMPARE(recorder.dropped(), expectedDrops);

        const auto events = drain_all(recorder);
        QCOMPARE(events.size(), std::size_t(capacity));
        for (int i = 0; i < capacity; ++i)
            QCOMPARE(events[std::size_t(i)].value, std::int64_t(i)); // the oldest are kept

        // Room again after draining. If anything was dropped, the lane first reports
        // the hole (state Unrecorded from the first drop on), then the new event. The
        // drop count is a total and does not go back.
        lane.mark(-1);
        const auto after = drain_all(recorder);
        if (expectedDrops == 0) {
            QCOMPARE(after.size(), std::size_t(1));
        } else {
            QCOMPARE(after.size(), std::size_t(2));
            QCOMPARE(after[0].kind, il::EventKind::State);
            QCOMPARE(after[0].state, il::State::Unrecorded);
            QVERIFY(after[0].t_ns >= events.back().t_ns);
            QVERIFY(after[0].t_ns <= after[1].t_ns);
        }
        QCOMPARE(after.back().value, std::int64_t(-1));
        QCOMPARE(recorder.dropped(), expectedDrops);
    }

    // A run's rings share Recorder::kRingBudgetBytes: a few lanes get the largest rings,
    // many lanes smaller ones (never below kMinRingCapacity), all of one announced group
    // the same. A ring's size is what a lane keeps before it drops.
    void ringsShareTheBudget()
    {
        using R = il::Recorder;
        constexpr std::size_t kEvent = sizeof(il::Event);
        const auto kept = [](il::Lane &lane) {
            const std::size_t pushes = R::kDefaultRingCapacity + 1000;
            for (std::size_t i = 0; i < pushes; ++i)
                lane.mark(std::int64_t(i));
            return pushes - std::size_t(lane.dropped());
        };
        {
            R recorder;
            recorder.expect_lanes(4);
            std::vector<il::Lane *> lanes;
            for (int i = 0; i < 4; ++i)
                lanes.push_back(&recorder.add_lane("few " + std::to_string(i)));
            QCOMPARE(kept(*lanes[0]), R::kDefaultRingCapacity);
            QCOMPARE(kept(*lanes[3]), R::kDefaultRingCapacity);
        }
        {
            R recorder;
            recorder.expect_lanes(64);
            std::vector<il::Lane *> lanes;
            for (int i = 0; i < 64; ++i)
                lanes.push_back(&recorder.add_lane("many " + std::to_string(i)));
            const std::size_t first = kept(*lanes[0]);
            QVERIFY(first >= R::kMinRingCapacity && first < R::kDefaultRingCapacity);
            QVERIFY(64 * first * kEvent <= R::kRingBudgetBytes);
            QCOMPARE(kept(*lanes[63]), first);
        }
        {
            // Unannounced lanes: each as large as the rest of the budget allows.
            R recorder;
            std::vector<il::Lane *> lanes;
            for (int i = 0; i < 40; ++i)
                lanes.push_back(&recorder.add_lane("one by one " + std::to_string(i)));
            std::vector<std::size_t> sizes;
            std::size_t total = 0;
            for (il::Lane *lane : lanes) {
                sizes.push_back(kept(*lane));
                total += sizes.back() * kEvent;
            }
            QCOMPARE(sizes.front(), R::kDefaultRingCapacity);
            QCOMPARE(sizes.back(), R::kMinRingCapacity);
            QVERIFY(std::is_sorted(sizes.rbegin(), sizes.rend())); // never growing again
            QVERIFY(total <= R::kRingBudgetBytes + 40 * R::kMinRingCapacity * kEvent);
        }
    }

    void dropsAddUpOverLanes()
    {
        il::Recorder recorder(16);
        il::Lane &a = recorder.add_lane("a");
        il::Lane &b = recorder.add_lane("b");
        il::Lane &c = recorder.add_lane("c");
        for (int i = 0; i < 20; ++i)
            a.state(il::State::Running);
        for (int i = 0; i < 50; ++i)
            b.counter(1, i);
        for (int i = 0; i < 16; ++i)
            c.mark(i);
        QCOMPARE(a.dropped(), std::uint64_t(4));
        QCOMPARE(b.dropped(), std::uint64_t(34));
        QCOMPARE(c.dropped(), std::uint64_t(0));
        QCOMPARE(recorder.dropped(), std::uint64_t(38));
    }

    // The batch a consumer receives carries the recorder's drop total.
    void batchCarriesDropTotal()
    {
        il::Recorder recorder(64);
        il::Lane &lane = recorder.add_lane("overfull");
        for (int i = 0; i < 100; ++i)
            lane.mark(i);
        il::Collector collector(recorder);
        collector.finish();
        const il::Batch batch = collector.take();
        QCOMPARE(batch.newLanes, std::vector<std::string>{"overfull"});
        QCOMPARE(batch.events.size(), std::size_t(64));
        QCOMPARE(batch.droppedTotal, std::uint64_t(36));
    }

    void lanesAndResourcesAreNamedOnce()
    {
        il::Recorder recorder;
        QCOMPARE(recorder.add_resource("lock"), il::ResourceId(1)); // 0 means "none"
        QCOMPARE(recorder.add_resource("permit"), il::ResourceId(2));
        il::Lane &first = recorder.add_lane("first");
        il::Lane &second = recorder.add_lane("second");
        QCOMPARE(first.id(), il::LaneId(0));
        QCOMPARE(second.id(), il::LaneId(1));

        il::Collector collector(recorder);
        first.state(il::State::Running);
        collector.finish();
        il::Batch batch = collector.take();
        QCOMPARE(batch.newLanes, (std::vector<std::string>{"first", "second"}));
        QCOMPARE(batch.newResources, (std::vector<std::string>{"lock", "permit"}));
        QCOMPARE(batch.events.size(), std::size_t(1));

        batch = collector.take(); // everything was handed over already
        QVERIFY(batch.empty());
        QCOMPARE(batch.droppedTotal, std::uint64_t(0));
    }

    // Collected times are relative to the run's origin and the fields survive intact.
    // A recorder made with Recording::Off hands out lanes that record nothing of any kind,
    // while its names and resources still work; an On recorder's lanes are unaffected.
    void recordingOffRecordsNothing()
    {
        il::Recorder off(64, il::Recording::Off);
        QCOMPARE(off.recording(), il::Recording::Off);
        il::Lane &lane = off.add_lane("quiet");
        QVERIFY(!lane.recording());
        const il::ResourceId r = off.add_resource("r");
        for (int i = 0; i < 1000; ++i) { // more than the ring holds: no drops either
            lane.state(il::State::Critical, r);
            lane.state_at(i, il::State::Running);
            lane.mark(il::kMarkStep);
            lane.counter(r, i);
            lane.acquired(r);
            lane.released(r);
        }
        il::EventBuffer events;
        QCOMPARE(off.drain(events), std::size_t(0));
        QCOMPARE(off.dropped(), std::uint64_t(0));
        QCOMPARE(off.lane_names_from(0), std::vector<std::string>{"quiet"});

        il::Recorder on(64);
        QCOMPARE(on.recording(), il::Recording::On);
        il::Lane &loud = on.add_lane("loud");
        QVERIFY(loud.recording());
        loud.state(il::State::Running);
        loud.mark(il::kMarkStep);
        QCOMPARE(on.drain(events), std::size_t(2));
    }

    // Forked children record through lanes of their own over shared rings: with recording
    // off they record nothing either, and the scenario still runs and reports.
    void recordingOffReachesForkedChildren()
    {
        const il::Scenario *scenario = il::find_scenario("processes");
        QVERIFY(scenario);
        il::ParamValues params = il::default_params(scenario->info());
        params["processes"] = 3;
        params["max_sleep_ms"] = 0;
        il::Recorder recorder(1024, il::Recording::Off);
        std::stop_source stop;
        il::RunContext ctx{recorder, params, stop.get_token(), 7};
        const il::Json metrics = scenario->run(ctx);
        QVERIFY(!metrics.empty());
        QVERIFY(recorder.lane_names_from(0).size() >= 3); // a lane per child
        il::EventBuffer events;
        QCOMPARE(recorder.drain(events), std::size_t(0));
        QCOMPARE(recorder.dropped(), std::uint64_t(0));
    }

    void collectedEventsAreRelativeToOrigin()
    {
        il::Recorder recorder;
        il::Lane &lane = recorder.add_lane("lane");
        const std::int64_t before = il::now_ns() - recorder.origin_ns();
        lane.state(il::State::Blocked, 3);
        lane.mark(42, 5);
        lane.counter(7, -9);
        const std::int64_t after = il::now_ns() - recorder.origin_ns();
        il::Collector collector(recorder);
        collector.finish();
        const il::Batch batch = collector.take();
        QCOMPARE(batch.events.size(), std::size_t(3));
        for (const il::Event &e : batch.events) {
            QVERIFY(e.t_ns >= before);
            QVERIFY(e.t_ns <= after);
            QCOMPARE(e.lane, lane.id());
        }
        QCOMPARE(batch.events[0].kind, il::EventKind::State);
        QCOMPARE(batch.events[0].state, il::State::Blocked);
        QCOMPARE(batch.events[0].resource, il::ResourceId(3));
        QCOMPARE(batch.events[1].kind, il::EventKind::Mark);
        QCOMPARE(batch.events[1].value, std::int64_t(42));
        QCOMPARE(batch.events[1].resource, il::ResourceId(5));
        QCOMPARE(batch.events[2].kind, il::EventKind::Counter);
        QCOMPARE(batch.events[2].resource, il::ResourceId(7));
        QCOMPARE(batch.events[2].value, std::int64_t(-9));
    }

    void collectorKeepsEverything_data()
    {
        QTest::addColumn<int>("producers");
        // Small ring: the ring wraps many times, and producers wait for the consumer
        // whenever their ring might be full, so no drop is allowed either.
        QTest::addColumn<bool>("smallRing");
        for (int n : {1, 2, 3, 7, 16}) {
            QTest::addRow("%d producers, ample ring", n) << n << false;
            QTest::addRow("%d producers, small ring", n) << n << true;
        }
    }

    // Producers record concurrently (each registering its own lane while the collector
    // runs) and the test thread takes batches as the GUI would. Every event arrives,
    // after its lane's name, and each lane's events keep their order.
    void collectorKeepsEverything()
    {
        QFETCH(int, producers);
        QFETCH(bool, smallRing);
        const int perProducer = iltest::scaled(20'000);
        const std::int64_t capacity =
            smallRing ? 1024 : std::int64_t(std::bit_ceil(std::size_t(perProducer)));
        const auto count = std::size_t(producers);

        il::Recorder recorder{std::size_t(capacity)};
        il::Collector collector(recorder);
        // Written by the consumer, read by producers: how much of each lane was taken.
        std::vector<std::atomic<std::int64_t>> taken(count);
        std::vector<il::LaneId> laneOf(count);
        std::atomic<int> pacingTimeouts{0};
        std::latch go(producers);

        std::vector<std::string> names;
        std::vector<std::int64_t> received(count, 0);
        std::vector<std::int64_t> lastTime(count, 0);
        std::int64_t unnamed = 0;
        std::int64_t misordered = 0;
        std::int64_t wrongKind = 0;
        std::uint64_t droppedTotal = 0;
        auto consume = [&](const il::Batch &batch) {
            names.insert(names.end(), batch.newLanes.begin(), batch.newLanes.end());
            droppedTotal = batch.droppedTotal;
            for (const il::Event &e : batch.events) {
                if (e.lane >= names.size() || e.lane >= count) {
                    ++unnamed;
                    continue;
                }
                if (e.kind != il::EventKind::Mark)
                    ++wrongKind;
                // The sequence number must be exactly the next one: no loss, no reorder.
                if (e.value != received[e.lane] || e.t_ns < lastTime[e.lane])
                    ++misordered;
                lastTime[e.lane] = e.t_ns;
                ++received[e.lane];
            }
            for (std::size_t i = 0; i < count; ++i)
                taken[i].store(received[i], std::memory_order_release);
        };

        {
            iltest::Threads threads;
            for (int p = 0; p < producers; ++p)
                threads.start([&, p] {
                    il::Lane &lane = recorder.add_lane("producer " + std::to_string(p));
                    laneOf[std::size_t(p)] = lane.id();
                    go.arrive_and_wait();
                    const auto &mine = taken[lane.id()];
                    for (std::int64_t k = 0; k < perProducer; ++k) {
                        // What the consumer took has left the ring, so below this the
                        // push cannot find the ring full.
                        if (k - mine.load(std::memory_order_acquire) >= capacity &&
                            !iltest::await([&] {
                                return k - mine.load(std::memory_order_acquire) < capacity;
                            }))
                            ++pacingTimeouts;
                        lane.mark(k);
                    }
                });

            il::Batch batch; // handed back on every take, as a long-lived consumer does
            const bool done = iltest::await(
                [&] {
                    collector.take(batch);
                    consume(batch);
                    return threads.returned() == count;
                },
                std::chrono::milliseconds(60'000));
            QVERIFY2(done, "producers did not finish in time");
            QVERIFY(threads.join_within(iltest::kHangBound));
        }
        collector.finish();
        consume(collector.take());

        QCOMPARE(pacingTimeouts.load(), 0);
        QCOMPARE(droppedTotal, std::uint64_t(0));
        QCOMPARE(recorder.dropped(), std::uint64_t(0));
        QCOMPARE(unnamed, std::int64_t(0));
        QCOMPARE(wrongKind, std::int64_t(0));
        QCOMPARE(misordered, std::int64_t(0));
        QCOMPARE(names.size(), count);
        for (std::size_t p = 0; p < count; ++p) {
            const il::LaneId id = laneOf[p];
            QCOMPARE(names[id], "producer " + std::to_string(p));
            QCOMPARE(received[id], std::int64_t(perProducer));
        }
    }
};

QTEST_GUILESS_MAIN(TstRecorder)
#include "tst_recorder.moc"
