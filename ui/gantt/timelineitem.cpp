#include "timelineitem.h"

#include "segmentlabels.h"
#include "segmentpainter.h"
#include "wakearrows.h"

#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

TimelineItem::TimelineItem(QGraphicsItem *parent)
    : QGraphicsItem(parent)
{
    setFlag(ItemUsesExtendedStyleOption);
}

void TimelineItem::setTimeline(const il::Timeline *timeline)
{
    m_timeline = timeline;
    m_arrows.forget();
    setMixedShown(false); // until the new run's first paint says otherwise
    update();
}

void TimelineItem::setMixedShown(bool shown)
{
    if (shown == m_mixedShown)
        return;
    m_mixedShown = shown;
    if (m_mixedChanged)
        m_mixedChanged(shown);
}

void TimelineItem::setColors(const ViewColors &colors)
{
    m_colors = colors;
    update();
}

void TimelineItem::setSize(const QSizeF &size)
{
    if (size == m_size)
        return;
    prepareGeometryChange();
    m_size = size;
}

void TimelineItem::setRange(qint64 fromNs, qint64 toNs)
{
    m_fromNs = fromNs;
    m_toNs = toNs;
    update();
}

void TimelineItem::setEmptyHint(const QString &hint)
{
    m_hint = hint;
    update();
}

TimeMapping TimelineItem::mapping() const
{
    TimeMapping map;
    map.fromNs = m_fromNs;
    map.toNs = m_toNs;
    map.left = 0.0;
    map.width = m_size.width();
    return map;
}

LaneLayout TimelineItem::laneLayout() const
{
    return LaneLayout{QRectF(QPointF(0, 0), m_size), laneCount(), 1.0, m_laneModes};
}

int TimelineItem::laneCount() const
{
    return m_timeline ? int(m_timeline->lanes().size()) : 0;
}

std::optional<TimelineItem::Hit> TimelineItem::hitTest(const QPointF &pos) const
{
    if (!m_timeline || pos.x() < 0 || pos.x() >= m_size.width())
        return std::nullopt;
    const int lane = laneLayout().barAtY(pos.y());
    if (lane < 0)
        return std::nullopt;
    const qint64 t = mapping().ns(pos.x());
    const std::ptrdiff_t index = m_timeline->segment_at(m_timeline->lanes()[std::size_t(lane)], t);
    if (index < 0)
        return std::nullopt;
    return Hit{lane, std::size_t(index)};
}

QRectF TimelineItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_size);
}

void TimelineItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    m_lastRects = 0;
    m_lastArrows = 0;
    if (m_size.isEmpty())
        return;
    if (laneCount() == 0) {
        setMixedShown(false);
        paintHint(*painter);
        return;
    }

    // Paint in device pixels so every column and row edge is a whole physical pixel:
    // no seams between rectangles, crisp at a device pixel ratio of 2.
    painter->save();
    const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    const QTransform itemToDevice = painter->deviceTransform();
    painter->setWorldTransform(QTransform::fromScale(1.0 / dpr, 1.0 / dpr));
    const QTransform itemToPixels = itemToDevice * painter->deviceTransform().inverted();
    painter->setRenderHint(QPainter::Antialiasing, false);

    const QRectF pixels = itemToPixels.mapRect(boundingRect());
    const QRectF area(QPointF(std::round(pixels.left()), std::round(pixels.top())),
                      QPointF(std::round(pixels.right()), std::round(pixels.bottom())));
    TimeMapping map = mapping();
    map.left = area.left();
    map.width = area.width();
    const LaneLayout lanes{area, laneCount(), dpr, m_laneModes};

    const QRectF exposed = option ? option->exposedRect : boundingRect();
    const LaneLayout itemLanes = laneLayout();
    const int first = std::max(0, itemLanes.laneAtY(std::max(0.0, exposed.top())));
    int last = itemLanes.laneAtY(std::min(exposed.bottom(), m_size.height() - 1e-6));
    if (last < 0)
        last = laneCount() - 1;

    paintRows(*painter, lanes, first, last);
    // Vector devices (SVG, PDF) get rectangles; pixel devices one scanline per lane.
    const bool raster =
        painter->paintEngine() && painter->paintEngine()->type() == QPaintEngine::Raster;
    int mixedColumns = 0;
    m_lastRects = paintSegments(*painter, map, lanes, first, last, raster, mixedColumns);
    // Only a paint of every lane can say that no lane is striped.
    if ((first == 0 && last == laneCount() - 1) || mixedColumns > 0)
        setMixedShown(mixedColumns > 0);
    painter->setRenderHint(QPainter::TextAntialiasing, true);
    paintLabels(*painter, map, lanes, first, last);
    if (m_wakeArrows)
        m_lastArrows = m_arrows.paint(*painter, *m_timeline, map, lanes, m_colors);
    if (m_cursorNs && *m_cursorNs >= m_fromNs && *m_cursorNs <= m_toNs) {
        const int x = int(std::round(map.x(*m_cursorNs)));
        const int w = std::max(1, int(std::round(2 * dpr)));
        painter->fillRect(QRect(x - w / 2, int(area.top()), w, int(area.height())),
                          m_colors.cursor);
    }
    painter->restore();
}

