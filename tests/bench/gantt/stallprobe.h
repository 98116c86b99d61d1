#pragma once
// Goal 9's probe: a 1 ms precise timer on the GUI thread. Whatever keeps the event loop
// busy (painting, taking batches, the OS giving the CPU to scenario threads) shows up as
// a gap between ticks longer than a millisecond.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

namespace ganttbench {

struct StallFigures {
    double maxMs = 0;
    double p99Ms = 0;
    double maxAtMs = 0;     // when the longest gap began, since start()
    double maxGapCpuMs = 0; // CPU time the GUI thread used during that gap
    qint64 ticks = 0;
    // CPU time the GUI thread used over the probed wall time: near 1 means it was busy
    // (painting, taking batches), near 0 with long gaps means the OS ran other threads.
    double guiCpuShare = 0;
};

class StallProbe : public QObject {
public:
    StallProbe();
    void start();
    void stop();
    // Gaps between consecutive ticks (and from start() to the first one).
    StallFigures figures() const;

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_maxGapNs = 0;
    qint64 m_maxAtNs = 0;
    qint64 m_maxGapCpuNs = 0;
    qint64 m_lastCpuNs = 0;
    qint64 m_cpuStartNs = 0;
    qint64 m_cpuNs = 0;
    qint64 m_wallNs = 0;
    std::vector<qint64> m_gapsNs;
};

} // namespace ganttbench
