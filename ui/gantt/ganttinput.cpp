// GanttView's mouse and keyboard: drag to pan, wheel and +/- to zoom, right- or
// Ctrl-drag to zoom to a selection, W/A/S/D as in Perfetto (a tap steps, holding glides),
// Shift-click or click to place the time cursor, and the lane menu (hide, collapse, show all).
#include "ganttview.h"

#include "segmenttooltip.h"
#include "timeline.h"
#include "timelineitem.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QCursor>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace {
constexpr double kWheelZoomPerNotch = 1.25;
constexpr double kKeyZoom = 1.5;
constexpr double kKeyPanFraction = 0.1;
// W/S/A/D: a tap moves one step, holding moves on at these rates.
constexpr double kNavTapZoom = 1.25;
constexpr double kNavZoomPerSecond = 4.0;
constexpr double kNavPanPerSecond = 1.2; // view widths
constexpr int kClickSlopPx = 3;
} // namespace

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
