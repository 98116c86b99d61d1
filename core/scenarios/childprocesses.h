#pragma once
// Forked children of the processes scenario: the memory a parent shares with them, the
// gate they start at, what each child does, and the parent's side (fork, kill, reap).
#include "../recorder.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace il::proc {

// What one child tells its parent, in memory shared across fork(). Lock-free atomics are
// address-free, so they work between processes, and take no lock, which a child of a
// multithreaded parent must never do.
struct ChildSlot {
    std::atomic<LaneId> lane{0};              // set by the parent before the gate opens
    std::atomic<std::int64_t> startNs{0};     // the child's own clock readings
    std::atomic<std::int64_t> endNs{0};       // 0 until the child finished its work
    std::atomic<std::int64_t> counterSeen{0}; // its counter after incrementing it
};
static_assert(std::atomic<std::int64_t>::is_always_lock_free &&
                  std::atomic<LaneId>::is_always_lock_free,
              "slots shared with a child process need address-free atomics");

// One slot per child in a single MAP_SHARED mapping, made before the first fork.
class SharedSlots {
public:
    explicit SharedSlots(std::size_t count);
    ~SharedSlots();
    SharedSlots(const SharedSlots &) = delete;
    SharedSlots &operator=(const SharedSlots &) = delete;

    ChildSlot &operator[](std::size_t i) { return m_slots[i]; }
    const ChildSlot &operator[](std::size_t i) const { return m_slots[i]; }

private:
    std::size_t m_count;
    std::size_t m_bytes;
    ChildSlot *m_slots = nullptr;
};

// The starting gate, a pipe: children block reading it until every copy of its write
// end is closed, which the parent does once all of them exist and have their lanes.
class StartGate {
public:
    StartGate();
    ~StartGate();
    StartGate(const StartGate &) = delete;
    StartGate &operator=(const StartGate &) = delete;

    void open() noexcept; // closes the parent's write end
    int read_end() const { return m_read; }
    int write_end() const { return m_write; }

private:
    int m_read = -1;
    int m_write = -1;
};

// Everything a child uses, prepared by the parent before it forks.
struct ChildPlan {
    EventRing *ring = nullptr;
    ChildSlot *slot = nullptr;
    volatile std::int64_t *counter = nullptr; // the parent's variable: the child gets a copy
    std::int64_t sleepMs = 0;
    ResourceId sleepLabel = kNoResource;
    pid_t parent = 0;
    pid_t group = 0; // the children's process group; 0: the first child founds it
    int gateRead = -1;
    int gateWrite = -1;
};

// The children of one run, in one process group, known by PID only: never waitpid(-1),
// which would steal children that other parts of the program wait for, and SIGCHLD is
// left alone. Whatever ends the run, an exception too, the destructor leaves no child.
//
// The thread that forks them is their parent thread: their death signal fires when it
// ends, so it must outlive them (the scenario's run() reaps them all before returning).
class ChildGroup {
public:
    struct Child {
        pid_t pid = 0;
        bool gone = false; // reaped, or (had someone else waited for it) lost
        bool reaped = false;
        int status = 0; // as waitpid() reported it
    };

    ChildGroup() = default;
    ~ChildGroup();
    ChildGroup(const ChildGroup &) = delete;
    ChildGroup &operator=(const ChildGroup &) = delete;

    // Forks a child that lives by `plan`. If fork() fails, kills and reaps the children
    // forked so far and throws std::runtime_error.
    void fork_one(ChildPlan plan);
    // Reaps every child that has ended; with `block`, waits for each. Returns how many
    // are still alive.
    std::size_t reap(bool block);
    // SIGKILL to the group and to each child not yet reaped.
    void kill_all() noexcept;

    std::size_t size() const { return m_children.size(); }
    const Child &operator[](std::size_t i) const { return m_children[i]; }
    pid_t group() const { return m_group; }

private:
    pid_t m_group = 0;
    std::vector<Child> m_children;
};

// Whether a reaped child ended as planned: it exited with status 0 after its work.
bool finished_normally(int status);
// How a child ended otherwise, as a label for its last segment: "killed by SIGKILL".
std::string describe_ending(int status);

} // namespace il::proc
