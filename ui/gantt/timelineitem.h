#pragma once
#include "lanelayout.h"
#include "theme.h"
#include "timeline.h"
#include "timemapping.h"
#include "wakearrows.h"

#include <QGraphicsItem>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

// The one graphics item that draws every lane's segments, placed exactly over the
// chart's plot area. It paints from the timeline directly (see SegmentPainter), so a
// frame costs what the pixels cost, however long the run. Lanes can be hidden or
// collapsed to a thin strip (see LaneLayout); a collapsed lane shows its colours but no
// text. When zoomed in enough, arrows show who woke whom (see WakeArrows).
class TimelineItem : public QGraphicsItem {
public:
    struct Hit {
        int lane = -1;
        std::size_t segment = 0;
    };

    explicit TimelineItem(QGraphicsItem *parent = nullptr);

    void setTimeline(const il::Timeline *timeline);
    void setSize(const QSizeF &size);
    void setRange(qint64 fromNs, qint64 toNs);
    void setEmptyHint(const QString &hint);
    // The colours of rows, hint, cursor, labels and arrows (see GanttView::restyle).
    void setColors(const ViewColors &colors);
    const ViewColors &colors() const { return m_colors; }
    // A vertical line at a time (the replay cursor); nullopt hides it.
    void setCursorNs(std::optional<qint64> tNs);

    // How each lane is shown, by lane index; lanes past the end (new ones too) are Normal.
    void setLaneMode(int lane, LaneMode mode);
    LaneMode laneMode(int lane) const;
    // Every lane Normal again.
    void showAllLanes();
    bool allLanesShown() const;
    void setWakeArrowsShown(bool shown);
    bool wakeArrowsShown() const { return m_wakeArrows; }

    // In item coordinates: time across [0, width], lanes down [0, height].
    TimeMapping mapping() const;
    LaneLayout laneLayout() const;
    int laneCount() const;
    // The segment drawn under an item position, if any.
    std::optional<Hit> hitTest(const QPointF &pos) const;
    // Fills and image draws of the last paint (segments and marks), for tests.
    int lastRectCount() const { return m_lastRects; }
    // Wake-up arrows drawn by the last paint, for tests.
    int lastArrowCount() const { return m_lastArrows; }
    // Whether the last paint of every lane drew striped (mixed) columns.
    bool mixedShown() const { return m_mixedShown; }
    // Called from paint() when that changes; the receiver must not touch the scene before
    // the paint is over (queue the work).
    void setMixedShownChanged(std::function<void(bool)> changed)
    {
        m_mixedChanged = std::move(changed);
    }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option,
               QWidget *widget = nullptr) override;

private:
    void setMixedShown(bool shown);
    void paintHint(QPainter &painter) const;
    void paintRows(QPainter &painter, const LaneLayout &lanes, int first, int last) const;
    int paintSegments(QPainter &painter, const TimeMapping &map, const LaneLayout &lanes, int first,
                      int last, bool raster, int &mixedColumns) const;
    void paintLabels(QPainter &painter, const TimeMapping &map, const LaneLayout &lanes, int first,
                     int last) const;

    const il::Timeline *m_timeline = nullptr;
    QSizeF m_size;
    qint64 m_fromNs = 0;
    qint64 m_toNs = 1'000'000;
    QString m_hint;
    std::optional<qint64> m_cursorNs;
    ViewColors m_colors;
    std::vector<LaneMode> m_laneModes;
    bool m_wakeArrows = true;
    WakeArrows m_arrows; // remembers the last window's hand-overs
    int m_lastRects = 0;
    int m_lastArrows = 0;
    bool m_mixedShown = false;
    std::function<void(bool)> m_mixedChanged;
};
