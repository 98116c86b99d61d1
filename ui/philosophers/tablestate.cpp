#include "tablestate.h"

#include "timeline.h"

#include <QCoreApplication>

#include <algorithm>
#include <charconv>

namespace {

std::optional<int> indexAfterPrefix(const std::string &name, std::string_view prefix)
{
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
        return std::nullopt;
    const char *first = name.data() + prefix.size();
    const char *last = name.data() + name.size();
    if (*first == ' ')
        ++first;
    int value = -1;
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end != last || first == last || *first < '0' || *first > '9')
        return std::nullopt;
    return value;
}

QString qstr(const std::string &s)
{
    return QString::fromStdString(s);
}

// The segment a lane is in at `t`: the last one starting at or before it. The last
// segment's state persists to the live edge (and past the end of a closed run).
const il::Segment *segmentAt(const il::TimelineLane &lane, qint64 t)
{
    const auto &segs = lane.segments;
    const auto after = std::upper_bound(
        segs.begin(), segs.end(), t, [](qint64 v, const il::Segment &s) { return v < s.startNs; });
    return after == segs.begin() ? nullptr : &*(after - 1);
}

struct SeatHolds {
    bool holds[2] = {false, false}; // its right (own index) and left chopstick
    qint64 since[2] = {-1, -1};     // when it took them
};

// Whether the lane holds each of `resources` at `t`: the latest change of each at or
// before `t` decides. Walks back from `t` only until both are decided.
SeatHolds holdsAt(const il::TimelineLane &lane, qint64 t, const il::ResourceId (&resources)[2])
{
    SeatHolds out;
    bool decided[2] = {false, false};
    const auto &holds = lane.holds;
    auto it = std::upper_bound(holds.begin(), holds.end(), t,
                               [](qint64 v, const il::HoldChange &h) { return v < h.tNs; });
    while (it != holds.begin() && !(decided[0] && decided[1])) {
        --it;
        for (int side = 0; side < 2; ++side) {
            if (decided[side] || resources[side] == il::kNoResource ||
                it->resource != resources[side])
                continue;
            decided[side] = true;
            out.holds[side] = it->acquired;
            out.since[side] = it->tNs;
        }
    }
    return out;
}

int mealsAt(const il::TimelineLane &lane, qint64 t)
{
    const auto &marks = lane.marks;
    const auto end = std::upper_bound(marks.begin(), marks.end(), t,
                                      [](qint64 v, const il::Mark &m) { return v < m.tNs; });
    return int(std::count_if(marks.begin(), end,
                             [](const il::Mark &m) { return m.value == il::kMarkMeal; }));
}

PhilosopherPhase phaseOf(il::State state, int chopsticksHeld)
{
    switch (state) {
    case il::State::Sleeping: return PhilosopherPhase::Thinking;
    case il::State::Running: // reaching for a chopstick
    case il::State::Preempted:
    case il::State::Spinning:
    case il::State::Blocked: return PhilosopherPhase::Hungry;
    case il::State::Critical:
        // A lock-based chopstick reports Critical as soon as the first one is taken;
        // with one chopstick in hand the philosopher is still hungry, not eating.
        return chopsticksHeld == 1 ? PhilosopherPhase::Hungry : PhilosopherPhase::Eating;
    case il::State::Finished: return PhilosopherPhase::Finished;
    case il::State::Unrecorded:
    case il::State::Count: break;
    }
    return PhilosopherPhase::Unknown;
}

} // namespace

std::optional<int> philosopherIndex(const std::string &laneName)
{
    return indexAfterPrefix(laneName, "P");
}

std::optional<int> chopstickIndex(const std::string &resourceName)
{
    return indexAfterPrefix(resourceName, "chopstick");
}

QList<int> seatOfLanes(const il::Timeline &timeline)
{
    const auto &lanes = timeline.lanes();
    const int n = int(lanes.size());
    if (n < 2)
        return {};
    QList<int> seats(n, -1);
    QList<bool> taken(n, false);
    for (int lane = 0; lane < n; ++lane) {
        const std::optional<int> seat = philosopherIndex(lanes[std::size_t(lane)].name);
        if (!seat || *seat >= n || taken[*seat])
            return {};
        taken[*seat] = true;
        seats[lane] = *seat;
    }
    return seats;
}

