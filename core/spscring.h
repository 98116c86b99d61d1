#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <sys/mman.h>
#include <type_traits>

namespace il {

// Whether a ring's memory is visible to processes forked after it was made.
enum class RingMemory {
    Private, // one process: threads of the app
    Shared,  // MAP_SHARED: a child forked after creation pushes, the parent drains
};

// Bounded lock-free ring for exactly one producer and one consumer. push() never
// blocks and never allocates: on a full ring it returns false and the producer counts a
// drop. Capacity is rounded up to a power of two.
//
// The indices, the drop count and the slots live in one mapping made up front
// (MAP_POPULATE: no page faults later). With RingMemory::Shared that mapping survives
// fork() as the same memory in both processes, so a child can record with nothing but
// plain stores and lock-free atomics, which are async-signal-safe.
template <typename T> class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "slots are copied as raw memory");

public:
    explicit SpscRing(std::size_t capacity, RingMemory memory = RingMemory::Private)
        : m_mask(round_up(capacity) - 1)
        , m_bytes(sizeof(Control) + (m_mask + 1) * sizeof(T))
    {
        const int sharing = memory == RingMemory::Shared ? MAP_SHARED : MAP_PRIVATE;
        void *p = mmap(nullptr, m_bytes, PROT_READ | PROT_WRITE,
                       sharing | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED)
            throw std::bad_alloc();
        // A private ring is of no use to a forked child; not copying it spares fork() the
        // page tables and the parent the copy-on-write faults on its next pushes.
        if (memory == RingMemory::Private)
            madvise(p, m_bytes, MADV_DONTFORK);
        m_control = new (p) Control;
        m_slots = reinterpret_cast<T *>(static_cast<char *>(p) + sizeof(Control));
    }
    ~SpscRing()
    {
        m_control->~Control();
        munmap(m_control, m_bytes);
    }
    SpscRing(const SpscRing &) = delete;
    SpscRing &operator=(const SpscRing &) = delete;

    bool push(const T &value) noexcept
    {
        Control &c = *m_control;
        const std::size_t head = c.head.load(std::memory_order_relaxed);
        if (head - c.cachedTail > m_mask) {
            c.cachedTail = c.tail.load(std::memory_order_acquire);
            if (head - c.cachedTail > m_mask)
                return false;
        }
        m_slots[head & m_mask] = value;
        c.head.store(head + 1, std::memory_order_release);
        return true;
    }

    // Appends everything available to `out` (at most two contiguous copies, since the
    // ring wraps once at most); returns the count.
    template <typename Vector> std::size_t drain(Vector &out)
    {
        Control &c = *m_control;
        const std::size_t tail = c.tail.load(std::memory_order_relaxed);
        const std::size_t head = c.head.load(std::memory_order_acquire);
        // A shared ring's head is written by another process: never trust it past the
        // capacity.
        const std::size_t n = std::min(head - tail, m_mask + 1);
        const std::size_t begin = tail & m_mask;
        const std::size_t firstPart = std::min(n, m_mask + 1 - begin);
        append(out, m_slots + begin, m_slots + begin + firstPart);
        append(out, m_slots, m_slots + (n - firstPart));
        c.tail.store(tail + n, std::memory_order_release);
        return n;
    }

    // Producer side: one more value did not fit. Read by anyone, e.g. a parent process.
    void count_drop() noexcept
    { // single producer: a relaxed read-modify-write is enough
        auto &d = m_control->dropped;
        d.store(d.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    std::uint64_t dropped() const noexcept
    {
        return m_control->dropped.load(std::memory_order_relaxed);
    }

    std::size_t capacity() const noexcept { return m_mask + 1; }

    // Empties the ring for a new producer and consumer; only while neither uses it.
    void reset() noexcept
    {
        Control &c = *m_control;
        c.head.store(0, std::memory_order_relaxed);
        c.tail.store(0, std::memory_order_relaxed);
        c.dropped.store(0, std::memory_order_relaxed);
        c.cachedTail = 0;
    }

    static std::size_t round_up(std::size_t n)
    {
        std::size_t p = 2;
        while (p < n)
            p <<= 1;
        return p;
    }

private:
    // Onto a vector, or a chunk at a time onto a store that has append().
    template <typename Vector> static void append(Vector &out, const T *first, const T *last)
    {
        if constexpr (requires { out.append(first, last); })
            out.append(first, last);
        else
            out.insert(out.end(), first, last);
    }

    static constexpr std::size_t kLine = 64;
    // Producer fields on one cache line, the consumer's index on the next.
    struct Control {
        alignas(kLine) std::atomic<std::size_t> head{0};
        std::size_t cachedTail = 0; // producer's last view of tail
        std::atomic<std::uint64_t> dropped{0};
        alignas(kLine) std::atomic<std::size_t> tail{0};
    };
    static_assert(std::atomic<std::size_t>::is_always_lock_free,
                  "a ring shared with a child process needs address-free atomics");

    const std::size_t m_mask;
    const std::size_t m_bytes;
    Control *m_control = nullptr;
    T *m_slots = nullptr;
};

} // namespace il
