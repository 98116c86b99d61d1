#pragma once
#include "lanelayout.h"
#include "timemapping.h"

#include <QChartView>
#include <QElapsedTimer>
#include <QTimer>

#include <optional>
#include <vector>

namespace il {
class Timeline;
}
class QAction;
class QCategoryAxis;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QMenu;
class QValueAxis;
class TimelineItem;

// The live Gantt timeline: lanes down, time across. Qt Charts draws the frame (title,
// time axis in ms, lane names, legend); one TimelineItem over the plot area draws the
// segments from the timeline, so painting costs O(visible pixels), not O(events).
//
// Navigation (every zoom or pan stops following the live edge; fitAll() resumes it):
//  - wheel zooms around the mouse; left-drag pans; double-click or 0 fits the whole run;
//  - right-drag or Ctrl+left-drag draws a band over the plot and, on release, shows
//    exactly the time range it covers (at least TimeMapping::kMinSpanNs); Esc cancels;
//  - W / S zoom in / out around the mouse (or the middle), A / D pan left / right, as in
//    Perfetto; held down they move smoothly (a timer, not the key repeat); + / - zoom
//    and the arrow keys pan by steps;
//  - a click (or Shift+drag) on the plot moves the replay cursor.
// A right-click on a lane (its name or its row) offers to hide it, to collapse it to a
// thin strip that still shows its colours, or to show all lanes again. When zoomed in
// enough, arrows show who woke whom: from each release to the acquire it allowed.
//
// Colours follow the widget's palette (the application's, or one set on the view, as
// the image export does with exportPalette()), and change with it.
class GanttView : public QChartView {
    Q_OBJECT
public:
    explicit GanttView(QWidget *parent = nullptr);
    ~GanttView() override;

    // Not owned; lives on the GUI thread. nullptr shows an empty chart.
    void setTimeline(const il::Timeline *timeline);
    // The timeline grew: update the lanes, follow the live edge if following, repaint.
    void refresh();
    // Shows the whole run and follows the live edge again.
    void fitAll();
    bool followsLiveEdge() const;
    void setChartTitle(const QString &title);
    // Shown in the middle of the chart while there are no lanes.
    void setEmptyHint(const QString &hint);

    qint64 visibleFromNs() const;
    qint64 visibleToNs() const;
    // Shows [fromNs, toNs] (at least TimeMapping::kMinSpanNs) and stops following.
    void setVisibleRangeNs(qint64 fromNs, qint64 toNs);

    // The hover text for the segment under a viewport position; empty when none.
    QString toolTipAt(const QPoint &viewPos) const;
    // Viewport position of time `ns` on the centre line of `lane`.
    QPoint viewPosition(int lane, qint64 ns) const;
    // Zooms by `factor` (> 1 zooms in) around a viewport x, or the middle.
    void zoomBy(double factor, std::optional<int> viewX = std::nullopt);
    // Moves the view by a fraction of its width (> 0 shows later times).
    void panByFraction(double fraction);

    // Lane whose row is at a viewport height (over the plot or its names), or -1.
    int laneAt(const QPoint &viewPos) const;
    void setLaneMode(int lane, LaneMode mode);
    LaneMode laneMode(int lane) const;
    void showAllLanes();
    // The right-click menu for a viewport position (hide / collapse / expand the lane
    // there, show all lanes); the caller owns it.
    QMenu *createLaneMenu(const QPoint &viewPos);
    // "Show all lanes" and "Wake-up arrows", for the window's View menu.
    QAction *showAllLanesAction() const { return m_showAllAction; }
    QAction *wakeArrowsAction() const { return m_wakeArrowsAction; }
    // The band of a selection being dragged, in item coordinates (empty when none).
    QRectF selectionBand() const;

    TimelineItem *timelineItem() const { return m_item; }
    QCategoryAxis *laneAxis() const { return m_laneAxis; }
    QValueAxis *timeAxis() const { return m_timeAxis; }

    // The replay cursor: a click on the plot (or Shift+drag) puts it there and emits
    // timeCursorMoved; setting it from outside does not emit.
    void setTimeCursorNs(std::optional<qint64> tNs);
    std::optional<qint64> timeCursorNs() const { return m_cursorNs; }

signals:
    void timeCursorMoved(qint64 tNs);
    void visibleRangeChanged();

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void restyle();
    void setUpLegend();
    void onPlotAreaChanged(const QRectF &plotArea);
    void updateLaneAxis();
    void updateLegend();
    void applyRange(const TimeMapping &range);
    void applyUserRange(TimeMapping range);
    TimeMapping fullRange() const;
    QPointF toItem(const QPoint &viewPos) const;
    void lanesChanged();
    void updateSelectionBand(const QPoint &viewPos);
    void endSelection(bool apply, const QPoint &viewPos);
    void navigationStep(double seconds);
    std::optional<int> mouseViewX() const;

    const il::Timeline *m_timeline = nullptr;
    QValueAxis *m_timeAxis = nullptr;
    QCategoryAxis *m_laneAxis = nullptr;
    TimelineItem *m_item = nullptr;
    TimeMapping m_range; // item coordinates: left 0, width = plot width
    bool m_following = true;
    int m_axisLanes = -1;
    std::uint32_t m_legendStates = 0; // bit per state shown in the legend
    double m_axisHeight = -1.0;
    std::vector<LaneMode> m_axisModes;
    std::optional<QPoint> m_dragFrom;
    std::optional<QPoint> m_pressedAt; // a press that has not moved yet: may be a click
    bool m_cursorDrag = false;
    std::optional<qint64> m_cursorNs;
    void moveCursorTo(const QPoint &viewPos);

    // A selection being dragged: where it began and with which button.
    std::optional<QPoint> m_selectFrom;
    Qt::MouseButton m_selectButton = Qt::NoButton;
    bool m_selecting = false; // moved far enough to be a band, not a click
    QGraphicsRectItem *m_band = nullptr;
    QGraphicsSimpleTextItem *m_bandLabel = nullptr;

    // W/A/S/D held down: each timer tick moves by the time since the last one.
    std::vector<int> m_navKeys;
    QTimer m_navTimer;
    QElapsedTimer m_navClock;

    QAction *m_showAllAction = nullptr;
    QAction *m_wakeArrowsAction = nullptr;
};
