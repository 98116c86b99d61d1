#include "../clock.h"
#include "../registry.h"
#include "cpuwork.h"
#include "workers.h"

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace il {
namespace {

// The CPUs this process may run on (not the machine's total).
int allowed_cores()
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0)
        return CPU_COUNT(&allowed);
    return int(std::max(1U, std::thread::hardware_concurrency()));
}

struct Labels {
    ResourceId serial;
    ResourceId join;
    ResourceId waiting;
    ResourceId starting;
    std::vector<ResourceId> trial; // [n]: "n = <n>", n = 1..max

    Labels(Recorder &recorder, int maxThreads)
        : serial(recorder.label("serial part"))
        , join(recorder.label("join"))
        , waiting(recorder.label("waiting for work"))
        , starting(recorder.label("starting workers"))
        , trial(std::size_t(maxThreads) + 1, kNoResource)
    {
        for (int n = 1; n <= maxThreads; ++n)
            trial[std::size_t(n)] = recorder.label("n = " + std::to_string(n));
    }
};

// Persistent workers, one lane each ("thread 0" …), created once before the first trial.
// Trial n hands the parallel part to workers 0..n-1 (a new generation), each burns an
// equal share of it, and the caller waits until all n are done. Every wait also ends on
// Stop: a stop callback wakes both condition variables under the mutex, and every
// predicate checks the stop token, so no wake-up is lost.
class Crew {
public:
    Crew(RunContext &ctx, const Labels &labels, int count)
        : m_ctx(ctx)
        , m_labels(labels)
        , m_cpuNs(std::size_t(count), 0)
        , m_wake(ctx.stop, Wake{this})
    {
        m_lanes.reserve(std::size_t(count));
        ctx.recorder.expect_lanes(std::size_t(count));
        for (int i = 0; i < count; ++i)
            m_lanes.push_back(&ctx.recorder.add_lane("thread " + std::to_string(i)));
    }
    Crew(const Crew &) = delete;
    Crew &operator=(const Crew &) = delete;

    ~Crew()
    {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_work.notify_all();
        for (std::jthread &t : m_threads)
            t.join();
    }

    // Starts the threads and waits until each waits for work; false if stopped first.
    bool start()
    {
        m_threads.reserve(m_lanes.size());
        for (std::size_t i = 0; i < m_lanes.size(); ++i)
            m_threads.emplace_back([this, i] { work(int(i)); });
        std::unique_lock lock(m_mutex);
        m_done.wait(
            lock, [this] { return m_ready == int(m_lanes.size()) || m_ctx.stop.stop_requested(); });
        return m_ready == int(m_lanes.size());
    }

    // What the workers of one trial used.
    struct Parallel {
        bool completed = false;     // false: stopped before all of them were done
        std::int64_t cpuNs = 0;     // their CPU time together
        std::int64_t longestNs = 0; // the CPU time of the one that used most
    };

    // Splits `parallelNs` of CPU work evenly over workers 0..n-1 and waits for all of them.
    Parallel run_parallel(int n, std::int64_t parallelNs)
    {
        std::unique_lock lock(m_mutex);
        m_active = n;
        m_totalNs = parallelNs;
        m_finished = 0;
        ++m_generation;
        m_work.notify_all();
        m_done.wait(lock, [&] { return m_finished == n || m_ctx.stop.stop_requested(); });
        Parallel out;
        out.completed = m_finished == n;
        for (int i = 0; out.completed && i < n; ++i) {
            out.cpuNs += m_cpuNs[std::size_t(i)];
            out.longestNs = std::max(out.longestNs, m_cpuNs[std::size_t(i)]);
        }
        return out;
    }

private:
    struct Wake {
        Crew *crew;
        void operator()() const
        {
            std::lock_guard lock(crew->m_mutex);
            crew->m_work.notify_all();
            crew->m_done.notify_all();
        }
    };

    void work(int index)
    {
        lower_priority(int(m_lanes.size()));
        Lane &lane = *m_lanes[std::size_t(index)];
        lane.state(State::Running);
        lane.state(State::Blocked, m_labels.waiting);
        const std::stop_token &stop = m_ctx.stop;
        std::unique_lock lock(m_mutex);
        ++m_ready;
        m_done.notify_all();
        std::uint64_t seen = 0;
        for (;;) {
            // Only the first m_active workers take part in a generation; the others sleep on.
            m_work.wait(lock, [&] {
                return m_quit || stop.stop_requested() ||
                       (m_generation != seen && index < m_active);
            });
            if (m_quit || stop.stop_requested())
                break;
            seen = m_generation;
            const int n = m_active;
            // An even split; the first (total mod n) workers take one nanosecond more.
            const std::int64_t share =
                m_totalNs / n + (index < int(m_totalNs % n) ? std::int64_t(1) : 0);
            lock.unlock();
            const Burnt burnt = burn_cpu(lane, share, stop, m_ctx.seed + std::uint64_t(index) + 1,
                                         m_labels.trial[std::size_t(n)]);
            lane.state(State::Blocked, m_labels.waiting);
            lock.lock();
            m_cpuNs[std::size_t(index)] = burnt.cpuNs;
            // A share cut short by Stop is not done: the trial must not count as measured.
            if (burnt.completed && ++m_finished == n)
                m_done.notify_all();
        }
        lock.unlock();
        lane.state(State::Finished);
    }

