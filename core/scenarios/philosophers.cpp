#include "../registry.h"
#include "../sync.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <vector>

namespace il {
namespace {

enum Strategy { Naive, Ordered, Waiter, Polite };

using std::chrono::milliseconds;

struct Table {
    int seats = 0;
    std::vector<std::unique_ptr<InstrumentedMutex>> chopsticks;
    std::unique_ptr<InstrumentedSemaphore> waiter; // only for the waiter strategy
    std::vector<std::atomic<std::int64_t>> meals;
    std::atomic<std::int64_t> attempts{0}; // polite: chopsticks picked up
    std::atomic<std::int64_t> maxWaitNs{0};

    explicit Table(int n)
        : seats(n)
        , meals(std::size_t(n))
    {
    }
};

class PhilosophersScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "philosophers",
            "Dining philosophers: deadlock",
            "Philosophers sit around a table with one chopstick between each pair of "
            "neighbours, and need both of theirs to eat. If everyone picks up the right "
            "chopstick and then reaches for the left, each may end up holding one and "
            "waiting forever for a neighbour who waits too: a deadlock, which Interleave "
            "detects and names the moment the cycle closes. Taking the lower-numbered "
            "chopstick first (ordered) or letting at most N-1 sit down (waiter) breaks the "
            "cycle; putting the first chopstick back when the second is taken (polite) "
            "avoids it too, but without random back-off everyone may keep retrying in "
            "lock-step and nobody eats (livelock).",
            {ParamSpec::integer("philosophers", "Philosophers", 2, 16, 6, "threads"),
             ParamSpec::choice("strategy", "Strategy", {"naive", "ordered", "waiter", "polite"}),
             ParamSpec::integer("think_ms", "Thinking", 0, 2000, 100, "ms"),
             ParamSpec::integer("eat_ms", "Eating", 0, 2000, 100, "ms"),
             ParamSpec::integer("hesitation_ms", "Hesitation between chopsticks", 0, 1000, 50,
                                "ms"),
             ParamSpec::integer("meals", "Meals each (0: until stopped)", 0, 1000, 0, "meals"),
             ParamSpec::integer("retry_ms", "Polite: retry after", 0, 1000, 50, "ms"),
             ParamSpec::toggle("jitter", "Polite: random back-off", false)},
            {"meals", "meals_total", "max_wait_ms", "deadlock", "livelock_suspected",
             "starvation_ratio"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int n = int(ctx.param("philosophers"));
        const auto strategy = Strategy(ctx.param("strategy"));
        Table table(n);
        for (int i = 0; i < n; ++i)
            table.chopsticks.push_back(std::make_unique<InstrumentedMutex>(
                ctx.recorder, "chopstick " + std::to_string(i), true));
        if (strategy == Waiter)
            table.waiter = std::make_unique<InstrumentedSemaphore>(
                ctx.recorder, "waiter (" + std::to_string(n - 1) + " seats)", n - 1);

        std::atomic<bool> livelock{false};
        std::atomic<bool> allDone{false};
        std::jthread watch;
        if (strategy == Polite)
            watch = std::jthread(
                [&](std::stop_token own) { watch_livelock(ctx, own, table, allDone, livelock); });

        run_workers(ctx, n, "P", [&](Lane &lane, int i) { dine(ctx, table, strategy, lane, i); });
        allDone = true;
        if (watch.joinable()) {
            watch.request_stop();
            watch.join();
        }

        Json meals = Json::array();
        std::int64_t total = 0, fewest = -1, most = 0;
        for (const auto &m : table.meals) {
            const std::int64_t v = m.load();
            meals.push_back(v);
            total += v;
            fewest = fewest < 0 ? v : std::min(fewest, v);
            most = std::max(most, v);
        }
        return Json{{"meals", meals},
                    {"meals_total", total},
                    {"max_wait_ms", double(table.maxWaitNs.load()) / 1e6},
                    {"deadlock", ctx.recorder.wait_for_graph().first_cycle().has_value()},
                    {"livelock_suspected", livelock.load()},
                    {"starvation_ratio", most > 0 ? double(fewest) / double(most) : 0.0}};
    }

private:
    static void dine(RunContext &ctx, Table &table, Strategy strategy, Lane &lane, int i)
    {
        const int n = table.seats;
        const std::int64_t mealsWanted = ctx.param("meals");
        const auto think = milliseconds(ctx.param("think_ms"));
        const auto eat = milliseconds(ctx.param("eat_ms"));
        const auto hesitate = milliseconds(ctx.param("hesitation_ms"));
        const auto retry = milliseconds(ctx.param("retry_ms"));
        const bool jitter = ctx.param("jitter") != 0;
        std::mt19937_64 random(ctx.seed * 1000003u + std::uint64_t(i));

        int first = i;            // right-hand chopstick
        int second = (i + 1) % n; // left-hand chopstick
        if (strategy == Ordered && first > second)
            std::swap(first, second);
        InstrumentedMutex &a = *table.chopsticks[std::size_t(first)];
        InstrumentedMutex &b = *table.chopsticks[std::size_t(second)];

        for (std::int64_t meal = 0; mealsWanted == 0 || meal < mealsWanted; ++meal) {
            lane.state(State::Sleeping); // thinking
            if (!sleep_for(ctx.stop, think))
                return;
            const std::int64_t hungrySince = now_ns();
            lane.state(State::Running); // hungry
            const bool seated = take_seat(ctx, table, lane);
            if (!seated)
                return finish_hunger(table, hungrySince);
            bool eating = false;
            while (!eating) {
                if (!a.lock(lane, ctx.stop))
                    break;
                lane.state(State::Running); // holding one, reaching for the other
                if (!sleep_for(ctx.stop, hesitate)) {
                    a.unlock(lane);
                    break;
                }
                if (strategy != Polite) {
                    if (!b.lock(lane, ctx.stop)) {
                        a.unlock(lane);
                        break;
                    }
                    eating = true;
                    break;
                }
                table.attempts.fetch_add(1);
                if (b.try_lock(lane)) {
                    eating = true;
                    break;
                }
                a.unlock(lane); // polite: put it back and try again later
                const auto extra = jitter ? milliseconds(std::uniform_int_distribution<int>(
                                                0, int(retry.count()))(random))
                                          : milliseconds(0);
                if (!sleep_for(ctx.stop, retry + extra))
                    break;
            }
            if (!eating) {
                leave_seat(table, lane);
                return finish_hunger(table, hungrySince);
            }
            raise_max(table.maxWaitNs, now_ns() - hungrySince);
            const bool fed = sleep_for(ctx.stop, eat); // eating: Critical on both
            b.unlock(lane);
            a.unlock(lane);
            leave_seat(table, lane);
            if (!fed)
                return;
            table.meals[std::size_t(i)].fetch_add(1);
            lane.mark(kMarkMeal);
        }
    }

