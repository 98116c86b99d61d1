#pragma once
#include "timemapping.h"

#include <QChartView>

#include <array>
#include <optional>

namespace il {
class Timeline;
}
class QCategoryAxis;
class QValueAxis;
class TimelineItem;

// The live Gantt timeline: lanes down, time across. Qt Charts draws the frame (title,
// time axis in ms, lane names, legend); one TimelineItem over the plot area draws the
// segments from the timeline, so painting costs O(visible pixels), not O(events).
//
// Wheel zooms around the cursor, left-drag pans, double-click (or 0) fits the whole
// run, + and - zoom, arrows pan. Zooming or panning stops following the live edge;
// fitAll() resumes it.
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
    bool viewportEvent(QEvent *event) override;

private:
    void setUpLegend();
    void onPlotAreaChanged(const QRectF &plotArea);
    void updateLaneAxis();
    void applyRange(const TimeMapping &range);
    void applyUserRange(TimeMapping range);
    TimeMapping fullRange() const;
    QPointF toItem(const QPoint &viewPos) const;

    const il::Timeline *m_timeline = nullptr;
    QValueAxis *m_timeAxis = nullptr;
    QCategoryAxis *m_laneAxis = nullptr;
    TimelineItem *m_item = nullptr;
    TimeMapping m_range; // item coordinates: left 0, width = plot width
    bool m_following = true;
    int m_axisLanes = -1;
    int m_axisStep = 0;
    std::optional<QPoint> m_dragFrom;
    std::optional<QPoint> m_pressedAt; // a press that has not moved yet: may be a click
    bool m_cursorDrag = false;
    std::optional<qint64> m_cursorNs;
    void moveCursorTo(const QPoint &viewPos);
};
