#include "../registry.h"
#include "cpuwork.h"
#include "workers.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace il {
namespace {

enum Affinity { OneCore, AllCores };

using CpuSet = std::bitset<CPU_SETSIZE>;

// What one thread measured; written by that thread only, read after the join.
struct ThreadFigures {
    std::int64_t startNs = 0; // wall clock when its work began
    std::int64_t endNs = 0;   // ... and ended
    std::int64_t cpuNs = 0;   // its own CPU time in between
    std::int64_t preemptedNs = 0;
    CpuSet cpus; // every CPU sched_getcpu() reported
    bool pinFailed = false;
};

// What every thread of a run is asked to do.
struct Plan {
    std::int64_t workNs = 0;
    const cpu_set_t *pinTo = nullptr; // null: keep the inherited CPUs
    std::vector<ResourceId> cpuLabel; // per CPU number, "CPU n" for the allowed ones
    std::uint64_t seed = 0;

    ResourceId label(int cpu) const
    {
        return cpu >= 0 && cpu < CPU_SETSIZE ? cpuLabel[std::size_t(cpu)] : kNoResource;
    }
};

// The CPU the calling thread is on now, added to `seen`.
int sample_cpu(CpuSet &seen) noexcept
{
    const int cpu = sched_getcpu();
    if (cpu >= 0 && cpu < CPU_SETSIZE)
        seen.set(std::size_t(cpu));
    return cpu;
}

// One thread: `plan.workNs` of its own CPU time in chunks (burn_cpu). After each chunk the
// wall time it took is compared with the CPU time it took; a difference means the thread
// was runnable but another had the CPU, which the lane records as preempted. The CPU it
// runs on is sampled after every chunk and labels its running segments.
void work(Lane &lane, int index, const Plan &plan, const std::stop_token &stop, ThreadFigures &out)
{
    if (out.pinFailed)
        return;
    CpuSet cpus;
    const Burnt burnt = burn_cpu(
        lane, plan.workNs, stop, plan.seed + std::uint64_t(index),
        [&] { return plan.label(sample_cpu(cpus)); }, kNoResource);
    out.startNs = burnt.startNs;
    out.endNs = burnt.endNs;
    out.cpuNs = burnt.cpuNs;
    out.preemptedNs = burnt.preemptedNs;
    out.cpus = cpus;
}

class ParallelismScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "parallelism",
            "Concurrency vs parallelism",
            "Concurrency means several threads are in progress at the same time; parallelism "
            "means they execute at the same instant, which takes more than one CPU. Each "
            "thread here does 'work_ms' of pure arithmetic and keeps comparing its own CPU "
            "time with the clock on the wall: whenever the wall clock moved on but its CPU "
            "time did not, the thread was ready to run while the kernel gave the CPU to "
            "another thread, and the lane shows that stretch as preempted. With 'one_core' "
            "every thread is pinned to the same CPU: the lanes take turns in short slices, "
            "only one is running at any moment, and parallel_speedup (CPU time divided by "
            "wall time) stays at about 1 however many threads you add. Switch to "
            "'all_cores' and the threads run side by side: the preempted stretches shrink "
            "(they remain while threads outnumber cores), the wall time drops and the "
            "speedup approaches the number of CPUs used. Hover over a running bar to see "
            "which CPU it ran on.",
            {ParamSpec::integer("threads", "Threads", 1, 16, 4, "threads"),
             ParamSpec::integer("work_ms", "CPU work per thread", 10, 10000, 1000, "ms"),
             ParamSpec::choice("affinity", "Run on", {"one_core", "all_cores"}, OneCore)},
            {"cpus_used", "wall_ms", "cpu_ms", "parallel_speedup", "preempted_ms"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int threads = int(ctx.param("threads"));

        // The CPUs this process may use; one_core pins every thread to the first.
        cpu_set_t allowed;
        CPU_ZERO(&allowed);
        if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) == 0)
            throw std::runtime_error("cannot read the CPUs this process may run on");
        int firstCpu = 0;
        while (!CPU_ISSET(firstCpu, &allowed))
            ++firstCpu;
        cpu_set_t pinned;
        CPU_ZERO(&pinned);
        CPU_SET(firstCpu, &pinned);

        Plan plan;
        plan.workNs = ctx.param("work_ms") * 1'000'000;
        plan.pinTo = ctx.param("affinity") == OneCore ? &pinned : nullptr;
        plan.seed = ctx.seed;
        // Labels for running segments ("running (CPU 1)"), made before any thread starts
        // so the workers never take the recorder's lock.
        plan.cpuLabel.assign(CPU_SETSIZE, kNoResource);
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &allowed))
                plan.cpuLabel[std::size_t(c)] =
                    ctx.recorder.add_resource("CPU " + std::to_string(c));

        std::vector<ThreadFigures> figures(static_cast<std::size_t>(threads));
        run_workers(
            ctx, threads, "thread ",
            [&](Lane &lane, int index) {
                work(lane, index, plan, ctx.stop, figures[std::size_t(index)]);
            },
            // Pinned before the start gate: with one_core every thread waits at the gate
            // already on its CPU, so they all start there together.
            [&](int index) {
                if (plan.pinTo &&
                    pthread_setaffinity_np(pthread_self(), sizeof *plan.pinTo, plan.pinTo))
                    figures[std::size_t(index)].pinFailed = true;
            });

        CpuSet used;
        std::int64_t first = std::numeric_limits<std::int64_t>::max();
        std::int64_t last = std::numeric_limits<std::int64_t>::min();
        std::int64_t cpuNs = 0;
        std::int64_t preemptedNs = 0;
        for (const ThreadFigures &f : figures) {
            if (f.pinFailed)
                throw std::runtime_error("cannot pin a thread to CPU " + std::to_string(firstCpu));
            used |= f.cpus;
            first = std::min(first, f.startNs);
            last = std::max(last, f.endNs);
            cpuNs += f.cpuNs;
            preemptedNs += f.preemptedNs;
        }
        const double wallMs = last > first ? double(last - first) / 1e6 : 0.0;
        const double cpuMs = double(cpuNs) / 1e6;
        return Json{{"cpus_used", std::int64_t(used.count())},
                    {"wall_ms", wallMs},
                    {"cpu_ms", cpuMs},
                    {"parallel_speedup", wallMs > 0.0 ? cpuMs / wallMs : 0.0},
                    {"preempted_ms", double(preemptedNs) / 1e6}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_parallelism_scenario()
{
    return std::make_unique<ParallelismScenario>();
}

} // namespace il
