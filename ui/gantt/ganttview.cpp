#include "ganttview.h"

#include "laneaxis.h"
#include "segmenttooltip.h"
#include "statestyle.h"
#include "timeaxis.h"
#include "timeline.h"
#include "timelineitem.h"

#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLegend>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace {
constexpr qint64 kMinVisibleRunNs = 1'000'000; // a fresh run shows at least 1 ms
constexpr double kWheelZoomPerNotch = 1.25;
constexpr double kKeyZoom = 1.5;
constexpr double kKeyPanFraction = 0.1;
// Above the chart's series (z 4) and below its legend (z 5).
constexpr qreal kItemZ = 4.5;
} // namespace

GanttView::GanttView(QWidget *parent)
    : QChartView(parent)
{
    QChart *c = chart();
    c->setBackgroundRoundness(0);
    c->layout()->setContentsMargins(0, 0, 0, 0);
    c->setMargins(QMargins(12, 6, 20, 6));
    c->setAnimationOptions(QChart::NoAnimation);
    QFont titleFont = c->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    c->setTitleFont(titleFont);

    m_timeAxis = new QValueAxis(c);
    m_timeAxis->setTitleText(tr("time (ms)"));
    m_timeAxis->setMinorTickCount(0);
    m_timeAxis->setGridLineColor(QColor(0xe2, 0xe5, 0xe9));
    c->addAxis(m_timeAxis, Qt::AlignBottom);

    m_laneAxis = new QCategoryAxis(c);
    m_laneAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_laneAxis->setTruncateLabels(false); // we thin and shorten the names ourselves
    m_laneAxis->setGridLineVisible(false);
    m_laneAxis->setLineVisible(false);
    c->addAxis(m_laneAxis, Qt::AlignLeft);

    setUpLegend();

    m_item = new TimelineItem(c);
    m_item->setZValue(kItemZ);
    m_item->setEmptyHint(tr("Press Run (Ctrl+R) to start"));
    connect(c, &QChart::plotAreaChanged, this, &GanttView::onPlotAreaChanged);

    setRenderHint(QPainter::Antialiasing, false);
    setRenderHint(QPainter::TextAntialiasing, true);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 200);

    updateLaneAxis();
    applyRange(fullRange());
    onPlotAreaChanged(c->plotArea());
}

GanttView::~GanttView() = default;

void GanttView::setUpLegend()
{
    // One empty series per state gives the legend its coloured squares; the segments
    // themselves are painted by the item, never as series.
    for (int s = 0; s < int(il::State::Count); ++s) {
        const auto state = il::State(s);
        auto *series = new QScatterSeries(chart());
        series->setName(stateLabel(state));
        chart()->addSeries(series);
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_laneAxis);
        // After addSeries, or the chart theme would repaint them.
        series->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        series->setMarkerSize(11);
        series->setColor(stateColor(state));
        series->setBorderColor(stateColor(state).darker(125));
    }
    QLegend *legend = chart()->legend();
    legend->setAlignment(Qt::AlignTop);
    legend->setMarkerShape(QLegend::MarkerShapeFromSeries);
}

void GanttView::setTimeline(const il::Timeline *timeline)
{
    m_timeline = timeline;
    m_item->setTimeline(timeline);
    m_axisLanes = -1;
    m_following = true;
    refresh();
}

void GanttView::refresh()
{
    updateLaneAxis();
    if (m_following)
        applyRange(fullRange());
    m_item->update();
}

void GanttView::fitAll()
{
    m_following = true;
    refresh();
}

bool GanttView::followsLiveEdge() const
{
    return m_following;
}

void GanttView::setChartTitle(const QString &title)
{
    chart()->setTitle(title);
}

void GanttView::setEmptyHint(const QString &hint)
{
    m_item->setEmptyHint(hint);
}

qint64 GanttView::visibleFromNs() const
{
    return m_range.fromNs;
}

qint64 GanttView::visibleToNs() const
{
    return m_range.toNs;
}

void GanttView::setVisibleRangeNs(qint64 fromNs, qint64 toNs)
{
    m_following = false;
    TimeMapping range = m_range;
    range.setRange(fromNs, toNs);
    applyRange(range);
}

QString GanttView::toolTipAt(const QPoint &viewPos) const
{
    if (!m_timeline)
        return QString();
    const auto hit = m_item->hitTest(toItem(viewPos));
    if (!hit)
        return QString();
    return segmentToolTip(*m_timeline, std::size_t(hit->lane), hit->segment);
}

QPoint GanttView::viewPosition(int lane, qint64 ns) const
{
    const QPointF item(m_item->mapping().x(double(ns)), m_item->laneLayout().laneCentreY(lane));
    return mapFromScene(m_item->mapToScene(item));
}

void GanttView::zoomBy(double factor, std::optional<int> viewX)
{
    const double anchor = viewX ? toItem(QPoint(*viewX, 0)).x() : m_range.width / 2.0;
    TimeMapping range = m_range;
    range.zoomAt(anchor, factor);
    applyUserRange(range);
}

