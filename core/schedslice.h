#pragma once
#include <chrono>

namespace il {

// Asks the kernel to run the calling thread in short slices (Linux 6.12+ EEVDF: a
// fair-class thread's sched_runtime, 100 us to 100 ms). The thread gets no more CPU than
// before, but when it wakes it is picked sooner, so it waits less behind CPU-bound
// threads: for the GUI thread and the collector while dozens of scenario threads run.
// Threads made afterwards inherit it. Needs no privilege. False where the kernel or the
// platform does not offer it (before Linux 6.12 the request is accepted and ignored; it
// is read back) or the value is out of the kernel's range (100 us to 100 ms).
bool request_short_slices(std::chrono::microseconds slice);

// Back to the kernel's default slice, for a scenario thread made by a thread that asked
// for short ones: otherwise it would inherit the observer's head start.
bool reset_slices();

} // namespace il
