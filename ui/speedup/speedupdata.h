#pragma once
#include "scenario.h"

#include <QList>

#include <optional>

// The figures of an Amdahl run, as the speedup chart draws them: for each thread
// count tried, the measured speedup and Amdahl's prediction, and the CPUs the run
// could use.
struct SpeedupData {
    QList<int> threads;
    QList<double> speedup;
    QList<double> theoretical;
    int cores = 0;

    // Reads the `threads`, `speedup`, `theoretical` and `cores` metrics. Empty unless all
    // four are there with the right types, the three lists of equal length.
    static std::optional<SpeedupData> fromMetrics(const il::Json &metrics);
    int maxThreads() const { return threads.isEmpty() ? 0 : threads.last(); }
};