    RunContext &m_ctx;
    const Labels &m_labels;
    std::vector<Lane *> m_lanes;
    std::mutex m_mutex;
    std::condition_variable m_work; // workers wait here for a generation
    std::condition_variable m_done; // the caller waits here for the workers
    // Guarded by m_mutex:
    std::uint64_t m_generation = 0;
    int m_active = 0;
    std::int64_t m_totalNs = 0;
    int m_finished = 0;
    int m_ready = 0;
    bool m_quit = false;
    std::vector<std::int64_t> m_cpuNs; // per worker, its last share's CPU time
    std::stop_callback<Wake> m_wake;   // after what it touches, so it goes first
    std::vector<std::jthread> m_threads;
};

class AmdahlScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "amdahl",
            "Amdahl's law, measured",
            "If part of a job can only be done by one thread, adding threads speeds up the "
            "rest only. Here the same job, 'work_ms' of pure arithmetic of which "
            "'serial_percent' is serial, runs with 1 thread, then 2, and so on up to "
            "'max_threads'. On the timeline main does the serial part alone while every "
            "worker waits; then the parallel part is split evenly over n worker lanes "
            "(labelled 'n = …') while main waits to join them. However many threads you add, "
            "main's serial bar stays just as long and only the parallel bars get shorter, and "
            "once the threads outnumber the CPU cores they are preempted in turn and stop "
            "getting shorter. The speedup tab plots each measured speedup (the CPU time of "
            "the 1-thread job divided by the wall time with n threads) against Amdahl's curve "
            "1 / (s + (1 - s) / n) and the number of cores: the points follow the curve until "
            "the threads exceed the cores, then flatten, and never rise above 1 / s.",
            {ParamSpec::integer("serial_percent", "Serial part", 0, 100, 10, "%"),
             ParamSpec::integer("max_threads", "Up to", 1, 32, 8, "threads"),
             ParamSpec::integer("work_ms", "Total CPU work", 10, 10000, 400, "ms")},
            {"threads", "speedup", "theoretical", "cores"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const std::int64_t serialPercent = ctx.param("serial_percent");
        const int maxThreads = int(ctx.param("max_threads"));
        const std::int64_t workNs = ctx.param("work_ms") * 1'000'000;
        const std::int64_t serialNs = workNs * serialPercent / 100;
        const std::int64_t parallelNs = workNs - serialNs;
        const double s = double(serialPercent) / 100.0;

        // Main does part of the job (the serial part) on the run's own thread, which ends
        // with the run: it takes a worker's lower priority (that of the largest crew), so
        // that the observer stays ahead of every part of the job.
        lower_priority(maxThreads);
        const Labels labels(ctx.recorder, maxThreads);
        Lane &mainLane = ctx.recorder.add_lane("main");
        mainLane.state(State::Running);

        Json threads = Json::array();
        Json speedup = Json::array();
        Json theoretical = Json::array();
        {
            Crew crew(ctx, labels, maxThreads);
            // Main waits for every worker to be ready: not part of any trial, and not
            // main running either.
            mainLane.state(State::Blocked, labels.starting);
            const bool started = crew.start();
            mainLane.state(State::Running);
            std::int64_t baselineNs = 0;
            for (int n = 1; started && n <= maxThreads; ++n) {
                // One trial: the serial part on main, then the parallel part on n workers.
                const std::int64_t t0 = now_ns();
                std::int64_t cpuNs = 0;  // what the trial's threads used together
                std::int64_t pathNs = 0; // serial part + the longest share: CPU time in a row
                if (serialNs > 0) {
                    const Burnt serial =
                        burn_cpu(mainLane, serialNs, ctx.stop, ctx.seed, labels.serial);
                    if (!serial.completed)
                        break;
                    cpuNs += serial.cpuNs;
                    pathNs += serial.cpuNs;
                }
                if (parallelNs > 0) {
                    mainLane.state(State::Blocked, labels.join);
                    const Crew::Parallel parallel = crew.run_parallel(n, parallelNs);
                    if (!parallel.completed)
                        break;
                    cpuNs += parallel.cpuNs;
                    pathNs += parallel.longestNs;
                }
                // The serial part ends before the workers start, so the trial cannot take
                // less wall time than `pathNs`. On a virtual machine a thread's CPU clock can
                // run ahead of the wall clock for a moment (by up to ~0.3 ms, seen on this
                // kind of machine under load): the physical bound is kept then.
                const std::int64_t wallNs = std::max(now_ns() - t0, pathNs);
                mainLane.state(State::Running);
                // The baseline is the CPU time the 1-thread job used, not its wall time,
                // so a busy machine does not inflate it (and every speedup with it). Each
                // part runs until its CPU time reaches its target, overshooting by about a
                // chunk at most, so with S and P the serial and parallel targets:
                //   baseline <= S + P + 2 chunks,   T(n) >= pathNs >= S + P / n,
                // and (S + P) / (S + P / n) <= n: no speedup exceeds n but by the overshoot,
                // 2 chunks / (S + P), about 1 % of the 10 ms minimum of work. With n = 1,
                // T(1) >= pathNs = baseline: the speedup is at most 1.
                if (n == 1)
                    baselineNs = cpuNs;
                threads.push_back(n);
                speedup.push_back(double(baselineNs) / double(std::max<std::int64_t>(1, wallNs)));
                theoretical.push_back(1.0 / (s + (1.0 - s) / double(n)));
                mainLane.mark(kMarkStep, labels.trial[std::size_t(n)]);
            }
        } // the workers are told to quit and joined here
        mainLane.state(State::Finished);

        return Json{{"threads", std::move(threads)},
                    {"speedup", std::move(speedup)},
                    {"theoretical", std::move(theoretical)},
                    {"cores", allowed_cores()}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_amdahl_scenario()
{
    return std::make_unique<AmdahlScenario>();
}

} // namespace il
