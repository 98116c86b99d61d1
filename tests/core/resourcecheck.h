#pragma once
// Shared by the reliability tests (soak, stop at any instant, extremes): what this process
// holds (threads, descriptors, shared memory, children, resident memory, read from /proc),
// so a test can tell that runs left nothing behind; the small parameters every scenario is
// run with there; and what an intact record of an ended run looks like.
#include "proctest.h"
#include "scenariotest.h"
#include "testutil.h"
#include "timeline.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace iltest {

// Sanitizers keep freed memory in quarantine and shadow it, so resident memory says
// nothing about leaks there.
inline constexpr bool kSanitizer = kAddressSanitizer || kThreadSanitizer;

// What this process holds that a run could leave behind.
struct Held {
    std::size_t threads = 0;        // /proc/self/task
    std::set<long> tids;            // the ids listed there
    std::vector<int> descriptors;   // /proc/self/fd
    std::set<std::string> shm;      // /dev/shm entries owned by our user
    std::size_t sharedMappings = 0; // MAP_SHARED mappings (the rings forked children use)
    std::size_t sysvSegments = 0;   // System V segments this process created
    std::int64_t residentBytes = 0; // /proc/self/statm
};

inline std::set<long> thread_ids()
{
    std::error_code ec;
    std::set<long> ids;
    for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ids.insert(std::stol(it->path().filename().string()));
    return ids;
}

// The threads in `now` that were not in `before`, each with its name, for a message.
inline std::string describe_new_threads(const std::set<long> &before, const std::set<long> &now)
{
    std::string s;
    for (const long tid : now) {
        if (before.count(tid))
            continue;
        std::ifstream comm("/proc/self/task/" + std::to_string(tid) + "/comm");
        std::string name;
        std::getline(comm, name);
        s += " " + std::to_string(tid) + " (" + name + ")";
    }
    return s;
}

inline std::int64_t resident_bytes()
{
    std::ifstream in("/proc/self/statm");
    std::int64_t size = 0;
    std::int64_t resident = 0;
    in >> size >> resident;
    return resident * std::int64_t(sysconf(_SC_PAGESIZE));
}

inline Held held_now()
{
    Held h;
    h.tids = thread_ids();
    h.threads = h.tids.size();
    descriptors_of(getpid(), h.descriptors);
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/dev/shm", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        struct stat st {};
        if (lstat(it->path().c_str(), &st) == 0 && st.st_uid == geteuid())
            h.shm.insert(it->path().filename().string());
    }
    // "start-end perms offset dev inode path": perms end in 's' for a shared mapping.
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        const auto space = line.find(' ');
        if (space != std::string::npos && space + 4 < line.size() && line[space + 4] == 's')
            ++h.sharedMappings;
    }
    // "key shmid perms size cpid ...", after a header line.
    std::ifstream sysv("/proc/sysvipc/shm");
    std::string line;
    std::getline(sysv, line);
    while (std::getline(sysv, line)) {
        std::istringstream fields(line);
        long long key = 0, id = 0, perms = 0, size = 0, creator = 0;
        if (fields >> key >> id >> perms >> size >> creator && creator == getpid())
            ++h.sysvSegments;
    }
    h.residentBytes = resident_bytes();
    return h;
}

// True if this process has no child at all, ended or not (nothing is reaped here).
inline bool no_child()
{
    siginfo_t info{};
    return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == -1 && errno == ECHILD;
}

inline std::string describe_children()
{
    std::string s;
    for (const ProcEntry &c : children_of(getpid()))
        s += " pid " + std::to_string(c.pid) + " state " + c.state;
    return s;
}

// Whether another process has /dev/shm/`name` open or mapped: then it is that process's
// (ctest -j2 runs other tests beside this one, as the same user), not something we left.
inline bool shm_used_elsewhere(const std::string &name)
{
    const std::string path = "/dev/shm/" + name;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string pid = it->path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos ||
            pid == std::to_string(getpid()))
            continue;
        std::ifstream maps(it->path() / "maps");
        for (std::string line; std::getline(maps, line);)
            if (line.find(path) != std::string::npos)
                return true;
        std::error_code fdError;
        for (auto fd = std::filesystem::directory_iterator(it->path() / "fd", fdError);
             !fdError && fd != std::filesystem::directory_iterator(); fd.increment(fdError))
            if (std::filesystem::read_symlink(fd->path(), fdError).string() == path)
                return true;
    }
    return false;
}

