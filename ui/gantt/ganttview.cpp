#include "ganttview.h"

#include "chartstyle.h"
#include "laneaxis.h"
#include "segmenttooltip.h"
#include "statestyle.h"
#include "timeaxis.h"
#include "timeline.h"
#include "timelineitem.h"

#include <QAction>
#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QHelpEvent>
#include <QLegend>
#include <QLegendMarker>
#include <QPainter>
#include <QPixmap>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <utility>
#include <vector>

namespace {
constexpr qint64 kMinVisibleRunNs = 1'000'000; // a fresh run shows at least 1 ms
constexpr int kNavTickMs = 16;                 // W/S/A/D held down: one step per frame
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
    m_item->setMixedShownChanged([this](bool) {
        // Not during the item's paint: the legend re-lays out the scene.
        QMetaObject::invokeMethod(
            this, [this] { updateLegend(); }, Qt::QueuedConnection);
    });
    connect(c, &QChart::plotAreaChanged, this, &GanttView::onPlotAreaChanged);

    m_band = new QGraphicsRectItem(m_item);
    m_band->hide();
    m_bandLabel = new QGraphicsSimpleTextItem(m_band);

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

    restyle();
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
    }
    // And one for striped columns, shown while some are on screen.
    auto *mixed = new QScatterSeries(chart());
    mixed->setName(tr("striped: two states within one pixel (zoom in)"));
    chart()->addSeries(mixed);
    mixed->attachAxis(m_timeAxis);
    mixed->attachAxis(m_laneAxis);
    mixed->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    mixed->setMarkerSize(11);
    mixed->setVisible(false);
    QLegend *legend = chart()->legend();
    legend->setAlignment(Qt::AlignTop);
    legend->setMarkerShape(QLegend::MarkerShapeFromSeries);
}

// The legend lists the states this run has been in (all of them before a run), so that
// it stays short enough to read beside the philosophers' table.
void GanttView::updateLegend()
{
    constexpr int kMixed = int(il::State::Count); // the striped entry follows the states
    std::uint32_t shown = 0;
    for (int s = 0; s < int(il::State::Count); ++s)
        if (!m_timeline || m_timeline->lanes().empty() || m_timeline->has_state(il::State(s)))
            shown |= 1U << unsigned(s);
    if (m_timeline && m_item->mixedShown())
        shown |= 1U << unsigned(kMixed);
    if (shown == m_legendStates)
        return;
    m_legendStates = shown;
    // Hiding the (empty) series hides its marker and lays the legend out again; a
    // hidden marker alone would leave its gap.
    const QList<QAbstractSeries *> series = chart()->series();
    for (int s = 0; s < int(series.size()) && s <= kMixed; ++s)
        series[s]->setVisible((shown >> unsigned(s)) & 1U);
}

void GanttView::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyle();
}

void GanttView::restyle()
{
    const ViewColors colors = viewColors(palette());
    setBackgroundBrush(colors.background);
    styleChart(*chart(), colors);
    const QList<QAbstractSeries *> series = chart()->series();
    for (int s = 0; s < int(series.size()) && s < int(il::State::Count); ++s) {
        const QColor fill = stateColor(il::State(s), colors.dark);
        auto *legendSquare = qobject_cast<QScatterSeries *>(series[s]); // state s, see setUpLegend
        if (!legendSquare)
            continue;
        legendSquare->setColor(fill);
        legendSquare->setBorderColor(colors.dark ? fill.lighter(130) : fill.darker(125));
    }
    if (auto *mixed = series.size() > int(il::State::Count)
                          ? qobject_cast<QScatterSeries *>(series[int(il::State::Count)])
                          : nullptr) {
        // Stripes as the bars draw them, in two neutral shades.
        QPixmap stripes(6, 6);
        stripes.fill(colors.dark ? QColor(0xd0, 0xd0, 0xd0) : QColor(0x60, 0x60, 0x60));
        QPainter p(&stripes);
        p.fillRect(0, 3, 6, 3, colors.dark ? QColor(0x70, 0x70, 0x70) : QColor(0xc8, 0xc8, 0xc8));
        p.end();
        mixed->setBrush(QBrush(stripes));
        mixed->setBorderColor(colors.dark ? QColor(0xd0, 0xd0, 0xd0) : QColor(0x50, 0x50, 0x50));
    }
    QColor tint = colors.selection;
    tint.setAlpha(colors.dark ? 60 : 46);
    m_band->setBrush(tint);
    QColor edge = colors.selection;
    edge.setAlpha(200);
    m_band->setPen(QPen(edge, 0));
    m_bandLabel->setBrush(colors.dark ? colors.selection.lighter(130)
                                      : colors.selection.darker(150));
    m_item->setColors(colors);
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
    updateLegend();
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
