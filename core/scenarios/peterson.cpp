#include "peterson.h"
#include "../clock.h"
#include "../registry.h"
#include "cpuwork.h"
#include "workers.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <stop_token>
#include <thread>

namespace il {
namespace {

enum Order { SeqCst, AcqRel, Relaxed };

// The memory orders of the entry and exit protocol, one type per choice, so that each
// variant is its own compiled loop with no branch on the order inside it.
struct SeqCstOrders {
    static constexpr std::memory_order store = std::memory_order_seq_cst;
    static constexpr std::memory_order load = std::memory_order_seq_cst;
};
struct AcqRelOrders {
    static constexpr std::memory_order store = std::memory_order_release;
    static constexpr std::memory_order load = std::memory_order_acquire;
};
struct RelaxedOrders {
    static constexpr std::memory_order store = std::memory_order_relaxed;
    static constexpr std::memory_order load = std::memory_order_relaxed;
};

// How much a run records, whatever the number of iterations (peterson.h): with Running and
// Finished a run makes at most 2 * (2 + 3 * kSamples) + kMaxViolationMarks = 22,004 events,
// a lane at most 16,002, well within a lane's ring, so nothing is dropped even when the
// collector falls behind.
using peterson::kMaxViolationMarks;

// Between two entries each thread does a random amount of its own work (up to this many
// steps of arithmetic, a few tens of nanoseconds), inside it a fixed amount. Without the
// outside work the two threads fall into lock step – one spins while the other is inside,
// and the spinner's stores left its store buffer long ago – so they never both arrive at
// a free door at the same moment, which is the only time the weak orders can fail.
constexpr std::uint64_t kOutsideSteps = 128;
constexpr std::int64_t kInsideSteps = 16;

// A waiter checks Stop every this many spins and gives its CPU away at each check. While
// both threads run, the door opens within a few spins (the other is inside for a few tens
// of nanoseconds); this many spins (a few microseconds) mean the other thread has lost its
// CPU, and spinning cannot bring it back. Whenever both want in, Peterson's threads take
// strict turns, so on a busy machine (or one core) each turn may wait for the other thread
// to be scheduled again: the sooner the waiter steps aside, the sooner that happens.
constexpr std::uint64_t kSpinsPerCheck = 64;

// Everything the two threads share is atomic, so a broken exclusion is a logic failure
// the program can count, not undefined behaviour. Each variable has a cache line of its own.
struct Shared {
    alignas(64) std::atomic<bool> flag0{false}; // "thread 0 wants to enter"
    alignas(64) std::atomic<bool> flag1{false};
    alignas(64) std::atomic<int> turn{0}; // who gives way when both want in
    // How many threads are inside: changed by read-modify-writes, which x86 orders
    // totally, so any overlap of two critical sections is seen by the later one.
    alignas(64) std::atomic<int> occupancy{0};
    alignas(64) std::atomic<std::int64_t> marksLeft{kMaxViolationMarks};

