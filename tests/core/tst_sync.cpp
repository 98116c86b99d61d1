#include "collector.h"
#include "recorder.h"
#include "sync.h"
#include "testutil.h"
#include "timeline.h"

#include <QTest>

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <latch>
#include <stop_token>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;
using il::State;

namespace {

// Drains `recorder` (no collector running: this thread is the ring's only consumer)
// into `all`, and reports whether `lane` has recorded `state` yet.
bool has_recorded(il::Recorder &recorder, il::EventBuffer &all, il::LaneId lane, State state)
{
    recorder.drain(all);
    for (const il::Event &e : all)
        if (e.lane == lane && e.kind == il::EventKind::State && e.state == state)
            return true;
    return false;
}

std::vector<std::pair<State, il::ResourceId>> states_on(const il::EventBuffer &events,
                                                        il::LaneId lane)
{
    std::vector<std::pair<State, il::ResourceId>> out;
    for (const il::Event &e : events)
        if (e.lane == lane && e.kind == il::EventKind::State)
            out.emplace_back(e.state, e.resource);
    return out;
}

// A semaphore with no free permit: either made with none, or with one that a holder
// has taken.
template <typename Semaphore> struct ExhaustedSemaphore {
    ExhaustedSemaphore(il::Recorder &recorder, bool madeEmpty)
        : semaphore(recorder, "semaphore", madeEmpty ? 0 : 1)
        , holder(recorder.add_lane("holder"))
    {
        if (!madeEmpty)
            held = semaphore.acquire(holder, std::stop_token());
    }
    Semaphore semaphore;
    il::Lane &holder;
    bool held = false;
};

template <typename Semaphore> void never_admits_more_than(int permits)
{
    const int workers = 16;
    const int rounds = iltest::scaled(300);
    il::Recorder recorder;
    il::Collector collector(recorder);
    Semaphore semaphore(recorder, "semaphore", permits);
    std::atomic<int> inside{0};
    std::atomic<int> maxInside{0};
    std::atomic<int> refused{0};
    std::latch go(workers);
    {
        iltest::Threads pool;
        for (int i = 0; i < workers; ++i) {
            il::Lane *lane = &recorder.add_lane("worker " + std::to_string(i));
            pool.start([&, lane] {
                std::stop_source never;
                go.arrive_and_wait();
                for (int r = 0; r < rounds; ++r) {
                    if (!semaphore.acquire(*lane, never.get_token())) {
                        ++refused;
                        return;
                    }
                    const int now = inside.fetch_add(1) + 1;
                    int seen = maxInside.load();
                    while (seen < now && !maxInside.compare_exchange_weak(seen, now)) {
                    }
                    std::this_thread::yield(); // let others try to get in meanwhile
                    inside.fetch_sub(1);
                    semaphore.release(*lane);
                }
            });
        }
        QVERIFY2(pool.join_within(30s), "workers did not finish");
    }
    collector.finish();

    QCOMPARE(refused.load(), 0);
    QVERIFY(maxInside.load() >= 1);
    QVERIFY2(maxInside.load() <= permits, qPrintable(QString::number(maxInside.load())));

    il::Timeline timeline;
    timeline.apply(collector.take());
    timeline.close(timeline.end_ns());
    QCOMPARE(timeline.dropped(), std::uint64_t(0));
    QVERIFY(iltest::max_overlap(timeline, State::Critical, semaphore.resource()) <= permits);

    const auto &samples = timeline.counters().at(semaphore.resource());
    QCOMPARE(samples.size(), std::size_t(2 * workers * rounds)); // one per acquire/release
    for (const auto &s : samples)
        QVERIFY(s.value >= 0 && s.value <= permits);
}

template <typename Semaphore> void gives_up_on_stop(bool madeEmpty)
{
    il::Recorder recorder;
    ExhaustedSemaphore<Semaphore> fixture(recorder, madeEmpty);
    QCOMPARE(fixture.held, !madeEmpty);
    Semaphore &semaphore = fixture.semaphore;
    il::Lane &waiter = recorder.add_lane("waiter");

    std::atomic<int> acquired{-1};
    iltest::Threads threads;
    threads.start(
        [&](std::stop_token stop) { acquired = semaphore.acquire(waiter, stop) ? 1 : 0; });
    il::EventBuffer events;
    QVERIFY2(
        iltest::await([&] { return has_recorded(recorder, events, waiter.id(), State::Blocked); }),
        "the waiter never recorded Blocked");
    QCOMPARE(acquired.load(), -1);

    threads.request_stop();
    QVERIFY2(threads.join_within(iltest::kHangBound), "acquire() ignored the stop");
    QCOMPARE(acquired.load(), 0);
    recorder.drain(events);
    const auto waited = states_on(events, waiter.id());
    QCOMPARE(waited.size(), std::size_t(2));
    QCOMPARE(waited[0].first, State::Blocked);
    QCOMPARE(waited[0].second, semaphore.resource());
    QCOMPARE(waited[1].first, State::Running);
    QCOMPARE(waited[1].second, il::kNoResource);
    QVERIFY(semaphore.wait_ns() > 0);

    // The abandoned wait took no permit: a release makes exactly one available.
    semaphore.release(fixture.holder); // gives its permit back, or adds the first one
    std::stop_source never;
    QVERIFY(semaphore.acquire(waiter, never.get_token()));
    std::stop_source stopped;
    stopped.request_stop();
    QVERIFY(!semaphore.acquire(fixture.holder, stopped.get_token())); // none left
    semaphore.release(waiter);
    QCOMPARE(recorder.dropped(), std::uint64_t(0));
}

} // namespace

