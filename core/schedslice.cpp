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

// Sets the calling thread's slice (0: the default), keeping its policy and nice value.
bool set_slice(std::uint64_t runtimeNs)
{
    SchedAttr attr{};
    attr.size = sizeof(attr);
    if (syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) != 0 || attr.policy != SCHED_OTHER)
        return false;
    attr.size = sizeof(attr);
    attr.flags = 0;
    attr.runtime = runtimeNs;
    return syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
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
