#include "../registry.h"
#include "../sync.h"
#include "workers.h"

#include <atomic>

namespace il {
namespace {

// What the threads share, in groups of their own cache lines: the lock word, which
// waiters read as they spin, apart from the counter, which only the holder writes, and
// both apart from whatever the stack would put beside them. Left to the stack, the
// layout changed with where ASLR placed the frame: the unrecorded 4-thread run went at
// 10 M increments/s in one start of the program and 15 M/s in the next (2-core VM).
struct Shared {
    explicit Shared(Recorder &recorder)
        : mutex(recorder, "counter mutex")
    {
    }
    alignas(64) InstrumentedMutex mutex;
    alignas(64) std::atomic<std::int64_t> counter{0};
    std::atomic<int> holders{0}; // threads inside the critical section: never above 1
    std::atomic<int> maxHolders{0};
    // Only the holder reads or writes these: which thread held the lock last, and how
    // often it went to another thread than that one.
    int lastHolder = -1;
    std::int64_t handovers = 0;
    alignas(64) std::atomic<std::int64_t> performed{0};
};

class MutexScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "mutex",
            "Mutex: no more lost updates",
            "The same shared counter as in the race, but every increment happens while "
            "holding a mutex. Only one thread at a time is in the critical section; the "
            "others block until the lock is released. The count is now always right, "
            "and the price appears on the timeline as time spent blocked on the lock. "
            "Handovers count how often the lock went to a different thread than the one "
            "that held it last: a thread that lets go often takes it straight back.",
            {ParamSpec::integer("threads", "Threads", 1, 64, 4, "threads"),
             ParamSpec::integer("increments", "Increments per thread", 1, 10'000'000, 100'000,
                                "increments")},
            {"expected", "actual", "lock_wait_ms", "max_holders", "handovers"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int threads = int(ctx.param("threads"));
        const std::int64_t increments = ctx.param("increments");
        Shared s(ctx.recorder);

        run_workers(ctx, threads, "thread ", [&](Lane &lane, int me) {
            std::int64_t done = 0;
            for (; done < increments && !ctx.stop.stop_requested(); ++done) {
                if (!s.mutex.lock(lane, ctx.stop))
                    break;
                raise_max(s.maxHolders, s.holders.fetch_add(1) + 1);
                const std::int64_t seen = s.counter.load(std::memory_order_relaxed);
                s.counter.store(seen + 1, std::memory_order_relaxed);
                if (s.lastHolder != me) {
                    s.handovers += s.lastHolder >= 0 ? 1 : 0;
                    s.lastHolder = me;
                }
                s.holders.fetch_sub(1);
                s.mutex.unlock(lane);
            }
            s.performed.fetch_add(done);
        });

        return Json{{"expected", s.performed.load()},
                    {"actual", s.counter.load()},
                    {"lock_wait_ms", double(s.mutex.wait_ns()) / 1e6},
                    {"max_holders", s.maxHolders.load()},
                    {"handovers", s.handovers}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_mutex_scenario()
{
    return std::make_unique<MutexScenario>();
}

} // namespace il
