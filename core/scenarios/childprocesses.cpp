#include "childprocesses.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <linux/futex.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

namespace il::proc {

void *map_shared(std::size_t bytes)
{
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    return p;
}

void unmap_shared(void *p, std::size_t bytes) noexcept
{
    munmap(p, bytes);
}

// The futex word is the atomic's own 32 bits.
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "a futex word must be a plain lock-free 32-bit atomic");

StartGate::StartGate()
    : m_word(new (map_shared(sizeof(std::uint32_t))) std::atomic<std::uint32_t>(0))
{
}

StartGate::~StartGate()
{
    unmap_shared(m_word, sizeof(std::uint32_t));
}

// Not FUTEX_PRIVATE_FLAG: the word is shared between processes.
void StartGate::open() noexcept
{
    m_word->store(1, std::memory_order_release);
    syscall(SYS_futex, m_word, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

bool StartGate::wait() const noexcept
{
    while (m_word->load(std::memory_order_acquire) == 0) {
        // Sleeps only while the word is still 0 (EAGAIN if it changed meanwhile).
        if (syscall(SYS_futex, m_word, FUTEX_WAIT, 0, nullptr, nullptr, 0) != 0 &&
            errno != EAGAIN && errno != EINTR)
            return false;
    }
    return true;
}

namespace {

// Closes every descriptor from 3 up. A child inherits all of its parent's, close-on-exec
// or not (it does not exec): a display connection, the write end of a pipe someone reads
// to its end, another run's sockets. Held for as long as the child lives, they would keep
// those from closing. 0, 1 and 2 stay, so a sanitizer in the child can still report.
void close_inherited_descriptors() noexcept
{
    if (close_range(3, ~0U, 0) == 0)
        return;
    // A kernel older than 5.9: one by one, up to the limit on descriptor numbers.
    rlimit limit{};
    const rlim_t last = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
                            ? limit.rlim_cur
                            : rlim_t(1) << 20;
    for (rlim_t fd = 3; fd < last && fd <= rlim_t(INT_MAX); ++fd)
        close(int(fd));
}

// The start of every child's life, before its body. Async-signal-safe calls only.
[[noreturn]] void child_main(pid_t group, pid_t parent, ChildGroup::Body body, void *arg) noexcept
{
    setpgid(0, group); // the parent does it too: whichever comes first
    close_inherited_descriptors();
    // Die with the parent. The kernel sends this signal when the *thread* that forked us
    // ends, not the process; see ChildGroup. If the parent is already gone, the signal
    // will never come: leave.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(kExitOrphaned);
    _exit(body(arg));
}

} // namespace

ChildGroup::ChildGroup(std::size_t capacity)
{
    m_children.reserve(capacity);
}

ChildGroup::~ChildGroup()
{
    kill_all();
    reap(true);
}

void ChildGroup::fork_one(Body body, void *arg)
{
    if (m_children.size() >= m_children.capacity())
        throw std::length_error("more children than the group has room for");
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0)
        child_main(m_group, parent, body, arg);
    if (pid < 0) {
        const int err = errno;
        kill_all();
        reap(true);
        throw std::runtime_error("could not start process " + std::to_string(size() + 1) +
                                 ": fork() failed: " + std::generic_category().message(err));
    }
    // From here on nothing throws: the child is recorded whatever happens next.
    if (m_group == 0)
        m_group = pid;
    setpgid(pid, m_group); // closes the race with the child's own setpgid
    m_children.push_back(Child{pid, false, false, 0}); // within capacity: no allocation
}

std::size_t ChildGroup::reap(bool block)
{
    std::size_t alive = 0;
    for (auto &c : m_children) {
        while (!c.gone) {
            int status = 0;
            const pid_t r = waitpid(c.pid, &status, block ? 0 : WNOHANG);
            if (r == c.pid)
                c = Child{c.pid, true, true, status};
            else if (r == 0)
                break; // still running
            else if (errno != EINTR)
                c.gone = true; // ECHILD: no longer ours to wait for
        }
        alive += c.gone ? 0 : 1;
    }
    return alive;
}

void ChildGroup::kill_all() noexcept
{
    // Signal the group only while its founder is unreaped: the group's ID is the
    // founder's PID, which cannot be reused until then, so it cannot name a stranger's.
    if (m_group > 0 && !m_children.front().gone)
        killpg(m_group, SIGKILL);
    // Also one by one, in case one had not joined the group. The PID of a child not yet
    // reaped cannot have been reused either.
    for (const auto &c : m_children)
        if (!c.gone)
            kill(c.pid, SIGKILL);
}

bool finished_normally(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string describe_ending(int status)
{
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char *name = sigabbrev_np(sig);
        return "killed by " + (name ? "SIG" + std::string(name) : "signal " + std::to_string(sig));
    }
    return "exit status " + std::to_string(WEXITSTATUS(status));
}

} // namespace il::proc
