#pragma once
#include <QString>

#include "scenario.h"

// "Mutex: no more lost updates — threads=4, increments=100000": the title of a run's
// chart in the window and in every export.
QString runTitle(const il::ScenarioInfo &info, const il::ParamValues &params);