// The instrumented primitives scenarios are built from: they must exclude as promised,
// record what their users go through, and give up promptly when asked to stop.
class TstSync : public QObject {
    Q_OBJECT

private slots:
    void sleepForSleeps()
    {
        std::stop_source never;
        const auto t0 = std::chrono::steady_clock::now();
        QVERIFY(il::sleep_for(never.get_token(), 2ms));
        // A lower bound only: an early return would be a bug, a late one is scheduling.
        QVERIFY(std::chrono::steady_clock::now() - t0 >= 2ms);
        QVERIFY(il::sleep_for(never.get_token(), 0ns));
        QVERIFY(il::sleep_for(std::stop_token(), 1ns)); // a token that cannot stop
    }

    void sleepForAlreadyStoppedReturnsFalse()
    {
        std::stop_source stopped;
        stopped.request_stop();
        bool slept = true;
        iltest::Threads threads;
        threads.start([&] { slept = il::sleep_for(stopped.get_token(), 1h); });
        QVERIFY2(threads.join_within(iltest::kHangBound), "sleep_for ignored a stopped token");
        QVERIFY(!slept);
    }

    // Stop while the sleep is under way: it returns false long before the hour is up.
    void sleepForReturnsPromptlyWhenStopped()
    {
        std::atomic<int> result{-1};
        std::latch started(2);
        iltest::Threads threads;
        threads.start([&](std::stop_token stop) {
            started.arrive_and_wait();
            result = il::sleep_for(stop, 1h) ? 1 : 0;
        });
        started.arrive_and_wait();
        threads.request_stop();
        QVERIFY2(threads.join_within(iltest::kHangBound), "sleep_for did not notice the stop");
        QCOMPARE(result.load(), 0);
    }

    void mutexExactCounts_data()
    {
        QTest::addColumn<int>("threads");
        for (int n : {1, 2, 3, 7})
            QTest::addRow("%d threads", n) << n;
    }

