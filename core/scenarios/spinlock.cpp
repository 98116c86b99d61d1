#include "../clock.h"
#include "../registry.h"
#include "budget.h"
#include "cpuwork.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <vector>

namespace il {
namespace {

enum LockKind { TestAndSet, TestAndTestAndSet, StdMutex };

// Every kClockEvery failed tries a spinning thread reads the clock (to tell spinning from
// being off the CPU) and checks Stop (one load of a line nobody writes until Stop); every
// kCheckEvery it reads its CPU clock (a system call) and, once it has spun for
// kSpinsBeforeYield, gives up the rest of its time slice.
constexpr std::uint64_t kClockEvery = 16;
constexpr std::uint64_t kCheckEvery = 1024;
constexpr std::uint64_t kSpinsBeforeYield = 4096;
// A gap between two clock reads of a spin loop longer than this was not spent spinning:
// 16 spins take a few microseconds even on a contended cache line, while the kernel takes
// the CPU away (preemption, or a yield that ran another thread) for a time slice, 0.75 ms
// and up. The same bound as the parallelism scenario's.
constexpr std::int64_t kOffCpuGapNs = 50'000;
// Holds this long or longer are drawn as critical sections; shorter ones would be
// invisible slivers that only fill the rings.
constexpr std::int64_t kVisibleCriticalNs = 1'000;

// The bookkeeping of one contended acquisition of a spinlock: counts the failed attempts,
// adds up the time spent spinning on the CPU, checks Stop and yields after a long spin.
class SpinWait {
public:
    SpinWait(const std::stop_token &stop, std::int64_t startNs) noexcept
        : m_stop(stop)
        , m_lastNs(startNs)
    {
    }

    // After a failed attempt; false once Stop is requested.
    bool again() noexcept
    {
        ++m_spins;
        if (m_spins % kClockEvery != 0)
            return true;
        tick(now_ns());
        if (m_stop.stop_requested())
            return false;
        if (m_spins % kCheckEvery != 0)
            return true;
        // A long spin: from here on its CPU time comes from the kernel's clock for the
        // thread, which also leaves out what the gaps test cannot see (a vCPU that the
        // hypervisor paused, another thread that ran for less than kOffCpuGapNs).
        const std::int64_t cpu = thread_cpu_ns();
        if (m_cpuAtCheck >= 0)
            m_onCpuNs = m_onCpuAtCheck + (cpu - m_cpuAtCheck);
        m_cpuAtCheck = cpu;
        m_onCpuAtCheck = m_onCpuNs;
        // Without this, a thread that spins while the holder waits for a CPU burns its
        // whole time slice before the holder can run and let go.
        if (m_spins >= kSpinsBeforeYield)
            std::this_thread::yield();
        return true;
    }

    // Time spent spinning on the CPU from the start to `endNs`.
    std::int64_t spun_ns(std::int64_t endNs) noexcept
    {
        tick(endNs);
        return m_onCpuNs;
    }

private:
    void tick(std::int64_t now) noexcept
    {
        const std::int64_t gap = now - m_lastNs;
        if (gap < kOffCpuGapNs)
            m_onCpuNs += gap;
        m_lastNs = now;
    }