    std::atomic<bool> &flag(int i) { return i == 0 ? flag0 : flag1; }
};

// What one thread measured; written by that thread, read after the join.
struct ThreadFigures {
    std::int64_t entries = 0;
    std::int64_t violations = 0;
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
};

struct Plan {
    std::int64_t iterations = 0;
    std::int64_t sampleEvery = 1; // every this many entries is recorded
    ResourceId section = kNoResource;
    std::uint64_t seed = 0;
};

template <typename O> bool must_wait(Shared &s, int other)
{
    return s.flag(other).load(O::load) && s.turn.load(O::load) == other;
}

// Spins until the door opens; false if Stop came first.
template <typename O> bool spin(Shared &s, int other, const std::stop_token &stop)
{
    std::uint64_t spins = 0;
    while (must_wait<O>(s, other)) {
        cpu_relax();
        if (++spins % kSpinsPerCheck == 0) {
            if (stop.stop_requested())
                return false;
            std::this_thread::yield();
        }
    }
    return true;
}

// One of the two threads: Peterson's entry protocol, a critical section that checks it is
// alone, the exit protocol, `plan.iterations` times.
template <typename O>
void take_turns(Shared &s, Lane &lane, int self, const Plan &plan, const std::stop_token &stop,
                ThreadFigures &out)
{
    const int other = 1 - self;
    std::uint64_t x = (plan.seed + std::uint64_t(self) + 1) * 0x9E3779B97F4A7C15ULL | 1;
    std::int64_t done = 0;
    std::int64_t violations = 0;
    out.startNs = now_ns();
    for (; done < plan.iterations; ++done) {
        if (done % 1024 == 0 && stop.stop_requested())
            break;
        x = crunch(x, std::int64_t(x % kOutsideSteps));
        const bool sampled = done % plan.sampleEvery == 0;

        s.flag(self).store(true, O::store);
        s.turn.store(other, O::store);
        if (must_wait<O>(s, other)) {
            if (sampled)
                lane.state(State::Spinning, plan.section);
            if (!spin<O>(s, other, stop)) {
                s.flag(self).store(false, O::store);
                if (sampled)
                    lane.state(State::Running);
                break;
            }
        }
        if (sampled) // after the entry protocol: a timestamp no earlier than the other's exit
            lane.state_ordered(State::Critical, plan.section);

        if (s.occupancy.fetch_add(1, std::memory_order_relaxed) != 0) {
            ++violations;
            if (s.marksLeft.fetch_sub(1, std::memory_order_relaxed) > 0)
                lane.mark(kMarkViolation, plan.section);
        }
        x = crunch(x, kInsideSteps);
        s.occupancy.fetch_sub(1, std::memory_order_relaxed);

        // Recorded before the door opens, so that recorded critical sections of a correct
        // protocol never overlap on the timeline.
        if (sampled)
            lane.state(State::Running);
        s.flag(self).store(false, O::store);
    }
    out.endNs = now_ns();
    volatile std::uint64_t sink = x;
    (void)sink;
    out.entries = done;
    out.violations = violations;
}

template <typename O>
void run_pair(RunContext &ctx, Shared &shared, const Plan &plan, ThreadFigures (&figures)[2])
{
    run_workers(ctx, 2, "thread ", [&](Lane &lane, int index) {
        take_turns<O>(shared, lane, index, plan, ctx.stop, figures[index]);
    });
}

class PetersonScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "peterson",
            "Peterson's algorithm and memory orders",
            "Two threads share one critical section guarded only by Peterson's algorithm: "
            "each raises its own flag, gives the turn to the other, and waits while the "
            "other's flag is up and the turn is the other's. Two flags and a turn are "
            "enough for mutual exclusion, but only if every thread sees memory in one "
            "agreed order (seq_cst). With acq_rel or relaxed, an x86 CPU may leave a "
            "thread's own writes in its store buffer while it already reads the other's "
            "flag, so both can read \"free\" and walk in together. Inside, each thread "
            "checks whether the other is there too and counts it as a violation. On the "
            "timeline, a sample of the entries shows as critical-section bars (spinning "
            "before them when a thread had to wait), and every violation is a red tick: "
            "with seq_cst there are none, switch to acq_rel or relaxed and they appear. "
            "Between entries each thread does a short random piece of its own work, so "
            "the two often reach the door at the same moment. Whenever both want in they "
            "take strict turns, so on a busy machine a waiting thread often has to wait for "
            "the other to get a CPU again, and the run takes much longer.",
            {ParamSpec::choice("memory_order", "Memory order", {"seq_cst", "acq_rel", "relaxed"},
                               SeqCst),
             ParamSpec::integer("iterations", "Iterations", 1, 10'000'000, 1'000'000,
                                "entries per thread")},
            {"violations", "iterations", "wall_ms"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        Plan plan;
        plan.iterations = ctx.param("iterations");
        plan.sampleEvery = peterson::sample_every(plan.iterations);
        plan.section = ctx.recorder.add_resource("critical section");
        plan.seed = ctx.seed;

        Shared shared;
        ThreadFigures figures[2];
        switch (ctx.param("memory_order")) {
        case AcqRel: run_pair<AcqRelOrders>(ctx, shared, plan, figures); break;
        case Relaxed: run_pair<RelaxedOrders>(ctx, shared, plan, figures); break;
        default: run_pair<SeqCstOrders>(ctx, shared, plan, figures); break;
        }

        const std::int64_t start = std::min(figures[0].startNs, figures[1].startNs);
        const std::int64_t end = std::max(figures[0].endNs, figures[1].endNs);
        return Json{{"violations", figures[0].violations + figures[1].violations},
                    {"iterations", std::min(figures[0].entries, figures[1].entries)},
                    {"wall_ms", end > start ? double(end - start) / 1e6 : 0.0}};
    }
};

} // namespace

std::unique_ptr<Scenario> make_peterson_scenario()
{
    return std::make_unique<PetersonScenario>();
}

} // namespace il
