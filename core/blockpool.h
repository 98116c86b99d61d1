#pragma once
#include <cstddef>

namespace il {

// Memory for the timeline's chunks, mapped in slabs of many blocks of one size.
//
// Mapping memory (and marking it not to be inherited by forked children) takes the
// process's address-space lock for writing. While another thread holds it for reading,
// e.g. the collector populating a large buffer and then preempted by the run's
// workers, the writer waits, and the GUI thread was seen waiting 10-35 ms at a time
// when it mapped one 96 KiB chunk after another. A slab maps 32 or more chunks at once,
// and a freed block is kept for the next timeline (up to kKeepBytes, 64 MiB, beyond
// what the timelines' memory budgets count), so a run maps memory rarely, and a second
// run not at all. Blocks beyond that are unmapped on a thread of the pool's own, a run of
// neighbouring blocks at a time, so that freeing their pages (~0.4 us a page) does not
// hold the thread that gave them back.
//
// Blocks are populated (every page mapped up front, see populatingallocator.h), not
// inherited by forked children, and a multiple of the page size. Thread-safe.
inline constexpr std::size_t kBlockSlabBytes = std::size_t(4) << 20;

// The page size: a block's size must be a multiple of it.
std::size_t block_granularity() noexcept;
// A block of `bytes` (a multiple of block_granularity()); throws std::bad_alloc.
void *take_block(std::size_t bytes);
// Gives back a block that take_block(bytes) returned.
void give_block(void *block, std::size_t bytes) noexcept;

} // namespace il
