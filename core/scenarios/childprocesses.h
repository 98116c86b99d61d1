#pragma once
// Forked children, for any scenario: memory a parent shares with them, a gate they start
// at together, and the parent's side (fork into one process group, kill, reap by PID).
// What a child does is the scenario's: a body it hands to ChildGroup::fork_one.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <sys/types.h>
#include <type_traits>
#include <vector>

namespace il::proc {

// Anonymous MAP_SHARED memory: a child forked after it was mapped sees the parent's
// writes and the parent sees the child's. Throws std::bad_alloc if it cannot be mapped.
void *map_shared(std::size_t bytes);
void unmap_shared(void *p, std::size_t bytes) noexcept;

// `count` default-constructed T in one shared mapping, made before the first fork. T is
// shared between processes, so whatever in it two of them touch at once must be
// lock-free atomics: they are address-free and take no lock, which a child of a
// multithreaded parent must never do.
template <typename T> class SharedArray {
    static_assert(std::is_nothrow_default_constructible_v<T> && std::is_nothrow_destructible_v<T>);
    static_assert(alignof(T) <= 4096, "the mapping is only page-aligned");

public:
    explicit SharedArray(std::size_t count)
        : m_count(count)
        , m_bytes((count > 0 ? count : 1) * sizeof(T))
        , m_items(static_cast<T *>(map_shared(m_bytes)))
    {
        std::uninitialized_default_construct_n(m_items, m_count);
    }
    ~SharedArray()
    {
        std::destroy_n(m_items, m_count);
        unmap_shared(m_items, m_bytes);
    }
    SharedArray(const SharedArray &) = delete;
    SharedArray &operator=(const SharedArray &) = delete;

    std::size_t size() const noexcept { return m_count; }
    T &operator[](std::size_t i) noexcept { return m_items[i]; }
    const T &operator[](std::size_t i) const noexcept { return m_items[i]; }

private:
    std::size_t m_count;
    std::size_t m_bytes;
    T *m_items;
};

// A starting gate for forked children: a word in shared memory that they wait on with
// futex(2) until the parent opens it. No file descriptor is involved, so a gate cannot
// be held shut by some other process that inherited one (as a pipe's write end can be).
class StartGate {
public:
    StartGate(); // throws std::bad_alloc if the shared word cannot be mapped
    ~StartGate();
    StartGate(const StartGate &) = delete;
    StartGate &operator=(const StartGate &) = delete;

    // Parent: lets every waiting child through, and any that comes later.
    void open() noexcept;
    // Child (async-signal-safe): returns once the gate is open; false if the futex call
    // failed in a way that waiting again cannot mend.
    bool wait() const noexcept;

private:
    std::atomic<std::uint32_t> *m_word;
};

// Exit status of a child that found its parent gone before it could start its body.
inline constexpr int kExitOrphaned = 125;

// The children of one run, in one process group, known by PID only: never waitpid(-1),
// which would steal children that other parts of the program wait for, and SIGCHLD is
// left alone. Whatever ends the run, an exception too, the destructor leaves no child.
//
// The thread that forks them is their parent thread: their death signal fires when it
// ends, so it must outlive them (reap them all before it returns).
class ChildGroup {
public:
    struct Child {
        pid_t pid = 0;
        bool gone = false; // reaped, or (had someone else waited for it) lost
        bool reaped = false;
        int status = 0; // as waitpid() reported it
    };

    // What a child runs, with the `arg` given to fork_one; its result is the child's
    // exit status. It runs in a copy of a multithreaded process in which only the forking
    // thread exists, and any lock (malloc's, stdio's, Qt's) may have been held by a thread
    // that is gone: it must be async-signal-safe (no allocation, no lock, no stdio, no
    // exception) and it must not return into the parent's code, so it is noexcept and
    // the group calls _exit() with its result.
    using Body = int (*)(void *arg) noexcept;

    // Room for `capacity` children, taken now: recording a child after fork() cannot fail.
    explicit ChildGroup(std::size_t capacity);
    ~ChildGroup();
    ChildGroup(const ChildGroup &) = delete;
    ChildGroup &operator=(const ChildGroup &) = delete;

    // Forks a child that joins the group, keeps no file descriptor but 0, 1 and 2, dies
    // with its parent thread (PR_SET_PDEATHSIG), then runs body(arg) and exits with its
    // result. Throws std::length_error, before forking, if the group is full; if fork()
    // fails, kills and reaps the children forked so far and throws std::runtime_error.
    // Nothing the parent does after fork() can throw.
    void fork_one(Body body, void *arg);
    // The same with a callable, e.g. a lambda `[&plan]() noexcept { return work(plan); }`:
    // called in the child through a plain function pointer, nothing is copied or
    // allocated. It must be noexcept and async-signal-safe, as a Body.
    template <typename F>
    requires std::is_nothrow_invocable_r_v<int, const F &>
    void fork_one(const F &body)
    {
        fork_one(&call<F>, const_cast<void *>(static_cast<const void *>(std::addressof(body))));
    }

    // Reaps every child that has ended; with `block`, waits for each. Returns how many
    // are still alive.
    std::size_t reap(bool block);
    // SIGKILL to the group and to each child not yet reaped.
    void kill_all() noexcept;

    std::size_t size() const { return m_children.size(); }
    const Child &operator[](std::size_t i) const { return m_children[i]; }
    pid_t group() const { return m_group; }

private:
    template <typename F> static int call(void *f) noexcept
    {
        return (*static_cast<const F *>(f))();
    }

    pid_t m_group = 0;
    std::vector<Child> m_children; // its capacity is never exceeded
};

// Whether a reaped child ended as planned: it exited with status 0 after its work.
bool finished_normally(int status);
// How a child ended otherwise, as a label for its last segment: "killed by SIGKILL".
std::string describe_ending(int status);

} // namespace il::proc