    // Increments of a plain, non-atomic counter under the lock: the total is exact, the
    // occupancy inside never exceeds one, the recorded critical sections never overlap,
    // and (under ThreadSanitizer) lock/unlock order the plain accesses.
    void mutexExactCounts()
    {
        QFETCH(int, threads);
        const int perThread = iltest::scaled(20'000);
        // At most 3 events per iteration (blocked, critical, running): the ring holds
        // them all, so the record can be checked in full.
        il::Recorder recorder(std::bit_ceil(std::size_t(3 * perThread + 1)));
        il::Collector collector(recorder);
        il::InstrumentedMutex mutex(recorder, "counter mutex");
        std::int64_t counter = 0; // deliberately not atomic
        std::atomic<int> inside{0};
        std::atomic<int> maxInside{0};
        std::atomic<int> refused{0};
        std::latch go(threads); // all start together, or the first may finish alone
        {
            iltest::Threads pool;
            for (int i = 0; i < threads; ++i) {
                il::Lane *lane = &recorder.add_lane("thread " + std::to_string(i));
                pool.start([&, lane] {
                    std::stop_source never;
                    go.arrive_and_wait();
                    for (int k = 0; k < perThread; ++k) {
                        if (!mutex.lock(*lane, never.get_token())) {
                            ++refused;
                            return;
                        }
                        const int now = inside.fetch_add(1) + 1;
                        int seen = maxInside.load();
                        while (seen < now && !maxInside.compare_exchange_weak(seen, now)) {
                        }
                        ++counter;
                        inside.fetch_sub(1);
                        mutex.unlock(*lane);
                    }
                });
            }
            QVERIFY2(pool.join_within(30s), "threads did not finish");
        }
        collector.finish();

        QCOMPARE(refused.load(), 0);
        QCOMPARE(counter, std::int64_t(threads) * perThread);
        QCOMPARE(maxInside.load(), 1);
        QVERIFY(mutex.wait_ns() >= 0);
        if (threads == 1)
            QCOMPARE(mutex.wait_ns(), std::int64_t(0)); // never contended

        il::Timeline timeline;
        timeline.apply(collector.take());
        timeline.close(timeline.end_ns());
        QCOMPARE(timeline.dropped(), std::uint64_t(0));
        QCOMPARE(timeline.lanes().size(), std::size_t(threads));
        for (const auto &lane : timeline.lanes()) {
            int critical = 0;
            for (const auto &seg : lane.segments)
                critical += seg.state == State::Critical ? 1 : 0;
            QCOMPARE(critical, perThread); // one critical section per increment
        }
        QCOMPARE(iltest::max_overlap(timeline, State::Critical, mutex.resource()), 1);
    }

    void semaphoreNeverAdmitsMoreThanPermits_data()
    {
        QTest::addColumn<int>("permits");
        QTest::addColumn<bool>("standard");
        for (const bool standard : {false, true})
            for (int n : {1, 2, 3, 7})
                QTest::addRow("%s, %d permits", standard ? "std" : "mutex+condvar", n)
                    << n << standard;
    }

    // Many workers go through the semaphore again and again; an occupancy counter
    // inside, the recorded critical sections and the free-permit counter all stay
    // within `permits`.
    void semaphoreNeverAdmitsMoreThanPermits()
    {
        QFETCH(int, permits);
        QFETCH(bool, standard);
        if (standard)
            never_admits_more_than<il::InstrumentedStdSemaphore>(permits);
        else
            never_admits_more_than<il::InstrumentedSemaphore>(permits);
    }

    // Another thread holds the lock and never lets go: the waiter records Blocked, and
    // on stop returns false promptly and records Running without the lock.
    void mutexLockGivesUpOnStop()
    {
        il::Recorder recorder;
        il::InstrumentedMutex mutex(recorder, "m");
        il::Lane &holder = recorder.add_lane("holder");
        il::Lane &waiter = recorder.add_lane("waiter");
        std::stop_source never;
        QVERIFY(mutex.lock(holder, never.get_token()));

        std::atomic<int> locked{-1};
        iltest::Threads threads;
        threads.start([&](std::stop_token stop) { locked = mutex.lock(waiter, stop) ? 1 : 0; });
        il::EventBuffer events;
        QVERIFY2(iltest::await(
                     [&] { return has_recorded(recorder, events, waiter.id(), State::Blocked); }),
                 "the waiter never recorded Blocked");
        QCOMPARE(locked.load(), -1); // still waiting: the holder has not let go

        threads.request_stop();
        QVERIFY2(threads.join_within(iltest::kHangBound), "lock() ignored the stop");
        QCOMPARE(locked.load(), 0);
        recorder.drain(events);
        const auto waited = states_on(events, waiter.id());
        QCOMPARE(waited.size(), std::size_t(2));
        QCOMPARE(waited[0].first, State::Blocked);
        QCOMPARE(waited[0].second, mutex.resource());
        QCOMPARE(waited[1].first, State::Running);
        QCOMPARE(waited[1].second, il::kNoResource);
        QVERIFY(mutex.wait_ns() > 0);

        // The abandoned wait left the lock intact: still held, then free again.
        mutex.unlock(holder);
        QVERIFY(mutex.lock(waiter, never.get_token()));
        mutex.unlock(waiter);
        QCOMPARE(recorder.dropped(), std::uint64_t(0));
    }

    // Two waiters, one of them stopped at the moment the holder unlocks: whichever of
    // them the unlock woke, the other still gets the lock (a stopped waiter passes a wake
    // it cannot use on), and the stopped one gives up. Repeated to meet the interleavings.
    void mutexStoppedWaiterPassesTheWakeOn()
    {
        il::Recorder recorder;
        il::InstrumentedMutex mutex(recorder, "m");
        il::Lane &holder = recorder.add_lane("holder");
        il::Lane &quitter = recorder.add_lane("quitter");
        il::Lane &stayer = recorder.add_lane("stayer");
        std::stop_source never;
        for (int round = 0; round < iltest::scaled(200); ++round) {
            QVERIFY(mutex.lock(holder, never.get_token()));
            std::stop_source quit;
            std::atomic<int> quitterGot{-1}, stayerGot{-1};
            iltest::Threads threads;
            threads.start([&] { quitterGot = mutex.lock(quitter, quit.get_token()) ? 1 : 0; });
            threads.start([&] { stayerGot = mutex.lock(stayer, never.get_token()) ? 1 : 0; });
            if (round % 2 == 0)
                std::this_thread::sleep_for(std::chrono::microseconds(200)); // both asleep
            quit.request_stop();
            mutex.unlock(holder);
            // The quitter returns either way: with the lock if it was free when it looked
            // (its lane is no longer used by its thread then), or without it on the stop.
            QVERIFY2(iltest::await([&] { return quitterGot.load() >= 0; }),
                     "a stopped waiter kept waiting");
            if (quitterGot.load() == 1)
                mutex.unlock(quitter);
            QVERIFY2(iltest::await([&] { return stayerGot.load() >= 0; }),
                     "a waiter slept on although the lock was free");
            QCOMPARE(stayerGot.load(), 1);
            mutex.unlock(stayer);
            QVERIFY(threads.join_within(iltest::kHangBound));
            il::EventBuffer drained;
            recorder.drain(drained);
        }
    }

    // A stop requested before lock() is called still lets a free lock be taken (there is
    // nothing to wait for), but gives up at once on a held one.
    void mutexLockWithStoppedToken()
    {
        il::Recorder recorder;
        il::InstrumentedMutex mutex(recorder, "m");
        il::Lane &a = recorder.add_lane("a");
        il::Lane &b = recorder.add_lane("b");
        std::stop_source stopped;
        stopped.request_stop();
        QVERIFY(mutex.lock(a, stopped.get_token()));
        std::atomic<int> locked{-1};
        {
            iltest::Threads threads;
            threads.start([&] { locked = mutex.lock(b, stopped.get_token()) ? 1 : 0; });
            QVERIFY(threads.join_within(iltest::kHangBound));
        }
        QCOMPARE(locked.load(), 0);
        mutex.unlock(a);
    }

    // An uncontended lock+unlock records one timestamp for each end of the critical
    // section: with holds recorded, Acquire goes with Critical and Release with Running,
    // each pair at one moment, in that order; with recording off, nothing at all.
    void mutexUncontendedRecordsOneStampPerEnd_data()
    {
        QTest::addColumn<bool>("recordHolds");
        QTest::addColumn<bool>("recording");
        QTest::newRow("states") << false << true;
        QTest::newRow("states and holds") << true << true;
        QTest::newRow("recording off") << true << false;
    }
    void mutexUncontendedRecordsOneStampPerEnd()
    {
        QFETCH(bool, recordHolds);
        QFETCH(bool, recording);
        il::Recorder recorder(il::Recorder::kDefaultRingCapacity,
                              recording ? il::Recording::On : il::Recording::Off);
        il::InstrumentedMutex mutex(recorder, "m", recordHolds);
        il::Lane &lane = recorder.add_lane("a");
        QVERIFY(mutex.lock(lane, std::stop_token()));
        mutex.unlock(lane);
        il::EventBuffer events;
        recorder.drain(events);
        if (!recording) {
            QCOMPARE(events.size(), std::size_t(0));
            return;
        }
        using K = il::EventKind;
        const il::ResourceId r = mutex.resource();
        std::vector<std::tuple<K, State, il::ResourceId>> expected;
        if (recordHolds)
            expected.emplace_back(K::Acquire, State::Running, r);
        expected.emplace_back(K::State, State::Critical, r);
        expected.emplace_back(K::State, State::Running, il::kNoResource);
        if (recordHolds)
            expected.emplace_back(K::Release, State::Running, r);
        QCOMPARE(events.size(), expected.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            const auto [kind, state, resource] = expected[i];
            QCOMPARE(int(events[i].kind), int(kind));
            QCOMPARE(int(events[i].state), int(state));
            QCOMPARE(events[i].resource, resource);
            QVERIFY(events[i].t_ns >= events[0].t_ns);
        }
        const std::size_t half = events.size() / 2;
        QCOMPARE(events[0].t_ns, events[half - 1].t_ns);             // the taking
        QCOMPARE(events[half].t_ns, events[events.size() - 1].t_ns); // the giving back
    }

    void semaphoreAcquireGivesUpOnStop_data()
    {
        QTest::addColumn<bool>("madeEmpty");
        QTest::addColumn<bool>("standard");
        for (const bool standard : {false, true}) {
            const char *kind = standard ? "std" : "mutex+condvar";
            QTest::addRow("%s, made with 0 permits", kind) << true << standard;
            QTest::addRow("%s, its only permit taken", kind) << false << standard;
        }
    }

    void semaphoreAcquireGivesUpOnStop()
    {
        QFETCH(bool, madeEmpty);
        QFETCH(bool, standard);
        if (standard)
            gives_up_on_stop<il::InstrumentedStdSemaphore>(madeEmpty);
        else
            gives_up_on_stop<il::InstrumentedSemaphore>(madeEmpty);
    }

    // A release hands the permit to a waiter that is already blocked.
    void semaphoreReleaseWakesWaiter()
    {
        il::Recorder recorder;
        ExhaustedSemaphore<il::InstrumentedSemaphore> fixture(recorder, false);
        il::Lane &waiter = recorder.add_lane("waiter");
        std::atomic<int> acquired{-1};
        iltest::Threads threads;
        threads.start([&] {
            std::stop_source never;
            acquired = fixture.semaphore.acquire(waiter, never.get_token()) ? 1 : 0;
        });
        il::EventBuffer events;
        QVERIFY(iltest::await(
            [&] { return has_recorded(recorder, events, waiter.id(), State::Blocked); }));
        fixture.semaphore.release(fixture.holder);
        QVERIFY2(threads.join_within(iltest::kHangBound), "release() did not wake the waiter");
        QCOMPARE(acquired.load(), 1);
        recorder.drain(events);
        const auto waited = states_on(events, waiter.id());
        QCOMPARE(waited.size(), std::size_t(2));
        QCOMPARE(waited[1].first, State::Critical);
        fixture.semaphore.release(waiter);
    }
};

QTEST_GUILESS_MAIN(TstSync)
#include "tst_sync.moc"
