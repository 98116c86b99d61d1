#include "../registry.h"
#include "../sync.h"
#include "eventloop.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace il {
namespace {

using aio::Task;

constexpr std::int64_t kMs = 1'000'000;
constexpr int kRounds = 4; // work-then-await rounds of a background task
// main's own work after starting the tasks, and again after the data arrives.
constexpr std::int64_t kMainWorkNs = 1 * kMs;
// A ready task that waited longer than this for the loop is shown as preempted; shorter
// waits are the loop's own bookkeeping and would only draw slivers.
constexpr std::int64_t kLateNs = 100'000;

// CPU work: busy for `ns` of wall-clock time, never giving the thread up.
void work_for(std::int64_t ns)
{
    const std::int64_t end = now_ns() + ns;
    while (now_ns() < end) {
    }
}

pid_t this_thread_id()
{
    static thread_local const pid_t tid = pid_t(syscall(SYS_gettid));
    return tid;
}

struct Round {
    std::int64_t workNs = 0;
    std::int64_t awaitNs = 0;
};

// One task (or main) and how it is recorded. Durations are drawn up front from the seed, so
// both modes run exactly the same tasks.
struct Job : aio::Strand {
    Lane *lane = nullptr;
    int index = -1;                   // the task's number; -1 for main
    ResourceId result = kNoResource;  // what main is blocked on while it awaits this task
    std::vector<Round> rounds;        // get_data: one (await, then work); background: work, await
    pid_t tid = 0;                    // the OS thread it last ran on
    ResourceId thread = kNoResource;  // and that thread's label
    bool stopped = false;             // Stop cut it short
    bool finished = false;            // its lane says Finished
    Task frame;                       // its coroutine
    std::future<std::int64_t> future; // thread_per_task: its thread (joined before frame goes)
};

// Runs main and the tasks, recording every slice: on one event loop, or one thread each
// (std::async). The coroutine bodies are the same either way; only the awaits differ.
class Driver {
public:
    explicit Driver(RunContext &ctx);
    // However run() ended (an error too), asks every task still running to stop and waits
    // for its thread, before anything that thread uses goes.
    ~Driver();
    Driver(const Driver &) = delete;
    Driver &operator=(const Driver &) = delete;
    Json run();

private:
    // `co_await timer(self, ns)`: false if Stop cut the wait short.
    struct Timer {
        Driver &d;
        Job &self;
        std::int64_t ns;

        bool await_ready()
        {
            if (!d.m_threaded)
                return false;
            // A thread of its own: the await blocks that thread, and the task goes on
            // without ever suspending.
            d.give_up(self, State::Sleeping, kNoResource);
            d.end_slice(self);
            self.stopped = !sleep_for(d.m_stop.get_token(), std::chrono::nanoseconds(ns));
            d.begin_slice(self, -1);
            return true;
        }
        // The event loop: suspend, so the loop runs someone else until the timer fires.
        void await_suspend(std::coroutine_handle<>)
        {
            d.give_up(self, State::Sleeping, kNoResource);
            d.m_loop.wake_at(self, now_ns() + ns);
        }
        bool await_resume() const noexcept { return !self.stopped; }
    };

    // `co_await result_of(self, task)`: the task's value, once it has returned.
    struct Result {
        Driver &d;
        Job &self;
        Job &task;

        bool await_ready()
        {
            if (!d.m_threaded)
                return task.handle.done();
            if (task.future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                d.give_up(self, State::Blocked, task.result);
                d.end_slice(self);
                task.future.wait(); // the task itself honours Stop
                d.begin_slice(self, -1);
            }
            return true;
        }
        void await_suspend(std::coroutine_handle<>)
        {
            d.give_up(self, State::Blocked, task.result);
            task.waiter = &self; // the loop makes us ready when the task returns
        }
        std::int64_t await_resume() { return d.m_threaded ? task.future.get() : task.value; }
    };

    Task main_body(Job &self);
    Task get_data(Job &self);
    Task background(Job &self);

    Timer timer(Job &self, std::int64_t ns) { return Timer{*this, self, ns}; }
    Result result_of(Job &self, Job &task) { return Result{*this, self, task}; }

    void spawn(Job &job);
    void run_here(Job &job);
    void begin_slice(Job &job, std::int64_t readySinceNs);
    void end_slice(const Job &job);
    void give_up(Job &job, State waiting, ResourceId on);
    void finish(Job &job);
    ResourceId thread_label(Job &job);

    // Requests stop on the driver's own source when the run's is requested.
    struct Forward {
        std::stop_source to;
        void operator()() const noexcept { to.request_stop(); }
    };

