#pragma once
#include "../imageexport.h"
#include "../theme.h"
#include "tablepainter.h"
#include "tablestate.h"

#include <QImage>
#include <QList>
#include <QSize>
#include <QString>
#include <QWidget>

#include <optional>

namespace il {
class Timeline;
}
class QVariantAnimation;

// The dining philosophers' table at one instant of the run: seats coloured by what
// each philosopher does, chopsticks beside whoever holds them, arrows from the hungry
// to the holder of the chopstick they wait for, and the deadlock cycle in red once it
// has closed. Follows the live edge unless a time is pinned (scrubbing).
//
// Chopsticks glide to their new place over ~150 ms on screen; renderImage() and the
// state accessors always give the recorded state at the displayed time, never a
// half-way frame. On screen it takes its colours from the palette (light or dark);
// images and files are always light, on white.
class PhilosophersView : public QWidget {
    Q_OBJECT
public:
    explicit PhilosophersView(QWidget *parent = nullptr);
    ~PhilosophersView() override;

    // Not owned; lives on the GUI thread. nullptr shows an empty view.
    void setTimeline(const il::Timeline *timeline);
    // The timeline grew: show the live edge (unless a time is pinned).
    void refresh();
    // Pins the view to a recorded time (scrubbing); nullopt follows the live edge.
    void setDisplayTimeNs(std::optional<qint64> t);
    std::optional<qint64> displayTimeNs() const;

    int seatCount() const;                    // seats drawn (== philosopher lanes)
    QList<int> highlightedCycleLanes() const; // lanes drawn in red as the deadlock cycle
    const TableState &tableState() const { return m_table; } // what is drawn, exactly
    bool isAnimating() const;

    QImage renderImage(QSize logicalSize = {900, 900}, qreal dpr = 2.0) const;
    // Writes renderImage() as PNG through a temporary file, so a failed write leaves no
    // half file. On failure returns false and, if `error` is given, says why.
    bool savePng(const QString &path, QString *error, QSize logicalSize = {900, 900},
                 qreal dpr = 2.0) const;
    // Writes the table as PNG or SVG (by the path's suffix) at options.size, through a
    // temporary file. On failure returns false and says why in `error`.
    bool saveImage(const QString &path, const ImageOptions &options, QString *error) const;

    static QString emptyHint();

    QSize sizeHint() const override { return {640, 640}; }
    QSize minimumSizeHint() const override { return {240, 240}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void updateTable();
    void onAnimationStep(const QVariant &value);
    void paintInto(QPainter &painter, const QRectF &bounds, const QList<qreal> &positions,
                   const ViewColors &colors, TableParts parts = {}) const;

    const il::Timeline *m_timeline = nullptr;
    std::optional<qint64> m_pinnedNs;
    TableState m_table;
    QList<qreal> m_restingPositions; // chopsticks where the record puts them
    QList<qreal> m_shownPositions;   // where they are drawn on screen (animated)
    QList<qreal> m_startPositions;   // where the running animation began
    QVariantAnimation *m_animation = nullptr;
};
