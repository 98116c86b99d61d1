#include "../registry.h"
#include "workers.h"

#include <atomic>

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
            "time; the metrics compare the count you should get with the count you got.",
            {ParamSpec::integer("threads", "Threads", 1, 64, 4, "threads"),
             ParamSpec::integer("increments", "Increments per thread", 1, 10'000'000, 100'000,
                                "increments")},
            {"expected", "actual", "lost_updates"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int threads = int(ctx.param("threads"));
        const std::int64_t increments = ctx.param("increments");
        const ResourceId counterRes = ctx.recorder.add_resource("counter (unprotected)");
        std::atomic<std::int64_t> counter{0};
        std::atomic<std::int64_t> performed{0};

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

        const std::int64_t expected = performed.load();
        const std::int64_t actual = counter.load();
        return Json{
            {"expected", expected}, {"actual", actual}, {"lost_updates", expected - actual}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_race_scenario()
{
    return std::make_unique<RaceScenario>();
}

} // namespace il