    RunContext &m_ctx;
    const bool m_threaded;
    // What every wait of main and the tasks honours: the run's Stop (linked below), and
    // also an error anywhere, so that one failure ends the whole run promptly.
    std::stop_source m_stop;
    std::stop_callback<Forward> m_forwardStop;
    aio::EventLoop m_loop;
    std::atomic<int> m_running{0}; // tasks (not main) inside a slice right now
    std::atomic<int> m_maxRunning{0};
    std::atomic<std::int64_t> m_switches{0};
    std::mutex m_mutex; // guards the two below
    std::map<pid_t, ResourceId> m_labels;
    std::vector<int> m_completed;
    std::vector<Job> m_tasks; // then main: destroyed first, its frame refers to the tasks
    Job m_main;
};

Driver::Driver(RunContext &ctx)
    : m_ctx(ctx)
    , m_threaded(ctx.param("mode") == 1)
    , m_forwardStop(ctx.stop, Forward{m_stop})
    , m_tasks(std::size_t(ctx.param("tasks")))
{
    const std::int64_t maxDelayMs = ctx.param("max_delay_ms");
    std::mt19937_64 rng(ctx.seed);
    auto between = [&rng](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    m_main.lane = &ctx.recorder.add_lane("main");
    for (std::size_t i = 0; i < m_tasks.size(); ++i) {
        Job &job = m_tasks[i];
        const std::string name = i == 0 ? "get_data" : "background " + std::to_string(i);
        job.lane = &ctx.recorder.add_lane(name);
        job.index = int(i);
        job.result = ctx.recorder.add_resource(name + " result");
        if (i == 0) {
            job.rounds.push_back({between(kMs, 2 * kMs), between(kMs, maxDelayMs * kMs)});
        } else {
            const std::int64_t longest = std::max<std::int64_t>(1, maxDelayMs / 4) * kMs;
            for (int r = 0; r < kRounds; ++r)
                job.rounds.push_back({between(kMs, 5 * kMs), between(kMs, longest)});
        }
        job.frame = i == 0 ? get_data(job) : background(job);
        job.frame.bind(job);
    }
    m_main.frame = main_body(m_main);
    m_main.frame.bind(m_main);
}

Driver::~Driver()
{
    // After a normal end every future has been collected and this does nothing. After an
    // error (std::async could not start a thread, or a task threw and main's get() passed
    // it on), tasks may still be sleeping: without the stop, each future's destructor
    // would wait out their sleeps before the error is reported.
    m_stop.request_stop();
    for (Job &task : m_tasks)
        if (task.future.valid())
            task.future.wait();
}

// Starts the tasks, goes on with its own work, awaits the data, then the rest.
Task Driver::main_body(Job &self)
{
    for (Job &task : m_tasks)
        spawn(task);
    work_for(kMainWorkNs);
    const std::int64_t data = co_await result_of(self, m_tasks.front());
    work_for(kMainWorkNs); // uses the data
    for (std::size_t i = 1; i < m_tasks.size(); ++i)
        co_await result_of(self, m_tasks[i]);
    co_return data;
}

// Awaits a reply that takes a random time to arrive, then parses it.
Task Driver::get_data(Job &self)
{
    const Round round = self.rounds.front();
    if (!co_await timer(self, round.awaitNs))
        co_return 0;
    work_for(round.workNs);
    co_return round.awaitNs / kMs; // the data: how long it took to come, in ms
}

// Short bursts of work with short awaits in between.
Task Driver::background(Job &self)
{
    std::int64_t rounds = 0;
    for (const Round &round : self.rounds) {
        work_for(round.workNs);
        if (!co_await timer(self, round.awaitNs))
            co_return rounds;
        ++rounds;
    }
    co_return rounds;
}

void Driver::spawn(Job &job)
{
    if (!m_threaded) {
        m_loop.post(job, now_ns());
        return;
    }
    job.future = std::async(std::launch::async, [this, &job] {
        lower_priority();
        try {
            run_here(job);
        } catch (...) {
            // The future carries the error to main. Stop the other tasks too, so that main,
            // which may be awaiting one of them, gets to the error now, not once they are done.
            m_stop.request_stop();
            throw;
        }
        return job.value;
    });
}

// thread_per_task: the whole body on the calling thread; its awaits block instead of
// suspending, so resume() returns only once the body has.
void Driver::run_here(Job &job)
{
    begin_slice(job, -1);
    job.handle.resume();
    finish(job);
    end_slice(job);
}

// The task runs from now until it awaits or ends. `readySinceNs` (event loop only, else
// negative): since when it was ready and waiting for the loop.
void Driver::begin_slice(Job &job, std::int64_t readySinceNs)
{
    if (readySinceNs >= 0 && now_ns() - readySinceNs > kLateNs)
        job.lane->state_at(readySinceNs, State::Preempted);
    job.lane->state(State::Running, thread_label(job));
    // max_running_tasks counts tasks only: main's own work is not a task.
    if (job.index >= 0)
        raise_max(m_maxRunning, m_running.fetch_add(1, std::memory_order_relaxed) + 1);
}

void Driver::end_slice(const Job &job)
{
    if (job.index >= 0)
        m_running.fetch_sub(1, std::memory_order_relaxed);
}

// An await that gives the thread up: the loop switches to another task here, or the
// task's own thread blocks.
void Driver::give_up(Job &job, State waiting, ResourceId on)
{
    job.lane->mark(kMarkAwait, on);
    job.lane->state(waiting, on);
    m_switches.fetch_add(1, std::memory_order_relaxed);
}

void Driver::finish(Job &job)
{
    job.lane->state(State::Finished);
    job.finished = true;
    if (job.index < 0 || job.stopped)
        return;
    std::lock_guard lock(m_mutex);
    m_completed.push_back(job.index);
}

// "thread <tid>", registered once per thread (adding a resource takes a lock).
ResourceId Driver::thread_label(Job &job)
{
    const pid_t tid = this_thread_id();
    if (job.thread != kNoResource && job.tid == tid)
        return job.thread;
    std::lock_guard lock(m_mutex);
    auto it = m_labels.find(tid);
    if (it == m_labels.end()) // adding may throw: then nothing is half-registered
        it = m_labels.emplace(tid, m_ctx.recorder.add_resource("thread " + std::to_string(tid)))
                 .first;
    job.tid = tid;
    job.thread = it->second;
    return job.thread;
}

Json Driver::run()
{
    // main and the tasks are scenario code, below the collector and the GUI.
    lower_priority();
    if (m_threaded) {
        run_here(m_main); // returns once every task's future has delivered
    } else {
        m_loop.post(m_main, now_ns());
        const bool ended =
            m_loop.run(m_main, m_stop.get_token(), [this](aio::Strand &s, std::int64_t t) {
                Job &job = static_cast<Job &>(s);
                begin_slice(job, t);
                job.handle.resume();
                if (job.handle.done())
                    finish(job);
                end_slice(job);
            });
        if (!ended) {
            // Stopped: the tasks still suspended end here; their frames go with the Driver.
            m_main.stopped = true;
            for (Job &task : m_tasks)
                task.stopped = true;
            if (!m_main.finished)
                finish(m_main);
            for (Job &task : m_tasks)
                if (!task.finished)
                    finish(task);
        }
    }

    std::lock_guard lock(m_mutex);
    Json order = Json::array();
    for (const int i : m_completed)
        order.push_back(i);
    return Json{{"os_threads", std::int64_t(m_labels.size())},
                {"max_running_tasks", m_maxRunning.load()},
                {"switches", m_switches.load()},
                {"completion_order", order}};
}

class AsyncScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "async",
            "Async/await: one event loop, many tasks",
            "An event loop runs many tasks on a single thread. Each task is a C++20 coroutine: "
            "it runs until it awaits something, then hands the thread back to the loop, which "
            "resumes whichever task is ready next. Here main starts get_data, which awaits a "
            "reply that takes a random time, and background tasks that alternate short bursts "
            "of work with short awaits; then main awaits get_data's result. Every running bar "
            "is labelled with the OS thread it ran on. With event_loop it is always the same "
            "thread and no two bars ever overlap: the await marks are where the loop switches "
            "to another task, and a task that could go on while another one had the loop shows "
            "as preempted until its turn comes. With thread_per_task the same tasks each get "
            "a thread of their own (std::async): now bars overlap and carry different thread "
            "labels, and an await blocks a thread instead of switching.",
            {ParamSpec::integer("tasks", "Tasks", 1, 32, 2),
             ParamSpec::integer("max_delay_ms", "Longest await", 1, 5000, 1500, "ms"),
             ParamSpec::choice("mode", "Run tasks on", {"event_loop", "thread_per_task"}, 0)},
            {"os_threads", "max_running_tasks", "switches", "completion_order"}};
        return info;
    }

    Json run(RunContext &ctx) const override { return Driver(ctx).run(); }
};

} // namespace

std::unique_ptr<Scenario> make_async_scenario()
{
    return std::make_unique<AsyncScenario>();
}

} // namespace il
