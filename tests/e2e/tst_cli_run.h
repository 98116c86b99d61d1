#pragma once
// Shared by the end-to-end tests of the command line: the built binary, run as scripts
// and tests run it.
//
// Processes start with posix_spawn, not QProcess: in a ThreadSanitizer build (clang 14)
// the clone() that QProcess makes from this multi-threaded test aborts the sanitizer's
// runtime in the child ("CHECK failed: tsan_rtl.cpp:234"), while posix_spawn (glibc's own
// vfork-like clone, which the sanitizer does not treat as a fork) works in every build.
#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iterator>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace cli {

struct Result {
    int exitCode = -1; // -1: could not start, -2: timed out, -3: ended by a signal
    QByteArray out;
    QByteArray err;
};

// Every process a test starts, and every child it forks, carries this variable with
// the test's PID, so that tests running side by side (ctest -j) tell theirs apart.
inline QByteArray ownerTag()
{
    return "INTERLEAVE_E2E_OWNER=" + QByteArray::number(QCoreApplication::applicationPid());
}

// PIDs of live processes running the binary that this test started (or that they
// forked), orphans included.
inline QStringList processesRunning()
{
    const QString binary = QFileInfo(QStringLiteral(INTERLEAVE_BINARY)).canonicalFilePath();
    const QByteArray tag = ownerTag();
    QStringList pids;
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool isPid = false;
        pid.toInt(&isPid);
        if (!isPid || QFileInfo(QStringLiteral("/proc/%1/exe").arg(pid)).symLinkTarget() != binary)
            continue;
        QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
        if (environ.open(QIODevice::ReadOnly) && environ.readAll().split('\0').contains(tag))
            pids << pid;
    }
    return pids;
}

// Starts `program` (looked up on PATH when it holds no slash) with `args`, in
// `workingDir` if given, with this test's environment plus ownerTag() and an empty
// standard input. Its standard output and error go to `outFd` and `errFd`, or to
// /dev/null when -1. Returns its PID, or -1 with errno saying why not.
inline pid_t spawn(const QString &program, const QStringList &args, const QString &workingDir = {},
                   int outFd = -1, int errFd = -1)
{
    std::vector<QByteArray> strings{QFile::encodeName(program)};
    for (const QString &a : args)
        strings.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &s : strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    QByteArray tag = ownerTag();
    const qsizetype nameLength = tag.indexOf('=') + 1;
    std::vector<char *> env{tag.data()};
    for (char **e = environ; *e; ++e)
        if (std::strncmp(*e, tag.constData(), std::size_t(nameLength)) != 0)
            env.push_back(*e);
    env.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    for (const auto &[from, to] :
         {std::pair{outFd, STDOUT_FILENO}, std::pair{errFd, STDERR_FILENO}})
        if (from >= 0)
            posix_spawn_file_actions_adddup2(&actions, from, to);
        else
            posix_spawn_file_actions_addopen(&actions, to, "/dev/null", O_WRONLY, 0);
    const QByteArray dir = QFile::encodeName(workingDir);
    if (!dir.isEmpty())
        posix_spawn_file_actions_addchdir_np(&actions, dir.constData());
    pid_t pid = -1;
    const int error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        errno = error;
        return -1;
    }
    return pid;
}

namespace detail {

// A file descriptor, closed when it goes.
struct Fd {
    int fd = -1;
    explicit Fd(int f = -1)
        : fd(f)
    {
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    void reset()
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
};

// Appends what `fd` (non-blocking) holds now to `sink`. False once the writers are gone.
inline bool readAvailable(int fd, QByteArray &sink)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0)
            sink.append(buffer, n);
        else if (n == 0)
            return false;
        else if (errno != EINTR)
            return errno == EAGAIN;
    }
}

} // namespace detail

// Runs `program` to its end (tagged with ownerTag()), in `workingDir` if given, and
// collects its standard output and error. After `timeoutMs` it is killed (-2).
inline Result runProgram(const QString &program, const QStringList &args, int timeoutMs = 120'000,
                         const QString &workingDir = {})
{
    int outPipe[2];
    int errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0)
        return {-1, {}, "cannot make a pipe"};
    detail::Fd outRead(outPipe[0]), outWrite(outPipe[1]);
    if (::pipe2(errPipe, O_CLOEXEC) != 0)
        return {-1, {}, "cannot make a pipe"};
    detail::Fd errRead(errPipe[0]), errWrite(errPipe[1]);
    // Only this end: the program writes to its end as to any pipe.
    ::fcntl(outRead.fd, F_SETFL, O_NONBLOCK);
    ::fcntl(errRead.fd, F_SETFL, O_NONBLOCK);

    const pid_t pid = spawn(program, args, workingDir, outWrite.fd, errWrite.fd);
    if (pid < 0)
        return {-1, {}, "cannot start " + QFile::encodeName(program) + ": " + std::strerror(errno)};
    outWrite.reset();
    errWrite.reset();
    // Readable once the program has ended. Kernels before 5.3 have none: then the loop
    // below looks every 10 ms. (A system call: glibc 2.36 declares pidfd_open() without C
    // linkage.)
    const detail::Fd ended(int(::syscall(SYS_pidfd_open, pid, 0)));

    Result r;
    pollfd fds[] = {{outRead.fd, POLLIN, 0}, {errRead.fd, POLLIN, 0}, {ended.fd, POLLIN, 0}};
    QByteArray *sinks[] = {&r.out, &r.err};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) != pid) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            r.exitCode = -2;
            r.err += "timed out";
            return r;
        }
        const int wait = int(ended.fd >= 0 ? left : std::min<decltype(left)>(left, 10));
        ::poll(fds, std::size(fds), wait); // a negative fd is skipped
        for (int i = 0; i < 2; ++i)
            if (fds[i].revents != 0 && !detail::readAvailable(fds[i].fd, *sinks[i]))
                fds[i].fd = -1;
    }
    // What it wrote before it ended is in the pipes; a child it left behind may still
    // hold them open, so take what is there without waiting for their end.
    for (int i = 0; i < 2; ++i)
        if (fds[i].fd >= 0)
            detail::readAvailable(fds[i].fd, *sinks[i]);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -3;
    return r;
}

// The binary under test.
inline Result run(const QStringList &args, int timeoutMs = 120'000)
{
    return runProgram(QStringLiteral(INTERLEAVE_BINARY), args, timeoutMs);
}

inline QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(readBytes(path)).object();
}

} // namespace cli