// Everything held `before` (but resident memory) is held again and nothing more; no child
// is left. A thread ends a moment after it was joined (the kernel removes it from
// /proc/self/task after waking the joiner), so the end of every thread that was not there
// before is awaited: a hang guard, not a timing assertion. Threads are compared by id, not
// counted: one joined just before `before` was taken may still be listed then and gone now.
inline void check_released(const Held &before)
{
    const auto onlyOld = [&](const std::set<long> &now) {
        return std::includes(before.tids.begin(), before.tids.end(), now.begin(), now.end());
    };
    await([&] { return onlyOld(thread_ids()); });
    const Held after = held_now();
    // New entries only (another test may remove its own meanwhile), and not another's.
    std::set<std::string> newShm;
    for (const std::string &name : after.shm)
        if (!before.shm.count(name) && !shm_used_elsewhere(name))
            newShm.insert(name);
    std::string leftShm;
    for (const std::string &name : newShm)
        leftShm += " /dev/shm/" + name;
    QVERIFY2(newShm.empty(), ("shared memory left:" + leftShm).c_str());
    QVERIFY2(onlyOld(after.tids),
             ("threads left:" + describe_new_threads(before.tids, after.tids)).c_str());
    QCOMPARE(after.descriptors, before.descriptors);
    QCOMPARE(after.sharedMappings, before.sharedMappings);
    QCOMPARE(after.sysvSegments, before.sysvSegments);
    QVERIFY2(no_child(), ("children left:" + describe_children()).c_str());
}

// Scenarios make their temporary files under $TMPDIR: this points it at a fresh directory
// of the test's own while it exists, so that anything left there is seen.
class ScratchTmpDir {
public:
    ScratchTmpDir()
        : m_old(qgetenv("TMPDIR"))
    {
        qputenv("TMPDIR", QFile::encodeName(m_dir.path()));
    }
    ~ScratchTmpDir()
    {
        if (m_old.isNull())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", m_old);
    }
    ScratchTmpDir(const ScratchTmpDir &) = delete;
    ScratchTmpDir &operator=(const ScratchTmpDir &) = delete;

    bool isValid() const { return m_dir.isValid(); }
    bool isEmpty() const { return QDir(m_dir.path()).isEmpty(); }

private:
    QTemporaryDir m_dir; // made before $TMPDIR points into it
    QByteArray m_old;
};

// Every choice and toggle of `scenario` set to its option number `turn` (wrapping), so that
// successive turns go through all of them; integers left alone.
inline void rotate_choices(const il::Scenario &scenario, int turn, Overrides &out)
{
    for (const auto &p : scenario.info().params)
        if (p.kind != il::ParamKind::Int)
            out.emplace_back(p.key, p.min + turn % (p.max - p.min + 1));
}

// Small, quick parameters for any scenario: every integer at its minimum, but two of each
// kind of thread or process (so that they contend and wait for each other) and a hundred
// increments or iterations (so that they overlap); choices taken in turn. The philosophers
// eat one meal with ordered chopsticks, so that the run always ends by itself (0 meals
// means "until stopped", and the naive strategy may deadlock).
inline Overrides small_params(const il::Scenario &scenario, int turn)
{
    static const std::map<std::string, std::int64_t> kSmall{
        {"threads", 2},   {"workers", 2},      {"processes", 2},   {"tasks", 2},
        {"producers", 2}, {"consumers", 2},    {"max_threads", 2}, {"philosophers", 2},
        {"meals", 1},     {"increments", 100}, {"iterations", 100}};
    Overrides out;
    for (const auto &p : scenario.info().params) {
        if (p.kind != il::ParamKind::Int)
            continue;
        const auto it = kSmall.find(p.key);
        out.emplace_back(p.key, it == kSmall.end() ? p.min : std::clamp(it->second, p.min, p.max));
    }
    rotate_choices(scenario, turn, out);
    if (scenario.info().id == "philosophers")
        for (auto &[key, value] : out)
            if (key == "strategy")
                value = 1; // ordered
    return out;
}

// Whether a run of `id` may fill its rings faster than the collector empties them. Only
// the mutex scenario records every lock and unlock, as fast as its threads can take turns
// (see stopEndsRunPromptly in tst_scenarios); the others record a few events per step or
// sample (spinlock, peterson), so a drop there is a fault.
inline bool may_drop_events(const std::string &id)
{
    return id == "mutex";
}

// The record of an ended run of `id`, its timeline closed: no lane is still open, each
// lane's segments are in time order without overlapping, nothing was dropped unless
// may_drop_events() says so, and unless events were dropped (then the last one may be
// among them) every lane has ended.
inline void check_record(const std::string &id, const il::Timeline &timeline)
{
    if (!may_drop_events(id))
        QCOMPARE(timeline.dropped(), std::uint64_t(0));
    for (const auto &lane : timeline.lanes()) {
        QVERIFY2(!lane.open, lane.name.c_str());
        for (std::size_t i = 0; i < lane.segments.size(); ++i) {
            const std::int64_t end = timeline.segment_end(lane, i);
            QVERIFY2(lane.segments[i].startNs <= end, lane.name.c_str());
            if (i + 1 < lane.segments.size())
                QVERIFY2(end <= lane.segments[i + 1].startNs, lane.name.c_str());
        }
    }
    if (timeline.dropped() == 0)
        check_lanes_ended(timeline);
}

// A small run of `scenario` goes to its end and leaves a complete record: what "the next
// run works" means after a stop or an extreme run.
inline void check_next_run_works(const il::Scenario &scenario)
{
    Outcome o;
    run_to_end(scenario.info().id, small_params(scenario, 0), o);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!o.timeline.lanes().empty());
    check_lanes_ended(o.timeline);
}

} // namespace iltest