    const std::stop_token &m_stop;
    std::uint64_t m_spins = 0;
    std::int64_t m_lastNs;
    std::int64_t m_onCpuNs = 0;
    std::int64_t m_cpuAtCheck = -1; // the thread's CPU clock at the last check
    std::int64_t m_onCpuAtCheck = 0;
};

// The simplest spinlock: keep swapping "taken" into the flag until the old value was "free".
// Every attempt is a write, so the waiters keep pulling the flag's cache line away from
// each other and from the holder.
class TasLock {
public:
    bool try_lock() noexcept { return !m_flag.test_and_set(std::memory_order_acquire); }
    bool lock_contended(SpinWait &wait) noexcept
    {
        while (m_flag.test_and_set(std::memory_order_acquire))
            if (!wait.again())
                return false;
        return true;
    }
    void unlock() noexcept { m_flag.clear(std::memory_order_release); }

private:
    std::atomic_flag m_flag;
};

// Test and test-and-set: wait with plain reads, which every core can serve from its own
// copy of the cache line, and write only when the flag looks free.
class TtasLock {
public:
    bool try_lock() noexcept { return !m_flag.test_and_set(std::memory_order_acquire); }
    bool lock_contended(SpinWait &wait) noexcept
    {
        for (;;) {
            if (!m_flag.test(std::memory_order_relaxed) &&
                !m_flag.test_and_set(std::memory_order_acquire))
                return true;
            cpu_relax();
            if (!wait.again())
                return false;
        }
    }
    void unlock() noexcept { m_flag.clear(std::memory_order_release); }

private:
    std::atomic_flag m_flag;
};

// What reading the thread's CPU clock costs in CPU time (a system call here): the least
// difference between two reads in a row.
std::int64_t cpu_clock_cost_ns() noexcept
{
    std::int64_t least = std::numeric_limits<std::int64_t>::max();
    for (int i = 0; i < 16; ++i) {
        const std::int64_t a = thread_cpu_ns();
        least = std::min(least, thread_cpu_ns() - a);
    }
    return least;
}

// Busy work inside the lock until `ns` have passed (0: none).
void hold_for(std::int64_t ns) noexcept
{
    if (ns <= 0)
        return;
    const std::int64_t until = now_ns() + ns;
    while (now_ns() < until) {
    }
}

// What one thread measured; written by that thread only, read after the join.
struct ThreadFigures {
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::int64_t spinNs = 0; // CPU time spent waiting for the lock
};

struct Shared {
    const std::stop_token &stop;
    std::int64_t increments;
    std::int64_t criticalNs;
    ResourceId lock;
    std::int64_t clockCostNs;
    ResourceId budgetLabel;
    std::int64_t counter = 0; // guarded by the lock
};

// One thread's increments. Only what is visible is recorded: an uncontended acquisition
// leaves the lane Running ("incrementing"); a contended one is Spinning (Blocked for the
// mutex) from the failed first try until the lock is taken; holds of kVisibleCriticalNs
// or more are Critical. A lane records at most LaneBudget's worth of changes; after that
// it shows that its detail was not kept, while the counting goes on.
//
// spin_ms is the CPU time the waiters burned while waiting, measured in two ways that
// mean the same thing, each as cheap as its lock allows. A spinner never sleeps, so its time
// in the spin loop is CPU time, except for gaps in which the kernel ran something else (it
// was preempted, or its yield let another thread run: over kOffCpuGapNs between two clock
// reads), which are left out; a long spin reads the kernel's CPU clock for the thread
// every kCheckEvery spins instead (a system call, too slow for every short spin). A mutex waiter
// sleeps off the CPU by design, so its CPU time comes from that same kernel clock, read before
// lock() and after unlock() (never inside the lock, where a system call would lengthen every hold),
// less the hold itself and the cost of reading the clock. Either way: the waiter's own CPU time
// during its waits, not the wall time it waited.
template <typename Lock> void increment(Lock &lock, Shared &s, Lane &lane, ThreadFigures &out)
{
    constexpr bool kMutex = std::is_same_v<Lock, std::mutex>;
    const bool showHold = s.criticalNs >= kVisibleCriticalNs;
    const State inside = showHold ? State::Critical : State::Running;
    out.startNs = now_ns();
    LaneBudget budget(lane, s.budgetLabel);
    for (std::int64_t i = 0; i < s.increments && !s.stop.stop_requested(); ++i) {
        const bool contended = !lock.try_lock();
        // At most three changes per increment: waiting, inside, out again.
        const bool record = (contended || showHold) && budget.take(contended ? 3 : 2);
        std::int64_t cpuBefore = 0;
        std::int64_t acquiredNs = 0;
        if (contended) {
            const std::int64_t waitNs = now_ns();
            if constexpr (kMutex) {
                if (record)
                    lane.state_at(waitNs, State::Blocked, s.lock);
                cpuBefore = thread_cpu_ns();
                lock.lock(); // other threads hold it briefly and check Stop between holds
                acquiredNs = now_ordered_ns();
            } else {
                if (record)
                    lane.state_at(waitNs, State::Spinning, s.lock);
                SpinWait wait(s.stop, waitNs);
                if (!lock.lock_contended(wait)) {
                    out.spinNs += wait.spun_ns(now_ns());
                    if (record)
                        lane.state(State::Running);
                    break;
                }
                acquiredNs = now_ordered_ns();
                out.spinNs += wait.spun_ns(acquiredNs);
            }
            if (record)
                lane.state_at(acquiredNs, inside, s.lock);
        } else if (record) {
            lane.state_ordered(State::Critical, s.lock);
        }
        ++s.counter;
        hold_for(s.criticalNs);
        // Still inside: so the timeline shows one holder's critical section end before
        // the next one's begins, as it did.
        if (showHold && record)
            lane.state(State::Running);
        lock.unlock();
        if (kMutex && contended) {
            const std::int64_t releasedNs = now_ns();
            const std::int64_t cpu = thread_cpu_ns() - cpuBefore;
            out.spinNs +=
                std::max<std::int64_t>(0, cpu - (releasedNs - acquiredNs) - s.clockCostNs);
        }
    }
    out.endNs = now_ns();
}

class SpinlockScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "spinlock",
            "Spinlock: test-and-set vs the kernel",
            "Several threads each add 1 to a shared counter 'increments' times, and every "
            "increment happens while holding a lock. With test_and_set the lock is one atomic "
            "flag: a thread that finds it taken keeps asking 'free yet?' in a tight loop, "
            "burning its CPU while it waits, which the timeline shows as reddish-purple "
            "spinning bars. test_and_test_and_set asks with a cheap read of the flag and only "
            "tries to grab it when it looks free, so the waiters get less in each other's and "
            "the holder's way. std_mutex puts a waiting thread to sleep in the kernel until "
            "the lock is free: orange blocked bars that cost almost no CPU. Every lock gets "
            "the count right; compare what it costs: spin_ms (CPU time burned while waiting) "
            "and throughput_per_ms, and raise critical_ns to hold the lock longer. With more "
            "threads than cores a spinner can occupy a core while the holder waits for one, "
            "so its spinning only wastes time; to limit that, the spinlocks here give up the "
            "CPU (yield) after a few thousand failed tries, as real spinlocks do, which makes "
            "them not quite pure spinlocks.",
            {ParamSpec::choice("lock", "Lock",
                               {"test_and_set", "test_and_test_and_set", "std_mutex"}, TestAndSet),
             ParamSpec::integer("threads", "Threads", 1, 16, 4, "threads"),
             ParamSpec::integer("increments", "Increments per thread", 1, 10'000'000, 200'000,
                                "increments"),
             ParamSpec::integer("critical_ns", "Extra work inside the lock", 0, 100'000, 0, "ns")},
            {"actual", "spin_ms", "wall_ms", "throughput_per_ms"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const auto kind = LockKind(ctx.param("lock"));
        const int threads = int(ctx.param("threads"));
        Shared shared{ctx.stop,
                      ctx.param("increments"),
                      ctx.param("critical_ns"),
                      ctx.recorder.add_resource(kind == StdMutex ? "mutex" : "spinlock"),
                      cpu_clock_cost_ns(),
                      budget_label(ctx.recorder)};
        std::vector<ThreadFigures> figures(static_cast<std::size_t>(threads));
        TasLock tas;
        TtasLock ttas;
        std::mutex mutex;

        run_workers(ctx, threads, "thread ", [&](Lane &lane, int index) {
            ThreadFigures &out = figures[std::size_t(index)];
            switch (kind) {
            case TestAndSet: increment(tas, shared, lane, out); break;
            case TestAndTestAndSet: increment(ttas, shared, lane, out); break;
            case StdMutex: increment(mutex, shared, lane, out); break;
            }
        });

        std::int64_t first = std::numeric_limits<std::int64_t>::max();
        std::int64_t last = std::numeric_limits<std::int64_t>::min();
        std::int64_t spinNs = 0;
        for (const ThreadFigures &f : figures) {
            first = std::min(first, f.startNs);
            last = std::max(last, f.endNs);
            spinNs += f.spinNs;
        }
        const double wallMs = last > first ? double(last - first) / 1e6 : 0.0;
        const std::int64_t actual = shared.counter;
        return Json{{"actual", actual},
                    {"spin_ms", double(spinNs) / 1e6},
                    {"wall_ms", wallMs},
                    {"throughput_per_ms", wallMs > 0.0 ? double(actual) / wallMs : 0.0}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_spinlock_scenario()
{
    return std::make_unique<SpinlockScenario>();
}

} // namespace il
