#include "schedslice.h"

#if defined(__linux__)
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#endif

namespace il {

#if defined(__linux__) && defined(SYS_sched_setattr)

namespace {

// The kernel's struct sched_attr (include/uapi/linux/sched/types.h), first version.
struct SchedAttr {
    std::uint32_t size;
    std::uint32_t policy;
    std::uint64_t flags;
    std::int32_t nice;
    std::uint32_t priority;
    std::uint64_t runtime;
    std::uint64_t deadline;
    std::uint64_t period;
};

// SCHED_FLAG_RESET_ON_FORK (linux/sched.h, which clashes with glibc's sched.h).
constexpr std::uint64_t kResetOnFork = 0x01;

// The calling thread's attributes, or false.
bool get_attr(SchedAttr &attr)
{
    attr = SchedAttr{};
    attr.size = sizeof(attr);
    return syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) == 0;
}

// Sets the calling thread's slice (0: the default), keeping its policy, nice value and
// reset-on-fork flag (clearing that flag would need privilege). True if the kernel now
// reports the slice asked for: before Linux 6.12 it accepts the call and ignores it.
bool set_slice(std::uint64_t runtimeNs)
{
    SchedAttr attr;
    if (!get_attr(attr) || attr.policy != SCHED_OTHER)
        return false;
    attr.size = sizeof(attr);
    attr.flags &= kResetOnFork;
    attr.runtime = runtimeNs;
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
        return false;
    SchedAttr now;
    return get_attr(now) && (runtimeNs == 0 || now.runtime == runtimeNs);
}

} // namespace

bool request_short_slices(std::chrono::microseconds slice)
{
    return set_slice(std::uint64_t(std::chrono::nanoseconds(slice).count()));
}

bool reset_slices()
{
    return set_slice(0);
}

#else

bool request_short_slices(std::chrono::microseconds)
{
    return false;
}

bool reset_slices()
{
    return false;
}

#endif

} // namespace il
