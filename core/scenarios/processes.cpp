#include "../registry.h"
#include "../sync.h"
#include "childprocesses.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace il {
namespace {

using namespace il::proc;

constexpr std::size_t kChildRingCapacity = 256; // a child records six events

// What one child tells its parent, in memory shared across fork().
struct ChildSlot {
    std::atomic<LaneId> lane{0};              // set by the parent before the gate opens
    std::atomic<pid_t> pid{0};                // getpid() as the child sees it
    std::atomic<std::int64_t> endNs{0};       // its clock when it finished; 0 until then
    std::atomic<std::int64_t> counterSeen{0}; // its counter after incrementing it
};
static_assert(std::atomic<std::int64_t>::is_always_lock_free &&
                  std::atomic<LaneId>::is_always_lock_free &&
                  std::atomic<pid_t>::is_always_lock_free,
              "slots shared with a child process need address-free atomics");

// Everything a child uses, prepared by the parent before it forks.
struct ChildPlan {
    EventRing *ring = nullptr;
    ChildSlot *slot = nullptr;
    const StartGate *gate = nullptr;
    volatile std::int64_t *counter = nullptr; // the parent's variable: the child gets a copy
    std::int64_t sleepMs = 0;
    ResourceId sleepLabel = kNoResource;
    Recording recording = Recording::On; // the parent recorder's: off means off in children too
};

constexpr int kExitGateBroken = 3;

// A child's life after ChildGroup set it up: async-signal-safe calls only (see
// ChildGroup::Body). Recording is safe: a Lane over the inherited shared ring only reads
// the clock and does plain stores and lock-free atomics.
int child_main(const ChildPlan &p) noexcept
{
    p.slot->pid.store(getpid(), std::memory_order_relaxed);
    if (!p.gate->wait()) // open: every child exists and has its lane
        return kExitGateBroken;
    Lane lane(p.slot->lane.load(std::memory_order_acquire), *p.ring, p.recording);
    lane.state(State::Running);
    *p.counter = *p.counter + 1; // this process's own copy of the parent's counter
    p.slot->counterSeen.store(*p.counter, std::memory_order_relaxed);

    lane.state(State::Sleeping, p.sleepLabel);
    timespec left{time_t(p.sleepMs / 1000), long(p.sleepMs % 1000) * 1'000'000};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
    lane.state(State::Running);
    lane.mark(kMarkStep);
    const std::int64_t end = now_ns();
    lane.state_at(end, State::Finished);
    p.slot->endNs.store(end, std::memory_order_release);
    return 0;
}

class ProcessesScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "processes",
            "Processes: fork and wait",
            "fork() copies the running program into a new process with its own memory. Here "
            "the parent forks several children, one lane each in the order they were "
            "created, named by the process ID that fork() returned and that the child itself "
            "reports with getpid(). They wait at a starting gate until all exist, then each "
            "sleeps a random time and exits, and the parent waits for each by its PID. The "
            "bars start together but end in the order of their sleeps, not of their "
            "creation: count the pairs that swapped. Every child also adds one to a counter "
            "it inherited: each sees 1 and "
            "the parent's copy stays 0, because after fork nothing is shared unless it was "
            "mapped as shared memory, like the memory the children record this timeline in.",
            {ParamSpec::integer("processes", "Processes", 1, 32, 10, "processes"),
             ParamSpec::integer("max_sleep_ms", "Longest sleep", 0, 10000, 1000, "ms")},
            {"processes_started", "processes_reaped", "distinct_pids", "finish_order_inversions",
             "child_counter", "parent_counter_after"}};
        return info;
    }

    // Runs on the Run's thread, which forks the children and so is their parent thread:
    // their death signal fires when it ends. It outlives every child, because run() reaps
    // them all before it returns (ChildGroup's destructor too, on an exception).
    Json run(RunContext &ctx) const override
    {
        const auto count = std::size_t(ctx.param("processes"));
        std::mt19937_64 rng(ctx.seed);
        std::uniform_int_distribution<std::int64_t> drawSleep(0, ctx.param("max_sleep_ms"));

        // Everything a child touches exists before the first fork.
        volatile std::int64_t counter = 0;
        SharedArray<ChildSlot> slots(count);
        StartGate gate;
        std::vector<std::unique_ptr<EventRing>> rings;
        std::vector<ChildPlan> plans(count);
        for (std::size_t i = 0; i < count; ++i) {
            ChildPlan &p = plans[i];
            rings.push_back(make_shared_ring(kChildRingCapacity));
            p.ring = rings.back().get();
            p.slot = &slots[i];
            p.gate = &gate;
            p.counter = &counter;
            p.sleepMs = drawSleep(rng);
            p.sleepLabel = ctx.recorder.label("sleep " + std::to_string(p.sleepMs) + " ms");
            p.recording = ctx.recorder.recording();
        }

        ChildGroup children(count); // after the rings, slots and gate: gone before them
        for (std::size_t i = 0; i < count && !ctx.stop.stop_requested(); ++i)
            children.fork_one([&p = plans[i]]() noexcept { return child_main(p); });
        // One lane per child, in fork order, over the ring it already holds.
        std::vector<Lane *> lanes;
        for (std::size_t i = 0; i < children.size(); ++i) {
            lanes.push_back(&ctx.recorder.add_lane("pid " + std::to_string(children[i].pid),
                                                   std::move(rings[i])));
            slots[i].lane.store(lanes.back()->id(), std::memory_order_relaxed);
        }
        if (!ctx.stop.stop_requested())
            gate.open(); // publishes the lanes: they all start now

        while (children.reap(false) > 0)
            if (!sleep_for(ctx.stop, std::chrono::milliseconds(1))) {
                children.kill_all();
                children.reap(true);
            }

        // A child that did not finish its work (killed by Stop, or failed) recorded no
        // end. It is dead now, so its lane has no other writer: say how it ended.
        for (std::size_t i = 0; i < children.size(); ++i) {
            const auto &c = children[i];
            if (c.reaped && !finished_normally(c.status))
                lanes[i]->state(State::Finished, ctx.recorder.label(describe_ending(c.status)));
        }
        return metrics(children, slots, counter);
    }

