#include "../registry.h"
#include "../sync.h"
#include "budget.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
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

enum Mode { LongPolling, ConditionVariable };

using std::chrono::milliseconds;

struct Item {
    std::int64_t id = 0;
    std::int64_t producedNs = 0;
};

// What producers and consumers share, and the figures the consumers add up at their end.
struct Shop {
    Mode mode = LongPolling;
    std::int64_t items = 0;
    int producers = 0;
    milliseconds interval{0};
    milliseconds poll{0};

    std::mutex mutex;
    std::condition_variable cv; // condition_variable mode: "an item is waiting" or "all done"
    std::deque<Item> queue;     // guarded by mutex, as are the three below
    std::int64_t produced = 0;
    std::int64_t taken = 0;
    bool abandoned = false; // not every thread could be started: no more items will come

    // Labels and resources, made before any thread starts.
    ResourceId queueCounter = kNoResource;
    ResourceId cvResource = kNoResource;
    ResourceId pollLabel = kNoResource;
    ResourceId intervalLabel = kNoResource;
    ResourceId budgetLabel = kNoResource;
    std::vector<ResourceId> itemLabels;

    std::atomic<std::int64_t> consumed{0};
    std::atomic<std::int64_t> wakeups{0};
    std::atomic<std::int64_t> wasted{0};
    std::atomic<std::int64_t> latencySumNs{0};
    std::atomic<std::int64_t> latencyMaxNs{0};
    std::atomic<std::int64_t> cpuNs{0};

    // Nothing left for a consumer to wait for (mutex held).
    bool over() const { return taken == items || abandoned; }
};

// One consumer's own tally, added to the shop's once at its end.
struct Tally {
    std::int64_t consumed = 0;
    std::int64_t wakeups = 0;
    std::int64_t wasted = 0;
    std::int64_t latencySumNs = 0;
    std::int64_t latencyMaxNs = 0;
};

class CondvarScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "condvar",
            "Condition variable vs long polling",
            "Producers put items into a shared queue, each on average every produce interval, "
            "and consumers take them out. With long polling a consumer checks the queue, and if "
            "it is empty sleeps for the poll interval and checks again: each return from a "
            "sleep is a wake-up on the timeline, the empty-handed ones carry an orange tick, and "
            "an item waits on average about half the poll interval before anyone notices it. "
            "With a condition variable a consumer sleeps in the kernel (blocked on the queue) "
            "until a producer signals that it has added an item, so it wakes up only when "
            "there is something to take: almost no orange ticks and almost no delay. Compare the "
            "wake-ups and the latency of the two modes.",
            {ParamSpec::choice("mode", "Consumers wait by", {"long_polling", "condition_variable"}),
             ParamSpec::integer("items", "Items", 1, 1000, 20, "items"),
             ParamSpec::integer("producers", "Producers", 1, 8, 1, "threads"),
             ParamSpec::integer("consumers", "Consumers", 1, 8, 1, "threads"),
             ParamSpec::integer("produce_interval_ms", "Produce interval", 0, 2000, 200, "ms"),
             ParamSpec::integer("poll_ms", "Poll interval", 1, 1000, 100, "ms")},
            {"items_consumed", "wakeups", "wasted_wakeups", "latency_ms_mean", "latency_ms_max",
             "consumer_cpu_ms"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        Shop shop;
        shop.mode = Mode(ctx.param("mode"));
        shop.items = ctx.param("items");
        shop.producers = int(ctx.param("producers"));
        const int consumers = int(ctx.param("consumers"));
        shop.interval = milliseconds(ctx.param("produce_interval_ms"));
        shop.poll = milliseconds(ctx.param("poll_ms"));

        Recorder &rec = ctx.recorder;
        shop.queueCounter = rec.add_resource("queue");
        shop.budgetLabel = budget_label(rec);
        if (shop.mode == ConditionVariable)
            shop.cvResource = rec.add_resource("queue (condition variable)");
        else
            shop.pollLabel = rec.label("poll " + std::to_string(shop.poll.count()) + " ms");
        if (shop.interval.count() > 0)
            shop.intervalLabel = rec.label("produce interval");
        shop.itemLabels.reserve(std::size_t(shop.items));
        for (std::int64_t i = 0; i < shop.items; ++i)
            shop.itemLabels.push_back(rec.label("item " + std::to_string(i)));

        // Stop wakes every waiting consumer; the lock keeps the notification from falling
        // between a consumer's check of the stop token and its wait.
        std::stop_callback wake(ctx.stop, [&shop] {
            std::lock_guard lock(shop.mutex);
            shop.cv.notify_all();
        });

        run_threads(ctx, shop, consumers);

        const std::int64_t consumed = shop.consumed.load();
        return Json{
            {"items_consumed", consumed},
            {"wakeups", shop.wakeups.load()},
            {"wasted_wakeups", shop.wasted.load()},
            {"latency_ms_mean",
             consumed > 0 ? double(shop.latencySumNs.load()) / double(consumed) / 1e6 : 0.0},
            {"latency_ms_max", double(shop.latencyMaxNs.load()) / 1e6},
            {"consumer_cpu_ms", double(shop.cpuNs.load()) / 1e6}};
    }

