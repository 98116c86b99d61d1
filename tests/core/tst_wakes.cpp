#include "scenariotest.h"
#include "timeline.h"
#include "wakes.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using il::State;

namespace {

constexpr il::ResourceId kLock = 1;
constexpr il::ResourceId kFork = 2;

il::Event state_at(il::LaneId lane, std::int64_t t, State s, il::ResourceId r = il::kNoResource)
{
    return il::Event{t, 0, lane, r, il::EventKind::State, s};
}

il::Event hold_at(il::LaneId lane, std::int64_t t, il::ResourceId r, bool acquired)
{
    return il::Event{
        t, 0, lane, r, acquired ? il::EventKind::Acquire : il::EventKind::Release, State::Running};
}

il::Timeline timeline_of(std::vector<std::string> lanes, std::vector<il::Event> events)
{
    std::stable_sort(events.begin(), events.end(),
                     [](const il::Event &a, const il::Event &b) { return a.t_ns < b.t_ns; });
    il::Batch b;
    b.newLanes = std::move(lanes);
    b.newResources = {"lock", "fork"};
    b.events.assign(events.begin(), events.end());
    il::Timeline t;
    t.apply(b);
    return t;
}

QString describe(const std::vector<il::Wake> &wakes)
{
    QStringList parts;
    for (const il::Wake &w : wakes)
        parts << QStringLiteral("%1@%2->%3@%4:%5")
                     .arg(w.fromLane)
                     .arg(w.releaseNs)
                     .arg(w.toLane)
                     .arg(w.acquireNs)
                     .arg(w.resource);
    return parts.join(QLatin1Char(' '));
}

// The segment of `lane` that ends exactly at t / starts exactly at t, or nullptr.
// The last segment of `lane` that ends at t: the one a release at t closed. It may be
// empty - a critical section so short that both its stamps are the same nanosecond.
// Whether the lane holds `resource` in a critical section that ends (or starts) at t.
// Other segments may also end or start at t, empty ones: a thread that reads the clock
// within the same nanosecond as another thread's release shows an empty Blocked (or
// Running) segment there, at the resolution of the recording.
bool critical_ending_at(const il::TimelineLane &lane, std::int64_t t, il::ResourceId resource)
{
    return std::any_of(lane.segments.begin(), lane.segments.end(), [&](const il::Segment &s) {
        return s.endNs == t && s.state == State::Critical && s.resource == resource;
    });
}

bool critical_starting_at(const il::TimelineLane &lane, std::int64_t t, il::ResourceId resource)
{
    return std::any_of(lane.segments.begin(), lane.segments.end(), [&](const il::Segment &s) {
        return s.startNs == t && s.state == State::Critical && s.resource == resource;
    });
}

// Blocked segments on `resource` directly followed by Critical on it: every hand-over.
std::size_t blocked_then_critical(const il::Timeline &timeline, il::ResourceId resource)
{
    std::size_t n = 0;
    for (const auto &lane : timeline.lanes())
        for (std::size_t i = 0; i + 1 < lane.segments.size(); ++i)
            n += lane.segments[i].state == State::Blocked &&
                         lane.segments[i].resource == resource &&
                         lane.segments[i + 1].state == State::Critical &&
                         lane.segments[i + 1].resource == resource
                     ? 1
                     : 0;
    return n;
}

il::ResourceId resource_named(const il::Timeline &timeline, const std::string &name)
{
    const auto &names = timeline.resources();
    return il::ResourceId(std::find(names.begin(), names.end(), name) - names.begin());
}

// Every arrow leaves the end of the waker's Critical segment on the resource and reaches
// the start of the woken lane's Critical segment on it, later and on another lane.
void check_arrows_join_critical_sections(const il::Timeline &timeline,
                                         const std::vector<il::Wake> &wakes,
                                         il::ResourceId resource)
{
    for (const il::Wake &w : wakes) {
        const QByteArray what = describe({w}).toUtf8();
        QCOMPARE(w.resource, resource);
        QVERIFY2(w.fromLane != w.toLane, what.constData());
        QVERIFY2(w.releaseNs <= w.acquireNs, what.constData());
        QVERIFY2(critical_ending_at(timeline.lanes()[w.fromLane], w.releaseNs, resource),
                 what.constData());
        QVERIFY2(critical_starting_at(timeline.lanes()[w.toLane], w.acquireNs, resource),
                 what.constData());
    }
}

} // namespace

