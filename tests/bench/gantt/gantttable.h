#pragma once
#include "ganttbench.h"

#include "ratiotable.h"

#include <ostream>

namespace ganttbench {

// Prints goals 6, 7 and 9 of issue 6 from this run's figures with "met"/"NOT MET", then
// frame times per size beside the Qt Charts baseline. Returns false if a row could
// not be computed because its benchmarks did not run.
bool printGanttTable(std::ostream &out, const ilbench::CapturingReporter &results,
                     const Sizes &sizes);

} // namespace ganttbench
