#pragma once
#include <cstddef>
#include <new>
#include <sys/mman.h>

namespace il {

// Large blocks come from mmap(MAP_POPULATE), which maps every page up front in one
// system call. Touching fresh pages one by one costs ~10 us a page on this kind of VM
// (measured: 64 MB in 670 ms by touching, 14 ms populated), which is enough to stall a
// collector drain long enough for the rings to overflow. Small blocks use new/delete.
// `bytes` of memory: mapped and populated from `minMappedBytes` up, new below. Recording
// and timeline buffers are of no use to a forked child (see SpscRing), so none inherits them.
inline void *populated_allocate(std::size_t bytes, std::size_t minMappedBytes)
{
    if (bytes < minMappedBytes)
        return ::operator new(bytes);
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    madvise(p, bytes, MADV_DONTFORK);
    return p;
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
