#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

#include "populatingallocator.h"

namespace il {

// Bounded lock-free ring for exactly one producer thread and one consumer thread.
// push() never blocks and never allocates: on a full ring it returns false and the
// caller counts a drop. Capacity is rounded up to a power of two.
template <typename T> class SpscRing {
public:
    explicit SpscRing(std::size_t capacity)
        : m_mask(round_up(capacity) - 1)
        , m_slots(m_mask + 1)
    {
    }

    bool push(const T &value) noexcept
    {
        const std::size_t head = m_head.load(std::memory_order_relaxed);
        if (head - m_cachedTail > m_mask) {
            m_cachedTail = m_tail.load(std::memory_order_acquire);
            if (head - m_cachedTail > m_mask)
                return false;
        }
        m_slots[head & m_mask] = value;
        m_head.store(head + 1, std::memory_order_release);
        return true;
    }

    // Appends everything available to `out` (at most two contiguous copies, since the
    // ring wraps once at most); returns the count.
    template <typename Vector> std::size_t drain(Vector &out)
    {
        const std::size_t tail = m_tail.load(std::memory_order_relaxed);
        const std::size_t head = m_head.load(std::memory_order_acquire);
        const std::size_t n = head - tail;
        const std::size_t begin = tail & m_mask;
        const std::size_t firstPart = std::min(n, m_mask + 1 - begin);
        const T *base = m_slots.data();
        out.insert(out.end(), base + begin, base + begin + firstPart);
        out.insert(out.end(), base, base + (n - firstPart));
        m_tail.store(head, std::memory_order_release);
        return n;
    }

    std::size_t capacity() const noexcept { return m_mask + 1; }

    // Empties the ring for a new producer and consumer; only while neither uses it.
    void reset() noexcept
    {
        m_head.store(0, std::memory_order_relaxed);
        m_tail.store(0, std::memory_order_relaxed);
        m_cachedTail = 0;
    }

    static std::size_t round_up(std::size_t n)
    {
        std::size_t p = 2;
        while (p < n)
            p <<= 1;
        return p;
    }

private:
    static constexpr std::size_t kLine = 64;
    const std::size_t m_mask;
    std::vector<T, PopulatingAllocator<T>> m_slots; // fixed size, mapped up front
    alignas(kLine) std::atomic<std::size_t> m_head{0};
    std::size_t m_cachedTail = 0; // producer's last view of m_tail
    alignas(kLine) std::atomic<std::size_t> m_tail{0};
};

} // namespace il
