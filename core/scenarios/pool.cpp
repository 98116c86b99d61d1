#include "../registry.h"
#include "../sync.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <latch>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace il {
namespace {

using std::chrono::milliseconds;

struct Task {
    int id = 0; // 1-based, as labelled on the timeline
    std::int64_t submittedNs = 0;
    milliseconds length{0};
};

// The pool's shared state: a queue of tasks and what the workers measure.
struct Pool {
    std::mutex mutex;
    std::condition_variable workAvailable; // a task was queued, or the pool shuts down
    std::condition_variable allDone;       // the last unfinished task finished
    std::deque<Task> queue;
    int unfinished = 0;
    bool shutdown = false;

    ResourceId queueResource = kNoResource;
    std::vector<ResourceId> taskLabels; // index id - 1

    std::atomic<int> running{0};
    std::atomic<int> maxRunning{0};
    std::atomic<int> completed{0};
    std::atomic<int> started{0};
    std::atomic<std::int64_t> waitSumNs{0};
    std::atomic<std::int64_t> waitMaxNs{0};
    std::vector<int> perWorker; // each entry written only by its worker

    // Wakes everything that waits, e.g. on Stop.
    void wake_all()
    {
        {
            std::lock_guard lock(mutex); // not between a waiter's check and its wait
        }
        workAvailable.notify_all();
        allDone.notify_all();
    }
};

class PoolScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "pool",
            "Thread pool: workers and a task queue",
            "A thread pool keeps a fixed number of worker threads and a queue of tasks. The "
            "main thread submits every task at the start; an idle worker waits on the queue "
            "(blocked on 'task queue'), takes the next task, does it, and comes back for "
            "another. Each bar on a worker's lane is labelled with the task it runs. Count "
            "the bars that overlap: never more than there are workers, however many tasks "
            "wait, and later tasks wait in the queue until a worker is free. Towards the "
            "end, workers with nothing left to do sit blocked on the queue while the last "
            "tasks finish.",
            {ParamSpec::integer("workers", "Workers", 1, 32, 4, "threads"),
             ParamSpec::integer("tasks", "Tasks", 1, 200, 20),
             ParamSpec::integer("max_task_ms", "Longest task", 0, 10000, 1000, "ms")},
            {"max_concurrency", "tasks_completed", "tasks_per_worker", "queue_wait_ms"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int workers = int(ctx.param("workers"));
        const int tasks = int(ctx.param("tasks"));
        const std::int64_t maxTaskMs = ctx.param("max_task_ms");
        // Lengths from the seed, in [max/2, max]: the first tasks all overlap.
        std::mt19937_64 random(ctx.seed);
        std::uniform_int_distribution<std::int64_t> lengthMs(maxTaskMs / 2, maxTaskMs);

        Pool pool;
        pool.queueResource = ctx.recorder.add_resource("task queue");
        for (int id = 1; id <= tasks; ++id)
            pool.taskLabels.push_back(ctx.recorder.add_resource("task " + std::to_string(id)));
        pool.perWorker.assign(std::size_t(workers), 0);
        std::vector<Lane *> lanes;
        ctx.recorder.expect_lanes(std::size_t(workers));
        for (int i = 0; i < workers; ++i)
            lanes.push_back(&ctx.recorder.add_lane("worker " + std::to_string(i)));

        const std::stop_callback wake(ctx.stop, [&pool] { pool.wake_all(); });
        // Counted down by each worker once it waits on the empty queue (or gives up), so
        // every worker is idle and waiting before the first task arrives.
        std::latch ready(workers);
        std::vector<std::jthread> threads;
        threads.reserve(std::size_t(workers));
        try {
            for (int i = 0; i < workers; ++i)
                threads.emplace_back([&, i] {
                    lower_priority(workers);
                    work(ctx, pool, ready, *lanes[std::size_t(i)], i);
                });
        } catch (...) {
            // Could not start every thread: let the started ones go, then report.
            ready.count_down(workers - int(threads.size()));
            shut_down(pool);
            throw;
        }
        ready.wait();

        for (int id = 1; id <= tasks; ++id) {
            {
                std::lock_guard lock(pool.mutex);
                pool.queue.push_back(Task{id, now_ns(), milliseconds(lengthMs(random))});
                ++pool.unfinished;
            }
            pool.workAvailable.notify_one();
        }
        {
            // Like waiting for every task's future, then closing the pool.
            std::unique_lock lock(pool.mutex);
            pool.allDone.wait(lock,
                              [&] { return pool.unfinished == 0 || ctx.stop.stop_requested(); });
        }
        shut_down(pool);
        for (auto &t : threads)
            t.join();

        Json perWorker = Json::array();
        for (const int n : pool.perWorker)
            perWorker.push_back(n);
        const int started = pool.started.load();
        const double meanWaitMs = started > 0 ? double(pool.waitSumNs.load()) / started / 1e6 : 0.0;
        return Json{{"max_concurrency", pool.maxRunning.load()},
                    {"tasks_completed", pool.completed.load()},
                    {"tasks_per_worker", perWorker},
                    {"queue_wait_ms",
                     Json{{"mean", meanWaitMs}, {"max", double(pool.waitMaxNs.load()) / 1e6}}}};
    }

private:
    static void shut_down(Pool &pool)
    {
        {
            std::lock_guard lock(pool.mutex);
            pool.shutdown = true;
        }
        pool.workAvailable.notify_all();
    }

    static void work(const RunContext &ctx, Pool &pool, std::latch &ready, Lane &lane, int index)
    {
        lane.state(State::Running);
        bool announced = false;
        const auto announce = [&] {
            if (!announced)
                ready.count_down();
            announced = true;
        };
        std::unique_lock lock(pool.mutex);
        for (;;) {
            if (pool.queue.empty() && !pool.shutdown && !ctx.stop.stop_requested()) {
                lane.state(State::Blocked, pool.queueResource);
                announce();
                pool.workAvailable.wait(lock, [&] {
                    return !pool.queue.empty() || pool.shutdown || ctx.stop.stop_requested();
                });
            }
            announce();
            if (pool.queue.empty() || ctx.stop.stop_requested())
                break;
            const Task task = pool.queue.front();
            pool.queue.pop_front();
            lane.counter(pool.queueResource, std::int64_t(pool.queue.size()));
            // Under the lock, so tasks start on the timeline in the order they were taken.
            const std::int64_t startNs = now_ns();
            lane.state_at(startNs, State::Sleeping, pool.taskLabels[std::size_t(task.id - 1)]);
            lock.unlock();

            const std::int64_t waitNs = startNs - task.submittedNs;
            pool.waitSumNs.fetch_add(waitNs);
            raise_max(pool.waitMaxNs, waitNs);
            pool.started.fetch_add(1);
            raise_max(pool.maxRunning, pool.running.fetch_add(1) + 1);
            const bool done = sleep_for(ctx.stop, task.length); // the work, like waiting on I/O
            pool.running.fetch_sub(1);
            lane.state(State::Running);

            lock.lock();
            if (!done)
                break;
            pool.completed.fetch_add(1);
            ++pool.perWorker[std::size_t(index)];
            if (--pool.unfinished == 0)
                pool.allDone.notify_all();
        }
        lock.unlock();
        lane.state(State::Running);
        lane.state(State::Finished);
    }
};

} // namespace

std::unique_ptr<Scenario> make_pool_scenario()
{
    return std::make_unique<PoolScenario>();
}

} // namespace il
