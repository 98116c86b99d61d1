#pragma once
#include <QLineF>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>

// Where everything of the philosophers' table goes inside a rectangle: a header for
// the time and the deadlock caption, a legend at the bottom, and between them the
// round table with the seats around it. Every size follows the rectangle, and seats
// shrink as they get more numerous, so 2 to 16 seats fit without touching.
//
// Angles are in radians on the screen (y down), 0 at the top, growing clockwise.
// Seat i is at i · 2π/N; chopstick k lies halfway between seats k - 1 and k.
class TableGeometry {
public:
    TableGeometry(const QRectF &bounds, int seats);

    int seats() const { return m_seats; }
    QRectF bounds() const { return m_bounds; }
    QRectF header() const { return m_header; }
    QRectF legend() const { return m_legend; }
    qreal fontPx() const { return m_fontPx; } // header and legend text

    QPointF centre() const { return m_centre; }
    qreal tableRadius() const { return m_tableRadius; }
    qreal seatRadius() const { return m_seatRadius; }
    qreal seatRing() const { return m_seatRing; } // distance of seat centres from the centre
    qreal plateRadius() const { return m_plateRadius; }
    qreal chopstickWidth() const { return m_chopstickWidth; }

    qreal seatAngle(int seat) const;
    qreal chopstickAngle(int chopstick) const;
    QPointF polar(qreal angle, qreal radius) const;
    QPointF seatCentre(int seat) const;
    QPointF plateCentre(int seat) const;

    // Chopstick `k` at `position`: 0 lies free in the middle of its gap, -1 beside the
    // plate of seat k - 1, +1 beside the plate of seat k; values between move it.
    QLineF chopstick(int chopstick, qreal position) const;
    // Where the chopstick's number is written, just inside its inner end.
    QPointF chopstickLabel(int chopstick, qreal position) const;

    // A curve from seat `from`'s edge to seat `to`'s edge that bows outwards past
    // chopstick `via`, so it never crosses the table.
    QPainterPath waitArrow(int from, int to, int via) const;
    qreal arrowWidth() const { return m_seatRadius * 0.07 + 1.0; }

private:
    qreal heldShift() const; // angle a held chopstick moves towards its holder

    QRectF m_bounds;
    QRectF m_header;
    QRectF m_legend;
    int m_seats = 0;
    qreal m_fontPx = 12;
    QPointF m_centre;
    qreal m_tableRadius = 0;
    qreal m_seatRadius = 0;
    qreal m_seatRing = 0;
    qreal m_plateRadius = 0;
    qreal m_chopstickWidth = 0;
};
