#pragma once
#include "event.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace il {

// A closed cycle of the wait-for graph: lanes[i] waits for resources[i], which is held
// by lanes[(i + 1) % n]. Times are in ns since the run began once in a Timeline.
struct DeadlockCycle {
    std::int64_t tNs = 0;
    std::vector<LaneId> lanes;
    std::vector<ResourceId> resources;
};

// Who waits for which exclusive resource, and (through each lock's own owner field)
// who holds it. Waits are registered by the instrumented locks on their slow path only;
// the thread whose wait closes a cycle finds it, because the last edge of a deadlock is
// always somebody starting to wait. Owners are published by the locks before they
// register a wait of their own, so that walk sees every edge of the cycle.
class WaitForGraph {
public:
    using Listener = std::function<void(const DeadlockCycle &)>;
    static constexpr LaneId kNobody = ~LaneId(0);

    // Called once, from the thread that closes the first cycle.
    void set_listener(Listener listener);

    // A lock's owner field (kNobody when free), readable while the lock exists.
    void track(ResourceId resource, const std::atomic<LaneId> *owner);
    void untrack(ResourceId resource);

    // `lane` is about to block on `resource`. Returns the cycle if this closes one,
    // stamped with `tNs` if given (tests driving the graph by hand), else with the clock
    // read under the graph's lock: later than every member's own "blocked" record,
    // which each made before registering its wait.
    std::optional<DeadlockCycle> request(LaneId lane, ResourceId resource,
                                         std::optional<std::int64_t> tNs = std::nullopt);
    // `lane` waits no more (it got the resource, or gave up).
    void done_waiting(LaneId lane);

    // The first cycle that closed, if any. Takes no lock (the cycle is final once set): the
    // collector asks after every drain, and the graph's lock is contended by the run's
    // waiters, which the scheduler may preempt while they hold it; the collector must not
    // wait behind them while the rings fill.
    std::optional<DeadlockCycle> first_cycle() const;

private:
    LaneId holder(ResourceId resource) const;

    mutable std::mutex m_mutex;
    std::vector<ResourceId> m_waitsFor;               // by lane; kNoResource: not waiting
    std::vector<const std::atomic<LaneId> *> m_owner; // by resource
    std::optional<DeadlockCycle> m_first;             // written once, under the lock
    std::atomic<bool> m_closed{false};                // m_first is set (and final)
    Listener m_listener;
};

} // namespace il
