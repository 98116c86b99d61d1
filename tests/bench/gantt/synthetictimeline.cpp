#include "synthetictimeline.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ganttbench {
namespace {

using il::State;

constexpr std::size_t kBatchEvents = std::size_t(1) << 20; // what a few collector ticks hold
constexpr int kResources = 4;

// States a working lane moves between, weighted roughly as a contended run spends them.
constexpr State kWorkStates[] = {State::Running,  State::Running,  State::Blocked,
                                 State::Critical, State::Critical, State::Sleeping,
                                 State::Spinning, State::Preempted};

bool usesResource(State s)
{
    return s == State::Blocked || s == State::Critical || s == State::Spinning;
}

class Generator {
public:
    explicit Generator(std::uint64_t seed)
        : m_rng(seed)
    {
    }

    std::int64_t duration()
    {
        // 85 % short (mean 1.5 us), 15 % long (mean 100 us): dense bursts the painter
        // must merge, and spans wide enough to show up when zoomed out.
        const bool longOne = m_unit(m_rng) < 0.15;
        const double mean = longOne ? 100'000.0 : 1'500.0;
        return 50 + std::int64_t(std::exponential_distribution<double>(1.0 / mean)(m_rng));
    }
    State nextState(State previous)
    {
        State s = previous;
        while (s == previous)
            s = kWorkStates[m_pick(m_rng) % std::size(kWorkStates)];
        return s;
    }
    il::ResourceId resource() { return il::ResourceId(1 + m_pick(m_rng) % kResources); }
    bool mark() { return m_unit(m_rng) < 0.02; }

private:
    std::mt19937_64 m_rng;
    std::uniform_real_distribution<double> m_unit{0.0, 1.0};
    std::uniform_int_distribution<unsigned> m_pick;
};

il::Event event(std::int64_t t, int lane, il::EventKind kind, State s, il::ResourceId r,
                std::int64_t value = 0)
{
    return il::Event{t, value, il::LaneId(lane), r, kind, s};
}

} // namespace

il::Timeline makeSyntheticTimeline(std::int64_t segments, std::uint64_t seed)
{
    il::Timeline timeline;
    il::Batch batch;
    for (int lane = 0; lane < kLanes; ++lane)
        batch.newLanes.push_back("thread " + std::to_string(lane + 1));
    for (int r = 1; r <= kResources; ++r)
        batch.newResources.push_back("lock " + std::to_string(r));
    batch.events.reserve(kBatchEvents);

    Generator gen(seed);
    struct LaneState {
        std::int64_t left = 0; // segments still to emit, the Finished one included
        State state = State::Finished;
    };
    std::vector<LaneState> lanes(kLanes);
    // Lanes take turns in time order, as a collector's batches interleave them.
    using Next = std::pair<std::int64_t, int>; // (time of the lane's next change, lane)
    std::priority_queue<Next, std::vector<Next>, std::greater<>> queue;
    for (int lane = 0; lane < kLanes; ++lane) {
        lanes[std::size_t(lane)].left = segments / kLanes + (lane < segments % kLanes ? 1 : 0);
        if (lanes[std::size_t(lane)].left > 0)
            queue.push({std::int64_t(lane) * 100, lane});
    }

    std::int64_t endNs = 0;
    while (!queue.empty()) {
        const auto [t, lane] = queue.top();
        queue.pop();
        LaneState &ls = lanes[std::size_t(lane)];
        if (--ls.left == 0) {
            batch.events.push_back(
                event(t, lane, il::EventKind::State, State::Finished, il::kNoResource));
            endNs = std::max(endNs, t);
        } else {
            ls.state = gen.nextState(ls.state);
            const il::ResourceId r = usesResource(ls.state) ? gen.resource() : il::kNoResource;
            batch.events.push_back(event(t, lane, il::EventKind::State, ls.state, r));
            if (gen.mark())
                batch.events.push_back(
                    event(t, lane, il::EventKind::Mark, State::Running, r, il::kMarkStep));
            queue.push({t + gen.duration(), lane});
        }
        if (batch.events.size() + 2 > kBatchEvents) {
            timeline.apply(batch);
            batch = il::Batch{};
            batch.events.reserve(kBatchEvents);
        }
    }
    timeline.apply(batch);
    // The last lane to finish still shows its Finished segment for a moment.
    timeline.close(endNs + 10'000);
    return timeline;
}

const il::Timeline &syntheticTimeline(std::int64_t segments)
{
    static std::map<std::int64_t, std::unique_ptr<il::Timeline>> built;
    auto &slot = built[segments];
    if (!slot)
        slot = std::make_unique<il::Timeline>(makeSyntheticTimeline(segments));
    return *slot;
}

} // namespace ganttbench
