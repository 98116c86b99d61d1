#pragma once
#include "event.h"
#include "spscring.h"

#include <memory>
#include <mutex>
#include <vector>

namespace il {

using EventRing = SpscRing<Event>;

// Rings outlive the runs that used them. A fresh ring's pages cost ~10 us each to
// touch the first time on this kind of VM (a 1.5 MiB ring: ~3 ms), so creating 64
// lanes from scratch delayed a run's first event by ~200 ms; reused rings cost
// nothing. Keeps a bounded number of spare rings.
class RingPool {
public:
    static RingPool &instance();

    std::unique_ptr<EventRing> take(std::size_t capacity);
    void give(std::unique_ptr<EventRing> ring);
    // Makes sure `count` spare rings of `capacity` exist (e.g. on a background thread
    // at start-up, so the first run does not pay for fresh memory either).
    void prewarm(std::size_t count, std::size_t capacity);

    // What it keeps now: spare rings, and their slots' bytes.
    std::size_t spare_count() const;
    std::size_t spare_bytes() const;

    // At most this many spare rings, and as much memory as one run's rings
    // (Recorder::kRingBudgetBytes) and a few more.
    static constexpr std::size_t kMaxSpare = 64;
    static constexpr std::size_t kMaxSpareBytes = std::size_t(160) << 20;

private:
    static std::size_t bytes_of(const EventRing &ring) { return ring.capacity() * sizeof(Event); }

    mutable std::mutex m_mutex;
    std::vector<std::unique_ptr<EventRing>> m_spare;
    std::size_t m_spareBytes = 0;
};

} // namespace il
