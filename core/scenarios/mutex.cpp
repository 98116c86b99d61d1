#include "../registry.h"
#include "../sync.h"
#include "workers.h"

#include <atomic>

namespace il {
namespace {

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
            "and the price appears on the timeline as time spent blocked on the lock.",
            {ParamSpec::integer("threads", "Threads", 1, 64, 4, "threads"),
             ParamSpec::integer("increments", "Increments per thread", 1, 10'000'000, 100'000,
                                "increments")},
            {"expected", "actual", "lock_wait_ms", "max_holders"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int threads = int(ctx.param("threads"));
        const std::int64_t increments = ctx.param("increments");
        InstrumentedMutex mutex(ctx.recorder, "counter mutex");
        std::atomic<std::int64_t> counter{0};
        std::atomic<std::int64_t> performed{0};
        std::atomic<int> holders{0};
        std::atomic<int> maxHolders{0};

        run_workers(ctx, threads, "thread ", [&](Lane &lane, int) {
            std::int64_t done = 0;
            for (; done < increments && !ctx.stop.stop_requested(); ++done) {
                if (!mutex.lock(lane, ctx.stop))
                    break;
                raise_max(maxHolders, holders.fetch_add(1) + 1);
                const std::int64_t seen = counter.load(std::memory_order_relaxed);
                counter.store(seen + 1, std::memory_order_relaxed);
                holders.fetch_sub(1);
                mutex.unlock(lane);
            }
            performed.fetch_add(done);
        });

        return Json{{"expected", performed.load()},
                    {"actual", counter.load()},
                    {"lock_wait_ms", double(mutex.wait_ns()) / 1e6},
                    {"max_holders", maxHolders.load()}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_mutex_scenario()
{
    return std::make_unique<MutexScenario>();
}

} // namespace il
