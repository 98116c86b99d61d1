#pragma once
#include "cli.h"

// `interleave --list [--json]`
int listScenarios(bool json);
// `interleave --headless …`: runs the scenario, writes what was asked, returns the exit code.
int runHeadless(const CliOptions &options);
