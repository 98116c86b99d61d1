#include "tablegeometry.h"

#include <QtMath>

#include <algorithm>
#include <cmath>

namespace {

// How far a held chopstick moves from the middle of its gap towards the holder's
// plate, as a fraction of half the angle between two seats; at a small table it goes
// further, to lie beside the plate all the same.
constexpr qreal kHeldShift = 0.55;
constexpr qreal kMaxHeldAngleToSeat = 0.35; // radians, 20°

QPointF unit(QPointF v)
{
    const qreal length = std::hypot(v.x(), v.y());
    return length > 0 ? v / length : QPointF(0, 0);
}

} // namespace

TableGeometry::TableGeometry(const QRectF &bounds, int seats)
    : m_bounds(bounds)
    , m_seats(std::max(seats, 0))
{
    const qreal base = std::min(bounds.width(), bounds.height());
    m_fontPx = std::clamp(base * 0.021, 9.0, 20.0);
    const qreal pad = m_fontPx * 0.8;
    // The header holds the title line and up to two lines of deadlock caption; the
    // legend up to two rows.
    m_header = QRectF(bounds.left() + pad, bounds.top() + pad * 0.6, bounds.width() - 2 * pad,
                      m_fontPx * 4.4);
    const qreal legendHeight = m_fontPx * 3.2;
    m_legend = QRectF(bounds.left() + pad, bounds.bottom() - pad * 0.6 - legendHeight,
                      bounds.width() - 2 * pad, legendHeight);
    const QRectF area(bounds.left(), m_header.bottom(), bounds.width(),
                      std::max(0.0, m_legend.top() - m_header.bottom()));
    m_centre = area.center();

    const qreal half = std::max(0.0, std::min(area.width(), area.height()) / 2 - pad * 0.3);
    const qreal s = std::sin(M_PI / std::max(m_seats, 2));
    // Seats stay 15 % of their size apart on their ring, and the ring leaves room
    // outside for the wait arrows: half = seatRing + 1.35 · seatRadius.
    m_seatRadius = std::min(0.17 * half, half * s / (1.15 + 1.35 * s));
    m_seatRing = half - 1.35 * m_seatRadius;
    m_tableRadius = std::max(0.0, m_seatRing - 0.55 * m_seatRadius);
    m_chopstickWidth = std::max(2.0, m_tableRadius * 0.026);
    const qreal halfGap = M_PI / std::max(m_seats, 1);
    const qreal plateToChopstick = 0.72 * m_tableRadius * (halfGap - heldShift());
    m_plateRadius = std::min(0.15 * m_tableRadius, 0.7 * plateToChopstick);
}

qreal TableGeometry::heldShift() const
{
    const qreal halfGap = M_PI / std::max(m_seats, 1);
    return halfGap - std::min(halfGap * (1.0 - kHeldShift), kMaxHeldAngleToSeat);
}

qreal TableGeometry::seatAngle(int seat) const
{
    return 2 * M_PI * seat / std::max(m_seats, 1);
}

qreal TableGeometry::chopstickAngle(int chopstick) const
{
    return seatAngle(chopstick) - M_PI / std::max(m_seats, 1);
}

QPointF TableGeometry::polar(qreal angle, qreal radius) const
{
    return m_centre + QPointF(radius * std::sin(angle), -radius * std::cos(angle));
}

QPointF TableGeometry::seatCentre(int seat) const
{
    return polar(seatAngle(seat), m_seatRing);
}

QPointF TableGeometry::plateCentre(int seat) const
{
    return polar(seatAngle(seat), 0.72 * m_tableRadius);
}

QLineF TableGeometry::chopstick(int chopstick, qreal position) const
{
    const qreal held = std::abs(position);
    const qreal halfGap = M_PI / std::max(m_seats, 1);
    const qreal angle = chopstickAngle(chopstick) + position * heldShift();
    // Seats reach over the table's edge; keep the outer end clear of the nearest seat
    // (and its highlight ring): the largest radius at least `clear` from its centre.
    const qreal toSeat = halfGap - held * heldShift();
    const qreal clear = 1.3 * m_seatRadius;
    const qreal across = m_seatRing * std::sin(toSeat);
    qreal outer = m_tableRadius * (0.88 + 0.04 * held);
    if (clear > across)
        outer = std::min(outer, m_seatRing * std::cos(toSeat) -
                                    std::sqrt(clear * clear - across * across));
    const qreal inner = outer - 0.37 * m_tableRadius;
    return QLineF(polar(angle, inner), polar(angle, outer));
}

QPointF TableGeometry::chopstickLabel(int chopstick, qreal position) const
{
    const QLineF stick = this->chopstick(chopstick, position);
    const QPointF inward = stick.p1() - stick.p2();
    return stick.p1() + inward * (0.07 * m_tableRadius / std::max(1e-9, stick.length()));
}

QPainterPath TableGeometry::waitArrow(int from, int to, int via) const
{
    const QPointF a = seatCentre(from);
    const QPointF b = seatCentre(to);
    // A quadratic curve passes through 2C/4 + (a + b)/4 halfway; pick C so that the
    // halfway point lies outside the seats, level with the awaited chopstick.
    const QPointF middle = polar(chopstickAngle(via), m_seatRing + 1.2 * m_seatRadius);
    const QPointF roughControl = 2 * middle - (a + b) / 2;
    const QPointF start = a + unit(roughControl - a) * m_seatRadius * 1.06;
    const QPointF end = b + unit(roughControl - b) * m_seatRadius * 1.12;
    QPainterPath path(start);
    path.quadTo(2 * middle - (start + end) / 2, end);
    return path;
}
