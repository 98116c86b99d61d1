#include "../registry.h"
#include "../sync.h"
#include "childprocesses.h"

#include <algorithm>
#include <chrono>
#include <map>
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

class ProcessesScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "processes",
            "Processes: fork and wait",
            "fork() copies the running program into a new process with its own memory. Here "
            "the parent forks several children, one lane each, named by its process ID. They "
            "wait at a starting gate until all exist, then each sleeps a random time and "
            "exits, and the parent waits for each by its PID. The bars start together but "
            "end in the order of their sleeps, not of their creation: count the pairs that "
            "swapped. Every child also adds one to a counter it inherited: each sees 1 and "
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

        // Segment labels ("sleep 734 ms", "killed by SIGKILL"): one resource per text.
        std::map<std::string, ResourceId> labels;
        const auto label = [&](const std::string &text) {
            auto it = labels.find(text);
            if (it == labels.end())
                it = labels.emplace(text, ctx.recorder.add_resource(text)).first;
            return it->second;
        };

        // Everything a child touches exists before the first fork.
        volatile std::int64_t counter = 0;
        SharedSlots slots(count);
        StartGate gate;
        std::vector<std::unique_ptr<EventRing>> rings;
        std::vector<ChildPlan> plans(count);
        for (std::size_t i = 0; i < count; ++i) {
            ChildPlan &p = plans[i];
            rings.push_back(make_shared_ring(kChildRingCapacity));
            p.ring = rings.back().get();
            p.slot = &slots[i];
            p.counter = &counter;
            p.sleepMs = drawSleep(rng);
            p.sleepLabel = label("sleep " + std::to_string(p.sleepMs) + " ms");
            p.parent = getpid();
            p.gateRead = gate.read_end();
            p.gateWrite = gate.write_end();
        }

        ChildGroup children; // after the rings and slots: gone before them
        for (std::size_t i = 0; i < count && !ctx.stop.stop_requested(); ++i)
            children.fork_one(plans[i]);
        // One lane per child, in fork order, over the ring it already holds.
        std::vector<Lane *> lanes;
        for (std::size_t i = 0; i < children.size(); ++i) {
            lanes.push_back(&ctx.recorder.add_lane("pid " + std::to_string(children[i].pid),
                                                   std::move(rings[i])));
            slots[i].lane.store(lanes.back()->id(), std::memory_order_release);
        }
        if (!ctx.stop.stop_requested())
            gate.open(); // every child reads end of file: they all start now

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
                lanes[i]->state(State::Finished, label(describe_ending(c.status)));
        }
        return metrics(children, slots, counter);
    }

private:
    // Started in one order and ended in the other.
    static bool inverted(std::pair<std::int64_t, std::int64_t> a,
                         std::pair<std::int64_t, std::int64_t> b)
    {
        return (a.first < b.first && a.second > b.second) ||
               (a.first > b.first && a.second < b.second);
    }

    static Json metrics(const ChildGroup &children, const SharedSlots &slots,
                        const volatile std::int64_t &counter)
    {
        std::int64_t reaped = 0;
        std::int64_t childCounter = 0; // the largest any child saw: 1 if each has its own
        std::set<pid_t> pids;
        std::vector<std::pair<std::int64_t, std::int64_t>> spans; // of the children that finished
        for (std::size_t i = 0; i < children.size(); ++i) {
            reaped += children[i].reaped ? 1 : 0;
            pids.insert(children[i].pid);
            childCounter = std::max(childCounter, slots[i].counterSeen.load());
            const std::int64_t end = slots[i].endNs.load(std::memory_order_acquire);
            if (end != 0)
                spans.emplace_back(slots[i].startNs.load(), end);
        }
        std::int64_t inversions = 0;
        for (std::size_t a = 0; a < spans.size(); ++a)
            for (std::size_t b = a + 1; b < spans.size(); ++b)
                inversions += inverted(spans[a], spans[b]) ? 1 : 0;
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
