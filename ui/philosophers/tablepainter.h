#pragma once
#include "tablestate.h"
#include "theme.h"

#include <QColor>
#include <QFont>
#include <QList>
#include <QRectF>
#include <QString>

class QPainter;

// Colours of the table. Phases reuse the timeline's state colours, so a seat reads
// like the philosopher's lane: thinking as sleeping, hungry as blocked, eating as a
// critical section. The deadlock cycle is a deep red none of them uses. `colors` gives
// the background (an unknown seat is empty: background-filled) and whether it is dark.
QColor phaseColor(PhilosopherPhase phase, const ViewColors &colors = {});
QColor cycleColor(bool darkBackground = false); // a little brighter on dark, to stand out

QColor unknownSeatOutline(); // a seat with no record is empty with this dashed outline
// The default font at `px` pixels, so text scales with the table.
QFont tableFont(qreal px, bool bold = false);

// Paints the whole table (header, table, seats, chopsticks, wait arrows, legend) into
// `bounds`. `chopstickPositions` (one per chopstick, see TableGeometry::chopstick) may
// be mid-animation; pass the resting positions for the recorded state. `live` says
// whether the time shown is the run's live edge or a pinned instant. The background is
// left to the caller; `colors` are the text and background the table sits on (the wood
// and the seats keep their colours in both themes). `parts` leaves out the header (the
// title line and the deadlock text) or the legend, for exported images.
struct TableParts {
    bool header = true;
    bool legend = true;
};
void paintTable(QPainter &painter, const QRectF &bounds, const TableState &table,
                const QList<qreal> &chopstickPositions, bool live, const ViewColors &colors = {},
                TableParts parts = {});

// A centred muted hint where there is no table to show.
void paintTableHint(QPainter &painter, const QRectF &bounds, const QString &hint,
                    const ViewColors &colors = {});
