#include "segmenttooltip.h"

#include "statestyle.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

QString formatMs(qint64 ns)
{
    const double ms = double(ns) / 1e6;
    int decimals = 3;
    if (ns != 0) {
        const double magnitude = std::floor(std::log10(std::abs(ms)));
        decimals = std::clamp(int(1 - magnitude), 3, 6);
    }
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', decimals);
}

namespace {

QString describeState(il::State state, const QString &resource)
{
    const QString label = stateLabel(state);
    if (resource.isEmpty())
        return label;
    switch (state) {
    case il::State::Blocked:
    case il::State::Spinning: return QStringLiteral("%1 on %2").arg(label, resource);
    case il::State::Critical: return QStringLiteral("%1 holding %2").arg(label, resource);
    default: return QStringLiteral("%1 (%2)").arg(label, resource);
    }
}

} // namespace

QString segmentToolTip(const il::Timeline &timeline, std::size_t laneIndex,
                       std::size_t segmentIndex)
{
    const il::TimelineLane &lane = timeline.lanes().at(laneIndex);
    const il::Segment &segment = lane.segments.at(segmentIndex);
    const qint64 end = timeline.segment_end(lane, segmentIndex);
    const bool ongoing = lane.open && segmentIndex + 1 == lane.segments.size();
    const QString resource = QString::fromStdString(timeline.resource_name(segment.resource));
    return QStringLiteral("%1\n%2\nstart %3\nduration %4%5")
        .arg(QString::fromStdString(lane.name), describeState(segment.state, resource),
             formatMs(segment.startNs), formatMs(end - segment.startNs),
             ongoing ? QStringLiteral(" (still going on)") : QString());
}