void TimelineItem::paintRows(QPainter &painter, const LaneLayout &lanes, int first, int last) const
{
    // Every other shown row slightly shaded, so a long lane is easy to follow by eye.
    const int left = int(lanes.area.left());
    const int right = int(lanes.area.right()) - 1;
    int shown = 0;
    for (int lane = 0; lane <= last; ++lane) {
        if (lanes.mode(lane) == LaneMode::Hidden)
            continue;
        if (shown++ % 2 == 1 && lane >= first) {
            const QRectF row = lanes.rowRect(lane);
            painter.fillRect(QRect(QPoint(left, int(std::round(row.top()))),
                                   QPoint(right, int(std::round(row.bottom())) - 1)),
                             m_colors.alternateRow);
        }
    }
}

int TimelineItem::paintSegments(QPainter &painter, const TimeMapping &map, const LaneLayout &lanes,
                                int first, int last, bool raster, int &mixedColumns) const
{
    // Runs of shown lanes: a hidden lane's bar is empty and must not be painted.
    const SegmentPainter segments(*m_timeline, map, lanes, m_colors);
    const auto output = raster ? SegmentPainter::Output::Scanlines : SegmentPainter::Output::Rects;
    int draws = 0;
    for (int lane = first; lane <= last; ++lane) {
        if (lanes.mode(lane) == LaneMode::Hidden)
            continue;
        int end = lane;
        while (end < last && lanes.mode(end + 1) != LaneMode::Hidden)
            ++end;
        draws += segments.paintLanes(painter, lane, end, output, &mixedColumns);
        draws += segments.paintMarks(painter, lane, end, output);
        lane = end;
    }
    return draws;
}

void TimelineItem::paintLabels(QPainter &painter, const TimeMapping &map, const LaneLayout &lanes,
                               int first, int last) const
{
    // Only full rows carry text. SegmentLabels sizes its text from lane 0's bar, so each
    // run of Normal lanes gets an all-Normal layout that matches the real rows there.
    const double row = lanes.rowHeight();
    for (int lane = first; lane <= last; ++lane) {
        if (lanes.mode(lane) != LaneMode::Normal)
            continue;
        int end = lane;
        while (end < last && lanes.mode(end + 1) == LaneMode::Normal)
            ++end;
        const double top = lanes.rowRect(lane).top() - lane * row;
        const LaneLayout uniform{
            QRectF(lanes.area.left(), top, lanes.area.width(), (end + 1) * row), end + 1,
            lanes.unit};
        SegmentLabels(*m_timeline, map, uniform, m_colors).paint(painter, lane, end);
        lane = end;
    }
}

void TimelineItem::setLaneMode(int lane, LaneMode mode)
{
    if (lane < 0 || laneMode(lane) == mode)
        return;
    if (std::size_t(lane) >= m_laneModes.size())
        m_laneModes.resize(std::size_t(lane) + 1, LaneMode::Normal);
    m_laneModes[std::size_t(lane)] = mode;
    update();
}

LaneMode TimelineItem::laneMode(int lane) const
{
    return lane >= 0 && std::size_t(lane) < m_laneModes.size() ? m_laneModes[std::size_t(lane)]
                                                               : LaneMode::Normal;
}

void TimelineItem::showAllLanes()
{
    m_laneModes.clear();
    update();
}

bool TimelineItem::allLanesShown() const
{
    return std::all_of(m_laneModes.begin(), m_laneModes.end(),
                       [](LaneMode m) { return m == LaneMode::Normal; });
}

void TimelineItem::setWakeArrowsShown(bool shown)
{
    if (m_wakeArrows == shown)
        return;
    m_wakeArrows = shown;
    update();
}

void TimelineItem::setCursorNs(std::optional<qint64> tNs)
{
    if (m_cursorNs == tNs)
        return;
    m_cursorNs = tNs;
    update();
}

void TimelineItem::paintHint(QPainter &painter) const
{
    if (m_hint.isEmpty())
        return;
    painter.save();
    QFont font = painter.font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    painter.setFont(font);
    painter.setPen(m_colors.mutedText);
    painter.drawText(boundingRect(), Qt::AlignCenter | Qt::TextWordWrap, m_hint);
    painter.restore();
}
