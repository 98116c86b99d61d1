#include "blockpool.h"
#include "populatingallocator.h"

#include <map>
#include <mutex>
#include <new>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace il {
namespace {

// Free blocks beyond this go back to the kernel (a block is a whole number of pages,
// so a part of a slab can be unmapped on its own).
constexpr std::size_t kKeepBytes = std::size_t(64) << 20;

struct Pool {
    std::mutex mutex;
    std::map<std::size_t, std::vector<void *>> free; // by block size
    std::size_t freeBytes = 0;
};

Pool &pool()
{
    static Pool *p = new Pool; // never destroyed: blocks may be given back at exit
    return *p;
}

} // namespace

std::size_t block_granularity() noexcept
{
    static const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
    return page;
}

void *take_block(std::size_t bytes)
{
    Pool &p = pool();
    {
        std::lock_guard lock(p.mutex);
        auto &list = p.free[bytes];
        if (!list.empty()) {
            void *block = list.back();
            list.pop_back();
            p.freeBytes -= bytes;
            return block;
        }
    }
    // Mapped without the pool's lock: another thread's take or give need not wait.
    const std::size_t count = bytes >= kBlockSlabBytes ? 1 : kBlockSlabBytes / bytes;
    auto *slab = static_cast<char *>(map_populated(count * bytes));
    std::lock_guard lock(p.mutex);
    auto &list = p.free[bytes];
    try {
        list.reserve(list.size() + count);
    } catch (...) { // no memory for the list: no slab either
        munmap(slab, count * bytes);
        throw;
    }
    for (std::size_t i = 1; i < count; ++i)
        list.push_back(slab + i * bytes);
    p.freeBytes += (count - 1) * bytes;
    return slab;
}

void give_block(void *block, std::size_t bytes) noexcept
{
    if (!block)
        return;
    Pool &p = pool();
    {
        std::lock_guard lock(p.mutex);
        if (p.freeBytes + bytes <= kKeepBytes) {
            try {
                p.free[bytes].push_back(block);
                p.freeBytes += bytes;
                return;
            } catch (...) { // no memory for the list: give the block to the kernel
            }
        }
    }
    munmap(block, bytes);
}

} // namespace il
