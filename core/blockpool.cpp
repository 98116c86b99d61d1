#include "blockpool.h"
#include "populatingallocator.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

namespace il {
namespace {

// Free blocks beyond this go back to the kernel (a block is a whole number of pages,
// so a part of a slab can be unmapped on its own).
constexpr std::size_t kKeepBytes = std::size_t(64) << 20;

struct Doomed {
    void *block;
    std::size_t bytes;
};

struct Pool {
    std::mutex mutex;
    std::map<std::size_t, std::vector<void *>> free; // by block size
    std::size_t freeBytes = 0;
    // Blocks on their way back to the kernel, and the thread that unmaps them.
    std::vector<Doomed> doomed;
    std::condition_variable doomedAdded;
    bool unmapperStarted = false;
};

Pool &pool()
{
    static Pool *p = new Pool; // never destroyed: blocks may be given back at exit
    return *p;
}

// Unmaps `blocks`, neighbouring ones together up to kUnmapStep a call: an unmapping holds
// the address-space lock, which the collector populating its buffers and any thread taking
// a page fault wait for, so no one call should cover hundreds of MiB (a precaution: the
// long-run probe's noise hid any difference).
constexpr std::size_t kUnmapStep = std::size_t(4) << 20;
void unmap(std::vector<Doomed> &blocks) noexcept
{
    std::sort(blocks.begin(), blocks.end(), [](const Doomed &a, const Doomed &b) {
        return std::less<void *>()(a.block, b.block);
    });
    for (std::size_t i = 0; i < blocks.size();) {
        char *const first = static_cast<char *>(blocks[i].block);
        std::size_t bytes = blocks[i].bytes;
        std::size_t j = i + 1;
        for (; j < blocks.size() && static_cast<char *>(blocks[j].block) == first + bytes &&
               bytes + blocks[j].bytes <= kUnmapStep;
             ++j)
            bytes += blocks[j].bytes;
        munmap(first, bytes);
        i = j;
    }
    blocks.clear();
}

// Unmapping frees every page, ~0.4 us a page on this kind of VM: dropping half of a 1 GiB
// timeline held the GUI thread ~50 ms, and replacing a full timeline with a new run's twice
// that. This thread does it instead. It ends once nothing came for a while, so a process
// that gives back little has no such thread; the next block to go starts another.
void unmapper_loop() noexcept
{
    constexpr std::chrono::milliseconds kLinger{200};
    pthread_setname_np(pthread_self(), "il unmapper"); // for a debugger's or a test's message
    Pool &p = pool();
    std::vector<Doomed> batch;
    std::unique_lock lock(p.mutex);
    while (p.doomedAdded.wait_for(lock, kLinger, [&] { return !p.doomed.empty(); })) {
        batch.swap(p.doomed);
        lock.unlock();
        unmap(batch);
        lock.lock();
    }
    p.unmapperStarted = false; // under the lock: a give from now on starts a new one
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
        try {
            if (p.freeBytes + bytes <= kKeepBytes) {
                p.free[bytes].push_back(block);
                p.freeBytes += bytes;
                return;
            }
            if (!p.unmapperStarted) {
                std::thread(unmapper_loop).detach();
                p.unmapperStarted = true;
            }
            p.doomed.push_back({block, bytes});
            p.doomedAdded.notify_one();
            return;
        } catch (...) { // no memory for a list, or no thread: unmapped here
        }
    }
    munmap(block, bytes);
}

} // namespace il
