#include "../registry.h"
#include "../sync.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace il {
namespace {

class SemaphoreScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "semaphore",
            "Semaphore: N at a time",
            "A counting semaphore hands out a fixed number of permits. Every worker needs "
            "one to enter; when they are all taken, the next worker blocks until someone "
            "leaves and gives a permit back. Here the semaphore is built from a mutex and "
            "a condition variable, as in textbooks, or taken from the standard library "
            "(C++20's std::counting_semaphore, which waits on a futex in the kernel). However "
            "many workers push, never more than 'permits' are inside at once with either: "
            "count the overlapping bars.",
            {ParamSpec::integer("workers", "Workers", 1, 64, 50, "threads"),
             ParamSpec::integer("permits", "Permits", 1, 16, 2, "permits"),
             ParamSpec::integer("work_ms", "Work inside", 1, 2000, 100, "ms"),
             ParamSpec::choice("implementation", "Semaphore",
                               {"mutex_condvar", "std_counting_semaphore"})},
            {"max_concurrency", "permit_wait_ms"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int permits = int(ctx.param("permits"));
        if (ctx.param("implementation") == 0) {
            InstrumentedSemaphore semaphore(ctx.recorder, "semaphore", permits);
            return run_with(ctx, semaphore);
        }
        InstrumentedStdSemaphore semaphore(ctx.recorder, "semaphore", permits);
        return run_with(ctx, semaphore);
    }

private:
    template <typename Semaphore> static Json run_with(RunContext &ctx, Semaphore &semaphore)
    {
        const int workers = int(ctx.param("workers"));
        const auto work = std::chrono::milliseconds(ctx.param("work_ms"));
        std::atomic<int> inside{0};
        std::atomic<int> maxInside{0};

        run_workers(ctx, workers, "worker ", [&](Lane &lane, int) {
            if (!semaphore.acquire(lane, ctx.stop))
                return;
            raise_max(maxInside, inside.fetch_add(1) + 1);
            sleep_for(ctx.stop, work);
            inside.fetch_sub(1);
            semaphore.release(lane);
        });

        return Json{{"max_concurrency", maxInside.load()},
                    {"permit_wait_ms", double(semaphore.wait_ns()) / 1e6}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_semaphore_scenario()
{
    return std::make_unique<SemaphoreScenario>();
}

} // namespace il