// "Who woke whom": each acquire after a wait, joined to the release that allowed it.
class TstWakes : public QObject {
    Q_OBJECT
private slots:
    void mutexHandOver();
    void wakerIsTheLatestReleaserBeforeTheAcquire();
    void ownReleaseIsNotAWake();
    void waitWithoutAcquireIsNoHandOver();
    void holdsHandOver();
    void windowSortsAndBounds();
    void releaseJustBeforeTheWindowIsFound();
    void openLaneAndEmptyTimeline();
    void mutexRunJoinsCriticalSections();
    void semaphoreRunJoinsCriticalSections();
};

void TstWakes::mutexHandOver()
{
    // a holds the lock [0,10); b waits for it [5,10) and holds it [10,20).
    const il::Timeline t = timeline_of(
        {"a", "b"}, {state_at(0, 0, State::Critical, kLock), state_at(0, 10, State::Running),
                     state_at(1, 0, State::Running), state_at(1, 5, State::Blocked, kLock),
                     state_at(1, 10, State::Critical, kLock), state_at(1, 20, State::Running)});
    const auto wakes = il::find_wakes(t, 0, 100, 10);
    QCOMPARE(describe(wakes), QStringLiteral("0@10->1@10:1"));
    QCOMPARE(il::find_wakes(t, 0, 100, 0).size(), std::size_t(0));
    QCOMPARE(il::find_wakes(t, 11, 100, 10).size(), std::size_t(0));
    QCOMPARE(il::find_wakes(t, 0, 9, 10).size(), std::size_t(0));
}

void TstWakes::wakerIsTheLatestReleaserBeforeTheAcquire()
{
    // a releases at 4, c at 8, d only at 12 (after the acquire): c woke b at 9.
    const il::Timeline t =
        timeline_of({"a", "b", "c", "d"},
                    {state_at(0, 0, State::Critical, kLock), state_at(0, 4, State::Running),
                     state_at(1, 0, State::Running), state_at(1, 2, State::Blocked, kLock),
                     state_at(1, 9, State::Critical, kLock), state_at(1, 11, State::Finished),
                     state_at(2, 4, State::Critical, kLock), state_at(2, 8, State::Running),
                     state_at(3, 11, State::Critical, kLock), state_at(3, 12, State::Running)});
    QCOMPARE(describe(il::find_wakes(t, 0, 100, 10)), QStringLiteral("2@8->1@9:1"));
}

void TstWakes::ownReleaseIsNotAWake()
{
    // b's own Release at 7 is later than a's at 6, yet a is the waker.
    const il::Timeline t = timeline_of(
        {"a", "b"}, {state_at(0, 0, State::Critical, kLock), state_at(0, 6, State::Running),
                     state_at(1, 0, State::Blocked, kLock), hold_at(1, 7, kLock, false),
                     state_at(1, 8, State::Critical, kLock), state_at(1, 9, State::Running)});
    QCOMPARE(describe(il::find_wakes(t, 0, 100, 10)), QStringLiteral("0@6->1@8:1"));

    // With nobody else releasing, there is no arrow at all.
    const il::Timeline alone = timeline_of(
        {"b"}, {state_at(0, 0, State::Critical, kLock), state_at(0, 2, State::Blocked, kLock),
                state_at(0, 8, State::Critical, kLock), state_at(0, 9, State::Running)});
    QCOMPARE(il::find_wakes(alone, 0, 100, 10).size(), std::size_t(0));
}

void TstWakes::waitWithoutAcquireIsNoHandOver()
{
    // b gives up waiting (stopped) and runs on; c waits on another lock.
    const il::Timeline t = timeline_of(
        {"a", "b", "c"},
        {state_at(0, 0, State::Critical, kLock), state_at(0, 6, State::Running),
         state_at(1, 0, State::Blocked, kLock), state_at(1, 8, State::Running),
         state_at(2, 0, State::Blocked, kFork), state_at(2, 8, State::Critical, kLock)});
    QCOMPARE(describe(il::find_wakes(t, 0, 100, 10)), QString());
}

