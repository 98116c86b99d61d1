#include "ganttview.h"

#include "laneaxis.h"
#include "segmenttooltip.h"
#include "statestyle.h"
#include "timeaxis.h"
#include "timeline.h"
#include "timelineitem.h"

#include <QAction>
#include <QCategoryAxis>
#include <QContextMenuEvent>
#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLegend>
#include <QMenu>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace {
constexpr qint64 kMinVisibleRunNs = 1'000'000; // a fresh run shows at least 1 ms
constexpr double kWheelZoomPerNotch = 1.25;
constexpr double kKeyZoom = 1.5;
constexpr double kKeyPanFraction = 0.1;
// W/S/A/D: a tap moves one step, holding moves on at these rates.
constexpr double kNavTapZoom = 1.25;
constexpr double kNavZoomPerSecond = 4.0;
constexpr double kNavPanPerSecond = 1.2; // view widths
constexpr int kNavTickMs = 16;
constexpr int kClickSlopPx = 3;
const QColor kBandFill(0x1f, 0x6f, 0xd0, 46);
const QColor kBandEdge(0x1f, 0x6f, 0xd0, 200);
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

    m_band = new QGraphicsRectItem(m_item);
    m_band->setBrush(kBandFill);
    m_band->setPen(QPen(kBandEdge, 0));
    m_band->hide();
    m_bandLabel = new QGraphicsSimpleTextItem(m_band);
    m_bandLabel->setBrush(kBandEdge.darker(150));

    m_navTimer.setInterval(kNavTickMs);
    m_navTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_navTimer, &QTimer::timeout, this,
            [this] { navigationStep(std::min(0.1, double(m_navClock.restart()) / 1000.0)); });

    m_showAllAction = new QAction(tr("Show &all lanes"), this);
    m_showAllAction->setEnabled(false);
    connect(m_showAllAction, &QAction::triggered, this, &GanttView::showAllLanes);
    m_wakeArrowsAction = new QAction(tr("&Wake-up arrows (who woke whom)"), this);
    m_wakeArrowsAction->setCheckable(true);
    m_wakeArrowsAction->setChecked(m_item->wakeArrowsShown());
    connect(m_wakeArrowsAction, &QAction::toggled, this,
            [this](bool on) { m_item->setWakeArrowsShown(on); });

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
    m_item->showAllLanes(); // a new run shows every lane
    m_showAllAction->setEnabled(false);
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

void GanttView::panByFraction(double fraction)
{
    TimeMapping range = m_range;
    range.panByPixels(-fraction * m_range.width);
    applyUserRange(range);
}

int GanttView::laneAt(const QPoint &viewPos) const
{
    return m_item->laneLayout().laneAtY(toItem(viewPos).y());
}

void GanttView::setLaneMode(int lane, LaneMode mode)
{
    m_item->setLaneMode(lane, mode);
    lanesChanged();
}

LaneMode GanttView::laneMode(int lane) const
{
    return m_item->laneMode(lane);
}

void GanttView::showAllLanes()
{
    m_item->showAllLanes();
    lanesChanged();
}

void GanttView::lanesChanged()
{
    m_showAllAction->setEnabled(!m_item->allLanesShown());
    updateLaneAxis();
    m_item->update();
}

QMenu *GanttView::createLaneMenu(const QPoint &viewPos)
{
    auto *menu = new QMenu(this);
    const int lane = m_timeline ? laneAt(viewPos) : -1;
    if (lane >= 0) {
        const QString name = QString::fromStdString(m_timeline->lanes()[std::size_t(lane)].name);
        menu->addAction(tr("Hide lane '%1'").arg(name), this,
                        [this, lane] { setLaneMode(lane, LaneMode::Hidden); });
        if (laneMode(lane) == LaneMode::Collapsed)
            menu->addAction(tr("Expand lane '%1'").arg(name), this,
                            [this, lane] { setLaneMode(lane, LaneMode::Normal); });
        else
            menu->addAction(tr("Collapse lane '%1'").arg(name), this,
                            [this, lane] { setLaneMode(lane, LaneMode::Collapsed); });
        menu->addSeparator();
    }
    menu->addAction(m_showAllAction);
    menu->addAction(m_wakeArrowsAction);
    return menu;
}

void GanttView::contextMenuEvent(QContextMenuEvent *event)
{
    // A right press may start a selection: the mouse menu opens on a release that did
    // not drag (mouseReleaseEvent). The keyboard's menu key opens it at once.
    if (event->reason() != QContextMenuEvent::Mouse) {
        QMenu *menu = createLaneMenu(viewport()->mapFromGlobal(event->globalPos()));
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(event->globalPos());
    }
    event->accept();
}

QRectF GanttView::selectionBand() const
{
    return m_band->isVisible() ? m_band->rect() : QRectF();
}

void GanttView::updateSelectionBand(const QPoint &viewPos)
{
    const double width = m_item->boundingRect().width();
    const double x0 = std::clamp(toItem(*m_selectFrom).x(), 0.0, width);
    const double x1 = std::clamp(toItem(viewPos).x(), 0.0, width);
    const QRectF band(QPointF(std::min(x0, x1), 0.0),
                      QPointF(std::max(x0, x1), m_item->boundingRect().height()));
    m_band->setRect(band);
    const qint64 span =
        std::max(m_range.ns(band.right()) - m_range.ns(band.left()), TimeMapping::kMinSpanNs);
    m_bandLabel->setText(formatMs(span));
    m_bandLabel->setPos(band.left() + 4, 4);
    m_band->show();
}

