#pragma once
#include "cli.h"

// `interleave --list [--json]`
int listScenarios(bool json);
// `interleave --headless …`: runs the scenario, writes what was asked, returns the exit code.
int runHeadless(const CliOptions &options);
// `interleave --open FILE …` without a window: reads the trace, writes what was asked.
int openHeadless(const CliOptions &options);
