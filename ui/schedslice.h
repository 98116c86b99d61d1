#pragma once
#include <chrono>

// Asks the kernel to run the calling thread in short slices (Linux 6.12+ EEVDF: a
// fair-class thread's sched_runtime). The thread gets no more CPU than before, but
// when it wakes it is picked sooner, and so it waits less behind CPU-bound threads.
// For the GUI thread while dozens of scenario threads run. Needs no privilege; false
// where the kernel or the platform does not offer it (nothing changes then).
bool requestShortSchedulerSlices(std::chrono::microseconds slice);