void GanttView::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    if (delta.y() != 0) {
        zoomBy(std::pow(kWheelZoomPerNotch, delta.y() / 120.0), event->position().toPoint().x());
    } else if (delta.x() != 0) {
        TimeMapping range = m_range;
        range.panByPixels(delta.x() / 120.0 * m_range.width * kKeyPanFraction);
        applyUserRange(range);
    }
    event->accept();
}

void GanttView::setTimeCursorNs(std::optional<qint64> tNs)
{
    m_cursorNs = tNs;
    timelineItem()->setCursorNs(tNs);
}

void GanttView::moveCursorTo(const QPoint &viewPos)
{
    if (!m_timeline || m_timeline->lanes().empty())
        return;
    const QPointF itemPos = timelineItem()->mapFromScene(mapToScene(viewPos));
    const qint64 t =
        std::clamp<qint64>(timelineItem()->mapping().ns(itemPos.x()), 0, m_timeline->end_ns());
    setTimeCursorNs(t);
    emit timeCursorMoved(t);
}

void GanttView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier)) {
        m_cursorDrag = true;
        moveCursorTo(event->position().toPoint());
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton) {
        m_pressedAt = event->position().toPoint();
        m_dragFrom = event->position().toPoint();
        QToolTip::hideText();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void GanttView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_cursorDrag && (event->buttons() & Qt::LeftButton)) {
        moveCursorTo(event->position().toPoint());
        event->accept();
        return;
    }
    if (m_pressedAt && (event->position().toPoint() - *m_pressedAt).manhattanLength() > 3)
        m_pressedAt.reset(); // a drag, not a click
    if (m_dragFrom && (event->buttons() & Qt::LeftButton)) {
        const QPoint pos = event->position().toPoint();
        const int dx = pos.x() - m_dragFrom->x();
        if (dx != 0) {
            TimeMapping range = m_range;
            range.panByPixels(dx);
            applyUserRange(range);
            m_dragFrom = pos;
        }
        event->accept();
        return;
    }
    QChartView::mouseMoveEvent(event);
}

void GanttView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_cursorDrag) {
        m_cursorDrag = false;
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton && m_pressedAt) {
        m_pressedAt.reset();
        moveCursorTo(event->position().toPoint()); // a click: put the cursor there
    }
    if (event->button() == Qt::LeftButton && m_dragFrom) {
        m_dragFrom.reset();
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void GanttView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        fitAll();
        event->accept();
        return;
    }
    QChartView::mouseDoubleClickEvent(event);
}

void GanttView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(kKeyZoom); break;
    case Qt::Key_Minus: zoomBy(1.0 / kKeyZoom); break;
    case Qt::Key_0: fitAll(); break;
    case Qt::Key_Left:
    case Qt::Key_Right: {
        TimeMapping range = m_range;
        const double step = m_range.width * kKeyPanFraction;
        range.panByPixels(event->key() == Qt::Key_Left ? step : -step);
        applyUserRange(range);
        break;
    }
    default: QChartView::keyPressEvent(event); return;
    }
    event->accept();
}

bool GanttView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QChartView::viewportEvent(event);
}

void GanttView::onPlotAreaChanged(const QRectF &plotArea)
{
    m_item->setPos(plotArea.topLeft());
    m_item->setSize(plotArea.size());
    m_range.width = plotArea.width();
    updateLaneAxis();
    applyRange(m_range);
}

void GanttView::updateLaneAxis()
{
    const int lanes = m_timeline ? int(m_timeline->lanes().size()) : 0;
    const double labelHeight = QFontMetricsF(m_laneAxis->labelsFont()).height();
    const int step = laneLabelStep(lanes, chart()->plotArea().height(), labelHeight);
    if (lanes == m_axisLanes && step == m_axisStep)
        return;
    m_axisLanes = lanes;
    m_axisStep = step;
    QStringList names;
    names.reserve(lanes);
    for (int i = 0; i < lanes; ++i)
        names.append(QString::fromStdString(m_timeline->lanes()[std::size_t(i)].name));
    setLaneCategories(*m_laneAxis, names, step);
    m_item->update();
}

void GanttView::applyRange(const TimeMapping &range)
{
    const bool changed = !range.sameRange(m_range);
    m_range.fromNs = range.fromNs;
    m_range.toNs = range.toNs;
    setTimeAxisRange(*m_timeAxis, double(m_range.fromNs) / 1e6, double(m_range.toNs) / 1e6,
                     m_range.width);
    m_item->setRange(m_range.fromNs, m_range.toNs);
    if (changed)
        emit visibleRangeChanged();
}

void GanttView::applyUserRange(TimeMapping range)
{
    m_following = false;
    const TimeMapping full = fullRange();
    range.clampTo(full.fromNs, full.toNs);
    applyRange(range);
}

TimeMapping GanttView::fullRange() const
{
    TimeMapping full = m_range;
    full.fromNs = 0;
    full.toNs = std::max(m_timeline ? qint64(m_timeline->end_ns()) : 0, kMinVisibleRunNs);
    return full;
}

QPointF GanttView::toItem(const QPoint &viewPos) const
{
    return m_item->mapFromScene(mapToScene(viewPos));
}
