#include "../registry.h"
#include "../sync.h"
#include "sharedfile.h"
#include "workers.h"

#include <atomic>
#include <random>

namespace il {
namespace {

class RaceScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "race",
            "Race condition: lost updates",
            "Several threads add 1 to a shared counter, each increment being a read "
            "followed by a separate write. Nothing stops two threads from reading the "
            "same value: both then write value + 1 and one increment vanishes. The "
            "timeline shows every thread inside the unprotected section at the same "
            "time; the metrics compare the count you should get with the count you got. "
            "With the 'file' variant the counter is a number in a real text file: each thread "
            "reads it, waits a moment, adds all its increments and writes the file back, so "
            "whoever writes last erases what the others wrote in the meantime.",
            {ParamSpec::integer("threads", "Threads", 1, 64, 4, "threads"),
             ParamSpec::integer("increments", "Increments per thread", 1, 10'000'000, 100'000,
                                "increments"),
             ParamSpec::choice("variant", "Shared counter in", {"memory", "file"})},
            {"expected", "actual", "lost_updates"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        return ctx.param("variant") == 0 ? in_memory(ctx) : in_file(ctx);
    }

private:
    static Json result(std::int64_t expected, std::int64_t actual)
    {
        return Json{
            {"expected", expected}, {"actual", actual}, {"lost_updates", expected - actual}};
    }

    static Json in_memory(RunContext &ctx)
    {
        const int threads = int(ctx.param("threads"));
        const std::int64_t increments = ctx.param("increments");
        const ResourceId counterRes = ctx.recorder.add_resource("counter (unprotected)");
        // The counter on a cache line of its own, as in the mutex scenario: nothing the
        // stack happens to put beside it (the loop's own bound, say) shares its traffic.
        struct alignas(64) Shared {
            std::atomic<std::int64_t> counter{0};
            std::atomic<std::int64_t> performed{0}; // added to once per thread, at its end
        } shared;
        auto &counter = shared.counter;
        auto &performed = shared.performed;

        run_workers(ctx, threads, "thread ", [&](Lane &lane, int) {
            lane.state(State::Critical, counterRes);
            std::int64_t done = 0;
            for (; done < increments; ++done) {
                if ((done & 1023) == 0 && ctx.stop.stop_requested())
                    break;
                // A real race, not a data race: two atomic steps with a gap between.
                const std::int64_t seen = counter.load(std::memory_order_relaxed);
                counter.store(seen + 1, std::memory_order_relaxed);
            }
            performed.fetch_add(done);
        });

        return result(performed.load(), counter.load());
    }

    // One read-modify-write of a real file per thread, with a random pause between the
    // read and the write: the classic lost update between processes or programs.
    static Json in_file(RunContext &ctx)
    {
        const int threads = int(ctx.param("threads"));
        const std::int64_t increments = ctx.param("increments");
        const ResourceId fileRes = ctx.recorder.add_resource("counter.txt (unprotected)");
        const ResourceId pauseRes = ctx.recorder.add_resource("between read and write");
        SharedCounterFile file; // a fresh temporary directory, removed afterwards
        std::vector<std::int64_t> pauseMs(static_cast<std::size_t>(threads));
        std::mt19937_64 random(ctx.seed);
        std::uniform_int_distribution<std::int64_t> drawPause(5, 50);
        for (auto &p : pauseMs)
            p = drawPause(random);
        std::atomic<std::int64_t> performed{0};

        run_workers(ctx, threads, "thread ", [&](Lane &lane, int index) {
            lane.state(State::Critical, fileRes);
            const std::int64_t seen = file.read();
            lane.state(State::Sleeping, pauseRes);
            if (!sleep_for(ctx.stop, std::chrono::milliseconds(pauseMs[std::size_t(index)])))
                return; // stopped before writing: this thread's work never happened
            lane.state(State::Critical, fileRes);
            file.write(seen + increments, index);
            performed.fetch_add(increments);
        });

        return result(performed.load(), file.read());
    }
};

} // namespace

std::unique_ptr<Scenario> make_race_scenario()
{
    return std::make_unique<RaceScenario>();
}

} // namespace il