private:
    // Lanes "producer 0".. then "consumer 0..", all made before any thread starts so their
    // order is stable; the threads start together and are joined on return.
    static void run_threads(RunContext &ctx, Shop &shop, int consumers)
    {
        const int total = shop.producers + consumers;
        std::vector<Lane *> lanes;
        ctx.recorder.expect_lanes(std::size_t(total));
        for (int i = 0; i < total; ++i)
            lanes.push_back(&ctx.recorder.add_lane(
                i < shop.producers ? "producer " + std::to_string(i)
                                   : "consumer " + std::to_string(i - shop.producers)));
        std::latch startTogether(total);
        std::vector<std::jthread> threads;
        threads.reserve(std::size_t(total));
        int started = 0;
        try {
            for (; started < total; ++started)
                threads.emplace_back([&ctx, &shop, &startTogether, total,
                                      lane = lanes[std::size_t(started)], i = started] {
                    lower_priority(total);
                    startTogether.arrive_and_wait();
                    lane->state(State::Running);
                    if (i < shop.producers)
                        produce(ctx, shop, *lane, i);
                    else
                        consume(ctx, shop, *lane);
                    lane->state(State::Finished);
                });
        } catch (...) {
            // Consumers must not wait for items whose producer never started.
            {
                std::lock_guard lock(shop.mutex);
                shop.abandoned = true;
                shop.cv.notify_all();
            }
            startTogether.count_down(total - started);
            throw;
        }
    }

    // Producer p makes items p, p+P, p+2P, ...: it waits, then puts one in. Each wait is
    // drawn between half and one and a half produce intervals (the run's seed makes it
    // repeatable): on average one item per interval, but items do not arrive in step with
    // a consumer's polling. With exact intervals, the default 200 ms being a multiple of
    // the 100 ms poll, producer and consumer would wake at the same moments throughout a
    // run, and which of the two happened to go first decided whether every item waited
    // almost nothing or almost a whole poll interval.
    static void produce(RunContext &ctx, Shop &shop, Lane &lane, int p)
    {
        std::mt19937_64 random(ctx.seed * 1000003u + std::uint64_t(p));
        const std::int64_t intervalUs = shop.interval.count() * 1000;
        std::uniform_int_distribution<std::int64_t> wait(intervalUs / 2, intervalUs * 3 / 2);
        for (std::int64_t id = p; id < shop.items; id += shop.producers) {
            if (intervalUs > 0) {
                lane.state(State::Sleeping, shop.intervalLabel);
                if (!sleep_for(ctx.stop, std::chrono::microseconds(wait(random))))
                    return;
            } else if (ctx.stop.stop_requested()) {
                return;
            }
            const ResourceId label = shop.itemLabels[std::size_t(id)];
            lane.state(State::Running, label);
            {
                std::lock_guard lock(shop.mutex);
                shop.queue.push_back(Item{id, now_ns()});
                lane.counter(shop.queueCounter, std::int64_t(shop.queue.size()));
                if (shop.mode == ConditionVariable) {
                    // The last item also tells every idle consumer that the work is over.
                    if (++shop.produced == shop.items)
                        shop.cv.notify_all();
                    else
                        shop.cv.notify_one();
                } else {
                    ++shop.produced;
                }
            }
            lane.mark(kMarkStep, label);
        }
    }

    // What is counted, the same way in both modes: a wake-up is a consumer resuming after
    // it slept (long polling: the end of a poll sleep) or waited (condition variable: a
    // return from wait()), other than because Stop was pressed. Its start is not one. A
    // wake-up is wasted if it finds the queue empty while items are still to come; finding
    // that everything has been taken is how a consumer learns to finish, which is not waste.
    // One wake-up takes every item waiting in the queue before the consumer sleeps again.
    static void consume(RunContext &ctx, Shop &shop, Lane &lane)
    {
        Tally tally;
        // 1 ms polling by 8 consumers for half an hour would be tens of millions of changes.
        LaneBudget budget(lane, shop.budgetLabel);
        std::unique_lock lock(shop.mutex);
        bool wokeUp = false; // this pass through the loop follows a wake-up
        bool tookAny = false;
        while (!ctx.stop.stop_requested()) {
            if (!shop.queue.empty()) {
                const Item item = shop.queue.front();
                shop.queue.pop_front();
                ++shop.taken;
                if (budget.take(1))
                    lane.counter(shop.queueCounter, std::int64_t(shop.queue.size()));
                const std::int64_t latency = now_ns() - item.producedNs;
                lock.unlock();
                take(shop, lane, budget, item, latency, tally);
                tookAny = true;
                lock.lock();
                continue;
            }
            if (wokeUp && !tookAny && !shop.over()) {
                ++tally.wasted;
                if (budget.take(1))
                    lane.mark(kMarkWasted);
            }
            if (shop.over())
                break;
            wokeUp = true;
            tookAny = false;
            if (shop.mode == ConditionVariable) {
                if (budget.take(1))
                    lane.state(State::Blocked, shop.cvResource);
                shop.cv.wait(lock); // no predicate: every return is a wake-up to count
                if (budget.take(1))
                    lane.state(State::Running);
            } else {
                if (budget.take(1))
                    lane.state(State::Sleeping, shop.pollLabel);
                lock.unlock();
                const bool slept = sleep_for(ctx.stop, shop.poll);
                if (budget.take(1))
                    lane.state(State::Running);
                lock.lock();
                if (!slept)
                    break;
            }
            if (ctx.stop.stop_requested())
                break;
            ++tally.wakeups;
        }
        lock.unlock();

        shop.consumed.fetch_add(tally.consumed);
        shop.wakeups.fetch_add(tally.wakeups);
        shop.wasted.fetch_add(tally.wasted);
        shop.latencySumNs.fetch_add(tally.latencySumNs);
        raise_max(shop.latencyMaxNs, tally.latencyMaxNs);
        shop.cpuNs.fetch_add(clock_ns(CLOCK_THREAD_CPUTIME_ID));
    }

    // Consuming an item: the lane runs on it (the tooltip names it) and ticks when done.
    static void take(Shop &shop, Lane &lane, LaneBudget &budget, const Item &item,
                     std::int64_t latencyNs, Tally &tally)
    {
        const ResourceId label = shop.itemLabels[std::size_t(item.id)];
        if (budget.take(2)) {
            lane.state(State::Running, label);
            lane.mark(kMarkStep, label);
        }
        ++tally.consumed;
        tally.latencySumNs += latencyNs;
        tally.latencyMaxNs = std::max(tally.latencyMaxNs, latencyNs);
    }
};

} // namespace

std::unique_ptr<Scenario> make_condvar_scenario()
{
    return std::make_unique<CondvarScenario>();
}

} // namespace il
