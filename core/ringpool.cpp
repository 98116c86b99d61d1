#include "ringpool.h"

namespace il {

RingPool &RingPool::instance()
{
    static RingPool pool;
    return pool;
}

std::unique_ptr<EventRing> RingPool::take(std::size_t capacity)
{
    const std::size_t wanted = EventRing::round_up(capacity);
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_spare.begin(); it != m_spare.end(); ++it) {
            if ((*it)->capacity() != wanted)
                continue;
            auto ring = std::move(*it);
            m_spare.erase(it);
            m_spareBytes -= bytes_of(*ring);
            ring->reset();
            return ring;
        }
    }
    return std::make_unique<EventRing>(wanted);
}

void RingPool::give(std::unique_ptr<EventRing> ring)
{
    if (!ring)
        return;
    std::vector<std::unique_ptr<EventRing>> evicted; // unmapped after the lock
    std::lock_guard lock(m_mutex);
    const std::size_t bytes = bytes_of(*ring);
    const auto full = [&] {
        return m_spare.size() >= kMaxSpare || m_spareBytes + bytes > kMaxSpareBytes;
    };
    // Spares of other sizes make room, oldest first: the size runs give back now is the
    // one the next run will likely ask for (a pool kept full of another size would make
    // every run map its rings afresh).
    for (auto it = m_spare.begin(); full() && it != m_spare.end();) {
        if ((*it)->capacity() == ring->capacity()) {
            ++it;
            continue;
        }
        m_spareBytes -= bytes_of(**it);
        evicted.push_back(std::move(*it));
        it = m_spare.erase(it);
    }
    if (full())
        return; // unmapped as it goes
    m_spareBytes += bytes;
    m_spare.push_back(std::move(ring));
}

std::size_t RingPool::spare_count() const
{
    std::lock_guard lock(m_mutex);
    return m_spare.size();
}

std::size_t RingPool::spare_bytes() const
{
    std::lock_guard lock(m_mutex);
    return m_spareBytes;
}

void RingPool::prewarm(std::size_t count, std::size_t capacity)
{
    const std::size_t wanted = EventRing::round_up(capacity);
    for (std::size_t made = 0; made < count; ++made) {
        {
            std::lock_guard lock(m_mutex);
            std::size_t have = 0;
            for (const auto &ring : m_spare)
                have += ring->capacity() == wanted;
            if (have >= count || m_spare.size() >= kMaxSpare ||
                m_spareBytes + wanted * sizeof(Event) > kMaxSpareBytes)
                return;
        }
        give(std::make_unique<EventRing>(wanted)); // built outside the lock
    }
}

} // namespace il
