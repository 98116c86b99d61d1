#pragma once
// Looking at processes from a test: the children of a process and the descriptors a
// process holds (read from /proc), and this same test binary started again as a helper
// process that reports back on a pipe.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace iltest {

// A process as /proc/<pid>/stat describes it.
struct ProcEntry {
    pid_t pid = 0;
    char state = '?';
    pid_t ppid = 0;
    pid_t pgrp = 0;
};

inline bool all_digits(const std::string &s)
{
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Every process whose parent is `parent`, zombies included.
inline std::vector<ProcEntry> children_of(pid_t parent)
{
    std::vector<ProcEntry> out;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (!all_digits(name))
            continue;
        std::ifstream in(entry.path() / "stat");
        std::string line;
        if (!std::getline(in, line))
            continue; // it ended meanwhile
        // "pid (comm) state ppid pgrp ...": the command may hold spaces and parentheses.
        const auto close = line.rfind(')');
        if (close == std::string::npos)
            continue;
        ProcEntry e;
        e.pid = pid_t(std::stol(name));
        std::istringstream rest(line.substr(close + 1));
        rest >> e.state >> e.ppid >> e.pgrp;
        if (rest && e.ppid == parent)
            out.push_back(e);
    }
    return out;
}

// The descriptors process `pid` holds open, from /proc/<pid>/fd; false if it could not be
// read (the process is gone).
inline bool descriptors_of(pid_t pid, std::vector<int> &out)
{
    out.clear();
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
    if (ec)
        return false;
    for (const auto &entry : it) {
        const std::string name = entry.path().filename().string();
        if (all_digits(name))
            out.push_back(std::stoi(name));
    }
    return true;
}

// Reaps `pid` if it has ended; true once it has (its status in `status`).
inline bool try_reap(pid_t pid, int &status)
{
    return waitpid(pid, &status, WNOHANG) == pid;
}

// This test binary started again with `variable`=`fd` in its environment and the write
// end of a pipe on descriptor `fd`: its main() sees the variable and plays a helper
// process that writes its report there. Killed and reaped when this goes, unless
// release() said it was already.
class SelfHelper {
public:
    SelfHelper(const char *variable, int fd)
    {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            return;
        m_read = fds[0];
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], fd);
        std::vector<std::string> env{std::string(variable) + "=" + std::to_string(fd)};
        for (char **e = environ; *e; ++e)
            env.emplace_back(*e);
        std::vector<char *> envp;
        for (auto &s : env)
            envp.push_back(s.data());
        envp.push_back(nullptr);
        char name[] = "helper";
        char *argv[] = {name, nullptr};
        pid_t pid = 0;
        if (posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, envp.data()) == 0)
            m_pid = pid;
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
    }
    ~SelfHelper()
    {
        if (m_read >= 0)
            close(m_read);
        if (m_pid > 0 && kill(m_pid, SIGKILL) == 0)
            waitpid(m_pid, nullptr, 0);
    }
    SelfHelper(const SelfHelper &) = delete;
    SelfHelper &operator=(const SelfHelper &) = delete;

    pid_t pid() const { return m_pid; }
    // It was reaped by the caller.
    void release() { m_pid = 0; }

    // Reads its report up to and including the line `last`; false if it ended first or
    // `bound` passed between two reads.
    bool read_until(const std::string &last, std::chrono::milliseconds bound, std::string &report)
    {
        report.clear();
        while (report.find(last + "\n") == std::string::npos) {
            pollfd p{m_read, POLLIN, 0};
            if (poll(&p, 1, int(bound.count())) != 1)
                return false;
            char buf[512];
            const ssize_t n = read(m_read, buf, sizeof buf);
            if (n <= 0)
                return false;
            report.append(buf, std::size_t(n));
        }
        return true;
    }

private:
    pid_t m_pid = 0;
    int m_read = -1;
};

} // namespace iltest