void GanttView::endSelection(bool apply, const QPoint &viewPos)
{
    if (apply && m_selecting) {
        updateSelectionBand(viewPos);
        const QRectF band = m_band->rect();
        TimeMapping range = m_range;
        range.setRange(m_range.ns(band.left()), m_range.ns(band.right()));
        applyUserRange(range);
    }
    m_selectFrom.reset();
    m_selectButton = Qt::NoButton;
    m_selecting = false;
    m_band->hide();
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
    const bool ctrlLeft =
        event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier);
    if (!m_selectFrom && (event->button() == Qt::RightButton || ctrlLeft)) {
        m_selectFrom = event->position().toPoint();
        m_selectButton = event->button();
        m_selecting = false;
        QToolTip::hideText();
        event->accept();
        return;
    }
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
    if (m_selectFrom && (event->buttons() & m_selectButton)) {
        const QPoint pos = event->position().toPoint();
        if ((pos - *m_selectFrom).manhattanLength() > kClickSlopPx)
            m_selecting = true;
        if (m_selecting)
            updateSelectionBand(pos);
        event->accept();
        return;
    }
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
    if (m_selectFrom && event->button() == m_selectButton) {
        const bool menu = !m_selecting && m_selectButton == Qt::RightButton;
        const QPoint pos = event->position().toPoint();
        endSelection(true, pos);
        if (menu) {
            QMenu *lanes = createLaneMenu(pos);
            lanes->setAttribute(Qt::WA_DeleteOnClose);
            lanes->popup(viewport()->mapToGlobal(pos));
        }
        event->accept();
        return;
    }
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
    case Qt::Key_W:
    case Qt::Key_S:
    case Qt::Key_A:
    case Qt::Key_D:
        // The key repeat is left to the timer, which moves at an even pace.
        if (!event->isAutoRepeat()) {
            if (std::find(m_navKeys.begin(), m_navKeys.end(), event->key()) == m_navKeys.end())
                m_navKeys.push_back(event->key());
            const auto tap = [&](int key) { return event->key() == key ? 1.0 : 0.0; };
            if (event->key() == Qt::Key_W || event->key() == Qt::Key_S)
                zoomBy(std::pow(kNavTapZoom, tap(Qt::Key_W) - tap(Qt::Key_S)), mouseViewX());
            else
                panByFraction(kKeyPanFraction * (tap(Qt::Key_D) - tap(Qt::Key_A)));
            if (!m_navTimer.isActive()) {
                m_navClock.start();
                m_navTimer.start();
            }
        }
        break;
    case Qt::Key_Escape:
        if (!m_selectFrom) {
            QChartView::keyPressEvent(event);
            return;
        }
        endSelection(false, QPoint());
        break;
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

void GanttView::keyReleaseEvent(QKeyEvent *event)
{
    const auto held = std::find(m_navKeys.begin(), m_navKeys.end(), event->key());
    if (held == m_navKeys.end() || event->isAutoRepeat()) {
        QChartView::keyReleaseEvent(event);
        return;
    }
    m_navKeys.erase(held);
    if (m_navKeys.empty())
        m_navTimer.stop();
    event->accept();
}

void GanttView::focusOutEvent(QFocusEvent *event)
{
    // A key released elsewhere never reaches us: stop rather than drift on.
    m_navKeys.clear();
    m_navTimer.stop();
    QChartView::focusOutEvent(event);
}

void GanttView::navigationStep(double seconds)
{
    double zoomIn = 0.0;
    double pan = 0.0;
    for (const int key : m_navKeys) {
        zoomIn += key == Qt::Key_W ? 1.0 : key == Qt::Key_S ? -1.0 : 0.0;
        pan += key == Qt::Key_D ? 1.0 : key == Qt::Key_A ? -1.0 : 0.0;
    }
    if (zoomIn != 0.0)
        zoomBy(std::pow(kNavZoomPerSecond, zoomIn * seconds), mouseViewX());
    if (pan != 0.0)
        panByFraction(pan * kNavPanPerSecond * seconds);
}

std::optional<int> GanttView::mouseViewX() const
{
    const QPoint pos = viewport()->mapFromGlobal(QCursor::pos());
    if (!viewport()->rect().contains(pos))
        return std::nullopt;
    const double x = toItem(pos).x();
    if (x < 0.0 || x > m_item->boundingRect().width())
        return std::nullopt;
    return pos.x();
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
    const LaneLayout layout = m_item->laneLayout();
    std::vector<LaneMode> modes(static_cast<std::size_t>(lanes));
    for (int i = 0; i < lanes; ++i)
        modes[std::size_t(i)] = layout.mode(i);
    const double height = layout.area.height();
    if (lanes == m_axisLanes && height == m_axisHeight && modes == m_axisModes)
        return;
    m_axisLanes = lanes;
    m_axisHeight = height;
    m_axisModes = std::move(modes);
    QStringList names;
    names.reserve(lanes);
    for (int i = 0; i < lanes; ++i)
        names.append(QString::fromStdString(m_timeline->lanes()[std::size_t(i)].name));
    setLaneCategories(*m_laneAxis, names, layout, QFontMetricsF(m_laneAxis->labelsFont()).height());
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