    static bool take_seat(RunContext &ctx, Table &table, Lane &lane)
    {
        if (!table.waiter)
            return true;
        if (!table.waiter->acquire(lane, ctx.stop))
            return false;
        lane.state(State::Running);
        return true;
    }

    static void leave_seat(Table &table, Lane &lane)
    {
        if (table.waiter)
            table.waiter->release(lane);
    }

    // A philosopher stopped while hungry: its wait so far still counts.
    static void finish_hunger(Table &table, std::int64_t hungrySince)
    {
        raise_max(table.maxWaitNs, now_ns() - hungrySince);
    }

    // Polite philosophers keep picking chopsticks up and putting them down; if that
    // goes on for a while with no meal finished, they are probably in lock-step.
    static void watch_livelock(RunContext &ctx, std::stop_token own, Table &table,
                               std::atomic<bool> &allDone, std::atomic<bool> &livelock)
    {
        const auto cycle = milliseconds(ctx.param("hesitation_ms") + ctx.param("retry_ms") +
                                        ctx.param("think_ms") + ctx.param("eat_ms"));
        const auto window = std::max(milliseconds(1000), 10 * cycle);
        std::int64_t lastMeals = -1, lastAttempts = 0;
        auto since = std::chrono::steady_clock::now();
        while (!own.stop_requested() && !ctx.stop.stop_requested() && !allDone) {
            std::int64_t meals = 0;
            for (const auto &m : table.meals)
                meals += m.load();
            const std::int64_t attempts = table.attempts.load();
            const auto now = std::chrono::steady_clock::now();
            if (meals != lastMeals) {
                lastMeals = meals;
                lastAttempts = attempts;
                since = now;
            } else if (now - since >= window && attempts - lastAttempts >= 2 * table.seats) {
                livelock = true;
            }
            if (!sleep_for(own, milliseconds(50)))
                return;
        }
    }
};

} // namespace

std::unique_ptr<Scenario> make_philosophers_scenario()
{
    return std::make_unique<PhilosophersScenario>();
}

} // namespace il
