#pragma once
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <new>
#include <sys/mman.h>

namespace il {

// Large blocks are mapped with every page populated up front. Touching fresh pages one
// by one costs ~10 us a page on this kind of VM (measured: 64 MB in 670 ms by touching,
// 14 ms populated), which is enough to stall a collector drain long enough for the rings
// to overflow. Recording and timeline buffers are of no use to a forked child (see
// SpscRing), so none inherits them.
//
// Populating holds the address-space lock for reading, and a thread that maps memory
// (the GUI thread growing its timeline) waits for it. One MAP_POPULATE of 64 MB, its
// thread preempted half way by the run's workers, kept the GUI thread waiting 25 ms;
// populating a megabyte at a time (MADV_POPULATE_WRITE, Linux 5.14) lets a waiting
// mapper in between. Where the kernel lacks it (EINVAL), MAP_POPULATE does it at once.
inline void *map_populated(std::size_t bytes)
{
    constexpr int kFlags = MAP_PRIVATE | MAP_ANONYMOUS;
    static std::atomic<bool> stepwise{true}; // until the kernel says it cannot
    const bool steps = stepwise.load(std::memory_order_relaxed);
    void *p =
        mmap(nullptr, bytes, PROT_READ | PROT_WRITE, steps ? kFlags : kFlags | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    madvise(p, bytes, MADV_DONTFORK);
    if (!steps)
        return p;
#ifdef MADV_POPULATE_WRITE
    constexpr std::size_t kStep = std::size_t(1) << 20;
    auto *bytesPtr = static_cast<char *>(p);
    for (std::size_t at = 0; at < bytes; at += kStep) {
        if (madvise(bytesPtr + at, std::min(kStep, bytes - at), MADV_POPULATE_WRITE) == 0)
            continue;
        if (errno != EINVAL)
            return p; // out of memory now: the pages fault in when touched, or fail as new would
        stepwise.store(false, std::memory_order_relaxed);
        munmap(p, bytes);
        return map_populated(bytes);
    }
    return p;
#else
    stepwise.store(false, std::memory_order_relaxed);
    munmap(p, bytes);
    return map_populated(bytes);
#endif
}

// `bytes` of memory: mapped and populated from `minMappedBytes` up, new below.
inline void *populated_allocate(std::size_t bytes, std::size_t minMappedBytes)
{
    if (bytes < minMappedBytes)
        return ::operator new(bytes);
    return map_populated(bytes);
}

// Gives back what populated_allocate(bytes, minMappedBytes) returned.
inline void populated_free(void *p, std::size_t bytes, std::size_t minMappedBytes) noexcept
{
    if (bytes < minMappedBytes)
        ::operator delete(p);
    else
        munmap(p, bytes);
}

template <typename T> struct PopulatingAllocator {
    using value_type = T;
    static constexpr std::size_t kMinMappedBytes = std::size_t(1) << 20;

    PopulatingAllocator() = default;
    template <typename U> PopulatingAllocator(const PopulatingAllocator<U> &) noexcept {}

    T *allocate(std::size_t n)
    {
        return static_cast<T *>(populated_allocate(n * sizeof(T), kMinMappedBytes));
    }

    void deallocate(T *p, std::size_t n) noexcept
    {
        populated_free(p, n * sizeof(T), kMinMappedBytes);
    }

    template <typename U> bool operator==(const PopulatingAllocator<U> &) const noexcept
    {
        return true;
    }
};

} // namespace il