void TstWakes::holdsHandOver()
{
    // Philosophers: a's Critical on the fork ends at 3 (it reaches for another) but it
    // puts the fork back only at 9; b waits for the fork [5,10) and takes it (an Acquire,
    // then Running while it reaches for its second fork).
    const il::Timeline t = timeline_of(
        {"a", "b"}, {hold_at(0, 0, kFork, true), state_at(0, 0, State::Critical, kFork),
                     state_at(0, 3, State::Running), hold_at(0, 9, kFork, false),
                     state_at(1, 0, State::Running), state_at(1, 5, State::Blocked, kFork),
                     hold_at(1, 10, kFork, true), state_at(1, 10, State::Running)});
    QCOMPARE(describe(il::find_wakes(t, 0, 100, 10)), QStringLiteral("0@9->1@10:2"));
}

void TstWakes::windowSortsAndBounds()
{
    // Two lanes passing the lock back and forth every 10 ns, lane 1 going first.
    std::vector<il::Event> events;
    for (int i = 0; i < 20; ++i) {
        const auto holder = il::LaneId(1 - i % 2);
        const auto waiter = il::LaneId(i % 2);
        events.push_back(state_at(holder, i * 10, State::Critical, kLock));
        events.push_back(state_at(holder, i * 10 + 10, State::Running));
        events.push_back(state_at(waiter, i * 10 + 1, State::Blocked, kLock));
    }
    const il::Timeline t = timeline_of({"a", "b"}, events);
    const auto all = il::find_wakes(t, 0, 1000, 1000);
    QCOMPARE(all.size(), std::size_t(19));
    for (std::size_t i = 0; i < all.size(); ++i) {
        QCOMPARE(all[i].acquireNs, std::int64_t(i + 1) * 10);
        QCOMPARE(all[i].releaseNs, all[i].acquireNs);
        QCOMPARE(all[i].toLane, il::LaneId(i % 2));
        QCOMPARE(all[i].fromLane, il::LaneId(1 - i % 2));
    }
    // A window keeps the acquires inside it; maxCount keeps the earliest.
    const auto window = il::find_wakes(t, 55, 100, 1000);
    QCOMPARE(window, std::vector<il::Wake>(all.begin() + 5, all.begin() + 10));
    QCOMPARE(il::find_wakes(t, 0, 1000, 3), std::vector<il::Wake>(all.begin(), all.begin() + 3));
    QVERIFY(il::segments_in_window(t, 55, 100) < il::segments_in_window(t, 0, 1000));
}

void TstWakes::releaseJustBeforeTheWindowIsFound()
{
    // The release at 10 lies before the window [12, 50]; the acquire at 15 inside it.
    const il::Timeline t = timeline_of(
        {"a", "b"}, {state_at(0, 0, State::Critical, kLock), state_at(0, 10, State::Running),
                     state_at(0, 11, State::Sleeping), state_at(1, 0, State::Blocked, kLock),
                     state_at(1, 15, State::Critical, kLock), state_at(1, 20, State::Running)});
    QCOMPARE(describe(il::find_wakes(t, 12, 50, 10)), QStringLiteral("0@10->1@15:1"));
}

void TstWakes::openLaneAndEmptyTimeline()
{
    const il::Timeline empty;
    QVERIFY(il::find_wakes(empty, 0, 100, 10).empty());
    QCOMPARE(il::segments_in_window(empty, 0, 100), std::size_t(0));
    // b is still blocked (open segment): no hand-over yet; a's open Critical is no release.
    const il::Timeline live = timeline_of({"a", "b"}, {state_at(0, 0, State::Critical, kLock),
                                                       state_at(1, 5, State::Blocked, kLock)});
    QVERIFY(il::find_wakes(live, 0, 100, 10).empty());
    QCOMPARE(il::segments_in_window(live, 0, 100), std::size_t(2));
}

