#include "sync.h"

#include <algorithm>
#include <climits>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace il {

bool sleep_for(std::stop_token stop, std::chrono::nanoseconds d)
{
    // Not condition_variable_any's stop_token overload of wait_for: in GCC 12's
    // libstdc++ it returns at once instead of waiting (measured: 10 waits of 20 ms
    // took under a microsecond). A stop callback that notifies does the same job.
    const auto deadline = std::chrono::steady_clock::now() + d;
    std::mutex m;
    std::condition_variable cv;
    std::stop_callback wake(stop, [&] {
        std::lock_guard lock(m); // not between the waiter's check and its wait
        cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait_until(lock, deadline, [&] { return stop.stop_requested(); });
    return !stop.stop_requested();
}

namespace {

// A raw futex rather than std::atomic::wait: wait() returns only once the value has
// changed, this returns on any wake-up too, and it is one system call without spinning.
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
              std::atomic<std::uint32_t>::is_always_lock_free);

void futex_wait(std::atomic<std::uint32_t> &word, std::uint32_t expected) noexcept
{
    // Returns at once if the word no longer holds `expected` (checked by the kernel,
    // atomically with going to sleep); EINTR and spurious returns are loops of the caller.
    syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAIT_PRIVATE, expected,
            nullptr, nullptr, 0);
}

void futex_wake(std::atomic<std::uint32_t> &word, int count) noexcept
{
    syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAKE_PRIVATE, count, nullptr,
            nullptr, 0);
}

} // namespace

InstrumentedMutex::InstrumentedMutex(Recorder &recorder, std::string name, bool recordHolds)
    : m_graph(recorder.wait_for_graph())
    , m_resource(recorder.add_resource(std::move(name)))
    , m_recordHolds(recordHolds)
{
    m_graph.track(m_resource, &m_owner);
}

InstrumentedMutex::~InstrumentedMutex()
{
    m_graph.untrack(m_resource);
}

// A holder's timestamp, never earlier than the previous holder's last one. lock() reads
// the clock before its compare-and-swap (and a bare TSC read may run ahead of it anyway,
// tsc.h), so the reading alone could stamp this critical section before the previous one
// ended; the lock's own latest stamp, on the cache line the CAS just brought in, fixes
// that for a load and a store instead of a fence (~8 ns). Only the holder calls this; the
// lock word's acquire and release order m_stamp from one holder to the next.
std::int64_t InstrumentedMutex::holder_stamp(std::int64_t tNs) noexcept
{
    m_stamp = std::max(m_stamp, tNs);
    return m_stamp;
}

void InstrumentedMutex::enter(Lane &lane, std::int64_t tNs)
{
    // Relaxed is enough: a deadlock walker reads owners under the graph's mutex, which
    // this thread takes (after this store) before it can wait for anything else.
    m_owner.store(lane.id(), std::memory_order_relaxed);
    if (!lane.recording())
        return;
    const std::int64_t t = holder_stamp(tNs);
    if (m_recordHolds)
        lane.acquired_at(t, m_resource);
    lane.state_at(t, State::Critical, m_resource);
}

bool InstrumentedMutex::try_take(Lane &lane, std::int64_t tNs)
{
    int expected = kFree;
    if (!m_word.compare_exchange_strong(expected, kHeld, std::memory_order_acquire,
                                        std::memory_order_relaxed))
        return false;
    enter(lane, tNs);
    return true;
}

bool InstrumentedMutex::try_lock(Lane &lane)
{
    return try_take(lane, lane.recording() ? now_ns() : 0); // Recording::Off reads no clock
}

bool InstrumentedMutex::lock(Lane &lane, std::stop_token stop)
{
    // The clock is read before the compare-and-swap, not after it: the critical section,
    // which the other threads wait through, then does not include the read (holder_stamp
    // keeps the stamp after the previous holder's).
    if (try_take(lane, lane.recording() ? now_ns() : 0)) [[likely]]
        return true;
    const std::int64_t t0 = now_ns();
    lane.state_at(t0, State::Blocked, m_resource);
    // Critical sections of the scenarios last nanoseconds: a short spin usually sees the
    // lock freed, which costs far less than a sleep and a wake in the kernel (measured on
    // the mutex scenario, 4 threads on 2 cores: several times the throughput). The wait
    // is recorded as Blocked all the same; only a waiter that goes to sleep enters the
    // wait-for graph, since a deadlock cannot close while every waiter still spins.
    bool acquired = spin_for_lock();
    if (!acquired) {
        if (m_graph.request(lane.id(), m_resource))
            lane.mark(kMarkDeadlock, m_resource);
        acquired = wait_for_lock(stop);
        m_graph.done_waiting(lane.id());
    }
    const std::int64_t t1 = now_ns();
    m_waitNs.fetch_add(t1 - t0, std::memory_order_relaxed);
    if (acquired)
        enter(lane, t1);
    else
        lane.state_at(t1, State::Running);
    return acquired;
}

bool InstrumentedMutex::spin_for_lock() noexcept
{
    for (int i = 0; i < kSpins; ++i) {
        // Read before trying, so spinning waiters do not steal the cache line from the
        // holder with a write each round.
        int expected = kFree;
        if (m_word.load(std::memory_order_relaxed) == kFree &&
            m_word.compare_exchange_weak(expected, kHeld, std::memory_order_acquire,
                                         std::memory_order_relaxed))
            return true;
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
    }
    return false;
}

