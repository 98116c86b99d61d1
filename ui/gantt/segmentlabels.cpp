#include "segmentlabels.h"

#include "segmentpainter.h"
#include "statestyle.h"

#include <QFont>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

SegmentLabels::SegmentLabels(const il::Timeline &timeline, const TimeMapping &map,
                             const LaneLayout &layout, const ViewColors &colors)
    : m_timeline(timeline)
    , m_map(map)
    , m_layout(layout)
    , m_colors(colors)
{
}

int SegmentLabels::paint(QPainter &painter, int firstLane, int lastLane) const
{
    const int last = std::min(lastLane, int(m_timeline.lanes().size()) - 1);
    const double barHeight = m_layout.barRect(0).height();
    if (last < 0 || barHeight < kMinBarHeight * m_layout.unit || m_map.width <= 0)
        return 0;
    painter.save();
    QFont font = painter.font();
    font.setPixelSize(
        std::max(1, int(std::lround(std::min(barHeight * 0.62, 12.0 * m_layout.unit)))));
    painter.setFont(font);
    const QFontMetricsF metrics(font);
    int written = 0;
    for (int lane = std::max(0, firstLane); lane <= last && written < kMaxLabels; ++lane)
        written += paintLane(painter, metrics, lane, kMaxLabels - written);
    painter.restore();
    return written;
}

int SegmentLabels::paintLane(QPainter &painter, const QFontMetricsF &metrics, int laneIndex,
                             int budget) const
{
    const il::TimelineLane &lane = m_timeline.lanes()[std::size_t(laneIndex)];
    const auto &segs = lane.segments;
    const QRectF bar = m_layout.barRect(laneIndex);
    const double left = m_map.left;
    const double right = m_map.left + m_map.width;
    const double minWidth = kMinWidth * m_layout.unit;
    const double pad = 3.0 * m_layout.unit;
    int written = 0;
    std::size_t i = SegmentPainter::firstEndingAfter(m_timeline, lane, 0, m_map.nsAtF(left));
    while (i < segs.size() && written < budget) {
        const il::Segment &s = segs[i];
        const double x0 = std::max(left, m_map.x(double(s.startNs)));
        if (x0 >= right)
            break;
        const double x1 = std::min(right, m_map.x(double(m_timeline.segment_end(lane, i))));
        if (x1 - x0 >= minWidth && i > 0 && x0 > left) {
            // Wide segments side by side may share a colour (task 7, then task 8, with a
            // sliver of something else between): a hairline tells where one begins.
            painter.fillRect(QRectF(x0, bar.top(), m_layout.unit, bar.height()),
                             m_colors.background);
        }
        if (s.resource != il::kNoResource && x1 - x0 >= minWidth) {
            const QString name = QString::fromStdString(m_timeline.resource_name(s.resource));
            const QString text = metrics.elidedText(name, Qt::ElideRight, x1 - x0 - 2 * pad);
            // An ellipsis alone or one letter and an ellipsis says nothing.
            if (text.size() > 2 || text == name) {
                painter.setPen(textColorOn(stateColor(s.state, m_colors.dark)));
                painter.drawText(QRectF(x0 + pad, bar.top(), x1 - x0 - 2 * pad, bar.height()),
                                 Qt::AlignLeft | Qt::AlignVCenter, text);
                ++written;
            }
        }
        // Whatever ends before there is too narrow to be labelled.
        const double next = std::max(x1, x0 + minWidth);
        i = SegmentPainter::firstEndingAfter(m_timeline, lane, i + 1, m_map.nsAtF(next));
    }
    return written;
}
