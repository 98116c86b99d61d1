#pragma once
#include "event.h"

#include <QList>
#include <QString>

#include <optional>

namespace il {
class Timeline;
}

// What the dining philosophers' table looks like at one instant of a recorded run.
// Seat i is the philosopher of lane "P<i>"; it sits between chopstick i (its right)
// and chopstick (i + 1) % N (its left), so chopstick k lies between seats k - 1 and k.

enum class PhilosopherPhase { Unknown, Thinking, Hungry, Eating, Finished };

struct PhilosopherState {
    int lane = -1; // lane id in the timeline
    QString name;
    PhilosopherPhase phase = PhilosopherPhase::Unknown;
    int meals = 0;           // meals finished at or before the instant
    QList<int> held;         // chopsticks (by index) held, ascending
    int waitsFor = -1;       // chopstick it is blocked on, -1 if none
    int waitsForHolder = -1; // seat holding that chopstick, -1 if free or unknown
    bool inCycle = false;
};

struct ChopstickState {
    il::ResourceId resource = il::kNoResource; // kNoResource: not registered yet
    int holder = -1;                           // seat, -1 if lying free
    bool inCycle = false;
};

struct TableState {
    qint64 tNs = 0;
    QList<PhilosopherState> philosophers; // by seat
    QList<ChopstickState> chopsticks;     // by chopstick index
    QList<int> cycleLanes;                // the deadlock cycle's lanes, once it has closed
    qint64 cycleTNs = -1;                 // when it closed
    QString cycleCaption;                 // "P0 → chopstick 1 → P1 → … → P0"
    QString cycleCaptionShort;            // the same with the middle elided

    bool isTable() const { return !philosophers.isEmpty(); }
};

// "P3" (or "P 3") → 3; anything else → nullopt.
std::optional<int> philosopherIndex(const std::string &laneName);
// "chopstick 3" → 3; anything else → nullopt.
std::optional<int> chopstickIndex(const std::string &resourceName);

// The seat of each lane when every lane is a philosopher P0..P{N-1} (N >= 2), in any
// lane order; empty otherwise (this is not a philosophers run).
QList<int> seatOfLanes(const il::Timeline &timeline);

// The table at `tNs`. Segments, holds and marks are found by binary search, so the
// cost depends on the number of seats, not on the length of the run.
TableState tableStateAt(const il::Timeline &timeline, qint64 tNs);

// "P0 → chopstick 1 → P1 → chopstick 2 → P2 → chopstick 0 → P0". With more than
// `maxLanes` lanes the middle is elided ("…") so the caption stays one or two lines.
QString deadlockCaption(const il::Timeline &timeline, const QList<int> &lanes,
                        const QList<il::ResourceId> &resources, int maxLanes = 1000);

// Where chopstick `k` lies (see TableGeometry::chopstick): +1 beside seat k when
// that seat holds it, -1 beside seat k - 1, 0 when it lies free.
qreal chopstickRestingPosition(const TableState &table, int k);

QString phaseLabel(PhilosopherPhase phase);