TableState tableStateAt(const il::Timeline &timeline, qint64 tNs)
{
    TableState table;
    table.tNs = tNs;
    const QList<int> seats = seatOfLanes(timeline);
    const int n = int(seats.size());
    if (n == 0)
        return table;

    table.chopsticks.resize(n);
    QList<int> chopstickOf(qsizetype(timeline.resources().size()), -1);
    for (std::size_t id = 1; id < timeline.resources().size(); ++id) {
        const std::optional<int> k = chopstickIndex(timeline.resources()[id]);
        if (k && *k < n && table.chopsticks[*k].resource == il::kNoResource) {
            table.chopsticks[*k].resource = il::ResourceId(id);
            chopstickOf[qsizetype(id)] = *k;
        }
    }

    table.philosophers.resize(n);
    QList<qint64> heldSince(n, -1); // by chopstick, to settle a same-instant hand-over
    QList<const il::Segment *> segments(n, nullptr);
    for (int lane = 0; lane < n; ++lane) {
        const int seat = seats[lane];
        const il::TimelineLane &tl = timeline.lanes()[std::size_t(lane)];
        PhilosopherState &p = table.philosophers[seat];
        p.lane = lane;
        p.name = qstr(tl.name);
        p.meals = mealsAt(tl, tNs);
        const int sides[2] = {seat, (seat + 1) % n};
        const il::ResourceId ids[2] = {table.chopsticks[sides[0]].resource,
                                       table.chopsticks[sides[1]].resource};
        const SeatHolds holds = holdsAt(tl, tNs, ids);
        for (int side = 0; side < 2; ++side) {
            if (!holds.holds[side])
                continue;
            p.held.append(sides[side]);
            ChopstickState &c = table.chopsticks[sides[side]];
            if (c.holder < 0 || holds.since[side] >= heldSince[sides[side]]) {
                c.holder = seat;
                heldSince[sides[side]] = holds.since[side];
            }
        }
        std::sort(p.held.begin(), p.held.end());
        segments[seat] = segmentAt(tl, tNs);
    }

    for (int seat = 0; seat < n; ++seat) {
        PhilosopherState &p = table.philosophers[seat];
        const il::Segment *segment = segments[seat];
        if (!segment)
            continue;
        p.phase = phaseOf(segment->state, int(p.held.size()));
        if (p.held.size() == 2 && p.phase != PhilosopherPhase::Finished)
            p.phase = PhilosopherPhase::Eating; // nobody thinks with both chopsticks in hand
        if (segment->state != il::State::Blocked || segment->resource >= chopstickOf.size())
            continue;
        p.waitsFor = chopstickOf[segment->resource];
        if (p.waitsFor >= 0 && table.chopsticks[p.waitsFor].holder != seat)
            p.waitsForHolder = table.chopsticks[p.waitsFor].holder;
    }

    const auto &cycle = timeline.deadlock();
    if (cycle && tNs >= cycle->tNs) {
        QList<il::ResourceId> resources;
        for (std::size_t i = 0; i < cycle->lanes.size(); ++i) {
            const auto lane = cycle->lanes[i];
            table.cycleLanes.append(int(lane));
            if (lane < std::size_t(n))
                table.philosophers[seats[int(lane)]].inCycle = true;
        }
        for (const il::ResourceId id : cycle->resources) {
            resources.append(id);
            if (id < chopstickOf.size() && chopstickOf[id] >= 0)
                table.chopsticks[chopstickOf[id]].inCycle = true;
        }
        table.cycleTNs = cycle->tNs;
        table.cycleCaption = deadlockCaption(timeline, table.cycleLanes, resources);
        table.cycleCaptionShort = deadlockCaption(timeline, table.cycleLanes, resources, 3);
    }
    return table;
}

QString deadlockCaption(const il::Timeline &timeline, const QList<int> &lanes,
                        const QList<il::ResourceId> &resources, int maxLanes)
{
    const int n = int(lanes.size());
    if (n == 0)
        return {};
    const auto laneName = [&](int i) {
        const int lane = lanes[i];
        return lane >= 0 && std::size_t(lane) < timeline.lanes().size()
                   ? qstr(timeline.lanes()[std::size_t(lane)].name)
                   : QStringLiteral("lane %1").arg(lane);
    };
    const auto resourceName = [&](int i) {
        return i < resources.size() ? qstr(timeline.resource_name(resources[i])) : QString();
    };
    const QString arrow = QStringLiteral(" \u2192 ");
    QStringList parts;
    const int head = n > maxLanes ? std::max(1, maxLanes - 1) : n;
    for (int i = 0; i < head; ++i)
        parts << laneName(i) << resourceName(i);
    if (head < n)
        parts << QStringLiteral("\u2026") << laneName(n - 1) << resourceName(n - 1);
    parts << laneName(0);
    return parts.join(arrow);
}

qreal chopstickRestingPosition(const TableState &table, int k)
{
    const int n = int(table.chopsticks.size());
    if (k < 0 || k >= n)
        return 0;
    const int holder = table.chopsticks[k].holder;
    if (holder == k)
        return 1;
    if (holder >= 0 && holder == (k + n - 1) % n)
        return -1;
    return 0;
}

QString phaseLabel(PhilosopherPhase phase)
{
    switch (phase) {
    case PhilosopherPhase::Thinking: return QCoreApplication::translate("Philosophers", "thinking");
    case PhilosopherPhase::Hungry: return QCoreApplication::translate("Philosophers", "hungry");
    case PhilosopherPhase::Eating: return QCoreApplication::translate("Philosophers", "eating");
    case PhilosopherPhase::Finished: return QCoreApplication::translate("Philosophers", "finished");
    case PhilosopherPhase::Unknown: break;
    }
    return QCoreApplication::translate("Philosophers", "not recorded");
}