void TstWakes::mutexRunJoinsCriticalSections()
{
    // Contention is up to the scheduler (waiters spin briefly before they block): a few
    // runs give it every chance to happen at least once. The arrows' guarantees hold for
    // a complete recording; on a loaded machine a run's rings can overflow (the lost
    // detail shows as "not recorded"), so such a run is tried again.
    std::unique_ptr<iltest::Outcome> o;
    il::ResourceId lock = il::kNoResource;
    std::size_t handovers = 0;
    for (int attempt = 0; attempt < 6 && (handovers == 0 || o->timeline.dropped() > 0); ++attempt) {
        o = std::make_unique<iltest::Outcome>();
        iltest::run_to_end("mutex", {{"threads", 4}, {"increments", iltest::scaled(20000)}}, *o);
        if (QTest::currentTestFailed())
            return;
        lock = resource_named(o->timeline, "counter mutex");
        QVERIFY(lock < o->timeline.resources().size());
        handovers = blocked_then_critical(o->timeline, lock);
    }
    QVERIFY2(handovers > 0, "four threads never contended for the lock");
    QVERIFY2(o->timeline.dropped() == 0, "every run overflowed its rings");
    const il::Timeline &t = o->timeline;

    const auto wakes = il::find_wakes(t, 0, t.end_ns(), handovers + 1);
    // Every wait that ended inside the lock was woken by someone.
    QCOMPARE(wakes.size(), handovers);
    check_arrows_join_critical_sections(t, wakes, lock);
    if (QTest::currentTestFailed())
        return;

    // Mutual exclusion: no one held the lock between a release and the acquire it allowed.
    // A section may be empty (taken and given back within one nanosecond): the releaser's
    // own empty section at the release itself is the release, not a later holder.
    using Held = iltest::CriticalSection;
    const std::vector<Held> held = iltest::critical_sections(t, lock);
    for (const il::Wake &w : wakes) {
        auto next = std::lower_bound(held.begin(), held.end(), Held{w.releaseNs, INT64_MIN, 0});
        while (next != held.end() && next->lane == w.fromLane && next->startNs == w.releaseNs &&
               next->endNs == w.releaseNs)
            ++next;
        QVERIFY(next != held.end());
        QCOMPARE(next->startNs, w.acquireNs);
        QCOMPARE(next->lane, std::size_t(w.toLane));
    }

    // A window in the middle finds the same arrows as the whole run does there.
    const std::int64_t from = t.end_ns() / 3;
    const std::int64_t to = 2 * t.end_ns() / 3;
    std::vector<il::Wake> inside;
    std::copy_if(wakes.begin(), wakes.end(), std::back_inserter(inside),
                 [&](const il::Wake &w) { return w.acquireNs >= from && w.acquireNs <= to; });
    QCOMPARE(il::find_wakes(t, from, to, wakes.size() + 1), inside);
}

void TstWakes::semaphoreRunJoinsCriticalSections()
{
    for (std::int64_t implementation : {0, 1}) {
        iltest::Outcome o;
        iltest::run_to_end(
            "semaphore",
            {{"workers", 8}, {"permits", 2}, {"work_ms", 5}, {"implementation", implementation}},
            o);
        if (QTest::currentTestFailed())
            return;
        const il::Timeline &t = o.timeline;
        const il::ResourceId semaphore = resource_named(t, "semaphore");
        const std::size_t handovers = blocked_then_critical(t, semaphore);
        // The standard semaphore's try_acquire may itself wait for a permit (libstdc++
        // under clang's ThreadSanitizer does), so its waits need not show as Blocked.
        if (implementation == 0)
            QVERIFY2(handovers > 0, "eight workers never waited for two permits");
        const auto wakes = il::find_wakes(t, 0, t.end_ns(), handovers + 1);
        QCOMPARE(wakes.size(), handovers);
        check_arrows_join_critical_sections(t, wakes, semaphore);
        if (QTest::currentTestFailed())
            return;
    }
}

QTEST_GUILESS_MAIN(TstWakes)
#include "tst_wakes.moc"
