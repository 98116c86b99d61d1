#include "recorder.h"

#include <algorithm>
#include <stdexcept>

namespace il {

// Once per lane, out of the hot path. The origin is fixed before the clock is read, and the
// clock is read behind a fence, so the first timestamp is never earlier than an origin a
// concurrent add_lane set before the fix, and no later add_lane moves it: no event
// precedes time 0.
void Lane::begin_recording() noexcept
{
    m_origin->fix();
    m_mode = Mode::Recording;
}

void Lane::first_push(EventKind kind, State s, ResourceId r, std::int64_t value) noexcept
{
    begin_recording();
    write(now_ordered_ns(), kind, s, r, value);
}

void Lane::first_push_at(std::int64_t tNs, EventKind kind, State s, ResourceId r,
                         std::int64_t value) noexcept
{
    begin_recording();
    // A moment taken before the origin last moved: as early as the record can show.
    write(std::max(tNs, m_origin->ns()), kind, s, r, value);
}

Recorder::Recorder(std::size_t ringCapacity, Recording recording)
    : m_capacity(ringCapacity)
    , m_recording(recording)
    , m_origin(now_ns())
{
    m_resourceNames.emplace_back();
}

void Recorder::begin_run() noexcept
{
    m_origin.move_to(now_ns());
    if (m_recording == Recording::Off)
        m_origin.fix();
}

Recorder::~Recorder()
{
    for (auto &entry : m_lanes)
        if (entry.pooled)
            RingPool::instance().give(std::move(entry.ring));
}

void Recorder::expect_lanes(std::size_t count)
{
    std::lock_guard lock(m_mutex);
    m_expectedLanes = count;
    m_groupCapacity = ring_capacity_within_budget(std::max<std::size_t>(1, count));
}

std::size_t Recorder::next_ring_capacity() const
{
    return m_expectedLanes > 0 ? m_groupCapacity : ring_capacity_within_budget(1);
}

std::size_t Recorder::ring_capacity_within_budget(std::size_t lanes) const
{
    std::size_t capacity = EventRing::round_up(m_capacity);
    while (capacity > kMinRingCapacity &&
           m_ringBytes + lanes * capacity * sizeof(Event) > kRingBudgetBytes)
        capacity /= 2;
    return capacity;
}

Lane &Recorder::add_lane(std::string name)
{
    std::size_t capacity = 0;
    {
        std::lock_guard lock(m_mutex);
        capacity = next_ring_capacity();
    }
    // Taken (perhaps made: a fresh ring is mapped) without the lock.
    return add_entry(std::move(name), RingPool::instance().take(capacity), true);
}

Lane &Recorder::add_lane(std::string name, std::unique_ptr<EventRing> ring)
{
    if (!ring)
        throw std::invalid_argument("a lane needs a ring");
    return add_entry(std::move(name), std::move(ring), false);
}

Lane &Recorder::add_entry(std::string name, std::unique_ptr<EventRing> ring, bool pooled)
{
    std::lock_guard lock(m_mutex);
    const auto id = LaneId(m_lanes.size());
    const std::size_t ringBytes = ring->capacity() * sizeof(Event);
    m_laneNames.reserve(m_laneNames.size() + 1); // may throw before anything changed
    Entry &entry = m_lanes.emplace_back(std::move(ring), pooled, id, m_recording, m_origin);
    m_laneNames.push_back(std::move(name));
    if (pooled) { // counted once the lane exists
        m_ringBytes += ringBytes;
        if (m_expectedLanes > 0)
            --m_expectedLanes;
    }
    entry.readyNs = now_ns();
    if (!pooled) // its writer, e.g. a forked child, records without fixing the origin
        m_origin.fix();
    else if (m_recording == Recording::On) // a fresh ring took ~0.5 ms to map: set-up
        m_origin.move_to(entry.readyNs);
    return entry.lane;
}

std::int64_t Recorder::lane_ready_ns(LaneId lane) const
{
    std::lock_guard lock(m_mutex);
    return m_lanes.at(lane).readyNs - m_origin.ns();
}

std::unique_ptr<EventRing> make_shared_ring(std::size_t capacity)
{
    return std::make_unique<EventRing>(capacity, RingMemory::Shared);
}

ResourceId Recorder::add_resource(std::string name)
{
    std::lock_guard lock(m_mutex);
    return add_resource_locked(std::move(name));
}

ResourceId Recorder::add_resource_locked(std::string name)
{
    if (m_resourceNames.size() > 0xffff)
        throw std::length_error("too many resources in one run");
    m_resourceNames.push_back(std::move(name));
    return ResourceId(m_resourceNames.size() - 1);
}

ResourceId Recorder::label(const std::string &name)
{
    std::lock_guard lock(m_mutex);
    if (const auto it = m_labels.find(name); it != m_labels.end())
        return it->second;
    const ResourceId id = add_resource_locked(name);
    m_labels.emplace(name, id);
    return id;
}

std::size_t Recorder::drain(EventBuffer &out)
{
    std::lock_guard lock(m_mutex);
    std::size_t n = 0;
    for (auto &entry : m_lanes)
        n += entry.ring->drain(out);
    return n;
}

std::vector<std::string> Recorder::lane_names_from(std::size_t first) const
{
    std::lock_guard lock(m_mutex);
    if (first >= m_laneNames.size())
        return {};
    return {m_laneNames.begin() + std::ptrdiff_t(first), m_laneNames.end()};
}

std::vector<std::string> Recorder::resource_names_from(std::size_t first) const
{
    std::lock_guard lock(m_mutex);
    if (first >= m_resourceNames.size())
        return {};
    return {m_resourceNames.begin() + std::ptrdiff_t(first), m_resourceNames.end()};
}

bool Recorder::close_holes()
{
    std::lock_guard lock(m_mutex);
    bool all = true;
    for (auto &entry : m_lanes)
        all = entry.lane.close_hole() && all;
    return all;
}

std::uint64_t Recorder::dropped() const
{
    std::lock_guard lock(m_mutex);
    std::uint64_t n = 0;
    for (const auto &entry : m_lanes)
        n += entry.ring->dropped();
    return n;
}

} // namespace il