bool InstrumentedMutex::wait_for_lock(const std::stop_token &stop)
{
    // Runs at once if stop was already requested; otherwise on request_stop's thread.
    std::stop_callback wakeOnStop(stop, [this] { wake(INT_MAX); });
    for (;;) {
        // Read the wake sequence before trying: an unlock that frees the lock after the
        // try below, or a stop requested after the check below, advances it after this
        // read, so the futex wait returns at once instead of sleeping through it.
        // (seq_cst here and acq_rel in unlock: this read happens before that advance.)
        const std::uint32_t wakes = m_wakes.load(std::memory_order_seq_cst);
        // Marks the lock as waited for, so its holder's unlock wakes someone.
        if (m_word.exchange(kHeldWaiters, std::memory_order_seq_cst) == kFree)
            return true;
        if (stop.stop_requested()) {
            wake(1); // an unlock's wake may have chosen this waiter: pass it on
            return false;
        }
        futex_wait(m_wakes, wakes);
    }
}

void InstrumentedMutex::wake(int waiters) noexcept
{
    m_wakes.fetch_add(1, std::memory_order_seq_cst);
    futex_wake(m_wakes, waiters);
}

void InstrumentedMutex::unlock(Lane &lane)
{
    // Stamped first, so the next holder's critical section starts after this one ends;
    // written to the ring after the lock is free, so the others do not wait for that.
    const bool recording = lane.recording();
    const std::int64_t t = recording ? holder_stamp(now_ns()) : 0;
    m_owner.store(WaitForGraph::kNobody, std::memory_order_relaxed);
    // Only a lock that was waited for costs more than this one exchange.
    if (m_word.exchange(kFree, std::memory_order_acq_rel) == kHeldWaiters) [[unlikely]]
        wake(1);
    if (recording) {
        lane.state_at(t, State::Running);
        if (m_recordHolds)
            lane.released_at(t, m_resource);
    }
}

InstrumentedSemaphore::InstrumentedSemaphore(Recorder &recorder, std::string name, int permits)
    : m_resource(recorder.add_resource(std::move(name)))
    , m_free(permits)
{
}

// Under m_mutex. The same guard as InstrumentedMutex::holder_stamp: a taking is stamped
// no earlier than the giving back it follows.
std::int64_t InstrumentedSemaphore::stamp(std::int64_t tNs) noexcept
{
    m_stamp = std::max(m_stamp, tNs);
    return m_stamp;
}

bool InstrumentedSemaphore::acquire(Lane &lane, std::stop_token stop)
{
    std::unique_lock lock(m_mutex);
    if (m_free == 0) {
        const std::int64_t t0 = now_ns();
        lane.state_at(t0, State::Blocked, m_resource);
        const bool got = m_cv.wait(lock, stop, [this] { return m_free > 0; });
        const std::int64_t t1 = now_ns();
        m_waitNs.fetch_add(t1 - t0, std::memory_order_relaxed);
        if (!got) {
            lane.state_at(t1, State::Running);
            return false;
        }
    }
    --m_free;
    if (lane.recording()) {
        const std::int64_t t = stamp(now_ns());
        lane.counter_at(t, m_resource, m_free);
        lane.state_at(t, State::Critical, m_resource);
    }
    return true;
}

void InstrumentedSemaphore::release(Lane &lane)
{
    {
        // Recorded under the lock, where the permit is given back.
        std::lock_guard lock(m_mutex);
        ++m_free;
        if (lane.recording()) {
            const std::int64_t t = stamp(now_ns());
            lane.state_at(t, State::Running);
            lane.counter_at(t, m_resource, m_free);
        }
    }
    m_cv.notify_one();
}

InstrumentedStdSemaphore::InstrumentedStdSemaphore(Recorder &recorder, std::string name,
                                                   int permits)
    : m_resource(recorder.add_resource(std::move(name)))
    , m_semaphore(std::clamp(permits, 0, kMaxPermits))
    , m_free(std::clamp(permits, 0, kMaxPermits))
{
}

bool InstrumentedStdSemaphore::acquire(Lane &lane, std::stop_token stop)
{
    if (!m_semaphore.try_acquire()) {
        const std::int64_t t0 = now_ns();
        lane.state_at(t0, State::Blocked, m_resource);
        bool got = false;
        // The slice bounds how long Stop may wait, not how long a released permit waits.
        while (!got && !stop.stop_requested())
            got = m_semaphore.try_acquire_for(std::chrono::milliseconds(5));
        const std::int64_t t1 = now_ns();
        m_waitNs.fetch_add(t1 - t0, std::memory_order_relaxed);
        if (!got) {
            lane.state_at(t1, State::Running);
            return false;
        }
    }
    const int free = m_free.fetch_sub(1) - 1;
    if (lane.recording()) {
        // No earlier than any giving back that happened before this taking (the
        // semaphore's release and acquire order m_released), as in InstrumentedMutex.
        const std::int64_t t = std::max(now_ns(), m_released.load(std::memory_order_relaxed));
        lane.counter_at(t, m_resource, free);
        lane.state_at(t, State::Critical, m_resource);
    }
    return true;
}

void InstrumentedStdSemaphore::release(Lane &lane)
{
    const int free = m_free.fetch_add(1) + 1;
    if (lane.recording()) {
        const std::int64_t t = now_ns();
        std::int64_t latest = m_released.load(std::memory_order_relaxed);
        while (latest < t &&
               !m_released.compare_exchange_weak(latest, t, std::memory_order_relaxed)) {
        }
        lane.state_at(std::max(t, latest), State::Running);
        lane.counter_at(std::max(t, latest), m_resource, free);
    }
    m_semaphore.release();
}

} // namespace il
