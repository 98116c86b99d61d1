#include "childprocesses.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <new>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

namespace il::proc {

SharedSlots::SharedSlots(std::size_t count)
    : m_count(count)
    , m_bytes((count > 0 ? count : 1) * sizeof(ChildSlot))
{
    void *p = mmap(nullptr, m_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    m_slots = static_cast<ChildSlot *>(p);
    std::uninitialized_default_construct_n(m_slots, m_count);
}

SharedSlots::~SharedSlots()
{
    std::destroy_n(m_slots, m_count);
    munmap(m_slots, m_bytes);
}

StartGate::StartGate()
{
    int fds[2];
    // Close-on-exec: a program some other thread starts must not hold the gate shut.
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe for the start gate");
    m_read = fds[0];
    m_write = fds[1];
}

StartGate::~StartGate()
{
    close(m_read);
    open();
}

void StartGate::open() noexcept
{
    if (m_write >= 0)
        close(m_write);
    m_write = -1;
}

namespace {

// A child's whole life. It is a copy of a multithreaded process in which only this thread
// exists, and any lock (malloc's, stdio's, Qt's) may have been held by a thread that is
// gone: so async-signal-safe calls only, no allocation, no lock, and _exit, never exit().
// Recording is safe: a Lane over the inherited shared ring only reads the clock and does
// plain stores and lock-free atomics.
[[noreturn]] void child_main(const ChildPlan &p) noexcept
{
    setpgid(0, p.group); // the parent does it too: whichever comes first
    // Die with the parent. The kernel sends this signal when the *thread* that forked us
    // ends, not the process; see ChildGroup. If the parent is already gone, the signal
    // will never come: leave.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != p.parent)
        _exit(2);
    close(p.gateWrite);
    for (char byte = 0;;) { // end of file: every child exists and has its lane
        const ssize_t n = read(p.gateRead, &byte, 1);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            _exit(3);
    }
    Lane lane(p.slot->lane.load(std::memory_order_acquire), *p.ring);
    const std::int64_t start = now_ns();
    lane.state_at(start, State::Running);
    p.slot->startNs.store(start, std::memory_order_relaxed);
    *p.counter = *p.counter + 1; // this process's own copy of the parent's counter
    p.slot->counterSeen.store(*p.counter, std::memory_order_relaxed);

    lane.state(State::Sleeping, p.sleepLabel);
    timespec left{time_t(p.sleepMs / 1000), long(p.sleepMs % 1000) * 1'000'000};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
    lane.state(State::Running);
    lane.mark(kMarkStep);
    const std::int64_t end = now_ns();
    lane.state_at(end, State::Finished);
    p.slot->endNs.store(end, std::memory_order_release);
    _exit(0);
}

} // namespace

ChildGroup::~ChildGroup()
{
    kill_all();
    reap(true);
}

void ChildGroup::fork_one(ChildPlan plan)
{
    plan.group = m_group;
    const pid_t pid = fork();
    if (pid == 0)
        child_main(plan);
    if (pid < 0) {
        const int err = errno;
        kill_all();
        reap(true);
        throw std::runtime_error("could not start process " + std::to_string(size() + 1) +
                                 ": fork() failed: " + std::generic_category().message(err));
    }
    if (m_group == 0)
        m_group = pid;
    setpgid(pid, m_group); // closes the race with the child's own setpgid
    m_children.push_back(Child{pid, false, false, 0});
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
