#pragma once
// The smallest useful event loop for C++20 coroutines: a queue of tasks ready to run and a
// heap of timers, all on the one thread that calls EventLoop::run. A task runs until it
// awaits something, hands the thread back to the loop, and is resumed later, when what it
// waited for has happened. Nothing here starts a thread or takes a lock.
#include "../clock.h"
#include "../sync.h"

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <stdexcept>
#include <stop_token>
#include <utility>
#include <vector>

namespace il::aio {

// One task as whoever drives it sees it. A scenario derives its own task record from it.
struct Strand {
    std::coroutine_handle<> handle; // the task's coroutine (owned by its Task)
    Strand *waiter = nullptr;       // suspended until this task ends (event loop only)
    std::int64_t readySinceNs = 0;  // when it last became ready to run (event loop only)
    std::int64_t value = 0;         // what the body co_returned
};

// The return type of a task's coroutine. The body starts suspended, so whoever drives it
// decides where it runs: the event loop, or a thread of its own. Owns the coroutine frame,
// so dropping a Task that never finished (after Stop) frees everything it held.
class Task {
public:
    struct promise_type {
        Strand *strand = nullptr;

        Task get_return_object()
        {
            return Task(std::coroutine_handle<promise_type>::from_promise(*this));
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        // Stays suspended at the end: the frame lives until its Task goes, and done()
        // tells a driver that the body has returned.
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_value(std::int64_t v) noexcept { strand->value = v; }
        // Out of resume() to whoever drove the task.
        [[noreturn]] void unhandled_exception() { throw; }
    };

    Task() = default;
    Task(Task &&other) noexcept
        : m_handle(std::exchange(other.m_handle, {}))
    {
    }
    Task &operator=(Task &&other) noexcept
    {
        if (this != &other) {
            reset();
            m_handle = std::exchange(other.m_handle, {});
        }
        return *this;
    }
    Task(const Task &) = delete;
    Task &operator=(const Task &) = delete;
    ~Task() { reset(); }

    // Ties the coroutine to the record that drives it; call before it first runs.
    void bind(Strand &strand)
    {
        m_handle.promise().strand = &strand;
        strand.handle = m_handle;
    }

private:
    explicit Task(std::coroutine_handle<promise_type> h)
        : m_handle(h)
    {
    }
    void reset() noexcept
    {
        if (m_handle)
            std::exchange(m_handle, {}).destroy();
    }

    std::coroutine_handle<promise_type> m_handle;
};

// Runs tasks one at a time on the calling thread. A task is resumed when it is ready
// (posted, or its timer has fired) and runs until its next await: nothing preempts it, so
// a task that computes for long delays all the others.
class EventLoop {
public:
    // `s` may run from `sinceNs` on.
    void post(Strand &s, std::int64_t sinceNs)
    {
        s.readySinceNs = sinceNs;
        m_ready.push_back(&s);
    }
    // `s` may run again once the clock reaches `deadlineNs`.
    void wake_at(Strand &s, std::int64_t deadlineNs)
    {
        m_timers.push(Timer{deadlineNs, m_timerCount++, &s});
    }

    // Runs until `root` has returned (true) or stop is requested (false). Each turn takes
    // the task that has been ready longest and calls `runSlice(strand, readySinceNs)`,
    // which must resume `strand.handle` once. `readySinceNs` is when the task became ready,
    // or when the loop last woke from an idle sleep if that is later: how long the task
    // waited for the loop itself, not for the operating system to wake the loop. When
    // nothing is ready, the loop sleeps until the next timer, or until stop.
    template <typename RunSlice> bool run(Strand &root, std::stop_token stop, RunSlice runSlice)
    {
        while (!root.handle.done()) {
            if (stop.stop_requested())
                return false;
            const std::int64_t now = now_ns();
            while (!m_timers.empty() && m_timers.top().deadlineNs <= now) {
                post(*m_timers.top().strand, m_timers.top().deadlineNs);
                m_timers.pop();
            }
            if (!m_ready.empty()) {
                Strand &next = *m_ready.front();
                m_ready.pop_front();
                runSlice(next, std::max(next.readySinceNs, m_idleEndNs));
                // A task that awaited this one can go on now.
                if (next.handle.done() && next.waiter)
                    post(*std::exchange(next.waiter, nullptr), now_ns());
            } else if (!m_timers.empty()) {
                sleep_for(stop, std::chrono::nanoseconds(m_timers.top().deadlineNs - now));
                m_idleEndNs = now_ns();
            } else {
                throw std::logic_error("event loop: no task can ever run again");
            }
        }
        return true;
    }

private:
    struct Timer {
        std::int64_t deadlineNs;
        std::uint64_t order; // equal deadlines fire in the order they were set
        Strand *strand;
        bool operator>(const Timer &o) const
        {
            return deadlineNs != o.deadlineNs ? deadlineNs > o.deadlineNs : order > o.order;
        }
    };

    std::deque<Strand *> m_ready;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    std::uint64_t m_timerCount = 0;
    std::int64_t m_idleEndNs = 0;
};

} // namespace il::aio
