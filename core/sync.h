#pragma once
#include "recorder.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <semaphore>
#include <stop_token>
#include <string>

namespace il {

// Sleeps for `d` unless stop is requested first. Returns false if it was stopped.
bool sleep_for(std::stop_token stop, std::chrono::nanoseconds d);

// A mutual-exclusion lock that records what its users go through: Blocked (on this
// lock) while waiting, Critical once inside, Running after unlock.
//
// One futex word: 0 free, 1 held, 2 held and someone may be waiting. Uncontended lock is
// one compare-and-swap and unlock one exchange, as in glibc's own mutex, so recording is
// all the instrumentation adds. A waiter sleeps in the kernel on a second word, a wake
// sequence that unlock and Stop both advance: unlike the lock word, its change means
// "look again", so a stop request wakes a waiter even while the lock stays held.
//
// A waiter registers in the run's wait-for graph, so a deadlock through these locks is
// detected the moment it closes. With `recordHolds`, taking and giving back the lock is
// also recorded as Acquire/Release events (for views that show who holds what), with the
// same timestamp as the state they go with: an uncontended lock+unlock reads the clock
// twice, once for each end of the critical section.
class InstrumentedMutex {
public:
    InstrumentedMutex(Recorder &recorder, std::string name, bool recordHolds = false);
    ~InstrumentedMutex();
    InstrumentedMutex(const InstrumentedMutex &) = delete;
    InstrumentedMutex &operator=(const InstrumentedMutex &) = delete;

    // False if stop was requested before the lock could be taken (the lane is then
    // Running again and does not hold the lock).
    [[nodiscard]] bool lock(Lane &lane, std::stop_token stop);
    // Takes the lock only if it is free right now; never waits.
    [[nodiscard]] bool try_lock(Lane &lane);
    void unlock(Lane &lane);

    ResourceId resource() const { return m_resource; }
    // Total time all threads spent blocked on this lock.
    std::int64_t wait_ns() const { return m_waitNs.load(std::memory_order_relaxed); }

private:
    enum Word : int { kFree = 0, kHeld = 1, kHeldWaiters = 2 };

    static constexpr int kSpins = 200; // a few microseconds at most

    bool try_take(Lane &lane, std::int64_t tNs);
    void enter(Lane &lane, std::int64_t tNs);
    std::int64_t holder_stamp(std::int64_t tNs) noexcept;
    bool spin_for_lock() noexcept;
    bool wait_for_lock(const std::stop_token &stop);
    void wake(int waiters) noexcept;

    WaitForGraph &m_graph;
    const ResourceId m_resource;
    const bool m_recordHolds;
    std::atomic<int> m_word{kFree};
    std::int64_t m_stamp = 0; // the latest holder's latest timestamp; only the holder uses it
    std::atomic<LaneId> m_owner{WaitForGraph::kNobody};
    std::atomic<std::uint32_t> m_wakes{0}; // the waiters' futex: advanced to wake them
    std::atomic<std::int64_t> m_waitNs{0};
};

// A counting semaphore built the classic teaching way, from a mutex and a condition
// variable. Records Blocked while waiting for a permit, Critical while holding one,
// and the number of free permits as a counter. Like the mutex, both semaphores stamp a
// permit's taking no earlier than the last giving back they have seen (sync.cpp), so
// the timeline never shows more holders than permits.
class InstrumentedSemaphore {
public:
    InstrumentedSemaphore(Recorder &recorder, std::string name, int permits);

    [[nodiscard]] bool acquire(Lane &lane, std::stop_token stop);
    void release(Lane &lane);

    ResourceId resource() const { return m_resource; }
    std::int64_t wait_ns() const { return m_waitNs.load(std::memory_order_relaxed); }

private:
    std::int64_t stamp(std::int64_t tNs) noexcept;

    const ResourceId m_resource;
    std::mutex m_mutex;
    std::condition_variable_any m_cv;
    int m_free;
    std::int64_t m_stamp = 0; // under m_mutex: the latest timestamp of a taking or giving back
    std::atomic<std::int64_t> m_waitNs{0};
};

// The same semaphore as the standard library ships it since C++20:
// std::counting_semaphore, which waits in the kernel on a futex. It has no stop token, so
// a waiter waits in short try_acquire_for slices and checks Stop between them (a permit
// still wakes it at once). Records the same states and counter as InstrumentedSemaphore;
// the counter is our own count of free permits, since the standard one cannot be read.
class InstrumentedStdSemaphore {
public:
    static constexpr int kMaxPermits = 1024;

    InstrumentedStdSemaphore(Recorder &recorder, std::string name, int permits);

    [[nodiscard]] bool acquire(Lane &lane, std::stop_token stop);
    void release(Lane &lane);

    ResourceId resource() const { return m_resource; }
    std::int64_t wait_ns() const { return m_waitNs.load(std::memory_order_relaxed); }

private:
    const ResourceId m_resource;
    std::counting_semaphore<kMaxPermits> m_semaphore;
    std::atomic<int> m_free;
    std::atomic<std::int64_t> m_released{0}; // the latest timestamp of a giving back
    std::atomic<std::int64_t> m_waitNs{0};
};

} // namespace il