private:
    static Json metrics(const ChildGroup &children, const SharedArray<ChildSlot> &slots,
                        const volatile std::int64_t &counter)
    {
        std::int64_t reaped = 0;
        std::int64_t childCounter = 0;  // the largest any child saw: 1 if each has its own
        std::set<pid_t> pids;           // as the children reported them
        std::vector<std::int64_t> ends; // in fork order, of the children that finished
        for (std::size_t i = 0; i < children.size(); ++i) {
            reaped += children[i].reaped ? 1 : 0;
            if (const pid_t pid = slots[i].pid.load(); pid != 0)
                pids.insert(pid);
            childCounter = std::max(childCounter, slots[i].counterSeen.load());
            if (const std::int64_t end = slots[i].endNs.load(std::memory_order_acquire); end != 0)
                ends.push_back(end);
        }
        // Pairs that ended in another order than they were created (forked) in.
        std::int64_t inversions = 0;
        for (std::size_t a = 0; a < ends.size(); ++a)
            for (std::size_t b = a + 1; b < ends.size(); ++b)
                inversions += ends[a] > ends[b] ? 1 : 0;
        return Json{{"processes_started", std::int64_t(children.size())},
                    {"processes_reaped", reaped},
                    {"distinct_pids", std::int64_t(pids.size())},
                    {"finish_order_inversions", inversions},
                    {"child_counter", childCounter},
                    {"parent_counter_after", std::int64_t(counter)}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_processes_scenario()
{
    return std::make_unique<ProcessesScenario>();
}

} // namespace il
