#pragma once
// Synthetic dining-philosopher runs for the table tests, built the way the collector
// feeds a Timeline: one Batch with lane and resource names and time-sorted events.
#include "timeline.h"

#include <QColor>
#include <QImage>
#include <QtGlobal>

#include <algorithm>
#include <string>

constexpr qint64 kMs = 1'000'000;

class TableRun {
public:
    // Lanes P0..P{n-1}. Chopsticks are registered after an unrelated resource and in
    // reverse order, so that chopstick k's resource id is not k + 1.
    explicit TableRun(int n)
        : m_n(n)
    {
        for (int i = 0; i < n; ++i)
            m_batch.newLanes.push_back("P" + std::to_string(i));
        m_batch.newResources.push_back("napkin");
        for (int k = n - 1; k >= 0; --k)
            m_batch.newResources.push_back("chopstick " + std::to_string(k));
    }

    int seats() const { return m_n; }
    il::ResourceId chopstick(int k) const { return il::ResourceId(m_n + 1 - k); }

    TableRun &state(qint64 t, int seat, il::State s, int chopstickIndex = -1)
    {
        push(t, seat, il::EventKind::State, s,
             chopstickIndex < 0 ? il::kNoResource : chopstick(chopstickIndex), 0);
        return *this;
    }
    TableRun &acquire(qint64 t, int seat, int k)
    {
        push(t, seat, il::EventKind::Acquire, il::State::Running, chopstick(k), 0);
        return *this;
    }
    TableRun &release(qint64 t, int seat, int k)
    {
        push(t, seat, il::EventKind::Release, il::State::Running, chopstick(k), 0);
        return *this;
    }
    TableRun &meal(qint64 t, int seat)
    {
        push(t, seat, il::EventKind::Mark, il::State::Running, il::kNoResource, il::kMarkMeal);
        return *this;
    }
    // Takes both chopsticks at `from`, eats until `to`, puts them down and thinks.
    TableRun &eat(qint64 from, qint64 to, int seat)
    {
        acquire(from, seat, seat).acquire(from, seat, (seat + 1) % m_n);
        state(from, seat, il::State::Critical, seat);
        meal(to, seat).release(to, seat, (seat + 1) % m_n).release(to, seat, seat);
        return state(to, seat, il::State::Sleeping);
    }
    // Every philosopher takes its right chopstick, then blocks on its left one; the
    // cycle closes at `closesAt`.
    TableRun &deadlock(qint64 start, qint64 closesAt)
    {
        il::DeadlockCycle cycle;
        cycle.tNs = closesAt;
        for (int i = 0; i < m_n; ++i) {
            const int left = (i + 1) % m_n;
            state(start + i, i, il::State::Running);
            acquire(start + i, i, i).state(start + i, i, il::State::Critical, i);
            const qint64 blocks = i == m_n - 1 ? closesAt : start + m_n + i;
            state(blocks, i, il::State::Blocked, left);
            cycle.lanes.push_back(il::LaneId(i));
            cycle.resources.push_back(chopstick(left));
        }
        m_batch.deadlock = cycle;
        return *this;
    }

    void applyTo(il::Timeline &timeline) const
    {
        il::Batch batch = m_batch;
        std::stable_sort(batch.events.begin(), batch.events.end(),
                         [](const il::Event &a, const il::Event &b) { return a.t_ns < b.t_ns; });
        timeline.apply(batch);
    }

private:
    void push(qint64 t, int seat, il::EventKind kind, il::State s, il::ResourceId r,
              std::int64_t value)
    {
        il::Event e;
        e.t_ns = t;
        e.lane = il::LaneId(seat);
        e.kind = kind;
        e.state = s;
        e.resource = r;
        e.value = value;
        m_batch.events.push_back(e);
    }

    int m_n = 0;
    il::Batch m_batch;
};

// Five philosophers over 60 ms: P0 eats 12–20 while P1 waits for chopstick 1 from
// 13 ms and eats 21–30; the others think; everyone finishes at 50 ms.
inline void buildFiveAtDinner(il::Timeline &timeline)
{
    using il::State;
    TableRun run(5);
    for (int i = 0; i < 5; ++i)
        run.state(0, i, State::Running).state(1 * kMs, i, State::Sleeping);
    run.state(10 * kMs, 0, State::Running).acquire(11 * kMs, 0, 0).acquire(12 * kMs, 0, 1);
    run.state(12 * kMs, 0, State::Critical, 0);
    run.meal(20 * kMs, 0).release(20 * kMs, 0, 1).release(20 * kMs, 0, 0);
    run.state(20 * kMs, 0, State::Sleeping);
    run.state(11 * kMs, 1, State::Running).state(13 * kMs, 1, State::Blocked, 1);
    run.eat(21 * kMs, 30 * kMs, 1);
    for (int i = 0; i < 5; ++i)
        run.state(50 * kMs, i, State::Finished);
    run.applyTo(timeline);
    timeline.close(60 * kMs);
}

// Pixels of exactly `colour` in `image`.
inline int countColour(const QImage &image, const QColor &colour)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const QRgb wanted = colour.rgb();
    int n = 0;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x)
            n += line[x] == wanted ? 1 : 0;
    }
    return n;
}
